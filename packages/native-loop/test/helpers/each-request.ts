import type { RequestBatch, Responder, ServerHandlers } from '../../src/types.js';

/** One request of a batch, as {@link eachRequest} hands it over. */
export interface BatchRequest {
  batch: RequestBatch;
  i: number;
  conn: number;
  seq: number;
}

/**
 * An `onBatch` that gives each batch's responder to `keep` (for the handler's body callbacks),
 * then calls `each(req, out)` for every request of the batch.
 */
export function eachRequest(
  keep: (out: Responder) => void,
  each: (req: BatchRequest, out: Responder) => void,
): ServerHandlers['onBatch'] {
  return (batch, out) => {
    keep(out);
    for (let i = 0; i < batch.count; i++) each({ batch, i, conn: batch.conn(i), seq: batch.seq(i) }, out);
  };
}
