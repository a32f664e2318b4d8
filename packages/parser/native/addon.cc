// native/addon.cc — Node-API binding of the header-only parser, for tests, tools and benchmarks
// (the server's hot path compiles the headers into @jato/native-loop instead).
// Exports:
//   createParser(maxHeadBytes, maxHeaders, maxBodyBytes) -> handle
//   push(handle, Uint8Array) -> { requests, error, state, awaiting? } (see src/native.ts)
//   frameHeads(Uint8Array) -> number of complete requests framed in one call (bench entry)
//   simdLevel() / simdSupported() / setSimdLevel(n) -> 0 scalar, 1 sse4.2, 2 avx2
#include <napi.h>

#include <cstring>
#include <vector>

#include "jato/parser/parser.hpp"
#include "stream.hpp"

namespace {

using jato::http::BodyKind;
using jato::http::Error;
using jato::http::Header;
using jato::http::Limits;
using jato::http::RequestHead;
using jato::http::Span;
using jato::http::native::OwnedRequest;
using jato::http::native::Stream;

napi_value latin1(Napi::Env env, const char* p, size_t n) {
  napi_value v = nullptr;
  napi_create_string_latin1(env, p, n, &v);
  return v;
}

napi_value span_str(Napi::Env env, const std::string& bytes, Span s) {
  if (static_cast<size_t>(s.off) + s.len > bytes.size()) return latin1(env, "", 0);
  return latin1(env, bytes.data() + s.off, s.len);
}

Napi::Value pairs(Napi::Env env, const std::vector<std::pair<std::string, std::string>>& kv) {
  Napi::Array a = Napi::Array::New(env, kv.size());
  for (size_t i = 0; i < kv.size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Value(env, latin1(env, kv[i].first.data(), kv[i].first.size())));
    pair.Set(1u, Napi::Value(env, latin1(env, kv[i].second.data(), kv[i].second.size())));
    a.Set(static_cast<uint32_t>(i), pair);
  }
  return a;
}

const char* form_name(jato::http::TargetForm f) {
  switch (f) {
    case jato::http::TargetForm::Absolute: return "absolute";
    case jato::http::TargetForm::Authority: return "authority";
    case jato::http::TargetForm::Asterisk: return "asterisk";
    default: return "origin";
  }
}

const char* body_name(BodyKind k) {
  switch (k) {
    case BodyKind::Length: return "length";
    case BodyKind::Chunked: return "chunked";
    default: return "none";
  }
}

Napi::Object to_js(Napi::Env env, const OwnedRequest& r) {
  const RequestHead& h = r.head;
  Napi::Object o = Napi::Object::New(env);
  o.Set("method", Napi::Value(env, span_str(env, r.bytes, h.method_span)));
  o.Set("target", Napi::Value(env, span_str(env, r.bytes, h.target)));
  o.Set("targetForm", form_name(h.form));
  o.Set("versionMinor", Napi::Number::New(env, h.version_minor));
  Napi::Array hs = Napi::Array::New(env, r.headers.size());
  for (size_t i = 0; i < r.headers.size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Value(env, span_str(env, r.bytes, r.headers[i].name)));
    pair.Set(1u, Napi::Value(env, span_str(env, r.bytes, r.headers[i].value)));
    hs.Set(static_cast<uint32_t>(i), pair);
  }
  o.Set("headers", hs);
  o.Set("bodyKind", body_name(h.body));
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, r.body.size());
  if (!r.body.empty()) std::memcpy(ab.Data(), r.body.data(), r.body.size());
  o.Set("body", Napi::Uint8Array::New(env, r.body.size(), ab, 0));
  o.Set("trailers", pairs(env, r.trailers));
  o.Set("keepAlive", Napi::Boolean::New(env, h.keep_alive));
  o.Set("expectContinue", Napi::Boolean::New(env, h.expect_continue));
  o.Set("upgrade", Napi::Boolean::New(env, h.upgrade));
  return o;
}

bool bytes_arg(const Napi::CallbackInfo& info, size_t i, const uint8_t*& p, size_t& n) {
  if (info.Length() <= i || !info[i].IsTypedArray()) return false;
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) return false;
  Napi::Uint8Array u = ta.As<Napi::Uint8Array>();
  p = u.Data();
  n = u.ByteLength();
  return true;
}

