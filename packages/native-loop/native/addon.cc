// addon.cc — the Node-API surface of the loop: class NativeServer(options, dispatch, onClosed).
//   listen() -> { address, port, family }         inputBuffers() -> { table, headers, arena, closed, date }
//   setOutput(arena: Uint8Array, table: Uint32Array)  flush(rows)  close(deadlineMs)
//   stats() -> { connections, accepted, inFlight, requests, bytesRead, bytesWritten }   remote(conn)
//   bodyRead(conn, seq, bytes[, borrowed])   (streamed request bodies: JS consumed bytes, see body_stream.cc, body_pool.cc)
//   wsBuffered(conn)             (WebSocket bytes not yet written)
// Errors are thrown as JS exceptions (no C++ exceptions are used).
#include <napi.h>

#include <algorithm>
#include <memory>

#include "heap_tuning.hpp"
#include "server.hpp"

namespace {

using jato::loop::Server;
using jato::loop::ServerOptions;

uint64_t get_u64(const Napi::Object& o, const char* key, uint64_t dflt) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return dflt;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0)) return dflt;
  if (d > 9.0e15) d = 9.0e15;
  return static_cast<uint64_t>(d);
}

class NativeServer : public Napi::ObjectWrap<NativeServer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeServer",
                       {InstanceMethod("listen", &NativeServer::Listen),
                        InstanceMethod("inputBuffers", &NativeServer::InputBuffers),
                        InstanceMethod("setOutput", &NativeServer::SetOutput),
                        InstanceMethod("flush", &NativeServer::Flush),
                        InstanceMethod("close", &NativeServer::Close),
                        InstanceMethod("stats", &NativeServer::Stats),
                        InstanceMethod("remote", &NativeServer::Remote),
                        InstanceMethod("bodyRead", &NativeServer::BodyRead),
                        InstanceMethod("wsBuffered", &NativeServer::WsBuffered)});
  }

  ~NativeServer() override {
    if (server_ && server_->HasOpenHandles()) {
      server_->Orphan();
      server_.release();  // deletes itself once libuv has closed its last handle
    }
  }

  explicit NativeServer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeServer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsFunction() || !info[2].IsFunction()) {
      Napi::TypeError::New(env, "NativeServer(options, dispatch, onClosed)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object o = info[0].As<Napi::Object>();
    ServerOptions opt;
    if (o.Get("host").IsString()) opt.host = o.Get("host").As<Napi::String>().Utf8Value();
    opt.port = static_cast<int>(get_u64(o, "port", 0));
    opt.reuse_port = o.Get("reusePort").ToBoolean().Value();
    if (o.Get("serverName").IsString()) opt.server_name = o.Get("serverName").As<Napi::String>().Utf8Value();
    for (char ch : opt.server_name) {
      if (ch == '\r' || ch == '\n') {
        Napi::TypeError::New(env, "serverName must not contain CR or LF").ThrowAsJavaScriptException();
        return;
      }
    }
    opt.max_head_bytes = static_cast<uint32_t>(get_u64(o, "maxHeadBytes", opt.max_head_bytes));
    opt.max_headers = static_cast<uint32_t>(std::min<uint64_t>(get_u64(o, "maxHeaders", opt.max_headers), 16384));
    opt.max_body_bytes = get_u64(o, "maxBodyBytes", opt.max_body_bytes);
    if (opt.max_body_bytes > 0xF0000000u) opt.max_body_bytes = 0xF0000000u;  // offsets are 32-bit
    opt.max_in_flight = static_cast<uint32_t>(get_u64(o, "maxInFlight", opt.max_in_flight));
    if (opt.max_in_flight == 0) opt.max_in_flight = 1;
    opt.high_water_mark = get_u64(o, "highWaterMark", opt.high_water_mark);
    opt.headers_timeout = get_u64(o, "headersTimeout", opt.headers_timeout);
    opt.body_grace = get_u64(o, "bodyGrace", opt.body_grace);
    opt.body_min_rate = get_u64(o, "bodyMinRate", opt.body_min_rate);
    opt.keep_alive_timeout = get_u64(o, "keepAliveTimeout", opt.keep_alive_timeout);
    opt.write_timeout = get_u64(o, "writeTimeout", opt.write_timeout);
    opt.linger_timeout = get_u64(o, "lingerTimeout", opt.linger_timeout);
    opt.max_stream_body_bytes = get_u64(o, "maxStreamBodyBytes", opt.max_stream_body_bytes);
    opt.body_window = get_u64(o, "bodyWindow", opt.body_window);
    opt.max_discard_bytes = get_u64(o, "maxDiscardBytes", opt.max_discard_bytes);
    if (opt.max_stream_body_bytes > 0) jato::loop::tune_heap_for_bodies();  // heap_tuning.hpp
    server_ = std::make_unique<Server>(env, std::move(opt));
    if (!server_->Init(info.This(), info[1], info[2])) {
      Napi::Error::New(env, "native-loop: initialisation failed").ThrowAsJavaScriptException();
    }
  }

 private:
  Napi::Value Listen(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string err, address;
    int port = 0, family = 4;
    int r = server_->Listen(err, address, port, family);
    if (r != 0) {
      Napi::Error e = Napi::Error::New(env, err);
      e.Set("code", Napi::String::New(env, uv_err_name(r)));
      e.ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object res = Napi::Object::New(env);
    res.Set("address", address);
    res.Set("port", port);
    res.Set("family", family == 6 ? "IPv6" : "IPv4");
    return res;
  }

  Napi::Value InputBuffers(const Napi::CallbackInfo& info) {
    return Napi::Value(info.Env(), server_->InputBuffers());
  }

  Napi::Value SetOutput(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !server_->SetOutput(info[0], info[1])) {
      Napi::TypeError::New(env, "setOutput(arena: Uint8Array, table: Uint32Array)").ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    if (info.Length() > 0 && info[0].IsNumber()) {
      napi_value lent = info.Length() > 1 && info[1].IsArray() ? static_cast<napi_value>(info[1]) : nullptr;
      server_->Flush(info[0].As<Napi::Number>().Uint32Value(), lent);
    }
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    uint64_t deadline = 10000;
    if (info.Length() > 0 && info[0].IsNumber()) {
      double d = info[0].As<Napi::Number>().DoubleValue();
      deadline = d > 0 ? static_cast<uint64_t>(d < 9.0e15 ? d : 9.0e15) : 0;
    }
    server_->Close(deadline);
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto s = server_->Stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("connections", static_cast<double>(s.connections));
    o.Set("accepted", static_cast<double>(s.accepted));
    o.Set("inFlight", static_cast<double>(s.in_flight));
    o.Set("requests", static_cast<double>(s.requests));
    o.Set("bytesRead", static_cast<double>(s.bytes_read));
    o.Set("bytesWritten", static_cast<double>(s.bytes_written));
    return o;
  }

  Napi::Value BodyRead(const Napi::CallbackInfo& info) {
    if (info.Length() >= 3 && info[0].IsNumber() && info[1].IsNumber() && info[2].IsNumber()) {
      double bytes = info[2].As<Napi::Number>().DoubleValue();
      server_->BodyRead(info[0].As<Napi::Number>().Uint32Value(), info[1].As<Napi::Number>().Uint32Value(),
                        bytes > 0 ? static_cast<uint64_t>(bytes < 9.0e15 ? bytes : 9.0e15) : 0,
                        info.Length() >= 4 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value());
    }
    return info.Env().Undefined();
  }

  Napi::Value Remote(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) return env.Undefined();
    std::string address;
    int port = 0;
    if (!server_->Remote(info[0].As<Napi::Number>().Uint32Value(), address, port)) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    o.Set("address", address);
    o.Set("port", port);
    return o;
  }

  Napi::Value WsBuffered(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) return Napi::Number::New(env, -1);
    return Napi::Number::New(env, server_->WsBuffered(info[0].As<Napi::Number>().Uint32Value()));
  }

  std::unique_ptr<Server> server_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeServer", NativeServer::Define(env));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(jato_native_loop, Init)
