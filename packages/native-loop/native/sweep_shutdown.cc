// sweep_shutdown.cc — connection shutdown and close, the loop's own handles (check / idle / date
// timer), the sweep timer that enforces every timeout, and the server's graceful close and
// environment teardown.
#include <algorithm>
#include <cstring>
#include <ctime>

#include "date_cache.hpp"
#include "server.hpp"
#include "server_internal.hpp"

namespace jato::loop {

void Server::Shutdown(Connection* c) {
  if (c->shutting || c->closing) return;
  c->shutting = true;
  c->input_done = true;
  c->shutdown_req.data = c;
  if (uv_shutdown(&c->shutdown_req, reinterpret_cast<uv_stream_t*>(&c->tcp), OnShutdown) != 0) CloseConn(c);
}

void Server::OnShutdown(uv_shutdown_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  Server* s = c->server;
  if (c->closing) return;
  if (status < 0 || c->eof) {
    s->CloseConn(c);
    return;
  }
  // our FIN is out: read and discard until the client's EOF (or the linger deadline) so that
  // unread input does not turn our close into a reset that destroys the response in flight
  c->lingering = true;
  c->linger_since = uv_now(s->loop_);
  c->in.release();
  s->UpdateReading(c);
}

void Server::CloseConn(Connection* c) {
  if (c->closing) return;
  c->closing = true;
  c->gather.clear();
  c->gather_keep.clear();
  if (c->reading) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
    c->reading = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnConnClosed);
}

void Server::OnConnClosed(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  Server* s = c->server;
  if (c->body && !c->body->discarding && !c->body->starting) s->EndBody(c, kBodyAborted);  // JS hears of it
  s->conns_.erase(c->id);
  if (s->stats_.connections) s->stats_.connections--;
  s->stats_.in_flight -= std::min<uint64_t>(s->stats_.in_flight, c->in_flight);
  s->closed_ids_.push_back(c->id);
  s->DropFiles(c);
  if (c->body) s->ReleaseBodyBuffer(*c->body);
  if (c->pool) s->FreeBodyPool(c);
  if (c->write_queued) s->Unqueue(c);  // the fan-out write queue holds pointers (fanout_writes.cc)
  delete c;
  s->Wake();
  s->CheckClosed();
  s->DeleteIfOrphanDone();
}

void Server::Wake() {
  if (!idle_active_ && started_ && !closed_) {
    idle_active_ = true;
    uv_idle_start(&idle_, OnIdle);
  }
}

void Server::OnIdle(uv_idle_t*) {}

void Server::OnCheck(uv_check_t* h) {
  auto* s = static_cast<Server*>(h->data);
  if (!s->pump_list_.empty()) {
    std::vector<uint32_t> list;
    list.swap(s->pump_list_);
    for (uint32_t id : list) {
      Connection* c = s->Find(id);
      if (c) s->Pump(c);
    }
  }
  s->Dispatch();
  if (s->fanout_written_ || !s->fanout_queue_.empty()) s->WriteQueuedTurn();  // a large fan-out's next writes (fanout_writes.cc)
  if (!s->window_holds_.empty()) s->ReleaseWindowHolds();
  if (s->pump_list_.empty() && s->closed_ids_.empty() && s->fanout_queue_.empty() && s->idle_active_) {
    s->idle_active_ = false;
    uv_idle_stop(&s->idle_);
  }
}

void Server::UpdateDate(bool force) {
  time_t now = time(nullptr);
  if (!force && now == date_second_) return;
  date_second_ = now;
  render_imf_date(now, date_);
  if (date_mem_) {
    std::memcpy(date_mem_ + 8, date_, kDateLength);
    uint32_t v;
    std::memcpy(&v, date_mem_, 4);
    v++;
    std::memcpy(date_mem_, &v, 4);
  }
}

void Server::OnDateTimer(uv_timer_t* h) { static_cast<Server*>(h->data)->UpdateDate(false); }

