// The server measured by fanout.sh: WebSocket pub/sub on jato from a given tree, /sub subscribes to
// topic 't', /pub publishes every message it gets to 't' (as servers/ws/jato-ws.mjs). Prints `PORT <n>`.
// usage: node fanout-server.mjs <tree>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [tree = '.'] = process.argv.slice(2);
const jato = await import(pathToFileURL(path.resolve(tree, 'packages/jato/dist/index.js')).href);
// long timeouts: under valgrind the server is ~50x slower and must not time its clients out
const app = new jato.App({ logger: false, timeouts: { headers: 600_000, keepAlive: 600_000, write: 600_000, bodyGrace: 600_000 } });
app.ws('/sub', { open: (ws) => ws.subscribe('t') }, { idleTimeout: 0 });
app.ws('/pub', { message: (_ws, data, isBinary) => void app.publish('t', data, isBinary) }, { idleTimeout: 0 });
const server = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
process.on('SIGTERM', () => server.close(1000).then(() => process.exit(0)));
process.stdout.write(`PORT ${server.port}\n`);
