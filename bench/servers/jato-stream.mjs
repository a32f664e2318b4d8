// jato (framework, native transport) for the streaming scenarios (bench/src/stream):
//   GET /sse          subscribe to the broadcast (an SseFeed: server-sent events framed once, shared;
//                     with JATO_SSE=generator: one `sse(async function* ...)` per subscriber instead)
//   GET /publish?k=N  broadcast N events to every subscriber, answers the subscriber count
//   GET /download     1 MiB streamed (16 chunks of 64 KiB from an async generator, chunked), its
//                     chunks handed over (`immutableChunks`: written from their own memory, as
//                     node:http does with res.write); with JATO_DOWNLOAD=copy the default rule instead
//   GET /download-copy the same under the default rule (each chunk copied before the source resumes)
//   POST /upload      the body read as a stream (route bodyLimit), answers its length (with
//                     JATO_UPLOAD=borrowed: `req.stream({ borrowed: true })`)
// PORT/HOST from the environment; SIGTERM closes gracefully.
import { App, SseFeed, immutableChunks, sse } from 'jato';

const CHUNK = Buffer.alloc(64 * 1024, 120);
const EVENT = { event: 'tick', data: 'x'.repeat(64) };
/**
 * The broadcast, as a jato user doing fan-out writes it: one SseFeed; every subscriber's response
 * comes from `feed.response()`, and `feed.publish()` frames the events once and writes the shared
 * bytes to every subscriber (one write per subscriber connection per turn).
 */
const feed = new SseFeed({ heartbeat: 15_000 });

/** The generic path: each subscriber's generator waits for the next round and yields its events. */
let round = deferred();
let generators = 0;
function deferred() {
  let resolve = (/** @type {number} */ _k) => {};
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

const app = new App({ logger: false });
if (process.env.JATO_SSE === 'generator') {
  app.get('/sse', () => sse(async function* (signal) {
    generators++;
    try {
      while (!signal.aborted) {
        const k = await round.promise;
        for (let i = 0; i < k; i++) yield EVENT;
      }
    } finally {
      generators--;
    }
  }));
} else {
  app.get('/sse', () => feed.response());
}
app.get('/publish', (req) => {
  const k = Number(req.query.get('k') ?? 1);
  if (process.env.JATO_SSE === 'generator') {
    const current = round;
    round = deferred();
    current.resolve(k);
    return String(generators);
  }
  feed.publish(Array.from({ length: k }, () => EVENT));
  return String(feed.size);
});
const download = () => (async function* () {
  for (let i = 0; i < 16; i++) yield CHUNK;
})();
app.get('/download', process.env.JATO_DOWNLOAD === 'copy' ? download : () => immutableChunks(download()));
app.get('/download-copy', download);
/** With JATO_UPLOAD=borrowed: `req.stream({ borrowed: true })` (each chunk valid until the next). */
const streamOptions = process.env.JATO_UPLOAD === 'borrowed' ? { borrowed: true } : undefined;
app.post('/upload', async (req) => {
  let n = 0;
  for await (const chunk of req.stream(streamOptions)) n += chunk.length;
  return String(n);
}, { bodyLimit: 64 * 1024 * 1024 });

const server = await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
if (process.env.JATO_BENCH_PRINT === '1') console.log(`transport ${server.transport}`);