void Server::OnSweep(uv_timer_t* h) {
  auto* s = static_cast<Server*>(h->data);
  uint64_t now = uv_now(s->loop_);
  const ServerOptions& o = s->opt_;
  std::vector<Connection*> expired, ws_due;
  std::vector<int> status;
  for (auto& kv : s->conns_) {
    Connection* c = kv.second;
    if (c->closing) continue;
    if (c->lingering) {
      if (now - c->linger_since >= o.linger_timeout) expired.push_back(c), status.push_back(0);
      continue;
    }
    if (c->eof && !c->writing && now - c->eof_since >= o.keep_alive_timeout) {  // FIN'd, still pending
      expired.push_back(c), status.push_back(0);
      continue;
    }
    if (c->writing) {
      size_t q = c->tcp.write_queue_size;
      if (q != c->last_queue_size) {
        c->last_queue_size = q;
        c->write_since = now;
      } else if (now - c->write_since >= o.write_timeout) {
        expired.push_back(c), status.push_back(-1);
      }
      continue;
    }
    if (c->ws) {
      if (!c->shutting) ws_due.push_back(c);
      continue;
    }
    if (c->input_done || c->shutting) continue;
    if (c->body) {  // a streamed body, paused or not: the body timeout still applies
      if (s->BodyExpired(c, now)) expired.push_back(c), status.push_back(408);
      continue;
    }
    switch (c->framer.phase()) {
      case Framer::Phase::Head:
        if (now - c->phase_start >= o.headers_timeout) expired.push_back(c), status.push_back(408);
        break;
      case Framer::Phase::Body:
      case Framer::Phase::Chunked: {
        uint64_t elapsed = now - c->phase_start;
        if (elapsed >= o.body_grace && c->framer.body_seen() * 1000 < o.body_min_rate * elapsed)
          expired.push_back(c), status.push_back(408);
        break;
      }
      case Framer::Phase::Done:
        break;
      case Framer::Phase::Idle:
        if (c->pool && c->in_flight == 0 && now - c->idle_since >= std::min<uint64_t>(kPoolIdleMs, o.keep_alive_timeout / 2))
          s->FreeBodyPool(c);  // an idle connection keeps no body buffers (body_pool.cc)
        if (c->in_flight == 0 && c->order.held_empty() && c->output_idle() && c->in.empty() &&
            now - c->idle_since >= o.keep_alive_timeout)
          expired.push_back(c), status.push_back(0);
        break;
    }
  }
  for (Connection* c : ws_due)
    if (!c->closing) s->WsSweep(c, now);
  for (size_t i = 0; i < expired.size(); i++) {
    Connection* c = expired[i];
    if (c->closing) continue;
    if (status[i] == 408) {
      c->in.release();
      s->Fail(c, 408);
    } else {
      s->CloseConn(c);
    }
  }
}

void Server::Close(uint64_t deadline_ms) {
  if (!started_) {
    closing_ = true;
    closed_ = true;
    return;
  }
  if (closing_) return;
  closing_ = true;
  if (listener_open_) {
    listener_open_ = false;
    listening_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), OnOwnHandleClosed);
  }
  std::vector<Connection*> all;
  all.reserve(conns_.size());
  for (auto& kv : conns_) all.push_back(kv.second);
  for (Connection* c : all) {
    if (c->closing) continue;
    if (c->ws && !c->shutting) {  // 1001, then the peer's close frame (or the deadline)
      WsGoingAway(c);
      continue;
    }
    c->draining = true;
    if (c->body && !c->body->discarding) {
      // a request still receiving its body: the body is read to its end (until the deadline), then
      // nothing more is framed (EndBody ends input after a last body)
      c->body->last = true;
      continue;
    }
    c->input_done = true;
    if (c->in_flight == 0 && c->order.held_empty() && c->output_idle()) CloseConn(c);
    else UpdateReading(c);
  }
  uv_timer_start(&deadline_, OnDeadline, deadline_ms, 0);
  CheckClosed();
}

// Node is tearing the environment down (process exit, worker termination) with the server open:
// close every handle without calling into JS; the close callbacks still free the connections.
void Server::OnEnvTeardown(void* arg) {
  auto* s = static_cast<Server*>(arg);
  s->hook_added_ = false;
  s->env_alive_ = false;
  if (!s->started_ || s->closed_) return;
  s->closing_ = true;
  if (s->listener_open_) {
    s->listener_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->listener_), OnOwnHandleClosed);
  }
  std::vector<Connection*> all;
  for (auto& kv : s->conns_) all.push_back(kv.second);
  for (Connection* c : all) s->CloseConn(c);
  // close our own handles now too: Node spins the loop once more for close callbacks, not twice
  s->closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&s->check_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->idle_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->sweep_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->date_timer_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->deadline_), OnOwnHandleClosed);
}

void Server::OnDeadline(uv_timer_t* h) {
  auto* s = static_cast<Server*>(h->data);
  std::vector<Connection*> all;
  for (auto& kv : s->conns_) all.push_back(kv.second);
  for (Connection* c : all) s->CloseConn(c);
}

void Server::CheckClosed() {
  if (!closing_ || closed_ || !conns_.empty() || listener_open_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&sweep_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&date_timer_), OnOwnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline_), OnOwnHandleClosed);
}

void Server::OnOwnHandleClosed(uv_handle_t* h) {
  auto* s = static_cast<Server*>(h->data);
  if (--s->own_handles_open_ == 0 && s->closed_) s->FinishClose();
  s->DeleteIfOrphanDone();
}

bool Server::HasOpenHandles() const { return own_handles_open_ > 0 || !conns_.empty() || fs_pending_ > 0; }

void Server::Orphan() {
  orphaned_ = true;
  env_alive_ = false;
}

void Server::DeleteIfOrphanDone() {
  if (orphaned_ && !HasOpenHandles()) delete this;
}

ServerStats Server::Stats() const { return stats_; }

}  // namespace jato::loop
