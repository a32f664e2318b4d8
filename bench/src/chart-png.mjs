// @ts-check
/**
 * SVG → PNG: @resvg/resvg-js when it is installed (prebuilt binary from npm), else rsvg-convert
 * (Debian librsvg2-bin), else ImageMagick's convert. Reports which was used, or why none was.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/**
 * Converts an SVG document to a PNG file.
 * @param {string} svg
 * @param {string} svgFile the same SVG already on disk (for the command-line converters)
 * @param {string} pngFile
 * @returns {Promise<{ ok: true, via: string } | { ok: false, reason: string }>}
 */
export async function svgToPng(svg, svgFile, pngFile) {
  /** @type {string[]} */
  const tried = [];
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    writeFileSync(pngFile, png);
    return { ok: true, via: '@resvg/resvg-js' };
  } catch (e) {
    tried.push(`@resvg/resvg-js: ${/** @type {Error} */ (e).message.split('\n')[0]}`);
  }
  for (const [cmd, args] of /** @type {Array<[string, string[]]>} */ ([
    ['rsvg-convert', ['-o', pngFile, svgFile]],
    ['convert', [svgFile, pngFile]],
  ])) {
    try {
      execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
      return { ok: true, via: cmd };
    } catch (e) {
      tried.push(`${cmd}: ${/** @type {Error} */ (e).message.split('\n')[0]}`);
    }
  }
  return { ok: false, reason: tried.join('; ') };
}
