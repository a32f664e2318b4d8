/**
 * The vocabulary shared across packages is defined once (@jato/parser's protocol module) and must
 * agree with the C++ side, which cannot import it: the parser's `Method` enum and `Limits`, the
 * loop's request flag bits, its own reason phrases and its option defaults. The C++ headers are read
 * as text (the native code keeps its own copies; these tests are what keeps them in step).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BODY_ABORTED, BODY_DONE, BODY_MORE, BODY_STREAM, DEFAULT_LIMITS, METHOD_NAMES, MethodId, RequestFlag, STATUS_TEXT, methodIdOf,
  reasonOf, resolveOptions,
} from '../src/index.js';
import { DRAIN_BIT, FILE_DONE_BIT, FILE_FAIL_BIT, OUT_LENT_OFF, OutCol, OutFlag, WsCol } from '../src/native/layout.js';
import { WS_COMPRESSED, WsEventKind } from '../src/ws-transport.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const loopNative = join(here, '../native');
const parserTypes = join(here, '../../parser/include/jato/parser/types.hpp');

/** The text of every C++ source under `dir`, concatenated. */
function cppSources(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) text += cppSources(path);
    else if (/\.(hpp|h|cc|cpp)$/.test(name)) text += `${readFileSync(path, 'utf8')}\n`;
  }
  return text;
}

