import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** A frame the server sent. */
export interface WsTestFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Buffer;
}

/** Options of `connectWebSocket`. */
export interface WsTestClientOptions {
  /** Host to connect to ('127.0.0.1'). */
  host?: string;
  /** Extra or replaced handshake headers (a value of `null` leaves that header out). */
  headers?: Record<string, string | null>;
  /** Give up on each wait after this many ms (10 000). */
  timeoutMs?: number;
}

/**
 * A raw WebSocket client for tests: it sends exactly the frames it is told (masked by default, or
 * malformed on purpose) and reports every frame the server sends. For ordinary clients use the `ws`
 * npm package (see the README); this one is for protocol edge cases and non-reading peers.
 */
export interface WsTestClient {
  /** Status of the handshake response (101 when accepted). */
  readonly status: number;
  /** Its headers, names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body of a refusal (bytes after the head received with it). */
  readonly body: Buffer;
  /** Send one frame (masked with a random key unless `mask: false`). */
  send(opcode: number, payload?: string | Uint8Array, options?: { fin?: boolean; rsv?: number; mask?: boolean }): void;
  /** Send bytes as they are. */
  sendRaw(bytes: Uint8Array): void;
  /** The next frame from the server; rejects when the connection ends first or after the timeout. */
  next(): Promise<WsTestFrame>;
  /** Frames until a close frame: resolves to its code (1005 when it had none) and reason. */
  closeFrame(): Promise<{ code: number; reason: string; before: WsTestFrame[] }>;
  /** Resolves when the server closed the TCP connection. */
  readonly ended: Promise<void>;
  /** Stop / restart reading from the socket (a peer that does not read). */
  pause(): void;
  resume(): void;
  destroy(): void;
}

/** Frames a client frame (RFC 6455 §5.2); `mask` false sends it unmasked (a protocol error). */
export function clientFrame(opcode: number, payload: string | Uint8Array = '', options: { fin?: boolean; rsv?: number; mask?: boolean } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const masked = options.mask !== false;
  const len = body.length;
  const head: number[] = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len <= 0xffff) head.push(m | 126, len >> 8, len & 0xff);
  else head.push(m | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  if (!masked) return Buffer.concat([Buffer.from(head), body]);
  const key = randomBytes(4);
  for (let i = 0; i < len; i++) body[i]! ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Open a WebSocket to `127.0.0.1:port` + `path` with a raw socket (resolves after the handshake response). */
export function connectWebSocket(port: number, path = '/', options: WsTestClientOptions = {}): Promise<WsTestClient> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
    const base: Record<string, string | null> = {
      host: `127.0.0.1:${port}`, upgrade: 'websocket', connection: 'Upgrade',
      'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-version': '13',
      ...options.headers,
    };
    let head = `GET ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(base)) if (v !== null) head += `${k}: ${v}\r\n`;
    socket.write(`${head}\r\n`);
    let buf = Buffer.alloc(0);
    let opened = false;
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    let isEnded = false;
    const frames: WsTestFrame[] = [];
    const waiters: Array<{ resolve: (f: WsTestFrame) => void; reject: (e: Error) => void }> = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connectWebSocket: no handshake response'));
    }, timeoutMs);
    const deliver = (): void => {
      while (waiters.length > 0 && frames.length > 0) waiters.shift()!.resolve(frames.shift()!);
      if (isEnded) while (waiters.length > 0) waiters.shift()!.reject(new Error('the connection ended'));
    };
    const parseFrames = (): void => {
      for (;;) {
        if (buf.length < 2) return;
        const len7 = buf[1]! & 0x7f;
        let at = 2;
        let len = len7;
        if (len7 === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len7 === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        if (buf.length < at + len) return;
        frames.push({ fin: (buf[0]! & 0x80) !== 0, rsv: (buf[0]! >> 4) & 7, opcode: buf[0]! & 0x0f, payload: Buffer.from(buf.subarray(at, at + len)) });
        buf = buf.subarray(at + len);
      }
    };
    const finishEnd = (): void => {
      if (isEnded) return;
      isEnded = true;
      endedResolve();
      deliver();
    };
    socket.on('error', () => {});
    socket.on('close', finishEnd);
    socket.on('end', finishEnd);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (opened) {
        parseFrames();
        deliver();
        return;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      opened = true;
      clearTimeout(timer);
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      const status = Number(lines[0]!.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const c = line.indexOf(':');
        headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
      }
      const refusedBody = status === 101 ? Buffer.alloc(0) : buf;
      if (status === 101) parseFrames();
      const wait = (): Promise<WsTestFrame> => new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error('no frame in time')), timeoutMs);
        waiters.push({ resolve: (f) => { clearTimeout(t); res(f); }, reject: (e) => { clearTimeout(t); rej(e); } });
        deliver();
      });
      resolve({
        status, headers, body: refusedBody, ended,
        send: (opcode, payload, o) => socket.write(clientFrame(opcode, payload, o)),
        sendRaw: (bytes) => socket.write(bytes),
        next: wait,
        async closeFrame() {
          const before: WsTestFrame[] = [];
          for (;;) {
            const f = await wait();
            if (f.opcode !== 8) {
              before.push(f);
              continue;
            }
            const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
            return { code, reason: f.payload.subarray(2).toString('utf8'), before };
          }
        },
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        destroy: () => socket.destroy(),
      });
    });
  });
}
