/**
 * The HTTP status registry (RFC 9110 and the IANA "HTTP Status Code Registry").
 * A jato response may only carry a final status (200–599) listed here: anything else is an error at
 * creation time, never a malformed status line on the wire.
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required',
  412: 'Precondition Failed', 413: 'Content Too Large', 414: 'URI Too Long',
  415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 510: 'Not Extended',
  511: 'Network Authentication Required',
});

/** Pre-rendered status lines (`HTTP/1.1 200 OK\r\n`), indexed by status code. */
export const STATUS_LINE: readonly string[] = (() => {
  const lines: string[] = [];
  for (const [code, text] of Object.entries(STATUS_TEXT)) lines[Number(code)] = `HTTP/1.1 ${code} ${text}\r\n`;
  return lines;
})();

/**
 * Throws a RangeError unless `status` is an integer final status code in the registry.
 * @returns the status, for chaining
 */
export function checkStatus(status: number): number {
  if (!isStatus(status)) {
    throw new RangeError(
      `Invalid HTTP status ${String(status)}: expected a registered final status code (an integer 200-599)`,
    );
  }
  return status;
}

/** True when `status` is a number with a pre-rendered status line (a registered 200–599 code). */
export function isStatus(status: unknown): status is number {
  return typeof status === 'number' && STATUS_LINE[status] !== undefined;
}

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1). */
export function isBodyless(status: number): boolean {
  return status === 204 || status === 304;
}
