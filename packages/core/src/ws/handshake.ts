import { createHash } from 'node:crypto';
import { Response } from '../response/response.js';
import type { Request } from '../request/request.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** 16 random bytes in base64: 22 chars of the base64 alphabet, then `==`. */
const KEY = /^[A-Za-z0-9+/]{22}==$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What a valid opening handshake offers. */
export interface HandshakeOffer {
  key: string;
  /** Sec-WebSocket-Protocol values, in the client's order. */
  protocols: string[];
  /** Sec-WebSocket-Extensions as sent (all header lines joined by ', '). */
  extensions: string;
}

/** `Sec-WebSocket-Accept` for a client key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

function refuse(status: number, text: string, extra?: Record<string, string>): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra } });
}

/**
 * Checks an opening handshake (RFC 6455 §4.2.1): GET, HTTP/1.1, `Connection: upgrade` and
 * `Upgrade: websocket` (426 otherwise), `Sec-WebSocket-Version: 13` (426 with the supported version
 * otherwise), a `Sec-WebSocket-Key` of 16 base64 bytes (400 otherwise). Returns the offer or the
 * response that refuses it.
 */
export function checkHandshake(req: Request, upgradeFlag: boolean): HandshakeOffer | Response {
  const upgrade = req.header('upgrade');
  if (!upgradeFlag || upgrade === undefined || !upgrade.split(',').some((t) => t.trim().toLowerCase() === 'websocket')) {
    return refuse(426, 'Upgrade Required: this resource is a WebSocket endpoint', { upgrade: 'websocket', connection: 'Upgrade' });
  }
  if (req.method !== 'GET') return refuse(400, 'Bad Request: a WebSocket handshake is a GET');
  if (!req.keepAlive) return refuse(400, 'Bad Request: a WebSocket handshake cannot close the connection');
  const version = req.header('sec-websocket-version');
  if (version === undefined || version.trim() !== '13') {
    return refuse(426, 'Upgrade Required: WebSocket version 13', { 'sec-websocket-version': '13' });
  }
  const key = req.header('sec-websocket-key')?.trim();
  if (key === undefined || !KEY.test(key)) return refuse(400, 'Bad Request: invalid Sec-WebSocket-Key');
  const protocols: string[] = [];
  for (const line of req.headerValues('sec-websocket-protocol')) {
    for (const p of line.split(',')) {
      const t = p.trim();
      if (t === '') continue;
      if (!TOKEN.test(t)) return refuse(400, 'Bad Request: invalid Sec-WebSocket-Protocol');
      protocols.push(t);
    }
  }
  return { key, protocols, extensions: req.headerValues('sec-websocket-extensions').join(', ') };
}

/** The 101 response head (ASCII; every value was checked or computed here). */
export function switchingHead(key: string, protocol: string, extensions: string): string {
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (protocol !== '') head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions !== '') head += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  return `${head}\r\n`;
}

/** Whether `p` may be sent as a subprotocol (an HTTP token). */
export function validProtocol(p: string): boolean {
  return TOKEN.test(p);
}
