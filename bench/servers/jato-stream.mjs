// jato (framework, native transport) for the streaming scenarios (bench/src/stream):
//   GET /sse          subscribe to the broadcast (server-sent events through `sse()`)
//   GET /publish?k=N  broadcast N events to every subscriber, answers the subscriber count
//   GET /download     1 MiB streamed (16 chunks of 64 KiB from an async generator, chunked)
//   POST /upload      the body read as a stream (route bodyLimit), answers its length
// PORT/HOST from the environment; SIGTERM closes gracefully.
import { App, sse } from 'jato';

const CHUNK = Buffer.alloc(64 * 1024, 120);
const EVENT = { event: 'tick', data: 'x'.repeat(64) };
/** A promise with its resolve function (Promise.withResolvers is Node 22+). */
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}
/** Subscribers wait on this; /publish resolves it with the number of events to send. */
let next = deferred();
let subscribers = 0;

const app = new App({ logger: false });
app.get('/sse', () => sse(async function* (signal) {
  subscribers++;
  try {
    while (!signal.aborted) {
      const k = await next.promise;
      for (let i = 0; i < k; i++) yield EVENT;
    }
  } finally {
    subscribers--;
  }
}));
app.get('/publish', (req) => {
  const k = Number(req.query.get('k') ?? 1);
  const current = next;
  next = deferred();
  current.resolve(k);
  return String(subscribers);
});
app.get('/download', () => (async function* () {
  for (let i = 0; i < 16; i++) yield CHUNK;
})());
app.post('/upload', async (req) => {
  let n = 0;
  for await (const chunk of req.stream()) n += chunk.length;
  return String(n);
}, { bodyLimit: 64 * 1024 * 1024 });

const server = await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
if (process.env.JATO_BENCH_PRINT === '1') console.log(`transport ${server.transport}`);
