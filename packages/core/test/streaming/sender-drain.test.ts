// The StreamSender's pull loop against a scripted transport (every write over the mark) and a
// scripted source (each next() a promise the test resolves): the source is asked again only after
// its chunk was written, a chunk waits for the drain when the last write returned false (also when
// the drain came while the source was being awaited), and a source that ends over the mark is ended
// at once: the terminator and the end follow without a drain. The first turn's timer does not
// outlive the first turn's gathering.
import type { ResponseStream, ResponseStreamEvents, Responder } from '@jato/native-loop';
import { describe, expect, it } from 'vitest';
import { StreamSender, type StreamHost } from '../../src/dispatch/stream-sender.js';
import type { Request } from '../../src/request/request.js';

type Step = IteratorResult<Uint8Array>;

/** A source whose next() calls are promises the test settles, in order. */
function scriptedSource() {
  const calls: Array<(r: Step) => void> = [];
  const it: AsyncIterableIterator<Uint8Array> = {
    next: () => new Promise<Step>((resolve) => calls.push(resolve)),
    return: async () => ({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return { it, calls };
}

/** A transport whose every write says "over the mark"; it records what it was given. */
function scriptedTransport() {
  const log: string[] = [];
  let events: ResponseStreamEvents | undefined;
  const stream: ResponseStream = {
    closed: false,
    write: (chunk) => {
      log.push(typeof chunk === 'string' ? `write ${JSON.stringify(chunk)}` : `write ${chunk.byteLength}`);
      return false;
    },
    writeFramed: (prefix, chunk, suffix) => {
      log.push(`framed ${JSON.stringify(prefix)} ${chunk.byteLength} ${JSON.stringify(suffix)}`);
      return false;
    },
    end: () => void log.push('end'),
    abort: () => void log.push('abort'),
  };
  const out = {
    respond: () => void log.push('respond'),
    stream: (_conn: number, _seq: number, _head: string, _close: boolean, ev: ResponseStreamEvents) => {
      events = ev;
      log.push('open');
      return stream;
    },
  } as unknown as Responder;
  return { log, out, drain: () => events!.onDrain() };
}

/** Lets every pending promise reaction run (one macrotask turn: microtasks drain before it). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function sender(out: Responder, body: AsyncIterable<Uint8Array>) {
  let answered!: () => void;
  const done = new Promise<void>((resolve) => (answered = resolve));
  const host: StreamHost = {
    logError: (_req, err) => {
      throw err;
    },
    sendError: (_req, err) => {
      throw err;
    },
    answered: () => answered(),
  };
  const req = { conn: 1, seq: 0, method: 'GET', abortController: null, abortNow: () => {} } as unknown as Request;
  const framing = { head: () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', declared: -1, chunked: true, close: false };
  const s = new StreamSender(host, req, out, framing, body, 'iterable');
  s.start();
  return done;
}

const CHUNK = new Uint8Array(64 * 1024); // one chunk is past the first turn's gathering: the head goes out

describe('StreamSender pull loop over the mark', () => {
  it('a source that ends while the output is over the mark is ended at once, with no drain', async () => {
    const { it: source, calls } = scriptedSource();
    const t = scriptedTransport();
    const answered = sender(t.out, source);
    await settle();
    calls[0]!({ done: false, value: CHUNK });
    await settle();
    expect(t.log).toEqual(['open', 'framed "10000\\r\\n" 65536 "\\r\\n"']);
    expect(calls.length).toBe(2); // asked once more after the write (its answer waits for the drain)
    calls[1]!({ done: true, value: undefined });
    await answered; // never drained: before, this waited for a drain forever
    expect(t.log.slice(2)).toEqual(['write "0\\r\\n\\r\\n"', 'end']);
  });

  it('a chunk waits for the drain after a false write; a drain that comes while the source is awaited is not lost', async () => {
    const { it: source, calls } = scriptedSource();
    const t = scriptedTransport();
    const answered = sender(t.out, source);
    await settle();
    calls[0]!({ done: false, value: CHUNK });
    await settle();
    expect(t.log.length).toBe(2);
    // the drain comes before the source answers: the next chunk is written at once
    t.drain();
    calls[1]!({ done: false, value: CHUNK });
    await settle();
    expect(t.log.length).toBe(3);
    expect(calls.length).toBe(3);
    // no drain this time: the chunk waits, and the source is not asked again
    calls[2]!({ done: false, value: CHUNK });
    await settle();
    await settle();
    expect(t.log.length).toBe(3);
    expect(calls.length).toBe(3);
    t.drain();
    await settle();
    expect(t.log.length).toBe(4);
    expect(calls.length).toBe(4);
    calls[3]!({ done: true, value: undefined });
    await answered;
    expect(t.log.slice(4)).toEqual(['write "0\\r\\n\\r\\n"', 'end']);
  });

  it('the first turn\'s immediate is cleared once a large first chunk opened the stream (no loop iteration for nothing)', async () => {
    const immediates = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    const before = immediates();
    const { it: source, calls } = scriptedSource();
    const t = scriptedTransport();
    void sender(t.out, source);
    expect(immediates()).toBe(before + 1); // the first turn's bound
    calls[0]!({ done: false, value: CHUNK });
    // microtasks only (no macrotask turn): the stream opens within them
    for (let i = 0; i < 1000 && !t.log.includes('open'); i++) await Promise.resolve();
    expect(t.log[0]).toBe('open');
    expect(immediates()).toBe(before);
    calls[1]!({ done: true, value: undefined });
  });
});
