// The load of fanout.sh: `subs` raw WebSocket subscribers and one publisher that sends one small
// message at a time and waits until every subscriber has it (one read and `subs` writes per message,
// whatever the machine's speed: the counts do not depend on timing). After `warm` messages it switches
// callgrind's instrumentation on (callgrind_control -i on) and dumps three windows of `n` messages.
// usage: node fanout-client.mjs <port> <valgrind pid> <subs> <n> <warm>
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { openRaw, clientFrame } = await import(path.join(here, '..', '..', 'src', 'ws', 'load.mjs'));
const [port, vp, subsArg, nArg, warmArg] = process.argv.slice(2);
const subs = Number(subsArg);
const frame = clientFrame('hello, websocket');
const replySize = 18; // the server's frame of the 16-byte text
let bytes = 0;
const sockets = [];
for (let i = 0; i < subs; i++) sockets.push(await openRaw(Number(port), '/sub', (k) => void (bytes += k)));
const pub = await openRaw(Number(port), '/pub', () => {});
// every subscription is in once a first message reaches everyone
let sent = 0;
const next = () => new Promise((resolve) => setImmediate(resolve));
async function publish(count) {
  for (let i = 0; i < count; i++) {
    sent++;
    pub.write(frame);
    while (bytes < sent * subs * replySize) await next();
  }
}
await publish(Number(warmArg));
spawnSync('callgrind_control', ['-i', 'on', vp]);
for (let w = 0; w < 3; w++) {
  await publish(Number(nArg));
  spawnSync('callgrind_control', ['-d', vp]);
}
if (bytes !== sent * subs * replySize) throw new Error(`subscribers got ${bytes} bytes, expected ${sent * subs * replySize}`);
for (const s of sockets) s.destroy();
pub.destroy();
