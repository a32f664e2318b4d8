import { afterEach, describe, expect, it } from 'vitest';
import { createJsServer } from '../../src/js/index.js';
import type { ServerHandlers } from '../../src/types.js';
import { answerEach } from './support/answer-each.js';
import { echoHandlers } from './support/handlers.js';
import { RawClient } from './support/raw-client.js';
import { GET, deferred, harness } from './support/server.js';

const h = harness();
afterEach(() => h.cleanup());

describe('js transport: half-close, graceful close, churn', () => {
  it('answers every pipelined request of a client that half-closes, then closes', async () => {
    let pending: Array<() => void> = [];
    const batched = deferred();
    const handlers = answerEach(
      (send) => pending.push(send),
      () => batched.resolve(),
    );
    const { port } = await h.start(handlers);
    const client = await h.connect(port, undefined, true);
    await client.write(GET('/1') + GET('/2') + GET('/3'));
    client.socket.end();
    await batched.promise;
    const run = pending;
    pending = [];
    for (const respond of run.reverse()) respond();
    await client.ended();
    const responses = await client.responses(3);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['/1', '/2', '/3']);
  });

  it('close() stops accepting, lets in-flight requests finish, closes idle connections', async () => {
    let finish: (() => void) | undefined;
    const batched = deferred();
    const handlers = answerEach((send, { target }) => {
      if (target !== '/slow') return send();
      finish = () => send('slow');
      batched.resolve();
    });
    const server = createJsServer({ host: '127.0.0.1', port: 0 }, handlers);
    const { port } = await server.listen();
    const idle = await RawClient.connect(port);
    await idle.write(GET('/idle'));
    await idle.responses(1);
    const busy = await RawClient.connect(port);
    await busy.write(GET('/slow'));
    await batched.promise;
    let closed = false;
    const closing = server.close(10_000).then(() => {
      closed = true;
    });
    await idle.ended();
    await expect(RawClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    expect(closed).toBe(false);
    finish!();
    const [res] = await busy.responses(1);
    expect(Buffer.from(res!.body).toString()).toBe('slow');
    await busy.ended();
    await closing;
    expect(server.stats().connections).toBe(0);
  });

  it('close(deadline) cuts connections whose requests never finish', async () => {
    const batched = deferred();
    const handlers: ServerHandlers = { onBatch: () => batched.resolve() };
    const server = createJsServer({ host: '127.0.0.1', port: 0 }, handlers);
    const { port } = await server.listen();
    const client = await RawClient.connect(port);
    await client.write(GET('/never'));
    await batched.promise;
    const start = Date.now();
    await server.close(300);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(Date.now() - start).toBeLessThan(5000);
    await client.ended();
    expect(client.received.length).toBe(0);
  });

  it('survives 2000 connection open/close cycles without leaking connections', async () => {
    const handlers = echoHandlers();
    const { port, server } = await h.start(handlers);
    const cycles = 2000;
    const parallel = 20;
    let done = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (done < cycles) {
          const cycle = done++;
          const client = await RawClient.connect(port);
          if (cycle % 2 === 0) {
            await client.write(GET('/c', 'Connection: close\r\n'));
            await client.ended();
          } else {
            client.destroy();
            await client.ended();
          }
        }
      }),
    );
    const allClosed = deferred();
    const check = (): void => {
      if (server.stats().connections === 0) allClosed.resolve();
    };
    handlers.onConnectionClose = check;
    check();
    await allClosed.promise;
    expect(server.stats().inFlight).toBe(0);
    expect(handlers.batches.length).toBe(cycles / 2);
  });
});
