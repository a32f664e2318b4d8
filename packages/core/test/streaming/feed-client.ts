import net from 'node:net';
import { ArrivalWaiters } from './arrival-waiters.js';

/**
 * A raw SSE client for the SseFeed suites: parses the response head, the chunk framing (or a
 * close-delimited HTTP/1.0 body) and the events as they arrive (incrementally: events of 64 KiB
 * and more stay cheap), and waits on what arrives (no sleeps).
 */
export class FeedClient {
  head = '';
  /** The `id` of every event received, in order. */
  readonly ids: string[] = [];
  /** Events received (with or without an id), comments not counted. */
  events = 0;
  /** `:` comments received (heartbeats). */
  comments = 0;
  /** `data` of the events received, in order (only when `keepData`). */
  readonly data: string[] = [];
  /** The final chunk arrived. */
  ended = false;
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private text = '';
  private chunked = true;
  private readonly arrivals = new ArrivalWaiters(
    () => this.closed,
    () => this.describe(),
  );

  private constructor(
    readonly socket: net.Socket,
    private readonly keepData: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
      this.arrivals.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.arrivals.notify();
    });
    socket.on('error', () => {});
  }

  /** Connects and sends `GET path` (HTTP/1.1 unless `http10`), with `headers` lines. */
  static open(port: number, path: string, options: { http10?: boolean; headers?: string; keepData?: boolean } = {}): Promise<FeedClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        const c = new FeedClient(socket, options.keepData ?? false);
        socket.write(`GET ${path} HTTP/${options.http10 === true ? '1.0' : '1.1'}\r\nHost: t\r\n${options.headers ?? ''}\r\n`);
        resolve(c);
      });
      socket.once('error', reject);
    });
  }

  /** Resolves once `predicate` holds (checked on every arrival and on close); rejects after `ms`. */
  until(predicate: (c: FeedClient) => boolean, ms = 30_000): Promise<void> {
    return this.arrivals.until(() => predicate(this), ms);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private describe(): string {
    return `head ${JSON.stringify(this.head.slice(0, 60))}, ${this.events} events (last id ${this.ids.at(-1)}), ${this.comments} comments, ended ${this.ended}`;
  }

  private parse(): void {
    if (this.head === '') {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = this.buf.toString('latin1', 0, end);
      this.chunked = /\r\ntransfer-encoding: chunked/i.test(this.head);
      this.buf = this.buf.subarray(end + 4);
    }
    if (!this.chunked) {
      this.body(this.buf.toString('utf8'));
      this.buf = Buffer.alloc(0);
      return;
    }
    while (!this.ended) {
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      const size = parseInt(this.buf.toString('latin1', 0, eol), 16);
      if (!Number.isFinite(size)) throw new Error(`bad chunk size ${JSON.stringify(this.buf.toString('latin1', 0, eol))}`);
      if (this.buf.length < eol + 2 + size + 2) return;
      if (this.buf.toString('latin1', eol + 2 + size, eol + 4 + size) !== '\r\n') throw new Error('bad chunk end');
      if (size === 0) this.ended = true;
      else this.body(this.buf.toString('utf8', eol + 2, eol + 2 + size));
      this.buf = this.buf.subarray(eol + 4 + size);
    }
  }

  private body(text: string): void {
    this.text += text;
    let at: number;
    while ((at = this.text.indexOf('\n\n')) >= 0) {
      const block = this.text.slice(0, at);
      this.text = this.text.slice(at + 2);
      let isEvent = false;
      let data: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else {
          isEvent = true;
          if (line.startsWith('id: ')) this.ids.push(line.slice(4));
          else if (line.startsWith('data: ') && this.keepData) data = data === undefined ? line.slice(6) : `${data}\n${line.slice(6)}`;
        }
      }
      if (isEvent) {
        this.events++;
        if (data !== undefined) this.data.push(data);
      }
    }
  }
}

/** Resolves once `predicate` holds, checking after each turn of the event loop (no timers). */
export async function eventually(predicate: () => boolean, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns && !predicate(); i++) await new Promise((r) => setImmediate(r));
  if (!predicate()) throw new Error('the condition did not hold');
}
