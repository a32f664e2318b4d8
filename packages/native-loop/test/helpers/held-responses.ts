import type { RequestBatch, ServerHandlers } from '../../src/types.js';
import { ok } from './transports.js';

/** Handlers that hold some responses until the test sends them, and answer the rest at once. */
export interface HeldResponses {
  /** Answers each request with 200 and its body; a held request's answer waits in `pending`. */
  handlers: ServerHandlers;
  /** The held answers, in arrival order; call one to send it. */
  pending: Array<() => void>;
  /** Resolves once the first held request arrived (its answer is in `pending`). */
  reached: Promise<void>;
}

/** Builds {@link HeldResponses} whose bodies are `bodyOf(batch, i)`, holding where `held(batch, i)`. */
function holdResponses(
  bodyOf: (batch: RequestBatch, i: number) => string,
  held: (batch: RequestBatch, i: number) => boolean,
): HeldResponses {
  const pending: Array<() => void> = [];
  let reach!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const handlers: ServerHandlers = {
    onBatch(batch, out) {
      for (let i = 0; i < batch.count; i++) {
        const conn = batch.conn(i);
        const seq = batch.seq(i);
        const body = bodyOf(batch, i);
        const send = (): void => out.respond(conn, seq, ok(body.length), body, false);
        if (held(batch, i)) {
          pending.push(send);
          reach();
        } else send();
      }
    },
  };
  return { handlers, pending, reached };
}

/** Holds only the answers to `/slow`; bodies are `bodyOf(batch, i)`. */
export const holdSlow = (bodyOf: (batch: RequestBatch, i: number) => string): HeldResponses =>
  holdResponses(bodyOf, (batch, i) => batch.target(i) === '/slow');

/** Holds every answer, each with `body`. */
export const holdAll = (body: string): HeldResponses =>
  holdResponses(() => body, () => true);
