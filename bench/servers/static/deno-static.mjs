// Deno peer for the static-file bench (run with deno --allow-net --allow-env --allow-read).
// Deno's serveDir lives in @std/http on JSR, which this workplace cannot reach (npm and Debian only):
// this peer does what serveDir/serveFile do for a plain GET — Deno.open + stat, the file's
// ReadableStream as the body with its Content-Length.
/* global Deno */
const dir = Deno.env.get('STATIC_DIR') ?? '.';
Deno.serve(
  { port: Number(Deno.env.get('PORT') ?? 8080), hostname: Deno.env.get('HOST') ?? '127.0.0.1', onListen() {} },
  async (req) => {
    const name = new URL(req.url).pathname.slice('/static/'.length);
    if (name.includes('/') || name.startsWith('.')) return new Response('Not Found', { status: 404 });
    try {
      const file = await Deno.open(`${dir}/${name}`, { read: true });
      const info = await file.stat();
      return new Response(file.readable, { headers: { 'content-length': String(info.size), 'content-type': 'application/octet-stream' } });
    } catch {
      return new Response('Not Found', { status: 404 });
    }
  },
);
