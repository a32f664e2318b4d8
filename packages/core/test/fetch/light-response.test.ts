// The light global Response serve() installs behaves as the runtime's Response: every observable
// member, with the same errors where the runtime throws them, for seeded bodies and inits.
import { beforeAll, describe, expect, it } from 'vitest';
import { installLightResponse, LightResponse } from '../../src/fetch/light-response.js';
import { prng } from '../support/prng.js';

const Real = globalThis.Response;
beforeAll(() => installLightResponse());

async function observe(make: () => Response): Promise<unknown> {
  let r: Response;
  try {
    r = make();
  } catch (err) {
    return { throws: (err as Error).name };
  }
  const headers = [...r.headers];
  const copy = r.clone();
  return {
    isResponse: r instanceof Real && r instanceof Response, status: r.status, ok: r.ok, statusText: r.statusText, type: r.type,
    url: r.url, redirected: r.redirected, headers, bodyNull: r.body === null, used: r.bodyUsed,
    text: await r.text(), usedAfter: r.bodyUsed, clone: await copy.text(), tag: Object.prototype.toString.call(r),
  };
}

describe('LightResponse', () => {
  it('is the global Response, and real Responses are instances of it too', async () => {
    expect(globalThis.Response).toBe(LightResponse);
    expect(new Response('x')).toBeInstanceOf(Real);
    expect(new Real('x')).toBeInstanceOf(Response);
    expect((await fetch('data:text/plain,hi')) instanceof Response).toBe(true);
    expect({} instanceof Response).toBe(false);
  });

  it('observes like the runtime Response for seeded bodies and inits (errors included)', async () => {
    const r = prng(4242);
    const bodies = [undefined, null, '', 'héllo', new Uint8Array([1, 2, 255]), new URLSearchParams('a=1'), new Blob(['b'], { type: 'x/y' })];
    const statuses = [undefined, 200, 201, 204, 304, 404, 500, 599, 600, 199, 0, 200.5];
    const headerSets = [undefined, {}, { 'content-type': 'text/html' }, { 'X-A': '1', 'set-cookie': 'a=1' }, [['x-b', '2'], ['x-b', '3']], new Headers({ 'content-type': 'application/x' })];
    for (let i = 0; i < 300; i++) {
      const body = bodies[Math.floor(r() * bodies.length)];
      const status = statuses[Math.floor(r() * statuses.length)];
      const headers = headerSets[Math.floor(r() * headerSets.length)];
      const withText = r() < 0.1;
      const init = r() < 0.15 ? undefined : { ...(status !== undefined ? { status } : {}), ...(headers !== undefined ? { headers: headers as never } : {}), ...(withText ? { statusText: 'Fine' } : {}) };
      const label = JSON.stringify({ body: String(body), init });
      expect(await observe(() => new Response(body as never, init)), label).toEqual(await observe(() => new Real(body as never, init)));
    }
  });

  it('Response.json, error and redirect', async () => {
    expect(await observe(() => Response.json({ a: [1, 'ü'] }, { status: 201, headers: { 'x-k': 'v' } })))
      .toEqual(await observe(() => Real.json({ a: [1, 'ü'] }, { status: 201, headers: { 'x-k': 'v' } })));
    expect(await observe(() => Response.json({ a: 1 }, { headers: { 'content-type': 'application/vnd+json' } })))
      .toEqual(await observe(() => Real.json({ a: 1 }, { headers: { 'content-type': 'application/vnd+json' } })));
    expect(() => Response.json(undefined)).toThrow(TypeError);
    expect(Response.error().type).toBe('error');
    expect(Response.redirect('http://a/b', 307).headers.get('location')).toBe('http://a/b');
  });

  it('keeps header changes made before the body is read (as middleware does)', async () => {
    const res = new Response('x', { headers: { a: '1' } });
    res.headers.set('b', '2');
    expect(LightResponse.partsOf(res)).not.toBeNull();
    expect(await res.text()).toBe('x');
    expect([...res.headers]).toEqual([['a', '1'], ['b', '2'], ['content-type', 'text/plain;charset=UTF-8']]);
    expect(LightResponse.partsOf(res)).toBeNull(); // made real: sent through the runtime's body from now on
  });

  it('a response wrapping another (new Response(res.body, res)) keeps status and headers', async () => {
    const a = new Response('inner', { status: 202, headers: { 'x-a': '1' } });
    const b = new Response(a.body, a);
    expect([b.status, b.headers.get('x-a'), await b.text()]).toEqual([202, '1', 'inner']);
  });
});
