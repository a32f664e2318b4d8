import type { ParsedRequest, StreamParser } from '@jato/parser';
import type { ConnectionSet } from './connection-set.js';
import { CONTINUE_RESPONSE, renderErrorResponse } from './error-response.js';
import { OutStream, type StreamOwner } from './out-stream.js';
import type { ConnectionSink } from './sink.js';
import { CLOSED_STREAM, type ResponseStream, type ResponseStreamEvents } from '../stream-output.js';

/** How long a connection that we have ended keeps discarding input before it is destroyed. */
const LINGER_MS = 2_000;

/** A response that completed before an earlier one and waits for its turn. */
interface HeldResponse {
  head: string;
  body: string | Uint8Array | null;
  close: boolean;
  /** A streamed response waiting for its turn. */
  stream?: OutStream;
}

type Deadline = 'none' | 'write' | 'linger' | 'head' | 'body' | 'idle' | 'ended';

// Non-ASCII detection for response heads (which then go out as latin1 bytes, not UTF-8).
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * One HTTP/1.1 connection of the JS transport: feeds its bytes to a StreamParser, hands the
 * requests of each read to the server's batch dispatch with consecutive sequence numbers (never more
 * than `maxInFlight` unanswered, and none while the unsent output is above the high-water mark: the
 * rest wait, parsed, in a backlog), writes
 * the responses in sequence order (holding those that complete early), gathers everything written
 * during one batch or tick into one write, and enforces keep-alive, error, backpressure and timeout
 * rules. The bytes go to a ConnectionSink: a socket, or memory for `inject`.
 */
