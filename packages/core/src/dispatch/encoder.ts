import { RequestFlag } from '@jato/native-loop';
import { STATUS_LINE } from '../response/status.js';

/** Request flag bits read per request, as module constants. */
export const FLAG_KEEP_ALIVE = RequestFlag.KeepAlive;
export const FLAG_HTTP10 = RequestFlag.Http10;

const CT_TEXT = 'Content-Type: text/plain; charset=utf-8\r\n';
const CT_JSON = 'Content-Type: application/json\r\n';

/**
 * Renders response heads by concatenating pre-rendered constant parts. The parts that contain the
 * `Date` are rebuilt only when the date string changes (once a second), and the full head of the last
 * `200 text/plain` and `200 application/json` length is cached, so a constant response costs no
 * string building at all.
 */
export class HeadEncoder {
  private date = '';
  /** `Server: x\r\nDate: y\r\n` */
  common = '';
  private text200 = '';
  private json200 = '';
  private lastTextLen = -1;
  private lastTextHead = '';
  private lastJsonLen = -1;
  private lastJsonHead = '';
  private lastPrefixLen = -1;
  private lastPrefix = '';
  private readonly serverLine: string;

  constructor(serverName: string) {
    this.serverLine = serverName === '' ? '' : `Server: ${serverName}\r\n`;
  }

  /** Call with the current `Date` value before encoding; cheap when it did not change. */
  setDate(date: string): void {
    if (date === this.date) return;
    this.date = date;
    this.common = `${this.serverLine}Date: ${date}\r\n`;
    this.text200 = `${STATUS_LINE[200]!}${this.common}${CT_TEXT}Content-Length: `;
    this.json200 = `${STATUS_LINE[200]!}${this.common}${CT_JSON}Content-Length: `;
    this.lastTextLen = -1;
    this.lastJsonLen = -1;
    this.lastPrefixLen = -1;
  }

  /** Head of a 200 text/plain response of `len` bytes. */
  text200Head(len: number, flags: number): string {
    if ((flags & (FLAG_KEEP_ALIVE | FLAG_HTTP10)) === FLAG_KEEP_ALIVE) {
      if (len === this.lastTextLen) return this.lastTextHead;
      this.lastTextLen = len;
      return (this.lastTextHead = `${this.text200}${len}\r\n\r\n`);
    }
    return `${this.text200}${len}\r\n${connectionLine(flags)}\r\n`;
  }

  /**
   * The shared part of a 200 text/plain head of `len` bytes, without the blank line that ends a
   * head (for `Responder.respondLines`): the same string object while `len` and the date stay.
   */
  text200Prefix(len: number): string {
    if (len === this.lastPrefixLen) return this.lastPrefix;
    this.lastPrefixLen = len;
    return (this.lastPrefix = `${this.text200}${len}\r\n`);
  }

  /** Head of a 200 application/json response of `len` bytes. */
  json200Head(len: number, flags: number): string {
    if ((flags & (FLAG_KEEP_ALIVE | FLAG_HTTP10)) === FLAG_KEEP_ALIVE) {
      if (len === this.lastJsonLen) return this.lastJsonHead;
      this.lastJsonLen = len;
      return (this.lastJsonHead = `${this.json200}${len}\r\n\r\n`);
    }
    return `${this.json200}${len}\r\n${connectionLine(flags)}\r\n`;
  }

  /**
   * A general head.
   * @param statusLine pre-rendered `HTTP/1.1 code text\r\n`
   * @param contentType media type, or null for none
   * @param len Content-Length, or -1 to send none (204/304)
   * @param lines extra header lines, each ending in CRLF
   * @param common false when the lines already carry their own Server/Date (then `lines` has them)
   */
  head(statusLine: string, contentType: string | null, len: number, lines: string, flags: number, common = this.common): string {
    let h = statusLine + common;
    if (contentType !== null) h += `Content-Type: ${contentType}\r\n`;
    h += lines;
    if (len >= 0) h += `Content-Length: ${len}\r\n`;
    return `${h}${connectionLine(flags)}\r\n`;
  }
}

/** The `Connection` line a response needs for the request's flags ('' for HTTP/1.1 keep-alive). */
export function connectionLine(flags: number): string {
  if ((flags & FLAG_KEEP_ALIVE) === 0) return 'Connection: close\r\n';
  return (flags & FLAG_HTTP10) !== 0 ? 'Connection: keep-alive\r\n' : '';
}
