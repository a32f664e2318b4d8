// Reading a Web Response's body without its stream (feature-detected), and the portable path
// (streaming it) that every runtime without the fast read uses: both send the same bytes.
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type FetchServer } from '../../src/index.js';
import { bodyReadMode, bodySource, forceBodyReadMode } from '../../src/fetch/response-body.js';
import { rawRequest } from '../support/testing.js';

afterEach(() => forceBodyReadMode(null));

const major = Number(process.versions.node.split('.')[0]);
/** The runtime's Response (serve() replaces the global one by its light Response). */
const Real = globalThis.Response;

describe('bodySource', () => {
  it('is detected where undici keeps the source next to the stream (Node 20 and 22), not elsewhere', () => {
    const hasState = Reflect.ownKeys(new Response('x')).some((k) => typeof k === 'symbol' && k.description === 'state');
    expect(bodyReadMode()).toBe(hasState ? 'source' : 'stream');
    if (major === 20 || major === 22) expect(bodyReadMode()).toBe('source');
  });

  it('gives the string, bytes or JSON text a body was built from, null for none', () => {
    if (bodyReadMode() !== 'source') return; // covered by the next test on this runtime
    expect(bodySource(new Response('héllo'))).toBe('héllo');
    const bytes = new Uint8Array([1, 2, 3]);
    expect([...(bodySource(new Response(bytes)) as Uint8Array)]).toEqual([1, 2, 3]);
    expect(Buffer.from(bodySource(Response.json({ a: [1, 'x'] })) as string | Uint8Array).toString()).toBe('{"a":[1,"x"]}');
    expect(bodySource(new Response(null, { status: 204 }))).toBeNull();
    expect(bodySource(new Response())).toBeNull();
  });

  it('gives undefined (stream it) for streams, Blobs, FormData, a used body, and always when forced', async () => {
    expect(bodySource(new Response(new ReadableStream()))).toBeUndefined();
    expect(bodySource(new Response(new Blob(['x'])))).toBeUndefined();
    const used = new Response('x');
    await used.text();
    expect(bodySource(used)).toBeUndefined();
    forceBodyReadMode('stream');
    expect(bodyReadMode()).toBe('stream');
    expect(bodySource(new Response('x'))).toBeUndefined();
    expect(bodySource(Response.json({}))).toBeUndefined();
  });
});

describe('serve() sends the same bytes on either path', () => {
  let server: FetchServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  const RESPONSES: Record<string, (R: typeof Response) => Response> = {
    '/text': (R) => new R('héllo wörld'),
    '/bytes': (R) => new R(new Uint8Array([0, 1, 2, 255])),
    '/json': (R) => R.json({ a: 1, s: 'ü' }, { status: 201, headers: { 'x-k': 'v' } }),
    '/empty': (R) => new R(''),
    '/none': (R) => new R(null, { status: 204 }),
    '/params': (R) => new R(new URLSearchParams({ a: 'b c' })),
    '/blob': (R) => new R(new Blob(['blob!'], { type: 'text/x-blob' })),
    '/stream': (R) => new R(new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('str'));
        c.enqueue(new TextEncoder().encode('eam'));
        c.close();
      },
    })),
  };

  async function answers(R: typeof Response): Promise<string[]> {
    server = serve({ fetch: (req) => RESPONSES[new URL(req.url).pathname]!(R), port: 0, host: '127.0.0.1', logger: false, handleSignals: false });
    const { port } = await server.ready;
    const paths = Object.keys(RESPONSES);
    const { responses } = await rawRequest(port, paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: a\r\n\r\n`).join(''), { responses: paths.length });
    await server.close();
    server = null;
    return responses.map((r) => JSON.stringify([r.status, r.headers['content-type'] ?? null, r.headers['x-k'] ?? null, r.headers['content-length'] ?? r.headers['transfer-encoding'], Buffer.from(r.body).toString('base64')]));
  }

  it('light Responses, the fast read and the streamed read agree for every kind of body', async () => {
    const detected = await answers(Real);
    const light = await answers(globalThis.Response); // serve() installed the light Response by now
    expect(globalThis.Response).not.toBe(Real);
    forceBodyReadMode('stream');
    const streamed = await answers(Real);
    expect(light).toEqual(detected);
    expect(streamed).toEqual(detected);
    expect(JSON.parse(detected[0]!)).toEqual([200, 'text/plain;charset=UTF-8', null, '13', Buffer.from('héllo wörld').toString('base64')]);
    expect(JSON.parse(detected[2]!)[0]).toBe(201);
    expect(JSON.parse(detected[4]!)).toEqual([204, null, null, null, '']);
  });
});
