import type net from 'node:net';

/**
 * Sends a WebSocket upgrade request for `path` on a connected raw `socket` (a fixed key, version 13)
 * and resolves once the whole `101` head is in; from then on every byte after the head (also those
 * that came in the head's read) goes to `take`, in order. Rejects when the answer is not `101`.
 * Socket errors are the caller's (add an 'error' listener).
 */
export function upgradeRaw(socket: net.Socket, path: string, take: (d: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      if (head === null) {
        take(d);
        return;
      }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.subarray(0, 13).toString('latin1').startsWith('HTTP/1.1 101')) {
        reject(new Error(`not upgraded: ${head.subarray(0, end).toString('latin1')}`));
        return;
      }
      const rest = head.subarray(end + 4);
      head = null;
      resolve();
      if (rest.length > 0) take(rest);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
}
