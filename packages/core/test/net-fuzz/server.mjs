// The network fuzzer's server: a small @jato/core app (built package) in a child process, so a crash
// is seen as the child's exit. Every route answers with the id of its request (`/x-seq/<id>`), POSTs
// with `<id>:<body bytes>`, so the fuzzer can check that each answer belongs to its request, in order.
// argv[2]: 'native' | 'js'. Reports `{ port }` over IPC once listening, answers `'rss'` with
// `{ rss }`, and closes on `'close'`.
import { App, HttpError, Response } from '@jato/core';

const transport = process.argv[2] === 'js' ? 'js' : 'native';
const app = new App({
  transport,
  logger: false,
  // short timeouts: mutated framing that waits for bytes that never come is closed quickly
  timeouts: { headers: 1_000, bodyGrace: 1_000, keepAlive: 2_000, write: 2_000 },
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

app.get('/echo-seq/:id', (req) => req.params.id);
app.get('/async-seq/:id', async (req) => {
  await tick();
  return req.params.id;
});
app.get('/json-seq/:id', (req) => ({ id: req.params.id }));
app.post('/echo-seq/:id', async (req) => `${req.params.id}:${(await req.bytes()).byteLength}`);
app.post('/async-seq/:id', async (req) => {
  const body = await req.bytes();
  await tick();
  return `${req.params.id}:${body.byteLength}`;
});
app.get('/throw-seq/:id', (req) => {
  throw new HttpError(409, req.params.id);
});
app.get('/reject-seq/:id', async (req) => {
  await tick();
  throw new HttpError(409, req.params.id);
});
app.onError(HttpError, (err) => new Response(err.message, { status: err.status }));

const server = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
process.send?.({ port: server.port, transport: server.transport });
process.on('message', (msg) => {
  if (msg === 'rss') process.send?.({ rss: process.memoryUsage().rss });
  else if (msg === 'close') void server.close(1_000).then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
