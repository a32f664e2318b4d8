// node:http peer for the streaming scenarios (same routes as jato-stream.mjs).
import http from 'node:http';

const CHUNK = Buffer.alloc(64 * 1024, 120);
const FRAME = `event: tick\ndata: ${'x'.repeat(64)}\n\n`;
const subscribers = new Set();

const server = http.createServer((req, res) => {
  if (req.url === '/sse') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    subscribers.add(res);
    res.on('close', () => subscribers.delete(res));
    return;
  }
  if (req.url.startsWith('/publish')) {
    const k = Number(new URL(req.url, 'http://x').searchParams.get('k') ?? 1);
    const text = FRAME.repeat(k);
    for (const s of subscribers) s.write(text);
    res.end(String(subscribers.size));
    return;
  }
  if (req.url === '/download') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    let i = 0;
    const pump = () => {
      while (i < 16) {
        i++;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
    return;
  }
  if (req.url === '/upload') {
    let n = 0;
    req.on('data', (c) => (n += c.length));
    req.on('end', () => res.end(String(n)));
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
