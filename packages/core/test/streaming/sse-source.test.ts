// The body of sse() (SseSource) on fake timers: one heartbeat timer per stream however many events
// go out, a heartbeat only after `heartbeat` ms without a chunk, the producer's pending event kept
// across a heartbeat (nothing lost, order kept), errors and the client leaving stop the producer.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sse, type SseEvent } from '../../src/index.js';

/** A producer the test feeds by hand: `push` an event, `end` it. */
function manual() {
  const queue: (SseEvent | string | null)[] = [];
  let wake: (() => void) | null = null;
  let finallyRan = false;
  let signal: AbortSignal | undefined;
  const producer = async function* (s: AbortSignal) {
    signal = s;
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const e = queue.shift()!;
        if (e === null) return;
        yield e;
      }
    } finally {
      finallyRan = true;
    }
  };
  return {
    producer,
    push(e: SseEvent | string | null) {
      queue.push(e);
      const w = wake;
      wake = null;
      w?.();
    },
    finallyRan: () => finallyRan,
    signal: () => signal,
  };
}

function bodyOf(res: { stream: unknown }): AsyncIterator<string> {
  return (res.stream as AsyncIterable<string>)[Symbol.asyncIterator]();
}

/** Whether `p` settled (after the microtasks now queued ran). */
async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return done;
}

describe('sse() body: events of a turn', () => {
  it('gathers the events a producer yields within one turn into one chunk, in order, at most 16 Ki chars each', async () => {
    const big = 'y'.repeat(3000);
    const it = bodyOf(sse((async function* () {
      for (let i = 0; i < 20; i++) yield { id: String(i), data: big };
      yield 'last';
    })(), { heartbeat: 0 }));
    const chunks: string[] = [];
    for (let r = await it.next(); r.done !== true; r = await it.next()) chunks.push(r.value);
    const expected = Array.from({ length: 20 }, (_, i) => `id: ${i}\ndata: ${big}\n\n`).join('') + 'data: last\n\n';
    expect(chunks.join('')).toBe(expected);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.length).toBeLessThan(21); // gathered, not one chunk per event
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(16 * 1024);
    for (const c of chunks) expect(c.length).toBeLessThan(16 * 1024 + 3100);
  });

  it('a producer error after some events of the turn: those events first, then the rejection', async () => {
    const it = bodyOf(sse((async function* () {
      yield 'a';
      yield 'b';
      throw new Error('boom');
    })(), { heartbeat: 0 }));
    expect(await it.next()).toEqual({ done: false, value: 'data: a\n\ndata: b\n\n' });
    await expect(it.next()).rejects.toThrow('boom');
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('does not pull the producer while the consumer is busy', async () => {
    let pulled = 0;
    const it = bodyOf(sse((async function* () {
      for (;;) {
        pulled++;
        yield 'e';
        if (pulled % 5 === 0) await new Promise((r) => setImmediate(r)); // a new turn every 5 events
      }
    })(), { heartbeat: 0 }));
    expect(await it.next()).toEqual({ done: false, value: 'data: e\n\n'.repeat(5) });
    const before = pulled;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(pulled - before).toBeLessThanOrEqual(1); // at most the event that was already pending
    await it.return!();
  });
});

describe('sse() body', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one heartbeat timer for a stream of many events (none per event)', async () => {
    const m = manual();
    const it = bodyOf(sse(m.producer, { heartbeat: 1000 }));
    const before = vi.getTimerCount();
    const armed = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 100; i++) {
      m.push({ data: String(i) });
      expect(await it.next()).toEqual({ done: false, value: `data: ${i}\n\n` });
      expect(vi.getTimerCount() - before).toBeLessThanOrEqual(1);
    }
    expect(armed.mock.calls.length).toBe(1);
    armed.mockRestore();
    m.push(null);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(before); // the stream's timer is gone when it ends
  });

  it('sends a heartbeat only after `heartbeat` ms without a chunk, and keeps the pending event for the next read', async () => {
    const m = manual();
    const it = bodyOf(sse(m.producer, { heartbeat: 1000 }));
    m.push({ data: 'a' });
    expect(await it.next()).toEqual({ done: false, value: 'data: a\n\n' });
    const waiting = it.next();
    await vi.advanceTimersByTimeAsync(600);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(await waiting).toEqual({ done: false, value: ':\n\n' });
    // an event 500 ms later resets the idle time: no beat at 1000 ms after the first one
    const next = it.next();
    await vi.advanceTimersByTimeAsync(500);
    m.push({ data: 'b' });
    expect(await next).toEqual({ done: false, value: 'data: b\n\n' });
    const third = it.next();
    await vi.advanceTimersByTimeAsync(700);
    expect(await settled(third)).toBe(false);
    await vi.advanceTimersByTimeAsync(300);
    expect(await third).toEqual({ done: false, value: ':\n\n' });
    // the producer's event that was pending during the beat comes next; events of one turn are one chunk, in order
    m.push({ data: 'c' });
    m.push({ data: 'd' });
    expect(await it.next()).toEqual({ done: false, value: 'data: c\n\ndata: d\n\n' });
    await it.return!();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a bad event rejects the read; return() aborts the producer signal and runs its finally', async () => {
    const m = manual();
    const it = bodyOf(sse(m.producer, { heartbeat: 1000 }));
    m.push({ event: 'bad\nname' });
    await expect(it.next()).rejects.toThrow(TypeError);
    await it.return!();
    expect(m.signal()?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);

    const m2 = manual();
    const it2 = bodyOf(sse(m2.producer, { heartbeat: 0 }));
    m2.push('x');
    expect(await it2.next()).toEqual({ done: false, value: 'data: x\n\n' });
    const pending = it2.next();
    await it2.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(m2.signal()?.aborted).toBe(true);
    m2.push('y'); // wakes the producer: its generator's return() runs its finally
    await vi.waitFor(() => expect(m2.finallyRan()).toBe(true));
    expect(await it2.next()).toEqual({ done: true, value: undefined });
  });
});
