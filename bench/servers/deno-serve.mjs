// Deno.serve peer (run with deno --allow-net --allow-env): GET / -> Hello world! (text/plain).
/* global Deno */
Deno.serve(
  { port: Number(Deno.env.get('PORT') ?? 8080), hostname: Deno.env.get('HOST') ?? '127.0.0.1', onListen() {} },
  () => new Response('Hello world!', { headers: { 'Content-Type': 'text/plain' } }),
);
