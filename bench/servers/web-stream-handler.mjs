// The streaming scenarios' routes as a Web fetch handler (Request -> Response), shared by the Bun and
// Deno peers (bun-stream.mjs, deno-stream.mjs): same routes as jato-stream.mjs.
const CHUNK = new Uint8Array(64 * 1024).fill(120);
const FRAME = new TextEncoder().encode(`event: tick\ndata: ${'x'.repeat(64)}\n\n`);
const subscribers = new Set();

/** @param {Request} req */
export async function handle(req) {
  const url = new URL(req.url);
  if (url.pathname === '/sse') {
    let ctl;
    const body = new ReadableStream({
      start(c) {
        ctl = c;
        subscribers.add(c);
      },
      cancel() {
        subscribers.delete(ctl);
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
  }
  if (url.pathname === '/publish') {
    const k = Number(url.searchParams.get('k') ?? 1);
    for (const c of subscribers) {
      try {
        for (let i = 0; i < k; i++) c.enqueue(FRAME);
      } catch {
        subscribers.delete(c);
      }
    }
    return new Response(String(subscribers.size));
  }
  if (url.pathname === '/download') {
    let i = 0;
    return new Response(new ReadableStream({
      pull(c) {
        if (i++ < 16) c.enqueue(CHUNK);
        else c.close();
      },
    }), { headers: { 'Content-Type': 'application/octet-stream' } });
  }
  if (url.pathname === '/upload') {
    let n = 0;
    for await (const c of req.body) n += c.length;
    return new Response(String(n));
  }
  return new Response('not found', { status: 404 });
}
