import type { ParsedRequest, PushResult, StreamParser } from '@jato/parser';
import { BODY_ABORTED, BODY_DONE, BODY_MORE, STREAM_MIN_BODY } from '../stream-input.js';
import { ChunkList, InputStream } from './body-stream.js';
import type { ConnectionSet } from './connection-set.js';
import { CONTINUE_RESPONSE, renderErrorResponse } from './error-response.js';
import { OutStream, type StreamOwner } from './out-stream.js';
import type { ConnectionSink } from './sink.js';
import { CLOSED_STREAM, type ResponseStream, type ResponseStreamEvents } from '../stream-output.js';
import type { WsAcceptOptions, WsEventBatch } from '../ws-transport.js';
import { WsSession, type WsSessionHost } from './ws-session.js';

/** Bytes that may arrive after an upgrade request before JS answers it (held, then frames or HTTP). */
const MAX_UPGRADE_HELD = 64 * 1024;

/** The answer to an upgrade pipelined behind unfinished output (as the native loop's WsAccept). */
const UPGRADE_REFUSED = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

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
export class Connection implements StreamOwner, WsSessionHost {
  /** The WebSocket session once an upgrade was accepted (ws-session.ts). */
  ws: WsSession | undefined;
  /** Sequence number of the upgrade request JS has not answered yet (-1: none). */
  private upgradeSeq = -1;
  private upgradeHeld: Uint8Array[] = [];
  /** Requests parsed after the upgrade request in the same read: served if it is refused. */
  private upgradeHeldRequests: ParsedRequest[] = [];
  private upgradeHeldBytes = 0;
  private wsGathered = 0;
  /** Next sequence number to give a request. */
  private nextSeq = 0;
  /** Sequence number of the next response to write. */
  private nextWriteSeq = 0;
  private held: Map<number, HeldResponse> | undefined;
  /** The streamed response being written (its seq is nextWriteSeq): later responses are held. */
  private active: OutStream | undefined;
  /** Every open streamed response of this connection (told when the connection goes away). */
  private outStreams: Set<OutStream> | undefined;
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
  /** Streamed request bodies not finished (see body-stream.ts); the last one may be receiving. */
  private streams: InputStream[] | undefined;
  /** Bytes of streamed bodies handed (or queued) to JS and not yet consumed. */
  private streamUnread = 0;

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
    if (this.ws !== undefined || this.upgradeSeq >= 0) {
      this.wsInput(chunk);
      return;
    }
    const before = this.parser.state;
    const result = this.parser.push(chunk);
    if (this.set.wsEnabled && result.requests.length > 0) this.cutAtUpgrade(result.requests);
    const streams = this.streams;
    if (streams !== undefined) this.streamInput(streams, result);
    const count = result.requests.length;
    if (count > 0) {
      this.set.requests += count;
      // The parser reads nothing after a request that is not keep-alive.
      if (!result.requests[count - 1]!.keepAlive) this.discardInput = true;
      if (this.set.options.maxStreamBodyBytes > 0) this.streamWhole(result.requests);
      if (this.backlog.length === 0) this.backlog = result.requests;
      else for (const req of result.requests) this.backlog.push(req);
    }
    if (result.error !== undefined) {
      this.discardInput = true;
      const s = this.receiving();
      if (s !== undefined) this.streamFailed(s, result.error.status);
      else this.backlogFailure = result.error.status;
    }
    this.pump();
    if (this.state !== 'open') return;
    if (result.error === undefined && result.awaitingBody !== undefined && !this.discardInput && this.receiving() === undefined) {
      const { contentLength, expectContinue } = result.awaitingBody;
      const opts = this.set.options;
      if (opts.maxStreamBodyBytes > 0 && (contentLength === undefined || contentLength > opts.maxBodyBytes || contentLength >= STREAM_MIN_BODY) &&
        (contentLength === undefined || contentLength <= opts.maxStreamBodyBytes)) {
        this.startStream(expectContinue, contentLength);
      }
    }
    if (this.streams !== undefined) this.deliverStreams();
    if (this.state !== 'open') return;
    if (result.error === undefined && result.awaitingBody !== undefined && !this.discardInput && this.receiving() === undefined) {
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
      if (this.streams !== undefined) this.numberStreams(batch, first);
      this.set.dispatch(this, batch, first, this.streams);
      if (this.streams !== undefined) this.deliverStreams();
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
    if (this.ws !== undefined) {
      this.sink.destroy(); // after the close handshake, or a peer that left without one (1006)
      return;
    }
    if (this.state !== 'open') return;
    const s = this.receiving();
    if (s !== undefined) this.streamCut(s);
    if (!this.busy && !this.dirty) {
      this.closeGracefully();
      return;
    }
    if (!this.timed) return; // inject: the half-close only marks the end of its input
    this.endedAt = Date.now();
    if (this.inFlight > 0) this.set.peerEnded(this);
    if (this.outStreams !== undefined && this.outStreams.size > 0) {
      // the client left: its streamed responses stop (what they wrote still goes out), then we close
      const streams = this.outStreams;
      this.outStreams = undefined;
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
    const s = this.receiving();
    if (s !== undefined && s.seq >= 0 && !s.discarding) {
      s.end = BODY_ABORTED;
      s.queue = [];
      const chunks = new ChunkList();
      chunks.take(this.id, s);
      this.set.onBodyChunks(chunks);
    }
    this.streams = undefined;
    this.ws?.dispose();
    this.state = 'closed';
    this.held = undefined;
    this.active = undefined;
    const streams = this.outStreams;
    this.outStreams = undefined;
    if (streams !== undefined) for (const s of streams) s.lost();
    this.backlog = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.set.remove(this);
  }

  /** Graceful shutdown of the server: finish what is in flight, then close. */
  drain(): void {
    this.draining = true;
    if (this.ws !== undefined) {
      if (this.state === 'open') this.ws.goingAway();
      return;
    }
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
    if (seq === this.upgradeSeq) this.upgradeRefused();
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
    (this.outStreams ??= new Set()).add(s);
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
      this.outStreams?.delete(s);
      this.closeAfterOutput();
    } else if (s.ended) {
      this.outStreams?.delete(s);
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
    this.outStreams?.delete(s);
    if (this.active !== s) return; // held: finishes when its turn comes
    this.active = undefined;
    this.advance(s.close);
    this.releaseHeld();
  }

  streamAbort(s: OutStream): void {
    this.outStreams?.delete(s);
    if (this.active !== s) return; // held: closes when its turn comes
    this.active = undefined;
    this.closeAfterOutput();
  }

  /** Sends what is gathered, then closes (FIN) with nothing more: an aborted streamed response. */
  private closeAfterOutput(): void {
    if (this.state !== 'open') return;
    this.beginClosing();
    this.markDirty();
  }

  /** Our side ends: nothing more is read or answered (held responses are dropped). */
  private beginClosing(): void {
    this.state = 'closing';
    this.closingSince = Date.now();
    this.held = undefined;
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
      this.wsGathered = 0;
    }
    if (this.ws !== undefined) {
      if (this.state === 'closing') this.endOnce();
      else this.ws.onSocketDrain();
      return;
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
    if (this.ws !== undefined) {
      this.ws.onSocketDrain();
      return;
    }
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
    if (this.streams !== undefined && this.streamAnswered(seq)) close = true;
    if (close || seq === this.finalSeq) {
      this.beginClosing();
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
    this.beginClosing();
    this.endOnce();
  }

  private endOnce(): void {
    if (this.ended) return;
    this.ended = true;
    this.sink.end();
    if (this.timed) this.arm();
  }

  // ---- WebSocket (ws-session.ts) ------------------------------------------------------------------

  /** Requests after an upgrade request wait (as bytes) for JS's answer: a 101 makes them frames. */
  private cutAtUpgrade(requests: ParsedRequest[]): void {
    for (let k = 0; k < requests.length; k++) {
      if (!requests[k]!.upgrade) continue;
      // requests parsed after it in this read wait: served if the upgrade is refused, dropped if accepted
      this.upgradeHeldRequests = requests.splice(k + 1);
      this.upgradeSeq = this.nextSeq + this.backlog.length + k;
      this.upgradeHeld = [];
      this.upgradeHeldBytes = 0;
      return;
    }
  }

  private wsInput(chunk: Uint8Array): void {
    if (this.ws !== undefined) {
      this.ws.onData(chunk);
      return;
    }
    this.upgradeHeldBytes += chunk.length;
    if (this.upgradeHeldBytes > MAX_UPGRADE_HELD) {
      this.sink.destroy();
      return;
    }
    this.upgradeHeld.push(Uint8Array.from(chunk));
  }

  private upgradeRefused(): void {
    this.upgradeSeq = -1;
    const held = this.upgradeHeld;
    const requests = this.upgradeHeldRequests;
    this.upgradeHeld = [];
    this.upgradeHeldRequests = [];
    if (requests.length > 0) {
      for (const req of requests) this.backlog.push(req);
      this.set.wantsPump(this);
    }
    if (held.length > 0) queueMicrotask(() => { for (const chunk of held) this.onData(chunk); });
  }

  /** JS accepted upgrade request `seq`: the 101, then frames. */
  wsAccept(seq: number, head: string, options: WsAcceptOptions): void {
    // (a peer that half-closed while its upgrade was pending is gone: its close follows, 1006)
    if (this.state !== 'open' || seq !== this.upgradeSeq || this.readEnded) {
      this.sink.destroy();
      return;
    }
    if (seq !== this.nextWriteSeq) {
      this.upgradeBehindOutput(seq);
      return;
    }
    if (this.active !== undefined) {
      this.sink.destroy(); // a streamed response to the upgrade request itself: never guess
      return;
    }
    this.emit(head, null, false);
    this.upgradeSeq = -1;
    this.upgradeHeldRequests = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const ws = (this.ws = new WsSession(this, options, this.set.options.highWaterMark));
    const held = this.upgradeHeld;
    this.upgradeHeld = [];
    if (held.length > 0) queueMicrotask(() => { for (const chunk of held) ws.onData(chunk); });
  }

  /**
   * An upgrade pipelined behind a response still going out (a file body, a stream, an earlier answer
   * not given yet): its 101 would wait while frames overtook that response. Refused in order instead,
   * as the native loop does: the earlier responses complete, then a 503 that closes the connection.
   * No session is made (what JS sends to it is dropped; its close comes with the connection's), and
   * what the peer sent after the upgrade request is discarded.
   */
  private upgradeBehindOutput(seq: number): void {
    this.upgradeSeq = -1;
    this.upgradeHeld = [];
    this.upgradeHeldRequests = [];
    this.discardInput = true;
    this.complete(seq, UPGRADE_REFUSED, null, true);
  }

  wsWrite(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.wsGathered += bytes.length;
    this.appendBytes(bytes);
    this.markDirty();
  }

  wsPending(): number {
    return this.sink.pendingBytes + this.wsGathered;
  }

  wsEnd(): void {
    this.closeAfterOutput();
  }

  wsDestroy(): void {
    this.sink.destroy();
  }

  wsDeliver(batch: WsEventBatch): void {
    this.set.wsEvents(batch);
  }

  wsDrained(): void {
    this.set.wsDrained(this.id);
  }

  // ---- streamed request bodies (stream-input.ts) ------------------------------------------------

  /** The streamed body still being received, if any (always the last request parsed). */
  private receiving(): InputStream | undefined {
    const list = this.streams;
    if (list === undefined) return undefined;
    const s = list[list.length - 1];
    return s !== undefined && s.end === BODY_MORE ? s : undefined;
  }

  /** The request whose head just arrived streams its body: it joins the backlog now. */
  private startStream(expectContinue: boolean, contentLength: number | undefined): void {
    const { request, received } = this.parser.streamBody!();
    const s = new InputStream(request, expectContinue, contentLength, 0);
    for (const data of received) this.addData(s, data);
    (this.streams ??= []).push(s);
    this.backlog.push(request);
    this.pump();
  }

  /** Requests complete in one read whose body is over `maxBodyBytes` are handed out as streamed too. */
  private streamWhole(requests: ParsedRequest[]): void {
    const max = this.set.options.maxBodyBytes;
    for (const req of requests) {
      if (req.body.length <= max) continue;
      const s = new InputStream(req, req.expectContinue, undefined, 0);
      this.addData(s, req.body);
      s.end = BODY_DONE;
      req.body = new Uint8Array(0);
      (this.streams ??= []).push(s);
    }
  }

  private addData(s: InputStream, data: Uint8Array): void {
    const before = s.unread;
    s.add(data);
    this.streamUnread += s.unread - before;
    if (s.discarding && s.discarded > this.set.options.maxDiscardBytes) {
      // too much to discard: stop reading, the connection closes after what is written
      this.discardInput = true;
      this.closeAfterOutput();
    }
  }

  /** The body chunks (and end) of the streamed body being received that this read decoded. */
  private streamInput(streams: InputStream[], result: PushResult): void {
    const s = streams[streams.length - 1];
    if (s === undefined || s.end !== BODY_MORE) return;
    const chunks = result.bodyChunks;
    if (chunks !== undefined) for (const data of chunks) this.addData(s, data);
    if (result.bodyEnd === true) s.end = BODY_DONE;
  }

  /** Gives streamed requests handed out in `batch` their sequence numbers. */
  private numberStreams(batch: ParsedRequest[], first: number): void {
    for (const s of this.streams!) {
      if (s.seq >= 0) continue;
      const k = batch.indexOf(s.request);
      if (k >= 0) s.seq = first + k;
    }
  }

  /** Hands what the streams have for JS to `onBodyChunks` and forgets the finished ones. */
  private deliverStreams(): void {
    const list = this.streams;
    if (list === undefined) return;
    let chunks: ChunkList | undefined;
    for (const s of list) {
      if (s.seq < 0 || s.discarding) continue;
      if (s.queue.length > 0 || (s.end !== BODY_MORE && !s.endDelivered)) {
        chunks ??= new ChunkList();
        chunks.take(this.id, s);
      }
    }
    let k = 0;
    for (const s of list) if (!(s.finished && s.seq >= 0 && s.seq < this.nextWriteSeq)) list[k++] = s;
    list.length = k;
    if (k === 0) this.streams = undefined;
    if (chunks !== undefined) this.set.onBodyChunks(chunks);
  }

  /**
   * A streamed body failed (over the limit, bad framing, timeout): JS hears the status, the transport
   * answers it for that request (if JS has not) and closes.
   */
  private streamFailed(s: InputStream, status: number): void {
    if (this.endStream(s, status)) {
      // it was still waiting in the backlog: the failure is answered after the requests before it
      this.backlogFailure = status;
      return;
    }
    this.deliverStreams();
    const opts = this.set.options;
    if (s.seq >= this.nextWriteSeq && !this.held?.has(s.seq)) {
      this.complete(s.seq, renderErrorResponse(status, this.set.date(), opts.serverName), null, true);
    } else this.closeAfterOutput();
  }

  /**
   * The streamed body being received (`s`, the last stream) ends with `end` (a failure status or
   * `BODY_ABORTED`): input is discarded from now on. Returns true when its request was still waiting in
   * the backlog, which it then leaves (with its stream): the caller decides what answers it.
   */
  private endStream(s: InputStream, end: number): boolean {
    s.end = end;
    s.queue = [];
    this.discardInput = true;
    if (s.seq >= 0) return false;
    this.backlog.pop();
    this.streams!.pop();
    if (this.streams!.length === 0) this.streams = undefined;
    return true;
  }

  /**
   * The response to `seq` is being written: a streamed body not fully read is discarded from now
   * on. Returns true when the connection must close after it (the rest is larger than
   * `maxDiscardBytes`, or the client waits for a `100 Continue` that never came).
   */
  private streamAnswered(seq: number): boolean {
    let close = false;
    for (const s of this.streams!) {
      if (s.seq !== seq) continue;
      this.streamUnread -= s.unread;
      s.unread = 0;
      s.queue = [];
      if (s.end === BODY_MORE) {
        s.discarding = true;
        const rest = s.contentLength === undefined ? 0 : s.contentLength - s.received;
        if ((s.expectContinue && !s.started) || rest > this.set.options.maxDiscardBytes) {
          close = true;
          this.discardInput = true;
        }
      }
    }
    if (this.timed) this.checkBackpressure();
    return close;
  }

  /** JS consumed `bytes` of the body of `seq` (the first call decides `100 Continue`). */
  bodyRead(seq: number, bytes: number): void {
    const list = this.streams;
    if (list === undefined || this.state !== 'open') return;
    for (const s of list) {
      if (s.seq !== seq || s.discarding) continue;
      const n = Math.min(Math.max(0, bytes), s.unread);
      s.unread -= n;
      this.streamUnread -= n;
      if (!s.started) {
        s.started = true;
        if (s.expectContinue && s.end === BODY_MORE && this.continueDecidedSeq !== seq) {
          this.continueDecidedSeq = seq;
          if (this.nextWriteSeq === seq) this.append(CONTINUE_RESPONSE);
          else this.continueSeq = seq;
        }
      }
    }
    this.checkBackpressure();
    if (this.timed) this.arm();
  }

  /**
   * The client's FIN came in the middle of a streamed body: the message can never complete. JS hears
   * `BODY_ABORTED`; the connection closes after the responses before that request.
   */
  private streamCut(s: InputStream): void {
    if (this.endStream(s, BODY_ABORTED)) {
      if (this.backlog.length > 0) this.finalSeq = this.nextSeq + this.backlog.length - 1;
      else if (this.nextSeq === this.nextWriteSeq) this.closeAfterOutput();
      else this.finalSeq = this.nextSeq - 1;
      return;
    }
    this.deliverStreams();
    if (s.seq === this.nextWriteSeq) this.closeAfterOutput();
    else if (s.seq > this.nextWriteSeq) this.finalSeq = s.seq - 1;
  }


  private checkBackpressure(): void {
    const opts = this.set.options;
    const over =
      this.inFlight >= opts.maxInFlight || this.backlog.length > 0 || this.sink.pendingBytes >= opts.highWaterMark ||
      this.streamUnread >= opts.bodyWindow;
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
    // paused, the read timeouts stop, except for a streamed body waiting on its reader (cut by time)
    if ((this.paused && (this.streams === undefined || this.receiving() === undefined)) || this.discardInput) return [at, kind];
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
    if (!this.timed || this.state === 'closed' || (this.ws !== undefined && this.state === 'open')) return;
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
        this.fail(408);
        break;
      case 'body': {
        const s = this.receiving();
        if (s !== undefined) this.streamFailed(s, 408);
        else this.fail(408);
        break;
      }
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