Napi::Value Throw(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value CreateParser(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    return Throw(env, "createParser(maxHeadBytes, maxHeaders, maxBodyBytes) expects numbers");
  double head = info[0].As<Napi::Number>().DoubleValue();
  double count = info[1].As<Napi::Number>().DoubleValue();
  double body = info[2].As<Napi::Number>().DoubleValue();
  if (!(head >= 1 && head <= 0x7fffffff) || !(count >= 0 && count <= 65536) || !(body >= 0 && body <= 9007199254740991.0))
    return Throw(env, "createParser: limit out of range");
  Limits l;
  l.max_head_bytes = static_cast<uint32_t>(head);
  l.max_headers = static_cast<uint32_t>(count);
  l.max_body = static_cast<uint64_t>(body);
  return Napi::External<Stream>::New(env, new Stream(l), [](Napi::Env, Stream* s) { delete s; });
}

Napi::Value Push(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* p = nullptr;
  size_t n = 0;
  if (info.Length() < 2 || !info[0].IsExternal() || !bytes_arg(info, 1, p, n))
    return Throw(env, "push(handle, Uint8Array) expects a parser handle and a Uint8Array");
  Stream* s = info[0].As<Napi::External<Stream>>().Data();
  std::vector<OwnedRequest> done;
  Error err = s->push(p, n, done);
  Napi::Object res = Napi::Object::New(env);
  Napi::Array reqs = Napi::Array::New(env, done.size());
  for (size_t i = 0; i < done.size(); ++i) reqs.Set(static_cast<uint32_t>(i), to_js(env, done[i]));
  res.Set("requests", reqs);
  res.Set("error", Napi::Number::New(env, static_cast<double>(err)));
  res.Set("state", Napi::Number::New(env, static_cast<double>(s->state())));
  if (s->state() == Stream::State::Body) {
    const RequestHead& h = s->current();
    Napi::Object aw = Napi::Object::New(env);
    aw.Set("expectContinue", Napi::Boolean::New(env, h.expect_continue));
    aw.Set("contentLength", h.body == BodyKind::Length ? Napi::Value(Napi::Number::New(env, static_cast<double>(h.content_length)))
                                                       : env.Undefined());
    res.Set("awaiting", aw);
  }
  return res;
}

// Frames every complete request in the buffer in one call with the server's framer (heads parsed,
// bodies delivered, chunked ones decoded in place in a scratch copy); stops at the first incomplete
// or invalid request, or after one that is not keep-alive.
struct CountingHost {
  uint32_t count = 0;
  bool may_start() { return true; }
  void on_head_start() {}
  bool on_body_start(const RequestHead&, size_t) { return true; }
  void on_trailer(const uint8_t*, size_t, const uint8_t*, size_t) {}
  bool on_request(const char*, const RequestHead&, size_t, const Header*, const char*, size_t) {
    ++count;
    return true;
  }
  void on_error(jato::http::Error) {}
};

Napi::Value FrameHeads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* p = nullptr;
  size_t n = 0;
  if (!bytes_arg(info, 0, p, n)) return Throw(env, "frameHeads(Uint8Array) expects a Uint8Array");
  static thread_local std::vector<Header> headers(jato::http::Limits{}.max_headers + 1);
  static thread_local std::vector<char> scratch;
  scratch.assign(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(p) + n);
  jato::http::Framer framer(jato::http::Limits{}, false);
  CountingHost host;
  framer.frame(scratch.data(), n, host, headers.data(), static_cast<uint32_t>(headers.size()));
  return Napi::Number::New(env, host.count);
}

Napi::Value SimdLevel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(jato::http::simd_level()));
}
Napi::Value SimdSupported(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(jato::http::simd_supported()));
}
Napi::Value SetSimdLevel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return Throw(env, "setSimdLevel(level) expects 0, 1 or 2");
  int want = info[0].As<Napi::Number>().Int32Value();
  if (want < 0 || want > 2) return Throw(env, "setSimdLevel(level) expects 0, 1 or 2");
  auto got = jato::http::set_simd_level(static_cast<jato::http::SimdLevel>(want));
  return Napi::Number::New(env, static_cast<int>(got));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("createParser", Napi::Function::New(env, CreateParser, "createParser"));
  exports.Set("push", Napi::Function::New(env, Push, "push"));
  exports.Set("frameHeads", Napi::Function::New(env, FrameHeads, "frameHeads"));
  exports.Set("simdLevel", Napi::Function::New(env, SimdLevel, "simdLevel"));
  exports.Set("simdSupported", Napi::Function::New(env, SimdSupported, "simdSupported"));
  exports.Set("setSimdLevel", Napi::Function::New(env, SetSimdLevel, "setSimdLevel"));
  return exports;
}

}  // namespace

NODE_API_MODULE(jato_parser, Init)
