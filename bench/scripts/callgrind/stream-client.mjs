// Streamed downloads (GET /download, 1 MiB chunked) or uploads (POST /upload, 1 MiB) against the
// stream bench's servers, `total` of them over `conns` keep-alive connections, each waiting for its
// answer. usage: node stream-client.mjs <port> <download|upload> <total> [conns]
import net from 'node:net';

const [port, kind, totalText, connsText = '4'] = process.argv.slice(2);
const total = Number(totalText);
const conns = Number(connsText);
const MiB = 1024 * 1024;
const upload = Buffer.alloc(MiB, 121);
const request =
  kind === 'upload'
    ? `POST /upload HTTP/1.1\r\nHost: bench\r\nContent-Length: ${MiB}\r\n\r\n`
    : 'GET /download HTTP/1.1\r\nHost: bench\r\n\r\n';
// the end of one answer: the chunked terminator (download) or the upload's length as its body
const end = kind === 'upload' ? `\r\n\r\n${MiB}` : '\r\n0\r\n\r\n';

function run(count) {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    let done = 0;
    let tail = '';
    const send = () => {
      s.write(request);
      if (kind === 'upload') s.write(upload);
    };
    s.setEncoding('latin1');
    s.on('connect', send);
    s.on('data', (d) => {
      tail = (tail + d.slice(-16)).slice(-16);
      if (!tail.endsWith(end)) return;
      tail = '';
      if (++done === count) {
        s.end();
        resolve();
      } else send();
    });
    s.on('error', reject);
  });
}

await Promise.all(Array.from({ length: conns }, (_, i) => run(Math.floor(total / conns) + (i < total % conns ? 1 : 0))));