export class Connection implements StreamOwner {
  /** Next sequence number to give a request. */
  private nextSeq = 0;
  /** Sequence number of the next response to write. */
  private nextWriteSeq = 0;
  private held: Map<number, HeldResponse> | undefined;
  /** The streamed response being written (its seq is nextWriteSeq): later responses are held. */
  private active: OutStream | undefined;
  /** Every open streamed response of this connection (told when the connection goes away). */
  private streams: Set<OutStream> | undefined;
  /** Bytes of streamed output gathered since the last flush. */
  private gathered = 0;
  /** Parsed requests not yet handed to JS (backpressure), in order. */
  private backlog: ParsedRequest[] = [];
  /** Status to answer once the backlog is handed out (a parse error after those requests). */
  private backlogFailure = 0;
  /** Sequence number after whose response the connection closes (-1: none yet). */
  private finalSeq = -1;
  /** 'open' reads requests; 'closing' has ended (or is ending) our side; 'closed' is gone. */
  private state: 'open' | 'closing' | 'closed' = 'open';
  /** Input after an error or a final request is read and discarded. */
  private discardInput = false;
  private readEnded = false;
  private draining = false;
  private paused = false;
  private ended = false;
  /** Output gathered since the last flush. */
  private outText = '';
  private outPieces: Array<string | Uint8Array> = [];
  /** True while this connection is in the set's list of connections to flush. */
  dirty = false;
  /** Sequence number whose `100 Continue` waits for earlier responses (-1: none). */
  private continueSeq = -1;
  /** Sequence number for which `100 Continue` was already decided. */
  private continueDecidedSeq = -1;
  // Timing (ms since epoch) for timeouts.
  private headStart = 0;
  private bodyStart = 0;
  private bodyBytes = 0;
  private idleSince: number;
  private closingSince = 0;
  /** When the peer's FIN arrived (readEnded). */
  private endedAt = 0;
  private writeProgressAt = 0;
  private lastQueued = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    readonly id: number,
    private readonly set: ConnectionSet,
    private readonly sink: ConnectionSink,
    private readonly parser: StreamParser,
    /** Whether timeouts apply (false for `inject`, which has no clock-driven peer). */
    private readonly timed: boolean,
  ) {
    this.idleSince = Date.now();
    this.arm();
  }

  /** Requests handed to JS (or failed by the transport) whose response is not written yet. */
  get inFlight(): number {
    return this.nextSeq - this.nextWriteSeq;
  }

  /** Requests in flight or waiting in the backlog. */
  private get busy(): boolean {
    return this.nextSeq !== this.nextWriteSeq || this.backlog.length > 0 || this.backlogFailure !== 0;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Bytes arrived from the peer. */
  onData(chunk: Uint8Array): void {
    this.set.bytesRead += chunk.length;
    if (this.state !== 'open' || this.discardInput) return;
    const before = this.parser.state;
    const result = this.parser.push(chunk);
    const count = result.requests.length;
    if (count > 0) {
      this.set.requests += count;
      // The parser reads nothing after a request that is not keep-alive.
      if (!result.requests[count - 1]!.keepAlive) this.discardInput = true;
      if (this.backlog.length === 0) this.backlog = result.requests;
      else for (const req of result.requests) this.backlog.push(req);
    }
    if (result.error !== undefined) {
      this.discardInput = true;
      this.backlogFailure = result.error.status;
    }
    this.pump();
    if (this.state !== 'open') return;
    if (result.error === undefined && result.awaitingBody !== undefined && !this.discardInput) {
      const { contentLength, expectContinue } = result.awaitingBody;
      // the sequence number the request whose body is coming will get
      const seq = this.nextSeq + this.backlog.length;
      if (contentLength !== undefined && contentLength > this.set.options.maxBodyBytes) {
        this.discardInput = true;
        this.backlogFailure = 413;
        this.pump();
      } else if (expectContinue && this.continueDecidedSeq !== seq) {
        this.continueDecidedSeq = seq;
        if (this.nextWriteSeq === seq) this.append(CONTINUE_RESPONSE);
        else this.continueSeq = seq;
      }
    }
    if (!this.timed) return;
    const after = this.parser.state;
    const now = Date.now();
    if (after === 'head') {
      if (before !== 'head' || count > 0) this.headStart = now;
    } else if (after === 'body') {
      if (before !== 'body' || count > 0) {
        this.bodyStart = now;
        this.bodyBytes = 0;
      } else {
        this.bodyBytes += chunk.length;
      }
    }
    this.checkBackpressure();
    this.arm(now);
  }

  /**
   * Hands waiting requests to JS while fewer than `maxInFlight` are unanswered and the unsent
   * output is under the high-water mark; then, with the backlog empty, a pending parse failure.
   */
  pump(): void {
    if (this.state !== 'open') return;
    const opts = this.set.options;
    if (this.backlog.length > 0) {
      if (this.sink.pendingBytes >= opts.highWaterMark) return;
      const allowance = opts.maxInFlight - this.inFlight;
      if (allowance <= 0) return;
      let batch: ParsedRequest[];
      if (allowance >= this.backlog.length) {
        batch = this.backlog;
        this.backlog = [];
      } else {
        batch = this.backlog.slice(0, allowance);
        this.backlog = this.backlog.slice(allowance);
      }
      const first = this.nextSeq;
      this.nextSeq += batch.length;
      const last = batch[batch.length - 1]!;
      if (!last.keepAlive) this.finalSeq = first + batch.length - 1;
      this.set.dispatch(this, batch, first);
      if (this.state !== 'open' || this.backlog.length > 0) return;
    }
    if (this.backlogFailure !== 0 && this.backlog.length === 0) {
      const status = this.backlogFailure;
      this.backlogFailure = 0;
      this.fail(status);
    }
  }

  /**
   * The peer half-closed (FIN): answer what is in flight, then close. With requests pending, the
   * user hears of the close at once (their abort signals fire) and the socket is destroyed at the
   * latest `keepAliveTimeout` after the FIN (the write timeout applies while output is pending).
   */
  onEnd(): void {
    this.readEnded = true;
    if (this.state !== 'open') return;
    if (!this.busy && !this.dirty) {
      this.closeGracefully();
      return;
    }
    if (!this.timed) return; // inject: the half-close only marks the end of its input
    this.endedAt = Date.now();
    if (this.inFlight > 0) this.set.peerEnded(this);
    if (this.streams !== undefined && this.streams.size > 0) {
      // the client left: its streamed responses stop (what they wrote still goes out), then we close
      const streams = this.streams;
      this.streams = undefined;
      for (const s of streams) s.lost();
      this.active = undefined;
      this.closeAfterOutput();
      return;
    }
    this.arm(this.endedAt);
  }

  /** The transport is gone (socket closed or inject finished). */
  onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = undefined;
    this.active = undefined;
    const streams = this.streams;
    this.streams = undefined;
    if (streams !== undefined) for (const s of streams) s.lost();
    this.backlog = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.set.remove(this);
  }

  /** Graceful shutdown of the server: finish what is in flight, then close. */
  drain(): void {
    this.draining = true;
    if (this.state === 'open' && !this.busy && !this.dirty && this.parser.state === 'idle') {
      this.closeGracefully();
    }
  }

  /** Closes now, dropping unsent output. */
  destroy(): void {
    this.sink.destroy();
  }

  /**
   * The response to request `seq`. Written at once when every earlier response is written, else
   * held; the connection closes after it when `close` is set or the request was not keep-alive.
   */
  complete(seq: number, head: string, body: string | Uint8Array | null, close: boolean): void {
    if (this.state !== 'open' || seq < this.nextWriteSeq || seq >= this.nextSeq) return;
    if (seq !== this.nextWriteSeq || this.active !== undefined) {
      if (seq === this.nextWriteSeq) return; // the streamed response in progress has this seq
      this.held ??= new Map();
      if (!this.held.has(seq)) this.held.set(seq, { head, body, close });
      return;
    }
    this.emit(head, body, close);
    if (this.held !== undefined) this.releaseHeld();
  }

  /** Writes the held responses whose turn has come (up to a streamed one that is not finished). */
  private releaseHeld(): void {
    const held = this.held;
    if (held === undefined) return;
    let next: HeldResponse | undefined;
    while (this.state === 'open' && this.active === undefined && (next = held.get(this.nextWriteSeq)) !== undefined) {
      held.delete(this.nextWriteSeq);
      if (next.stream !== undefined) this.activate(next.stream);
      else this.emit(next.head, next.body, next.close);
    }
  }

  /** A streamed response to request `seq` (see `StreamingResponder.stream`). */
  stream(seq: number, head: string, close: boolean, events: ResponseStreamEvents): ResponseStream {
    if (this.state !== 'open' || seq < this.nextWriteSeq || seq >= this.nextSeq) return CLOSED_STREAM;
    if (this.active?.seq === seq || this.held?.has(seq)) return CLOSED_STREAM;
    const s = new OutStream(this, seq, head, close, events);
    (this.streams ??= new Set()).add(s);
    if (seq === this.nextWriteSeq) {
      this.activate(s);
    } else {
      this.held ??= new Map();
      this.held.set(seq, { head, body: null, close, stream: s });
    }
    return s;
  }

  /** `s` has its turn: its head and what it wrote so far go out; it ends now if it already did. */
  private activate(s: OutStream): void {
    this.writeHead(s.head);
    const pending = s.pending!;
    s.pending = null;
    for (const piece of pending) this.appendPiece(piece);
    this.gathered += s.pendingBytes;
    s.pendingBytes = 0;
    if (s.aborted) {
      this.streams?.delete(s);
      this.closeAfterOutput();
    } else if (s.ended) {
      this.streams?.delete(s);
      this.advance(s.close);
    } else {
      this.active = s;
      this.markDirty();
    }
  }

  streamWrite(s: OutStream, chunk: string | Uint8Array): boolean {
    if (this.state !== 'open') return false;
    const hwm = this.set.options.highWaterMark;
    const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (s.pending !== null) {
      s.pending.push(chunk);
      s.pendingBytes += size;
      if (s.pendingBytes < hwm) return true;
      s.wantsDrain = true;
      return false;
    }
    this.appendPiece(chunk);
    this.gathered += size;
    this.markDirty();
    if (this.sink.pendingBytes + this.gathered < hwm) return true;
    s.wantsDrain = true;
    return false;
  }

  streamEnd(s: OutStream): void {
    this.streams?.delete(s);
    if (this.active !== s) return; // held: finishes when its turn comes
    this.active = undefined;
    this.advance(s.close);
    this.releaseHeld();
  }

  streamAbort(s: OutStream): void {
    this.streams?.delete(s);
    if (this.active !== s) return; // held: closes when its turn comes
    this.active = undefined;
    this.closeAfterOutput();
  }

  /** Sends what is gathered, then closes (FIN) with nothing more: an aborted streamed response. */
  private closeAfterOutput(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closingSince = Date.now();
    this.held = undefined;
    this.markDirty();
  }

  /** Answers `status` (with Connection: close) after every earlier response, then closes. */
  fail(status: number): void {
    this.discardInput = true;
    if (this.backlog.length > 0) {
      // after the requests still waiting to be handed out
      if (this.backlogFailure === 0) this.backlogFailure = status;
      return;
    }
    if (this.finalSeq >= 0 || this.state !== 'open') return;
    const seq = this.nextSeq++;
    this.finalSeq = seq;
    const opts = this.set.options;
    this.complete(seq, renderErrorResponse(status, this.set.date(), opts.serverName), null, true);
  }

  /** `onBatch` threw: the first unanswered request of that batch gets a 500 and the connection closes. */
  batchFailed(first: number, count: number): void {
    for (let seq = Math.max(first, this.nextWriteSeq); seq < first + count; seq++) {
      if (this.held?.has(seq)) continue;
      const opts = this.set.options;
      this.complete(seq, renderErrorResponse(500, this.set.date(), opts.serverName), null, true);
      return;
    }
  }

  /** Hands the gathered output to the sink in one write, then applies close/idle/backpressure rules. */
  flush(): void {
    this.dirty = false;
    if (this.state === 'closed') {
      this.outText = '';
      this.outPieces = [];
      return;
    }
    if (this.outText.length > 0) {
      this.outPieces.push(this.outText);
      this.outText = '';
    }
    if (this.outPieces.length > 0) {
      const pieces = this.outPieces;
      this.outPieces = [];
      if (this.timed && this.sink.pendingBytes === 0) this.writeProgressAt = Date.now();
      this.sink.write(pieces);
      this.lastQueued = this.sink.queuedBytes;
      this.gathered = 0;
    }
    const active = this.active;
    if (active !== undefined && active.wantsDrain && this.sink.pendingBytes < this.set.options.highWaterMark) {
      active.drained();
    }
    if (this.state === 'closing') {
      this.endOnce();
      return;
    }
    if (this.state !== 'open') return;
    if (this.backlog.length > 0 || this.backlogFailure !== 0) this.set.wantsPump(this);
    if (!this.busy) {
      if (this.readEnded || (this.draining && this.parser.state === 'idle')) {
        this.closeGracefully();
        return;
      }
      if (this.timed) this.idleSince = Date.now();
    }
    if (this.timed) {
      this.checkBackpressure();
      this.arm();
    }
  }

  /** The sink sent all pending output. */
  onDrain(): void {
    if (this.backlog.length > 0) this.set.wantsPump(this);
    this.active?.drained();
    if (!this.timed) return;
    this.writeProgressAt = Date.now();
    this.checkBackpressure();
    this.arm();
  }

  private emit(head: string, body: string | Uint8Array | null, close: boolean): void {
    this.writeHead(head);
    if (body !== null) {
      if (typeof body === 'string') this.outText += body;
      else if (body.length > 0) this.appendBytes(body);
    }
    this.advance(close);
  }

  private writeHead(head: string): void {
    if (NON_ASCII.test(head)) this.appendBytes(Buffer.from(head, 'latin1'));
    else this.outText += head;
  }

  private appendPiece(piece: string | Uint8Array): void {
    if (typeof piece === 'string') this.outText += piece;
    else if (piece.byteLength > 0) this.appendBytes(piece);
  }

  /** The response at nextWriteSeq is complete: the connection moves on (or finishes). */
  private advance(close: boolean): void {
    const seq = this.nextWriteSeq++;
    if (close || seq === this.finalSeq) {
      this.state = 'closing';
      this.closingSince = Date.now();
      this.held = undefined;
    } else if (this.continueSeq === this.nextWriteSeq) {
      this.continueSeq = -1;
      this.outText += CONTINUE_RESPONSE;
    }
    this.markDirty();
  }

  private append(text: string): void {
    this.outText += text;
    this.markDirty();
  }

  private appendBytes(bytes: Uint8Array): void {
    if (this.outText.length > 0) {
      this.outPieces.push(this.outText);
      this.outText = '';
    }
    this.outPieces.push(bytes);
  }

  private markDirty(): void {
    if (!this.dirty) {
      this.dirty = true;
      this.set.markDirty(this);
    }
  }

  private closeGracefully(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.closingSince = Date.now();
    this.held = undefined;
    this.endOnce();
  }

  private endOnce(): void {
    if (this.ended) return;
    this.ended = true;
    this.sink.end();
    if (this.timed) this.arm();
  }

  private checkBackpressure(): void {
    const opts = this.set.options;
    const over =
      this.inFlight >= opts.maxInFlight || this.backlog.length > 0 || this.sink.pendingBytes >= opts.highWaterMark;
    if (over && !this.paused && this.state === 'open') {
      this.paused = true;
      this.sink.pause();
    } else if (!over && this.paused) {
      this.paused = false;
      this.sink.resume();
    }
  }

  /** The earliest deadline that applies now and what happens when it passes. */
  private deadline(): [at: number, kind: Deadline] {
    if (this.state === 'closed') return [Infinity, 'none'];
    if (this.state === 'closing') return [this.closingSince + LINGER_MS, 'linger'];
    const opts = this.set.options;
    let at = Infinity;
    let kind: Deadline = 'none';
    if (this.sink.pendingBytes > 0) {
      at = this.writeProgressAt + opts.writeTimeout;
      kind = 'write';
    }
    if (this.readEnded) {
      // FIN'd with requests pending: never held past the keep-alive timeout (nor a stalled write)
      if (this.busy && this.sink.pendingBytes === 0) return [this.endedAt + opts.keepAliveTimeout, 'ended'];
      return [at, kind];
    }
    if (this.paused || this.discardInput) return [at, kind];
    let readAt = Infinity;
    let readKind: Deadline = 'none';
    switch (this.parser.state) {
      case 'head':
        readAt = this.headStart + opts.headersTimeout;
        readKind = 'head';
        break;
      case 'body': {
        const allowed = opts.bodyMinRate > 0 ? (this.bodyBytes * 1000) / opts.bodyMinRate : Infinity;
        readAt = this.bodyStart + Math.max(opts.bodyGrace, allowed);
        readKind = 'body';
        break;
      }
      case 'idle':
        if (!this.busy) {
          readAt = this.idleSince + opts.keepAliveTimeout;
          readKind = 'idle';
        }
        break;
      default:
        break;
    }
    return readAt < at ? [readAt, readKind] : [at, kind];
  }

  /** Makes sure the timer fires no later than the current deadline. */
  private arm(now = Date.now()): void {
    if (!this.timed || this.state === 'closed') return;
    const [at] = this.deadline();
    if (at === Infinity || (this.timer !== undefined && this.timerAt <= at)) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(0, at - now));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.state === 'closed') return;
    const now = Date.now();
    const queued = this.sink.queuedBytes;
    // Less output queued than when we last looked: the peer is reading, that is progress.
    if (queued < this.lastQueued) this.writeProgressAt = now;
    this.lastQueued = queued;
    const [at, kind] = this.deadline();
    if (at > now) {
      this.arm(now);
      return;
    }
    switch (kind) {
      case 'head':
      case 'body':
        this.fail(408);
        break;
      case 'idle':
        this.closeGracefully();
        break;
      case 'write':
      case 'linger':
      case 'ended':
        this.sink.destroy();
        break;
      default:
        break;
    }
  };
}