/** Evaluates a C++ integer initializer made of literals, `*`, `+`, `<<` and digit separators. */
function cppInt(expr: string): number {
  const clean = expr.replace(/'/g, '').replace(/[uUlL]+\b/g, '').trim();
  if (!/^[\d\s*+<()]+$/.test(clean)) throw new Error(`not a plain integer expression: ${expr}`);
  return Function(`"use strict"; return (${clean});`)() as number;
}

/** `name = <int expr>;` members of the struct `name` in `text`. */
function structDefaults(text: string, struct: string): Map<string, number> {
  const m = new RegExp(`struct ${struct} \\{([\\s\\S]*?)\\n\\};`).exec(text);
  if (m === null) throw new Error(`struct ${struct} not found`);
  const out = new Map<string, number>();
  for (const [, name, value] of m[1]!.matchAll(/\b(\w+) = ([^;"]+);/g)) {
    if (/^[\d\s*+<()'uUlL]+$/.test(value!)) out.set(name!, cppInt(value!));
  }
  return out;
}

describe('shared vocabulary', () => {
  it('MethodId and METHOD_NAMES follow the C++ parser enum Method, in order', () => {
    const m = /enum class Method : \w+ \{([^}]*)\}/.exec(readFileSync(parserTypes, 'utf8'));
    expect(m).not.toBeNull();
    const cpp = m![1]!.split(',').map((s) => s.replace(/=.*/, '').trim()).filter((s) => s !== '');
    expect(cpp[0]).toBe('Other');
    expect(Object.keys(MethodId)).toEqual(cpp);
    expect(Object.values(MethodId)).toEqual(cpp.map((_, i) => i));
    expect(METHOD_NAMES).toHaveLength(cpp.length);
    cpp.forEach((name, id) => {
      if (id === 0) return;
      expect(METHOD_NAMES[id]).toBe(name.toUpperCase());
      expect(methodIdOf(name.toUpperCase())).toBe(id);
    });
    expect(methodIdOf('get')).toBe(MethodId.Other);
    expect(methodIdOf('PROPFIND')).toBe(MethodId.Other);
  });

  it('RequestFlag has the bit values of the loop\'s kFlag constants', () => {
    const text = cppSources(loopNative);
    const cpp = new Map<string, number>();
    for (const [, name, value] of text.matchAll(/\bkFlag(\w+) = (\d+)/g)) cpp.set(name!, Number(value));
    expect(cpp.size).toBe(Object.keys(RequestFlag).length);
    for (const [name, bit] of Object.entries(RequestFlag)) expect(cpp.get(name), name).toBe(bit);
  });

  it('the streamed-body constants of the loop (body_stream.hpp) are stream-input.ts\'s', () => {
    const text = cppSources(loopNative);
    const value = (name: string): number => Number(new RegExp(`\\b${name} = (\\d+)`).exec(text)?.[1]);
    expect(value('kStreamedBodyFlag')).toBe(BODY_STREAM);
    expect(value('kBodyMore')).toBe(BODY_MORE);
    expect(value('kBodyDone')).toBe(BODY_DONE);
    expect(value('kBodyAborted')).toBe(BODY_ABORTED);
  });

  it('the output row flags (OutFlag) are the loop\'s kOut constants, one bit per meaning, WebSocket bits highest', () => {
    const text = readFileSync(join(loopNative, 'batch_layout.hpp'), 'utf8');
    const cpp = new Map<string, number>();
    // (kOutConn = 0 is the first OutCol column, not a flag)
    for (const [, name, value] of text.matchAll(/\bkOut(\w+) = (\d+)/g)) if (value !== '0') cpp.set(name!, Number(value));
    // every OutFlag member (const enum: listed by hand; the size check catches a C++ flag missing here)
    const js: Array<[string, number]> = [
      ['Close', OutFlag.Close], ['StreamOpen', OutFlag.StreamOpen], ['StreamData', OutFlag.StreamData],
      ['StreamEnd', OutFlag.StreamEnd], ['StreamAbort', OutFlag.StreamAbort], ['WantDrain', OutFlag.WantDrain],
      ['StreamFile', OutFlag.StreamFile], ['Ws', OutFlag.Ws], ['WsClose', OutFlag.WsClose],
      ['WsTerminate', OutFlag.WsTerminate], ['Upgrade', OutFlag.Upgrade], ['Numbered', OutFlag.Numbered],
    ];
    expect(cpp.size).toBe(js.length);
    let seen = 0;
    for (const [name, bit] of js) {
      expect(cpp.get(name), name).toBe(bit);
      expect(bit & (bit - 1), `${name} is one bit`).toBe(0);
      expect(seen & bit, `${name} shares a bit`).toBe(0);
      seen |= bit;
    }
    // the loop routes every row with flags >= kOutWs to the WebSocket writer (writer.cc)
    // (Numbered, above them, is routed before them)
    const nonWs = js.filter(([name]) => !['Ws', 'WsClose', 'WsTerminate', 'Upgrade', 'Numbered'].includes(name));
    expect(nonWs.reduce((all, [, bit]) => all | bit, 0)).toBeLessThan(OutFlag.Ws);
    expect(OutFlag.Numbered).toBeGreaterThan(OutFlag.Upgrade);
  });

  it('the output table columns (OutCol) are the loop\'s', () => {
    const text = readFileSync(join(loopNative, 'batch_layout.hpp'), 'utf8');
    const m = /enum OutCol : \w+ \{([^}]*)\}/.exec(text);
    expect(m).not.toBeNull();
    const cols = m![1]!.split(',').map((s) => s.replace(/=.*/, '').trim()).filter((s) => s !== '');
    expect(cols).toEqual(['kOutConn', 'kOutSeq', 'kOutOff', 'kOutLen', 'kOutFlags', 'kOutNum', 'kOutSplit', 'kOutCols']);
    expect([OutCol.Conn, OutCol.Seq, OutCol.Off, OutCol.Len, OutCol.Flags, OutCol.Num, OutCol.Split, OutCol.Count]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('the lent-chunk offset bit (OUT_LENT_OFF) is the loop\'s kOutLentOff, one bit above any arena offset', () => {
    const text = readFileSync(join(loopNative, 'batch_layout.hpp'), 'utf8');
    expect(Number(/\bkOutLentOff = (0x[0-9a-fA-F]+)/.exec(text)?.[1])).toBe(OUT_LENT_OFF);
    expect((OUT_LENT_OFF >>> 0) & ((OUT_LENT_OFF >>> 0) - 1)).toBe(0);
    expect(OUT_LENT_OFF).toBe(2 ** 31); // the top bit of a u32 column: arena offsets stay under it
  });

  it('the closed-list notice bits are the loop\'s, distinct, and above every connection id', () => {
    const text = readFileSync(join(loopNative, 'batch_layout.hpp'), 'utf8');
    const value = (name: string): number => Number(new RegExp(`\\b${name} = (0x[0-9a-fA-F]+)`).exec(text)?.[1]);
    expect(value('kDrainBit')).toBe(DRAIN_BIT);
    expect(value('kFileDoneBit')).toBe(FILE_DONE_BIT);
    expect(value('kFileFailBit')).toBe(FILE_FAIL_BIT);
    const maxConnId = value('kMaxConnId');
    const bits = [DRAIN_BIT, FILE_DONE_BIT, FILE_FAIL_BIT];
    expect(new Set(bits).size).toBe(bits.length);
    for (const bit of bits) {
      expect((bit >>> 0) & ((bit >>> 0) - 1)).toBe(0);
      expect(bit).toBeGreaterThanOrEqual(maxConnId);
    }
    expect(maxConnId).toBe(Math.min(...bits));
  });

  it('the request flags and the streamed-body flag share no bit', () => {
    const bits = [...Object.values(RequestFlag), BODY_STREAM];
    let seen = 0;
    for (const bit of bits) {
      expect(seen & bit, String(bit)).toBe(0);
      seen |= bit;
    }
  });

  it('the WebSocket event table (WsCol) and event kinds are the loop\'s', () => {
    const text = readFileSync(join(loopNative, 'batch_layout.hpp'), 'utf8');
    const m = /enum WsCol : \w+ \{([^}]*)\}/.exec(text);
    expect(m).not.toBeNull();
    const cols = m![1]!.split(',').map((s) => s.replace(/=.*/, '').trim()).filter((s) => s !== '');
    expect(cols).toEqual(['kWsConn', 'kWsKind', 'kWsCode', 'kWsOff', 'kWsLen', 'kWsCols']);
    expect([WsCol.Conn, WsCol.Kind, WsCol.Code, WsCol.Off, WsCol.Len, WsCol.Count]).toEqual([0, 1, 2, 3, 4, 5]);
    const value = (name: string): number => Number(new RegExp(`\\b${name} = (0x[0-9a-fA-F]+|\\d+)`).exec(text)?.[1]);
    expect(value('kWsText')).toBe(WsEventKind.Text);
    expect(value('kWsBinary')).toBe(WsEventKind.Binary);
    expect(value('kWsClose')).toBe(WsEventKind.Close);
    expect(value('kWsCompressed')).toBe(WS_COMPRESSED);
    for (const kind of Object.values(WsEventKind)) expect(kind & WS_COMPRESSED).toBe(0);
  });

  it('every reason phrase the loop sends itself is the registry\'s', () => {
    const text = cppSources(loopNative);
    const cases = [...text.matchAll(/case (\d{3}): return "([^"]+)";/g)];
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const [, status, reason] of cases) {
      expect(STATUS_TEXT[Number(status)], status).toBe(reason);
      expect(reasonOf(Number(status))).toBe(reason);
    }
    expect(text).toContain('"HTTP/1.1 100 Continue\\r\\n\\r\\n"');
    expect(reasonOf(100)).toBe('Continue');
  });

  it('the C++ parser\'s Limits defaults are DEFAULT_LIMITS', () => {
    const cpp = structDefaults(readFileSync(parserTypes, 'utf8'), 'Limits');
    expect(cpp.get('max_head_bytes')).toBe(DEFAULT_LIMITS.maxHeadBytes);
    expect(cpp.get('max_body')).toBe(DEFAULT_LIMITS.maxBodyBytes);
    // max_headers: JS always passes the limit (default maxHeadBytes / 4); the C++ default (100) only
    // applies to C++-only callers (unit tests, fuzz targets) and must never be above the JS one
    expect(cpp.get('max_headers')).toBeLessThanOrEqual(DEFAULT_LIMITS.maxHeaders);
  });

  it('the loop\'s ServerOptions defaults are resolveOptions({})', () => {
    const cpp = structDefaults(cppSources(loopNative), 'ServerOptions');
    const js = resolveOptions({});
    const pairs: Array<[string, number]> = [
      ['max_head_bytes', js.maxHeadBytes], ['max_body_bytes', js.maxBodyBytes],
      ['max_in_flight', js.maxInFlight], ['high_water_mark', js.highWaterMark],
      ['headers_timeout', js.headersTimeout], ['body_grace', js.bodyGrace], ['body_min_rate', js.bodyMinRate],
      ['keep_alive_timeout', js.keepAliveTimeout], ['write_timeout', js.writeTimeout],
    ];
    for (const [name, value] of pairs) expect(cpp.get(name), name).toBe(value);
    // the JS side always passes maxHeaders; the addon caps it at the largest default
    expect(cpp.get('max_headers')).toBeLessThanOrEqual(js.maxHeaders);
    expect(js.maxHeaders).toBe(DEFAULT_LIMITS.maxHeaders);
  });
});

describe('no copies', () => {
  /** Signatures of the shared tables: each may appear only in @jato/parser's protocol module. */
  const signatures = [
    /'CONNECT', 'OPTIONS', 'TRACE'/,
    /Request Header Fields Too Large/,
    /(KeepAlive|KEEP_ALIVE)\s*=\s*1\b/,
    /(Http10|HTTP10)\s*=\s*2\b/,
    /maxHeaders\s*\?\?\s*\d/,
  ];
  const packages = join(here, '../..');

  function tsSources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return tsSources(path);
      return name.endsWith('.ts') ? [path] : [];
    });
  }

  it('the sources of every package define the shared tables only in @jato/parser/src/protocol', () => {
    const offenders: string[] = [];
    for (const pkg of readdirSync(packages)) {
      let files: string[];
      try {
        files = tsSources(join(packages, pkg, 'src'));
      } catch {
        continue;
      }
      for (const file of files) {
        if (file.includes(join('parser', 'src', 'protocol'))) continue;
        const text = readFileSync(file, 'utf8');
        for (const re of signatures) if (re.test(text)) offenders.push(`${file}: ${re.source}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
