// A buffered body taken as a stream (`req.stream()` / `req.body`) by an async handler before its
// first await: the stream's copy is the one the request keeps after the batch (one copy, not two),
// and it is not a view into batch memory the next batches overwrite; bytes() afterwards agrees.
import { describe, expect, it } from 'vitest';
import { slowAfterLaterBatches } from './support/later-batches.js';
import { prng } from './support/prng.js';
import { TRANSPORTS } from './support/transports.js';

describe.each(TRANSPORTS)('a buffered body read as a stream across batches (%s transport)', (transport) => {
  it('req.stream() taken before the first await yields the bytes that were sent; bytes() agrees', async () => {
    const rand = prng(0xb0d1);
    const sent = Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(rand() * 256)));
    const answer = await slowAfterLaterBatches(transport, sent, Buffer.alloc(250_000, 66), async (req, parked) => {
      const it = req.stream()[Symbol.asyncIterator]();
      const first = it.next(); // the stream takes the body while the batch is live
      await parked();
      const parts: Uint8Array[] = [];
      for (let r = await first; r.done !== true; r = await it.next()) parts.push(r.value);
      const streamed = Buffer.concat(parts);
      const bytes = Buffer.from(await req.bytes());
      return `${streamed.equals(sent)}|${bytes.equals(sent)}|${streamed.length}`;
    });
    expect(answer).toBe(`true|true|${sent.length}`);
  });
});
