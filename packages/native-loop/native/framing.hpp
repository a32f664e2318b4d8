// framing.hpp — the one place that names the request framing the loop uses: @jato/parser's
// header-only Framer (the same loop the parser binding and its fuzz target run), over the resumable
// HeadParser and the ChunkedDecoder.
#pragma once
#include "jato/parser/framer.hpp"
#include "jato/parser/parser.hpp"

namespace jato::loop {
using Framer = jato::http::Framer;
}  // namespace jato::loop
