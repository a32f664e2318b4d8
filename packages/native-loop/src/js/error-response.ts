import { reasonOf } from '@jato/parser';

/**
 * A complete response the transport sends on its own (parser errors, timeouts): the reason phrase
 * as a text/plain body, with `Date`, `Server`, `Content-Type`, `Content-Length` and `Connection: close`.
 */
export function renderErrorResponse(status: number, date: string, serverName: string): string {
  const reason = reasonOf(status);
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    `Date: ${date}\r\n` +
    `Server: ${serverName}\r\n` +
    'Content-Type: text/plain\r\n' +
    `Content-Length: ${reason.length}\r\n` +
    'Connection: close\r\n\r\n' +
    reason
  );
}

/** The interim response to `Expect: 100-continue`. */
export const CONTINUE_RESPONSE = 'HTTP/1.1 100 Continue\r\n\r\n';
