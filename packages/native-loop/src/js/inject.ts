import type { ServerHandlers, ServerOptions } from '../types.js';
import { Connection } from './connection.js';
import { ConnectionSet } from './connection-set.js';
import { dateHeader } from './date-cache.js';
import { resolveOptions } from './options.js';
import { createConnectionParser } from './parser-factory.js';
import type { ConnectionSink } from './sink.js';

/** Connection ids of injected connections count from here, apart from real sockets' ids. */
const INJECT_ID_BASE = 0x80000000;
let nextInjectId = 0;

/**
 * Sends the raw request bytes `raw` through a virtual connection (no socket) and resolves to the
 * raw bytes the transport answered: the same TS parser, batch, ordering, keep-alive and error path
 * as real traffic. `raw` arrives as one read followed by the client's half-close, so the promise
 * resolves once every complete request in it is answered, or the connection closed on an error.
 * Timeouts do not apply; responses to async requests must come through the `out` given to `onBatch`.
 *
 * @example
 * const bytes = await inject(handlers, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
 * const [res] = parseResponses(bytes);
 */
export function inject(handlers: ServerHandlers, raw: Uint8Array, options?: ServerOptions): Promise<Uint8Array> {
  const resolved = resolveOptions(options);
  return new Promise((resolve) => {
    const output: Buffer[] = [];
    let conn: Connection | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      // Let the connection's own end/close logic unwind before the close notification.
      queueMicrotask(() => {
        conn?.onClose();
        resolve(Buffer.concat(output));
      });
    };
    const sink: ConnectionSink = {
      write(pieces) {
        if (finished) return;
        for (const piece of pieces) {
          output.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece));
        }
      },
      pendingBytes: 0,
      queuedBytes: 0,
      pause() {},
      resume() {},
      end: finish,
      destroy: finish,
    };
    const set = new ConnectionSet(resolved, handlers, dateHeader);
    nextInjectId = (nextInjectId + 1) % 0x7fffffff;
    conn = new Connection(INJECT_ID_BASE + nextInjectId, set, sink, createConnectionParser(resolved), false);
    set.add(conn);
    conn.onData(raw);
    conn.onEnd();
  });
}
