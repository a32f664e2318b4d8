import {
  CLOSED_STREAM, type Responder, type ResponseStream, type ResponseStreamEvents,
} from '@jato/native-loop';
import { runtimeResponse } from './light-response.js';

/** A response as the dispatcher encoded it, turned back into a Web Response. @internal */
export interface WebResponderEvents {
  /** The response (its body may still be streaming). */
  resolve(res: globalThis.Response): void;
  /** The response is complete (sent whole, or its stream ended, aborted or was cancelled). */
  done(): void;
  /** `bytes` of a streamed request body were consumed. */
  bodyRead(bytes: number): void;
}

/**
 * The `Responder` of one `app.fetch` call: what the dispatcher writes for the request (a head string
 * and a body, or a streamed body with its own framing) becomes a Web `Response`. Hop-by-hop fields
 * (`Connection`, `Keep-Alive`, `Transfer-Encoding`) are dropped: the fetch runtime frames the body.
 * A streamed body is a `ReadableStream` pulled by the consumer: `write` reports backpressure when the
 * consumer's queue is full, and `onDrain` follows its next pull.
 * @internal
 */
export class WebResponder implements Responder {
  private answered = false;

  constructor(private readonly events: WebResponderEvents) {}

  respond(_conn: number, _seq: number, head: string, body: string | Uint8Array | null): void {
    if (this.answered) return;
    this.answered = true;
    const { status, statusText, headers } = parseHead(head);
    const none = body === null || status === 204 || status === 304;
    const R = runtimeResponse(); // a real Response: the fetch runtime's server may take only those
    this.events.resolve(new R(none ? null : body, { status, statusText, headers }));
    this.events.done();
  }

  stream(_conn: number, _seq: number, head: string, _close: boolean, events: ResponseStreamEvents): ResponseStream {
    if (this.answered) return CLOSED_STREAM;
    this.answered = true;
    const { status, statusText, headers, chunked } = parseHead(head);
    const dechunk = chunked ? new Dechunker() : null;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let closed = false;
    let wantsDrain = false;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      this.events.done();
    };
    const body = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
        },
        pull() {
          if (wantsDrain && !closed) {
            wantsDrain = false;
            events.onDrain();
          }
        },
        cancel() {
          if (closed) return;
          finish();
          events.onClose();
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
    const stream: ResponseStream = {
      write(chunk) {
        if (closed) return false;
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        const data = dechunk === null ? bytes : dechunk.push(bytes);
        if (data.byteLength > 0) controller.enqueue(new Uint8Array(data)); // a copy (Buffer slices are views)
        if ((controller.desiredSize ?? 0) > 0) return true;
        wantsDrain = true;
        return false;
      },
      end() {
        if (closed) return;
        controller.close();
        finish();
      },
      abort() {
        if (closed) return;
        controller.error(new Error('The response body was aborted by the server'));
        finish();
      },
      get closed() {
        return closed;
      },
    };
    const R = runtimeResponse();
    this.events.resolve(new R(status === 204 || status === 304 ? null : body, { status, statusText, headers }));
    return stream;
  }

  bodyRead(_conn: number, _seq: number, bytes: number): void {
    this.events.bodyRead(bytes);
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** The status line and header lines of a head jato encoded (well-formed by construction). */
function parseHead(head: string): { status: number; statusText: string; headers: Headers; chunked: boolean } {
  const lines = head.split('\r\n');
  const first = lines[0]!;
  const status = Number(first.slice(9, 12));
  const statusText = first.slice(13);
  const headers = new Headers();
  let chunked = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (HOP_BY_HOP.has(key)) {
      if (key === 'transfer-encoding' && /chunked/i.test(value)) chunked = true;
      continue;
    }
    headers.append(name, value);
  }
  return { status, statusText, headers, chunked };
}

/** Removes the chunked framing jato wrote around a streamed body (chunks may be split anywhere). */
class Dechunker {
  /** Bytes of data left in the current chunk, or -1 while reading a size line. */
  private left = -1;
  private line = '';
  /** After a chunk's data: its CRLF to skip (2 bytes). */
  private skip = 0;
  private ended = false;

  push(bytes: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, bytes.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.left < 0) {
        const lf = bytes.indexOf(0x0a, i);
        const end = lf < 0 ? bytes.length : lf;
        this.line += Buffer.from(bytes.buffer, bytes.byteOffset + i, end - i).toString('latin1');
        i = end;
        if (lf < 0) break;
        i++;
        const size = parseInt(this.line.trim().split(';')[0]!, 16);
        this.line = '';
        if (size === 0) {
          this.ended = true; // the last chunk (jato sends no trailers)
          break;
        }
        this.left = size;
        continue;
      }
      const n = Math.min(this.left, bytes.length - i);
      out.push(bytes.subarray(i, i + n));
      this.left -= n;
      i += n;
      if (this.left === 0) {
        this.left = -1;
        this.skip = 2;
      }
    }
    if (out.length === 1) return out[0]!;
    return out.length === 0 ? EMPTY : Buffer.concat(out);
  }
}

const EMPTY = new Uint8Array(0);
