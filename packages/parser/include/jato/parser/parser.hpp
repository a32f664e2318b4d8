// jato/parser/parser.hpp — umbrella header of the header-only HTTP/1.1 request parser.
//   #include "jato/parser/parser.hpp"   (include path: packages/parser/include)
// HeadParser parses one request head (resumable); ChunkedDecoder decodes a chunked body
// (incremental, zero-copy); scan.hpp selects the SIMD level. All of it: no allocation, no exceptions.
#pragma once
#include "jato/parser/types.hpp"
#include "jato/parser/chars.hpp"
#include "jato/parser/scan.hpp"
#include "jato/parser/head_parser.hpp"
#include "jato/parser/chunked.hpp"
