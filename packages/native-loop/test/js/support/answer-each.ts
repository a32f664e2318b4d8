import type { RequestBatch, ServerHandlers } from '../../../src/types.js';
import { head } from './handlers.js';

/** One request of a batch, as {@link answerEach} hands it to the test. */
export interface EachRequest {
  conn: number;
  seq: number;
  target: string;
  /** Its index in the batch, and the batch's size. */
  index: number;
  count: number;
}

/**
 * Handlers that call `each(send, req)` for every request of every batch, where `send(body)`
 * answers that request with 200 and `body` (its target unless given), now or whenever the test
 * calls it. `before(batch)` runs first for each batch.
 */
export function answerEach(
  each: (send: (body?: string) => void, req: EachRequest) => void,
  before?: (batch: RequestBatch) => void,
): ServerHandlers {
  return {
    onBatch(batch, out) {
      before?.(batch);
      const count = batch.count;
      for (let index = 0; index < count; index++) {
        const conn = batch.conn(index);
        const seq = batch.seq(index);
        const target = batch.target(index);
        const send = (body: string = target): void => out.respond(conn, seq, head(200, body), body, false);
        each(send, { conn, seq, target, index, count });
      }
    },
  };
}
