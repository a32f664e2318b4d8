// Deno WebSocket peer of the ws bench (run with deno): /echo, /sub, /pub (Deno has no topics: a loop).
/* global Deno */
const subscribers = new Set();
Deno.serve({ port: Number(Deno.env.get('PORT') ?? 8080), hostname: Deno.env.get('HOST') ?? '127.0.0.1', onListen() {} }, (req) => {
  if (req.headers.get('upgrade') !== 'websocket') return new Response('ws bench');
  const path = new URL(req.url).pathname;
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  if (path === '/sub') {
    socket.onopen = () => subscribers.add(socket);
    socket.onclose = () => subscribers.delete(socket);
  } else if (path === '/pub') {
    socket.onmessage = (e) => {
      for (const s of subscribers) if (s.readyState === 1) s.send(e.data);
    };
  } else {
    socket.onmessage = (e) => socket.send(e.data);
  }
  return response;
});
