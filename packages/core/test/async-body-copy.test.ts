// An async handler keeps its request body after the batch: the copy must not be a view into batch
// memory (a Buffer's slice() is one), which the next batch overwrites.
import { describe, expect, it } from 'vitest';
import { slowAfterLaterBatches } from './support/later-batches.js';
import { TRANSPORTS } from './support/transports.js';

describe.each(TRANSPORTS)('an async handler reads its body after later batches (%s transport)', (transport) => {
  it('bytes(), text() and body see the bytes that were sent', async () => {
    const answer = await slowAfterLaterBatches(transport, 'A'.repeat(10), 'B'.repeat(300), async (req, parked) => {
      await parked();
      const [bytes, text] = [await req.bytes(), await req.text()];
      return `${Buffer.from(bytes).toString()}|${text}`;
    });
    expect(answer).toBe(`${'A'.repeat(10)}|${'A'.repeat(10)}`);
  });
});
