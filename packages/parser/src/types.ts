/**
 * The JS-facing contract of `@jato/parser`, satisfied by both implementations:
 * the native binding (C++ header-only parser) and the pure TypeScript parser.
 * One shared case suite (test/corpus) runs against both; they must agree.
 */

/** Error codes; the same names and order as `jato::http::Error` in include/jato/parser/types.hpp. */
export const ERROR_CODES = [
  'None',
  'BadMethod', 'BadTarget', 'BadVersion', 'BadRequestLine', 'BadHeaderName', 'BadHeaderValue',
  'BareLineFeed', 'BareCarriageReturn', 'ObsFold', 'WhitespaceBeforeColon', 'LeadingWhitespace',
  'BadContentLength', 'DuplicateContentLength', 'ContentLengthWithTransferEncoding',
  'TransferEncodingOnHttp10', 'BadTransferEncoding', 'MissingHost', 'DuplicateHost', 'BadHost',
  'BadChunkSize', 'BadChunkExtension', 'BadChunkData', 'BadTrailer', 'BadConnection',
  'TargetTooLong',
  'HeadTooLarge', 'TooManyHeaders',
  'BodyTooLarge',
  'UnknownTransferCoding',
  'VersionNotSupported',
] as const;

export type ParseErrorCode = (typeof ERROR_CODES)[number];

/** The status a server answers (then closes) for each error. */
export function statusOf(code: ParseErrorCode): number {
  switch (code) {
    case 'None': return 0;
    case 'TargetTooLong': return 414;
    case 'HeadTooLarge':
    case 'TooManyHeaders': return 431;
    case 'BodyTooLarge': return 413;
    case 'UnknownTransferCoding': return 501;
    case 'VersionNotSupported': return 505;
    default: return 400;
  }
}

/** Limits (defaults in parentheses). */
export interface ParserLimits {
  /** Request line + header section including the final CRLF (16384). */
  maxHeadBytes?: number;
  /** Header lines (`maxHeadBytes / 4`, at most 16384: 4096 for the default head, so the bytes are the guard). */
  maxHeaders?: number;
  /** Body bytes, inclusive (1048576). */
  maxBodyBytes?: number;
}

export type TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

/** One complete request as parsed (strings are latin1 decodings of the wire bytes). */
export interface ParsedRequest {
  method: string;
  target: string;
  targetForm: TargetForm;
  /** 0 or 1 (HTTP/1.0, HTTP/1.1; a higher HTTP/1.x is handled as 1.1, RFC 9110 §2.5). */
  versionMinor: number;
  /** Header lines in order, names as sent, values trimmed of surrounding whitespace. */
  headers: Array<[name: string, value: string]>;
  bodyKind: 'none' | 'length' | 'chunked';
  /** Decoded body (chunked framing removed). */
  body: Uint8Array;
  /** Trailer fields of a chunked body, in order. */
  trailers: Array<[name: string, value: string]>;
  keepAlive: boolean;
  expectContinue: boolean;
  upgrade: boolean;
}

/** A parse failure: answer `status`, send `Connection: close`, close. */
export interface ParseFailure {
  code: ParseErrorCode;
  status: number;
}

/** What one `push` produced. */
export interface PushResult {
  /** Requests completed by this push (heads and bodies), in order. */
  requests: ParsedRequest[];
  /** Set once the stream is in error; every later push returns it again with no requests. */
  error?: ParseFailure;
  /**
   * Set when a head is complete and its body is still being received (the request is not in
   * `requests` yet): lets a server answer `100 Continue` or reject early (413 from Content-Length).
   */
  awaitingBody?: { expectContinue: boolean; contentLength: number | undefined };
  /**
   * Body bytes of the request being streamed (see `StreamParser.streamBody`) decoded by this push,
   * in order; they precede every request in `requests`. Views valid until the next push.
   */
  bodyChunks?: Uint8Array[];
  /** The streamed body ended in this push (before the first request of `requests`). */
  bodyEnd?: boolean;
}

/**
 * A streaming request parser for one connection: feed bytes as they arrive, in chunks of any size.
 * Resumable: a partial head is not re-scanned from its start when more bytes come.
 * After a request that is not keep-alive, further bytes are ignored (no more requests).
 */
export interface StreamParser {
  push(chunk: Uint8Array): PushResult;
  /** Where the stream is: between requests, inside a head, inside a body, or failed/closed. */
  readonly state: 'idle' | 'head' | 'body' | 'done';
  /**
   * Switches the request whose body is coming (the last push returned `awaitingBody`) to streaming:
   * returns that request (its `body` empty) and the body bytes received so far; the rest of its body
   * comes as `bodyChunks` of later pushes, its end as `bodyEnd`, and it never appears in `requests`.
   * Optional: implemented by the TS parser (the JS transport's); the limit on a streamed body is the
   * `streamLimit` the parser was created with.
   */
  streamBody?(): { request: ParsedRequest; received: Uint8Array[] };
}

/** Creates a StreamParser; implemented by `createNativeParser` and `createTsParser`. */
export type StreamParserFactory = (limits?: ParserLimits) => StreamParser;
