// The inject-based suites, run again with `inject` going through `app.fetch` (Web Request in, Web
// Response out) instead of raw bytes: every routing, hook, middleware, error, body and result case
// they check must hold for app.fetch too, except the few that exist only on the wire (listed below,
// with the reason).
import { beforeEach, vi } from 'vitest';

vi.mock('../support/testing.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../support/testing.js')>();
  const { injectViaFetch } = await import('./inject-via-fetch.js');
  return { ...original, inject: injectViaFetch };
});

/** Cases about HTTP/1.1 framing that a Web Request/Response cannot express. */
const WIRE_ONLY = new Map<string, string>([
  ['a jato Response keeps status, headers and cookies', 'Web Headers join repeated lines (other than Set-Cookie)'],
  ['gives headers case-insensitively and keeps repeated ones', 'Web Headers join repeated request lines'],
  ['Connection: close and HTTP/1.0 keep-alive are answered', 'connection management and HTTP/1.0 are hop-by-hop'],
  ['knows keep-alive and the HTTP version', 'a Web Request has no HTTP version or Connection'],
  ['splits hostname and port from Host', 'an invalid port makes no URL, so no Web Request'],
  ['keeps a chunked body for an async handler', 'the case sends chunked framing bytes as the body'],
  ['is the Host header (or the absolute-form authority), with hostname and port its parts', 'a URL lowercases the host'],
]);

beforeEach((ctx) => {
  if (WIRE_ONLY.has(ctx.task.name)) ctx.skip();
});

await import('../hooks-extend.test.js');
await import('../middleware.test.js');
await import('../tutorial.test.js');
await import('../results.test.js');
await import('../errors.test.js');
await import('../request.test.js');
await import('../service-essentials.test.js');
await import('../service-defects.test.js');
await import('../tracing.test.js');
