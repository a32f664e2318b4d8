// @ts-check
/**
 * The chart in the seed's style: one horizontal bar per server, longest first, requests per second as
 * the value label, jato's bar highlighted. Plain SVG 1.1 text, no dependencies.
 */
import { thousands } from './format.mjs';

/**
 * note: a smaller grey text after the value (e.g. server CPU per request).
 * highlight: jato's own bar; soft: a lighter highlight (jato's parts measured alone, e.g. the raw loop).
 * @typedef {{ label: string, value: number, highlight?: boolean, soft?: boolean, mark?: string, note?: string }} Bar
 * @typedef {{ title: string, subtitle?: string, bars: Bar[], footnote?: string }} Chart
 */

const WIDTH = 900;
const LABEL_W = 200;
const VALUE_W = 210;
const BAR_H = 30;
const GAP = 12;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const COLOR = '#8a9bb0';
const HIGHLIGHT = '#e8590c';
const SOFT = '#f5b48c';

/**
 * Escapes text for SVG content and attribute values.
 * @param {string} s
 */
export function escapeXml(s) {
  return s.replace(/[&<>"']/g, (c) => /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * Renders the chart. Bars with a non-finite or negative value are drawn empty with "–".
 * @param {Chart} chart
 * @returns {string} an SVG document
 */
export function renderChart(chart) {
  const bars = [...chart.bars].sort((a, b) => (Number.isFinite(b.value) ? b.value : -1) - (Number.isFinite(a.value) ? a.value : -1));
  const top = chart.subtitle ? 78 : 56;
  const height = top + bars.length * (BAR_H + GAP) + (chart.footnote ? 44 : 20);
  const max = Math.max(1, ...bars.map((b) => (Number.isFinite(b.value) && b.value > 0 ? b.value : 0)));
  const plotW = WIDTH - LABEL_W - VALUE_W - 20;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="32" font-size="22" font-weight="bold" text-anchor="middle" fill="#222222">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.subtitle) {
    out.push(`<text x="${WIDTH / 2}" y="56" font-size="13" text-anchor="middle" fill="#555555">${escapeXml(chart.subtitle)}</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * (BAR_H + GAP);
    const ok = Number.isFinite(b.value) && b.value > 0;
    const w = ok ? Math.max(2, (b.value / max) * plotW) : 0;
    const color = b.highlight ? HIGHLIGHT : b.soft ? SOFT : COLOR;
    const weight = b.highlight ? ' font-weight="bold"' : '';
    out.push(
      `<text x="${LABEL_W - 10}" y="${y + BAR_H / 2 + 5}" font-size="15" text-anchor="end" fill="#222222"${weight}>${escapeXml(b.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${color}"/>`,
      `<text x="${(LABEL_W + w + 8).toFixed(1)}" y="${y + BAR_H / 2 + 5}" font-size="14" fill="#222222"${weight}>${escapeXml(ok ? thousands(b.value) : '–')}${b.mark ? escapeXml(b.mark) : ''}${b.note ? `<tspan dx="10" font-size="12" font-weight="normal" fill="#777777">${escapeXml(b.note)}</tspan>` : ''}</text>`,
    );
  });
  if (chart.footnote) {
    out.push(`<text x="${WIDTH / 2}" y="${height - 16}" font-size="12" text-anchor="middle" fill="#666666">${escapeXml(chart.footnote)}</text>`);
  }
  out.push('</svg>', '');
  return out.join('\n');
}
