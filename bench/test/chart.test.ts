import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderChart, escapeXml } from '../src/chart-svg.mjs';
import { svgToPng } from '../src/chart-png.mjs';
import { thousands, percent, micros, mib } from '../src/format.mjs';

const chart = {
  title: 'Requests per second',
  subtitle: 'wrk -t1 -c100 <24 pipelined> & more',
  bars: [
    { label: 'node:http', value: 96510, soft: true },
    { label: 'jato', value: 1300000, highlight: true, mark: ' *' },
    { label: 'Go fasthttp', value: 1090405 },
    { label: 'broken', value: NaN },
  ],
  footnote: '* client-bound',
};

/** Labels in document order, value labels, and bar widths, read back from the SVG. */
function readBack(svg: string) {
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  const rects = [...svg.matchAll(/<rect x="200" y="[\d.]+" width="([\d.]+)" height="30" fill="(#[0-9a-f]+)"\/>/g)].map((m) => ({
    width: Number(m[1]),
    fill: m[2],
  }));
  return { texts, rects };
}

describe('renderChart', () => {
  const svg = renderChart(chart);
  const { texts, rects } = readBack(svg);

  it('is one SVG document with every element closed', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const opened = (svg.match(/<text\b/g) ?? []).length;
    expect((svg.match(/<\/text>/g) ?? []).length).toBe(opened);
  });

  it('draws one bar per server, longest first, with value labels', () => {
    const labels = texts.filter((t) => ['jato', 'Go fasthttp', 'node:http', 'broken'].includes(t));
    expect(labels).toEqual(['jato', 'Go fasthttp', 'node:http', 'broken']);
    expect(texts).toContain('1,300,000 *');
    expect(texts).toContain('1,090,405');
    expect(texts).toContain('96,510');
    expect(texts).toContain('–');
    expect(rects).toHaveLength(4);
    const [a, b, c, d] = rects;
    expect(a!.width).toBeGreaterThan(b!.width);
    expect(b!.width / a!.width).toBeCloseTo(1090405 / 1300000, 2);
    expect(c!.width / a!.width).toBeCloseTo(96510 / 1300000, 2);
    expect(d!.width).toBe(0);
  });

  it('highlights jato, softly highlights a part of jato, and leaves the peers grey', () => {
    const [jato, fasthttp, soft, broken] = rects.map((r) => r.fill);
    expect(new Set([jato, fasthttp, soft]).size).toBe(3);
    expect(broken).toBe(fasthttp);
  });

  it('escapes text', () => {
    expect(svg).toContain('wrk -t1 -c100 &lt;24 pipelined&gt; &amp; more');
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('converts to a PNG', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jato-bench-chart-'));
    try {
      const svgFile = path.join(dir, 'c.svg');
      writeFileSync(svgFile, svg);
      const res = await svgToPng(svg, svgFile, path.join(dir, 'c.png'));
      expect(res).toMatchObject({ ok: true });
      const png = readFileSync(path.join(dir, 'c.png'));
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBe(900); // IHDR width
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('format', () => {
  it('formats numbers for the table', () => {
    expect(thousands(1214440.4)).toBe('1,214,440');
    expect(thousands(NaN)).toBe('–');
    expect(percent(0.934)).toBe('93 %');
    expect(micros(0.456)).toBe('0.46');
    expect(micros(13.46)).toBe('13.5');
    expect(mib(64 * 1024 * 1024)).toBe('64.0');
    expect(mib(0)).toBe('–');
  });
});
