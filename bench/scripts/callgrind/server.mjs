// The server measured by instructions.sh: the hello app's routes on jato from a given tree, bare or
// with the three middlewares of the issue-12 scenario. Prints `PORT <n>`; SIGTERM closes it.
// usage: node server.mjs <tree> [hello|mw|mwnoctx]
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [tree = '.', kind = 'hello'] = process.argv.slice(2);
const jato = await import(pathToFileURL(path.resolve(tree, 'packages/jato/dist/index.js')).href);
// long timeouts: under valgrind the server is ~50x slower and must not time its clients out
const app = new jato.App({ logger: false, timeouts: { headers: 600_000, keepAlive: 600_000, write: 600_000, bodyGrace: 600_000 } });
if (kind === 'mw' || kind === 'mwnoctx') {
  app.use(
    jato.requestId({ context: kind === 'mw' }), // the context is opt-in: `mw` has it, `mwnoctx` (the bench scenario) not
    jato.cors({ origin: ['https://app.example'] }),
    (req, next) => (req.header('x-deny') === undefined ? next() : 'denied'),
  );
}
app.get('/', () => 'Hello world!');
app.get('/json', () => ({ message: 'Hello, World!' }));
app.get('/params/:id', (req) => req.params.id);
app.get('/async', async () => {
  await Promise.resolve();
  return 'Hello world!';
});
const server = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
process.on('SIGTERM', () => server.close(1000).then(() => process.exit(0)));
process.stdout.write(`PORT ${server.port}\n`);
