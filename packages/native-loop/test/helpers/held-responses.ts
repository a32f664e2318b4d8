import type { RequestBatch, ServerHandlers } from '../../src/types.js';
import { ok } from './transports.js';

/** Handlers that answer `/slow` only when the test says so, and every other request at once. */
export interface HoldSlow {
  /** Answers each request with `bodyOf` (200, Content-Length); `/slow`'s answer waits in `pending`. */
  handlers: ServerHandlers;
  /** The held answers to `/slow`, in arrival order; call one to send it. */
  pending: Array<() => void>;
  /** Resolves once a `/slow` request arrived (its answer is in `pending`). */
  slowReached: Promise<void>;
}

/** Builds {@link HoldSlow} handlers whose response bodies are `bodyOf(batch, i)`. */
export function holdSlow(bodyOf: (batch: RequestBatch, i: number) => string): HoldSlow {
  const pending: Array<() => void> = [];
  let reached!: () => void;
  const slowReached = new Promise<void>((r) => (reached = r));
  const handlers: ServerHandlers = {
    onBatch(batch, out) {
      for (let i = 0; i < batch.count; i++) {
        const conn = batch.conn(i);
        const seq = batch.seq(i);
        const body = bodyOf(batch, i);
        const send = (): void => out.respond(conn, seq, ok(body.length), body, false);
        if (batch.target(i) === '/slow') {
          pending.push(send);
          reached();
        } else send();
      }
    },
  };
  return { handlers, pending, slowReached };
}

/** Handlers that hold every response until the test sends it. */
export interface HoldAll {
  /** Queues a `200` answer with `body` for each request in `pending`. */
  handlers: ServerHandlers;
  /** The held answers, in arrival order; call one to send it. */
  pending: Array<() => void>;
  /** Resolves once the first batch arrived. */
  gotRequest: Promise<void>;
}

/** Builds {@link HoldAll} handlers answering every request with `body`. */
export function holdAll(body: string): HoldAll {
  const pending: Array<() => void> = [];
  let got!: () => void;
  const gotRequest = new Promise<void>((r) => (got = r));
  const handlers: ServerHandlers = {
    onBatch(batch, out) {
      for (let i = 0; i < batch.count; i++) {
        const conn = batch.conn(i);
        const seq = batch.seq(i);
        pending.push(() => out.respond(conn, seq, ok(body.length), body, false));
      }
      got();
    },
  };
  return { handlers, pending, gotRequest };
}
