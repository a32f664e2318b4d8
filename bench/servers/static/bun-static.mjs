// Bun peer for the static-file bench (run with bun): /static/<name> -> new Response(Bun.file(...)).
/* global Bun */
const dir = process.env.STATIC_DIR ?? '.';
Bun.serve({
  port: Number(process.env.PORT ?? 8080),
  hostname: process.env.HOST ?? '127.0.0.1',
  fetch(req) {
    const name = new URL(req.url).pathname.slice('/static/'.length);
    if (name.includes('/') || name.startsWith('.')) return new Response('Not Found', { status: 404 });
    return new Response(Bun.file(`${dir}/${name}`));
  },
});
