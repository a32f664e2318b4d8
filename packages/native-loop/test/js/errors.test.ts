import { afterEach, describe, expect, it } from 'vitest';
import { answerEach } from './support/answer-each.js';
import { echoHandlers, head } from './support/handlers.js';
import { GET, deferred, harness } from './support/server.js';

const h = harness();
afterEach(() => h.cleanup());

function expectTransportError(res: { status: number; headers: Record<string, string>; body: Uint8Array }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['connection']).toBe('close');
  expect(res.headers['server']).toBe('jato-test');
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  expect(Number(res.headers['content-length'])).toBe(res.body.length);
  expect(Date.parse(res.headers['date'] ?? '')).not.toBeNaN();
}

describe('js transport: errors', () => {
  it('answers a malformed request 400 with Connection: close, after earlier responses, then closes', async () => {
    const handlers = echoHandlers();
    const { port } = await h.start(handlers, { serverName: 'jato-test' });
    const client = await h.connect(port);
    await client.write(GET('/ok') + 'GET / HTTP/1.1\r\nBad Header\r\n\r\n' + GET('/never'));
    await client.ended();
    const [ok, bad, ...rest] = await client.responses(2);
    expect(Buffer.from(ok!.body).toString()).toBe('/ok');
    expectTransportError(bad!, 400);
    expect(rest).toEqual([]);
    expect(handlers.batches.flat().map((r) => r.target)).toEqual(['/ok']);
  });

  it('orders the error response after a pending async response', async () => {
    let later: (() => void) | undefined;
    const batched = deferred();
    const handlers = answerEach((send) => {
      later = () => send('async');
      batched.resolve();
    });
    const { port } = await h.start(handlers, { serverName: 'jato-test' });
    const client = await h.connect(port);
    await client.write(GET('/a') + 'BAD\r\n\r\n');
    await batched.promise;
    later!();
    await client.ended();
    const [a, bad] = await client.responses(2);
    expect(Buffer.from(a!.body).toString()).toBe('async');
    expectTransportError(bad!, 400);
  });

  it('answers the error after every earlier request, also those held back by maxInFlight', async () => {
    let maxSeen = 0;
    let inFlight = 0;
    const handlers = answerEach((send) => {
      inFlight += 1;
      maxSeen = Math.max(maxSeen, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        send();
      }, 1);
    });
    const { port } = await h.start(handlers, { serverName: 'jato-test', limits: { maxInFlight: 3 } });
    const client = await h.connect(port);
    const paths = Array.from({ length: 10 }, (_, i) => `/${i}`);
    await client.write(paths.map((p) => GET(p)).join('') + 'BAD REQUEST\r\n\r\n');
    await client.ended();
    const responses = await client.responses(11);
    expect(responses.slice(0, 10).map((r) => Buffer.from(r.body).toString())).toEqual(paths);
    expectTransportError(responses[10]!, 400);
    expect(maxSeen).toBe(3);
  });

  it('answers 413 from Content-Length before the body arrives', async () => {
    const handlers = echoHandlers();
    const { port } = await h.start(handlers, { serverName: 'jato-test', limits: { maxBodyBytes: 10 } });
    const client = await h.connect(port);
    await client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n');
    const [res] = await client.responses(1);
    expectTransportError(res!, 413);
    await client.ended();
    expect(handlers.batches.length).toBe(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const handlers = echoHandlers((req, out) => {
      out.respond(req.conn, req.seq, head(200, req.body), req.body, false);
      return true;
    });
    const { port } = await h.start(handlers, { limits: { maxBodyBytes: 10 } });
    const client = await h.connect(port);
    await client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789');
    const [res] = await client.responses(1);
    expect(Buffer.from(res!.body).toString()).toBe('0123456789');
  });

  it('sends 100 Continue for an acceptable body, then the final response', async () => {
    const handlers = echoHandlers((req, out) => {
      out.respond(req.conn, req.seq, head(200, req.body), req.body, false);
      return true;
    });
    const { port } = await h.start(handlers);
    const client = await h.connect(port);
    await client.write('POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    const [interim] = await client.responses(1);
    expect(interim!.status).toBe(100);
    expect(handlers.batches.length).toBe(0);
    await client.write('data');
    const [, final] = await client.responses(2);
    expect(final!.status).toBe(200);
    expect(Buffer.from(final!.body).toString()).toBe('data');
  });

  it('sends the final 413 instead of 100 Continue for a body over the limit', async () => {
    const { port } = await h.start(echoHandlers(), { serverName: 'jato-test', limits: { maxBodyBytes: 3 } });
    const client = await h.connect(port);
    await client.write('POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await client.ended();
    const responses = await client.responses(1);
    expect(responses.map((r) => r.status)).toEqual([413]);
  });

  it('sends 100 Continue only after the pending earlier response', async () => {
    let later: (() => void) | undefined;
    const batched = deferred();
    const handlers = answerEach(
      (send, { seq }) => {
        if (seq === 0) later = send;
        else send();
      },
      () => batched.resolve(),
    );
    const { port } = await h.start(handlers);
    const client = await h.connect(port);
    await client.write(GET('/first') + 'POST /second HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    await batched.promise;
    later!();
    const [first, interim] = await client.responses(2);
    expect(Buffer.from(first!.body).toString()).toBe('/first');
    expect(interim!.status).toBe(100);
    await client.write('ok');
    const all = await client.responses(3);
    expect(all[2]!.status).toBe(200);
    expect(Buffer.from(all[2]!.body).toString()).toBe('/second');
  });

  it('answers 500 and closes when onBatch throws, and keeps serving other connections', async () => {
    const handlers = echoHandlers((req) => {
      if (req.target === '/boom') throw new Error('boom');
      return false;
    });
    const { port } = await h.start(handlers, { serverName: 'jato-test' });
    const client = await h.connect(port);
    await client.write(GET('/boom'));
    await client.ended();
    const [res] = await client.responses(1);
    expectTransportError(res!, 500);
    const other = await h.connect(port);
    await other.write(GET('/fine'));
    const [fine] = await other.responses(1);
    expect(Buffer.from(fine!.body).toString()).toBe('/fine');
  });

  it('survives a client that aborts mid-body and mid-response', async () => {
    const handlers = echoHandlers((req, out) => {
      const big = 'x'.repeat(4 * 1024 * 1024);
      out.respond(req.conn, req.seq, head(200, big), big, false);
      return true;
    });
    const gone = deferred();
    let closed = 0;
    handlers.onConnectionClose = () => {
      closed += 1;
      if (closed === 2) gone.resolve();
    };
    const { port, server } = await h.start(handlers);
    const midBody = await h.connect(port);
    await midBody.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf');
    midBody.destroy();
    const midResponse = await h.connect(port);
    await midResponse.write(GET('/big'));
    await midResponse.waitFor('some response bytes', () => (midResponse.received.length > 0 ? true : undefined));
    midResponse.destroy();
    await Promise.all([midBody.ended(), midResponse.ended()]);
    const probe = await h.connect(port);
    await probe.write(GET('/after'));
    const [res] = await probe.responses(1);
    expect(res!.status).toBe(200);
    await gone.promise;
    expect(server.stats().connections).toBe(1);
  });
});
