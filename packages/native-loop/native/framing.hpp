// framing.hpp — the one place that names the request parser the loop frames with:
// @jato/parser's header-only HeadParser (resumable per connection) and ChunkedDecoder.
#pragma once
#include "jato/parser/parser.hpp"

namespace jato::loop {
using HeadParser = jato::http::HeadParser;
using ChunkedDecoder = jato::http::ChunkedDecoder;
}  // namespace jato::loop
