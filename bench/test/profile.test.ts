import { describe, expect, it } from 'vitest';
import { parsePerfReport, byArea, area } from '../src/profile.mjs';

const REPORT = [
  '# Samples: 574  of event \'cpu-clock\'',
  '#',
  '# Overhead\tShared Object      \tSymbol',
  ' 40.00%  \t[kernel.kallsyms]  \t[k] tcp_sendmsg_locked',
  ' 25.50%  \tnode               \t[.] Builtins_LoadIC',
  ' 20.00%  \t[JIT] tid 23950    \t[.] JS:*resOnFinish node:_http_server:966:21',
  '  4.50%  \t[JIT] tid 23950    \t[.] Builtin:ArgumentsAdaptorTrampoline',
  '  6.00%  \tjato_native_loop.node\t[.] jato::Loop::onRead(uv_stream_s*, long, uv_buf_t const*)',
  '  4.00%  \tlibc.so.6          \t[.] __memmove_avx_unaligned_erms',
  '',
].join('\n');

describe('perf report parsing', () => {
  const lines = parsePerfReport(REPORT);

  it('reads share, object and symbol, dropping headers and the [k]/[.] marks', () => {
    expect(lines).toHaveLength(6);
    expect(lines[0]).toEqual({ percent: 40, dso: '[kernel.kallsyms]', symbol: 'tcp_sendmsg_locked' });
    expect(lines[2]).toEqual({ percent: 20, dso: '[JIT] tid 23950', symbol: 'JS:*resOnFinish node:_http_server:966:21' });
    expect(lines[4]!.symbol).toBe('jato::Loop::onRead(uv_stream_s*, long, uv_buf_t const*)');
  });

  it('splits the time by where the code lives, largest first', () => {
    expect(byArea(lines)).toEqual([
      ['kernel (syscalls, TCP/IP)', 40],
      ['Node / V8 runtime', 25.5],
      ['JS (JIT-compiled)', 20],
      ['native addon (.node)', 6],
      ['V8 generated code (stubs, regexp)', 4.5],
      ['libc / libstdc++', 4],
    ]);
    expect(area('/usr/lib/x86_64-linux-gnu/libfoo.so', 'x')).toBe('/usr/lib/x86_64-linux-gnu/libfoo.so');
  });
});
