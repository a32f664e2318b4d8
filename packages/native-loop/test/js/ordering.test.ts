import { afterEach, describe, expect, it } from 'vitest';
import type { ServerHandlers } from '../../src/types.js';
import { answerEach } from './support/answer-each.js';
import { head } from './support/handlers.js';
import { GET, deferred, harness, seeded } from './support/server.js';

const h = harness();
afterEach(() => h.cleanup());

describe('js transport: response ordering', () => {
  it('writes thousands of mixed sync/async responses in request order per connection', async () => {
    const random = seeded(42);
    const handlers = answerEach((respond) => {
      const r = random();
      if (r < 0.4) respond();
      else if (r < 0.7) queueMicrotask(respond);
      else setTimeout(respond, Math.floor(random() * 5));
    });
    const { port } = await h.start(handlers);
    const clients = await Promise.all([1, 2, 3].map(() => h.connect(port)));
    const perClient = 1000;
    await Promise.all(
      clients.map(async (client, c) => {
        const paths = Array.from({ length: perClient }, (_, i) => `/c${c}/r${i}`);
        // send in bursts of uneven size so batches split at arbitrary requests
        for (let i = 0; i < paths.length; ) {
          const n = 1 + Math.floor(random() * 40);
          await client.write(paths.slice(i, i + n).map((p) => GET(p)).join(''));
          i += n;
        }
        const responses = await client.responses(perClient);
        expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(paths);
      }),
    );
  });

  it('holds a later response until the earlier one completes', async () => {
    let completeFirst: (() => void) | undefined;
    const batched = deferred();
    const handlers = answerEach(
      (send, { seq }) => {
        if (seq === 0) completeFirst = send;
        else send();
      },
      () => batched.resolve(),
    );
    const { port, server } = await h.start(handlers);
    const client = await h.connect(port);
    await client.write(GET('/slow') + GET('/fast'));
    await batched.promise;
    expect(server.stats().inFlight).toBe(2);
    completeFirst!();
    const responses = await client.responses(2);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['/slow', '/fast']);
    expect(server.stats().inFlight).toBe(0);
  });

  it('drops responses for unknown sequence numbers, duplicates and gone connections', async () => {
    let saved: { conn: number; out: Parameters<ServerHandlers['onBatch']>[1] } | undefined;
    const handlers: ServerHandlers = {
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const conn = batch.conn(i);
          saved = { conn, out };
          out.respond(conn, batch.seq(i) + 5, head(200, 'future'), 'future', false);
          out.respond(conn, batch.seq(i), head(200, 'ok'), 'ok', false);
          out.respond(conn, batch.seq(i), head(200, 'dup'), 'dup', false);
          out.respond(conn + 1000, 0, head(200, 'nobody'), 'nobody', false);
        }
      },
    };
    const { port } = await h.start(handlers);
    const client = await h.connect(port);
    await client.write(GET('/'));
    await client.responses(1);
    await client.write(GET('/'));
    const responses = await client.responses(2);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['ok', 'ok']);
    client.destroy();
    await client.ended();
    expect(() => saved!.out.respond(saved!.conn, 2, head(200, 'late'), 'late', false)).not.toThrow();
  });

  it('sends byte bodies and UTF-8 string bodies as given', async () => {
    const handlers: ServerHandlers = {
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const bytes = batch.target(i) === '/bytes';
          const body = bytes ? new Uint8Array([0, 1, 2, 255]) : 'héllo ☃';
          out.respond(batch.conn(i), batch.seq(i), head(200, body), body, false);
        }
      },
    };
    const { port } = await h.start(handlers);
    const client = await h.connect(port);
    await client.write(GET('/bytes') + GET('/text') + GET('/bytes'));
    const [a, b, c] = await client.responses(3);
    expect([...a!.body]).toEqual([0, 1, 2, 255]);
    expect(Buffer.from(b!.body).toString('utf8')).toBe('héllo ☃');
    expect([...c!.body]).toEqual([0, 1, 2, 255]);
  });
});
