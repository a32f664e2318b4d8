import { zlib } from '../runtime/lazy-zlib.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const WINDOW = 32 * 1024;

/** What `perMessageDeflate` resolved to for a route. */
export interface DeflateConfig {
  threshold: number;
}

/** The extension negotiated for one connection. */
export interface DeflateAgreement {
  /** The `Sec-WebSocket-Extensions` value of the 101. */
  response: string;
  /** The client resets its context per message (it offered `client_no_context_takeover`). */
  clientNoContext: boolean;
  /** Window bits of our compressor (`server_max_window_bits`, 15 unless the client asked for less). */
  serverBits: number;
}

/**
 * Picks the first acceptable `permessage-deflate` offer of a `Sec-WebSocket-Extensions` value
 * (RFC 7692 §7.1): known parameters only, each at most once, valid values. The answer always carries
 * `server_no_context_takeover` (our compressor is stateless: a published message is compressed once
 * for every subscriber). Returns null when nothing acceptable was offered.
 */
export function negotiateDeflate(offer: string): DeflateAgreement | null {
  if (offer === '') return null;
  next: for (const ext of offer.split(',')) {
    const parts = ext.split(';').map((p) => p.trim());
    if (parts[0]!.toLowerCase() !== 'permessage-deflate') continue;
    const seen = new Set<string>();
    let clientNoContext = false;
    let serverBits = 15;
    for (const p of parts.slice(1)) {
      if (p === '') continue;
      const eq = p.indexOf('=');
      const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
      const raw = eq < 0 ? undefined : p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (seen.has(name)) continue next;
      seen.add(name);
      if (name === 'server_no_context_takeover' || name === 'client_no_context_takeover') {
        if (raw !== undefined) continue next;
        if (name === 'client_no_context_takeover') clientNoContext = true;
      } else if (name === 'server_max_window_bits') {
        const bits = raw === undefined ? NaN : Number(raw);
        // zlib's raw deflate cannot make 8-bit windows: decline that offer
        if (!/^\d+$/.test(raw ?? '') || bits < 9 || bits > 15) continue next;
        serverBits = bits;
      } else if (name === 'client_max_window_bits') {
        if (raw !== undefined && (!/^\d+$/.test(raw) || Number(raw) < 8 || Number(raw) > 15)) continue next;
      } else {
        continue next;
      }
    }
    let response = 'permessage-deflate; server_no_context_takeover';
    if (clientNoContext) response += '; client_no_context_takeover';
    if (serverBits !== 15) response += `; server_max_window_bits=${serverBits}`;
    return { response, clientNoContext, serverBits };
  }
  return null;
}

/**
 * permessage-deflate for one connection, with node:zlib (see the README: done in JS, where zlib's cost
 * dominates anyway and the native loop stays free of a zlib link). Outgoing messages are compressed
 * statelessly; incoming ones are inflated with the client's previous 32 KiB as the dictionary when it
 * keeps its context (context takeover), which is what its sliding window refers back to.
 */
export class Deflate {
  private window: Buffer | undefined;

  constructor(
    private readonly config: DeflateConfig,
    private readonly agreement: DeflateAgreement,
  ) {}

  /** Whether to compress this payload (`compress` overrides the threshold). */
  wants(payload: string | Uint8Array, compress: boolean | undefined): boolean {
    if (compress !== undefined) return compress;
    const n = typeof payload === 'string' ? payload.length : payload.byteLength;
    return n >= this.config.threshold;
  }

  compress(payload: string | Uint8Array): Buffer {
    const z = zlib();
    const out = z.deflateRawSync(payload, { windowBits: this.agreement.serverBits, finishFlush: z.constants.Z_SYNC_FLUSH });
    return out.subarray(0, out.length - 4); // RFC 7692 §7.2.1: drop the 00 00 ff ff of the sync flush
  }

  /** Inflates one message; 'too-big' over `max` bytes, 'invalid' when it is not valid deflate data. */
  decompress(data: Uint8Array, max: number): Buffer | 'too-big' | 'invalid' {
    let out: Buffer;
    try {
      const z = zlib();
      out = z.inflateRawSync(Buffer.concat([data, TAIL]), {
        windowBits: 15,
        maxOutputLength: Math.max(1, max),
        finishFlush: z.constants.Z_SYNC_FLUSH,
        ...(this.window !== undefined ? { dictionary: this.window } : {}),
      });
    } catch (error) {
      return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-big' : 'invalid';
    }
    if (out.length > max) return 'too-big';
    if (!this.agreement.clientNoContext) {
      const all = this.window === undefined ? out : Buffer.concat([this.window, out]);
      this.window = Buffer.from(all.subarray(Math.max(0, all.length - WINDOW)));
    }
    return out;
  }
}
