// The `ws` package on node:http, the reference Node WebSocket server: /echo echoes, /sub joins the
// subscribers, /pub sends every message to each subscriber (ws has no topics: a loop, as its docs do).
import http from 'node:http';
import { WebSocketServer } from 'ws';

const server = http.createServer((_req, res) => res.end('ws bench'));
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const subscribers = new Set();
wss.on('connection', (ws, req) => {
  if (req.url === '/sub') {
    subscribers.add(ws);
    ws.on('close', () => subscribers.delete(ws));
  } else if (req.url === '/pub') {
    ws.on('message', (data, isBinary) => {
      for (const s of subscribers) s.send(data, { binary: isBinary });
    });
  } else {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  }
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
