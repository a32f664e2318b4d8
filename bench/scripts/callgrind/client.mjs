// Sends `total` pipelined GET requests (as bench/lua/pipeline.lua: Host only, `depth` per write) over
// `conns` connections and waits for every response. usage: node client.mjs <port> <path> <total> [conns] [depth]
import net from 'node:net';

const [port, target, totalText, connsText = '4', depthText = '24'] = process.argv.slice(2);
const total = Number(totalText);
const conns = Number(connsText);
const depth = Number(depthText);
const one = `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
const per = Math.ceil(total / conns);

function run() {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    let sent = 0;
    let got = 0;
    let tail = '';
    const write = (k) => {
      sent += k;
      s.write(one.repeat(k));
    };
    s.setEncoding('latin1');
    s.on('connect', () => write(Math.min(depth, per)));
    s.on('data', (d) => {
      const t = tail + d;
      for (let i = t.indexOf('HTTP/1.1 '); i >= 0; i = t.indexOf('HTTP/1.1 ', i + 9)) got++;
      tail = t.slice(-8);
      if (got >= per) {
        s.end();
        resolve();
      } else if (got === sent) write(Math.min(depth, per - sent));
    });
    s.on('error', reject);
  });
}
await Promise.all(Array.from({ length: conns }, run));
