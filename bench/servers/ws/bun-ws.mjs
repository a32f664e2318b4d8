// Bun.serve WebSocket peer of the ws bench (run with bun): /echo, /sub (topic 't'), /pub (server.publish).
/* global Bun */
const server = Bun.serve({
  port: Number(process.env.PORT ?? 8080),
  hostname: process.env.HOST ?? '127.0.0.1',
  fetch(req, srv) {
    const path = new URL(req.url).pathname;
    if (srv.upgrade(req, { data: { path } })) return undefined;
    return new Response('ws bench');
  },
  websocket: {
    idleTimeout: 0,
    perMessageDeflate: false,
    open(ws) {
      if (ws.data.path === '/sub') ws.subscribe('t');
    },
    message(ws, message) {
      if (ws.data.path === '/pub') server.publish('t', message);
      else if (ws.data.path === '/echo') ws.send(message);
    },
  },
});
