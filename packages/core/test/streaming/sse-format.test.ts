// formatSseEvent: seeded data strings (line breaks of every kind, empty lines, non-ASCII) give one
// `data:` line per line of the input, and a client's parse of the framing gives the data back
// (line breaks normalised to LF, as the event-stream format defines).
import { describe, expect, it } from 'vitest';
import { formatSseEvent } from '../../src/index.js';
import { prng } from '../support/prng.js';

const PIECES = ['a', 'b', ' ', 'é', '😀', '\n', '\r', '\r\n', ':', 'data: ', ''];

/** The `data` of one event as a client parses it (lines `data: x` joined with LF). */
function parseData(framed: string): string {
  expect(framed.endsWith('\n\n')).toBe(true);
  const lines = framed.slice(0, -2).split('\n');
  return lines.map((l) => {
    expect(l.startsWith('data: ')).toBe(true);
    return l.slice(6);
  }).join('\n');
}

describe('formatSseEvent data lines', () => {
  it('seeded strings: every line becomes a data line; the parse gives the data back', () => {
    const rand = prng(0x55e);
    for (let k = 0; k < 2000; k++) {
      const n = Math.floor(rand() * 12);
      const data = Array.from({ length: n }, () => PIECES[Math.floor(rand() * PIECES.length)]).join('');
      for (const framed of [formatSseEvent(data), formatSseEvent({ data })]) {
        expect(parseData(framed)).toBe(data.replace(/\r\n|\r/g, '\n'));
        expect(framed.slice(0, -2).split('\n').length).toBe(data.split(/\r\n|\r|\n/).length);
      }
    }
  });

  it('a one-line string is one data line', () => {
    expect(formatSseEvent('hello')).toBe('data: hello\n\n');
    expect(formatSseEvent({ event: 'e', data: '' })).toBe('event: e\ndata: \n\n');
  });
});
