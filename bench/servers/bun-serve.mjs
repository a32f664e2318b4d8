// Bun.serve peer (run with bun): GET / -> Hello world! (text/plain). PORT from the environment.
/* global Bun */
Bun.serve({
  port: Number(process.env.PORT ?? 8080),
  hostname: process.env.HOST ?? '127.0.0.1',
  fetch() {
    return new Response('Hello world!', { headers: { 'Content-Type': 'text/plain' } });
  },
});
