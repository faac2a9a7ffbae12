// EAL start-up, ports, the run-to-completion worker loop, generations (hot reload) and the
// final report. The control socket and the reload protocol are in control.cpp.
#include "control.hpp"
#include "engine_room.hpp"
#include "fast_start.hpp"
#include "flow_dispatch.hpp"
#include "host_iface.hpp"

#include <nb/runtime/interp.hpp>
#include <nb/runtime/jit_engine.hpp>
#include <nb/runtime/runner.hpp>

#include <fmt/format.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <fcntl.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

namespace nb::runtime {
namespace {

using detail::Generation;
using detail::Live;
using detail::PcapWriter;
using detail::PortSlot;
using detail::Runtime;
using detail::Source;
using detail::Worker;
using detail::kNoPort;

std::atomic<bool> g_stop{false};
// Set with g_stop by whatever ends the run from outside (a signal, --duration, nbctl): a ToDump
// whose writer is behind stops waiting for room then, and what it cannot take counts as dropped.
// --packets and the end of the inputs do not set it: everything received is still written.
std::atomic<bool> g_interrupted{false};

// The longest frame net_pcap's reader carries without overrunning its buffers.
constexpr std::uint32_t kMaxCaptureFrame = 65535;
// Packets a ToDump port holds for its writer (the mempool is sized to cover them).
constexpr std::uint32_t kDumpRingSize = 2048;
// Packets a software-dispatch ring holds for its worker.
constexpr std::uint32_t kDispatchRingSize = 1024;
// The largest packet buffer nbrun makes for captures with jumbo frames (9,000-byte frames fit).
constexpr std::uint32_t kMaxRoom = 16384;

// Asks the shared --packets budget for up to `want` packets (0: the limit is reached).
std::uint64_t take_budget(std::atomic<std::uint64_t>& budget, std::uint64_t want) {
  std::uint64_t cur = budget.load(std::memory_order_relaxed);
  while (cur) {
    std::uint64_t got = std::min(cur, want);
    if (budget.compare_exchange_weak(cur, cur - got, std::memory_order_relaxed)) return got;
  }
  return 0;
}

// Software dispatch: keeps the packets of `pkts` whose flow belongs to worker `self` (in order,
// at the front; returns how many) and hands each other one to its worker's ring, in order, so
// that a flow's packets keep their order. Waits for room: a ring is full only while its worker
// is behind, and workers never wait for a reader. A run that is being interrupted frees what
// finds no room (counted as dispatch_dropped).
std::uint16_t spread(PortSlot& slot, std::uint32_t self, std::uint32_t nworkers, rte_mbuf** pkts, std::uint16_t n,
                     PortCounters& counters) {
  rte_mbuf* out[kMaxWorkers][jit_abi::kMaxBurst];
  std::uint16_t count[kMaxWorkers] = {};
  std::uint16_t kept = 0;
  for (std::uint16_t i = 0; i < n; ++i) {
    std::uint32_t w = nb::worker_of_hash(detail::symmetric_flow_hash(pkts[i]), nworkers);
    if (w == self)
      pkts[kept++] = pkts[i];
    else
      out[w][count[w]++] = pkts[i];
  }
  for (std::uint32_t w = 0; w < nworkers; ++w) {
    std::uint16_t sent = 0;
    while (sent < count[w]) {
      sent += static_cast<std::uint16_t>(
          rte_ring_enqueue_burst(slot.rings[w], reinterpret_cast<void* const*>(out[w] + sent), count[w] - sent, nullptr));
      if (sent < count[w]) {
        if (g_interrupted.load(std::memory_order_relaxed)) {
          rte_pktmbuf_free_bulk(out[w] + sent, count[w] - sent);
          add_counter(counters.dispatch_dropped, count[w] - sent);
          break;
        }
        rte_pause();
      }
    }
  }
  return kept;
}

// One pass of the worker loop: poll every source once. Between two passes the worker holds no
// reference into any generation (its transmit buffers are flushed), which is the quiescent state
// it reports to rte_rcu_qsbr, and the burst boundary at which it switches to a newly published
// generation and runs handler calls posted by the control thread.
//
// Ending: a worker whose inputs ended (or that sees the run stopping) stops reading devices and
// counts itself out, but keeps emptying its dispatch rings until every worker is out: then
// nothing can be handed to it any more, and one last empty pass ends it. Packets a reader
// already received are thus processed, not lost, even when a signal or --duration ends the run
// (a ring holds at most 1024 packets: a fraction of a millisecond of work).
class WorkerLoop {
 public:
  explicit WorkerLoop(Worker& w)
      : w_(w),
        self_(w.index),
        g_(w.published.load(std::memory_order_acquire)),
        pkts_(jit_abi::kMaxBurst),
        done_(g_->sources[self_].size(), 0),
        paced_(g_->sources[self_].size()),
        window_(g_->sources[self_].size()),
        tsc_start_(rte_rdtsc()),
        finite_(all_finite(*g_)) {}

  int run() {
    if (w_.qsv) {
      rte_rcu_qsbr_thread_register(w_.qsv, w_.rcu_id);
      rte_rcu_qsbr_thread_online(w_.qsv, w_.rcu_id);
    }
    while (true) {
      at_burst_boundary();
      if (!out_ && g_stop.load(std::memory_order_relaxed)) leave("stopped");
      if (!out_ && g_->sources[self_].empty() && g_->plan->tasks.empty()) leave("the graph has no sources");
      // Out, and every worker is out: nothing more can reach this worker's rings.
      const bool last_call = out_ && w_.exited->load(std::memory_order_acquire) == w_.nworkers;
      const std::uint64_t got_packets = poll_sources();
      if ((++iterations_ & 255) == 0 || last_call) publish_progress();
      end_of_pass();
      if (last_call && got_packets == 0) break;
    }
    finish();
    return 0;
  }

 private:
  // For a file's time window: what it knows of the trace.
  struct WindowState {
    bool seen_first = false;   // first_us is the time of the trace's first record
    bool emitted = false;      // a record was let through: START skips no more (as in Click)
    bool ended = false;        // the record at the window's end was read: the file ends there
    bool skipped_all = false;  // the last read got records, and skipped them all: not the end
    std::uint64_t first_us = 0;
  };

  // ---- the work ----

  // Handler calls posted by the control thread, and the switch to a newly published generation.
  void at_burst_boundary() {
    if (detail::WorkerCall* call = w_.mailbox.load(std::memory_order_acquire)) {
      detail::WorkerCall* expected = call;
      if (w_.mailbox.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) {
        call->fn();
        call->done.store(true, std::memory_order_release);
      }
    }
    const std::uint64_t want_epoch = w_.measure_epoch.load(std::memory_order_relaxed);
    if (want_epoch != epoch_) {
      epoch_ = want_epoch;
      max_gap_ = 0;
      prev_end_ = 0;
    }
    Generation* next = w_.published.load(std::memory_order_acquire);
    if (next != g_) {
      // A record held for its time waits on in the new generation when its source goes on
      // there; otherwise it leaves now, through the graph it was received for.
      std::vector<char> goes_on(paced_.size(), 0);
      for (const Source& s : next->sources[self_])
        if (s.prev >= 0 && static_cast<std::size_t>(s.prev) < goes_on.size())
          goes_on[static_cast<std::size_t>(s.prev)] = 1;
      for (std::size_t si = 0; si < paced_.size(); ++si)
        if (!goes_on[si]) release_held(si);
      switch_to(next);
    }
  }

  void switch_to(Generation* next) {
    // The old generation's buffers were flushed at the end of the last pass: nothing of it is
    // in flight. State blocks the two share need nothing; class hooks move the others now.
    for (const detail::Transfer& t : next->transfers[self_]) t.fn(t.old_config, t.old_state, t.new_config, t.new_state);
    std::vector<char> next_done(next->sources[self_].size(), 0);
    std::vector<PaceClock> next_paced(next->sources[self_].size());
    std::vector<WindowState> next_window(next->sources[self_].size());
    for (std::size_t i = 0; i < next->sources[self_].size(); ++i) {
      const int prev = next->sources[self_][i].prev;
      if (prev >= 0 && static_cast<std::size_t>(prev) < done_.size()) {
        next_done[i] = done_[static_cast<std::size_t>(prev)];
        next_paced[i] = paced_[static_cast<std::size_t>(prev)];  // the trace's clock runs on
        paced_[static_cast<std::size_t>(prev)].held = nullptr;   // its held record, once
        next_window[i] = window_[static_cast<std::size_t>(prev)];  // its place in the trace
      }
    }
    done_.swap(next_done);
    paced_.swap(next_paced);
    window_.swap(next_window);
    g_ = next;
    finite_ = all_finite(*g_);
    last_old_end_ = prev_end_;
    w_.switch_tsc.store(rte_rdtsc(), std::memory_order_relaxed);
    w_.switched_gen.store(g_->id, std::memory_order_release);
    first_pass_pending_ = true;
  }

  // One pass over the sources: each polled once. Returns the packets it got.
  std::uint64_t poll_sources() {
    Dataplane& dp = *g_->dps[self_];
    Engine& engine = *g_->engines[self_];
    const bool engine_resets = engine.resets_annotations();
    std::uint64_t got_packets = 0;
    std::size_t ended = 0;
    for (std::size_t si = 0; si < g_->sources[self_].size(); ++si) {
      const Source& s = g_->sources[self_][si];
      std::uint16_t n = 0;
      const Polled polled = s.ring ? poll_ring(s, si, n) : poll_device(s, si, dp, n);
      got_packets += polled == Polled::Stop ? 0 : n;
      if (polled == Polled::Ended) ++ended;
      if (polled == Polled::Stop) break;
      if (polled != Polled::Packets) continue;
      if (s.dispatches && !s.ring) {
        n = spread(*s.slot, self_, w_.nworkers, pkts_.data(), n, *dp.ports[s.plan_port]);
        if (n == 0) continue;
      }
      if (!engine_resets) {
        // The annotations' bytes in the mbuf hold whatever its last user left.
        for (std::uint16_t i = 0; i < n; ++i) new (anno_of(pkts_[i])) PacketAnno{};
      }
      processed_ += n;
      engine.process(s.element, pkts_.data(), n);
      dp.flush_all();
      if (!w_.first_packet_tsc) [[unlikely]]
        w_.first_packet_tsc = rte_rdtsc();
    }
    // The tasks (pull chains, docs/queues.md): once a pass, after the sources. Not once the
    // worker is out: a natural end waited for the queues to empty, and a stopped run drops what
    // they hold (finish); a packet-making task (InfiniteSource) would otherwise never let the
    // last pass come. Except a task that drains a queue the other workers push into (a pipeline
    // stage, StaticThreadSched): like the dispatch rings, it runs until every worker is out.
    if (!g_->pullers.empty()) {
      PullRunner& pull = *g_->pullers[self_];
      const std::uint64_t moved = pull.run_tasks(out_);
      if (moved) dp.flush_all();  // `processed` counts received packets: these were, once
      got_packets += moved;
      if (!pull.stop_requested_by().empty() && !out_) {  // a source's LIMIT with STOP true
        if (detail::driver_managed()) {                  // the DRIVER script decides (docs/control.md)
          pull.clear_stop();
          detail::post_stop_event();
        } else {
          leave(fmt::format("{} reached its LIMIT (STOP true)", pull.stop_requested_by()));
          g_stop = true;
        }
      }
    }
    // A finished input's packets may still wait in a Queue: the end is when they all left.
    if (!out_ && finite_ && ended == g_->sources[self_].size() &&
        (g_->pullers.empty() || !g_->pullers[self_]->holding()))
      leave("every input file was read to its end");
    return got_packets;
  }

  enum class Polled { Nothing, Packets, Ended, Stop };

  // A ring holds packets a reader received: always emptied, also while paused or out.
  Polled poll_ring(const Source& s, std::size_t si, std::uint16_t& n) {
    if (done_[si] && !out_) return Polled::Ended;
    n = static_cast<std::uint16_t>(
        rte_ring_dequeue_burst(s.ring, reinterpret_cast<void**>(pkts_.data()), s.burst, nullptr));
    if (n) return Polled::Packets;
    // Its reader saw the end of the file before this look at an empty ring: the end.
    if (s.finite && s.slot->rx_ended.load(std::memory_order_acquire) && rte_ring_count(s.ring) == 0) {
      done_[si] = 1;
      return Polled::Ended;
    }
    return Polled::Nothing;
  }

  // Up to `want` packets from the device into out[], within --packets' budget; for a file, those
  // within its time window (apply_window).
  std::uint16_t receive(const Source& s, std::size_t si, rte_mbuf** out, std::uint64_t want) {
    WindowState& win = window_[si];
    win.skipped_all = false;
    if (win.ended) return 0;  // the record at the window's end was read: nothing after it is
    // Under --packets, ask for no more than the limit leaves: what a driver hands over is
    // received, and must be processed and counted, never freed unseen (but for records outside
    // a file's window, which are counted as skipped, and not against the limit).
    if (w_.packet_limit && (want = take_budget(*w_.budget, want)) == 0) return 0;
    std::uint16_t n = rte_eth_rx_burst(s.port_id, s.queue, out, static_cast<std::uint16_t>(want));
    if (n && s.finite && (s.window.any() || !win.emitted)) {
      n = apply_window(s, win, out, n, *g_->dps[self_]->ports[s.plan_port]);
      win.skipped_all = n == 0 && !win.ended;
    }
    if (w_.packet_limit && n < want) w_.budget->fetch_add(want - n, std::memory_order_relaxed);
    // The worker whose packets complete the limit stops the run (each packet counted once).
    if (w_.packet_limit && n && w_.received->fetch_add(n) + n == w_.packet_limit) {
      leave(fmt::format("--packets {} reached", w_.packet_limit));
      g_stop = true;
    }
    return n;
  }

  // FromDump(TIMING true): the packets whose time has come, one record at a time; the first whose
  // time has not come is held (PaceClock::held) until it has.
  std::uint16_t receive_paced(const Source& s, std::size_t si, std::uint16_t want) {
    PaceClock& c = paced_[si];
    std::uint16_t n = 0;
    while (n < want) {
      rte_mbuf* m = c.held;
      c.held = nullptr;
      if (!m && receive(s, si, &m, 1) == 0) break;
      std::uint64_t us = 0;
      if (detail::PcapWriter::record_time_us(m, us)) {
        const std::uint64_t now = rte_rdtsc();
        if (!c.started) {
          c.started = true;
          c.first_us = us;
          c.first_tsc = now;
        } else if (us > c.first_us) {
          const std::uint64_t due = c.first_tsc + (us - c.first_us) * (rte_get_tsc_hz() / 1000000);
          if (now < due) {
            c.held = m;
            break;
          }
        }
      }
      pkts_[n++] = m;
    }
    return n;
  }

  // FromDump's time window over records just read (out[0..n), in file order): skips those stamped
  // before its start until one is not, and ends the file at the first stamped at or past its end,
  // which is freed with the rest of the burst. Without a window it only notes the trace's first
  // record, which a reload may add one relative to. Returns how many stay, in order, at the front.
  std::uint16_t apply_window(const Source& s, WindowState& win, rte_mbuf** out, std::uint16_t n, PortCounters& c) {
    using From = compiler::TraceWindow::From;
    const compiler::TraceWindow& w = s.window;
    std::uint16_t kept = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
      std::uint64_t us = 0;
      if (detail::PcapWriter::record_time_us(out[i], us)) {  // net_pcap stamps every record
        if (!win.seen_first) {
          win.seen_first = true;
          win.first_us = us;
        }
        if (!win.emitted && w.start_from != From::None && us < window_start(w, win)) {
          rte_pktmbuf_free(out[i]);
          add_counter(c.skipped, 1);
          continue;
        }
        if (w.end_from != From::None && us >= window_end(w, win)) {
          win.ended = true;
          rte_pktmbuf_free_bulk(out + i, static_cast<unsigned>(n - i));
          add_counter(c.skipped, n - i);
          break;
        }
      }
      win.emitted = true;
      out[kept++] = out[i];
    }
    return kept;
  }

  static std::uint64_t plus(std::uint64_t a, std::uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }
  // The window's start on the trace's clock (the first record's time when it has none).
  static std::uint64_t window_start(const compiler::TraceWindow& w, const WindowState& win) {
    using From = compiler::TraceWindow::From;
    return w.start_from == From::Epoch         ? w.start_us
           : w.start_from == From::FirstRecord ? plus(win.first_us, w.start_us)
                                               : win.first_us;
  }
  static std::uint64_t window_end(const compiler::TraceWindow& w, const WindowState& win) {
    using From = compiler::TraceWindow::From;
    switch (w.end_from) {
      case From::Epoch:
        return w.end_us;
      case From::FirstRecord:
        return plus(win.first_us, w.end_us);
      case From::Start:
        return plus(window_start(w, win), w.end_us);
      case From::None:
        break;
    }
    return UINT64_MAX;
  }

  // Sends a held record on at once, with the generation it was received for (a switch, the end).
  void release_held(std::size_t si) {
    if (si >= paced_.size() || !paced_[si].held) return;
    const Source& s = g_->sources[self_][si];
    Dataplane& dp = *g_->dps[self_];
    pkts_[0] = paced_[si].held;
    paced_[si].held = nullptr;
    std::uint16_t n = 1;
    add_counter(dp.ports[s.plan_port]->rx, 1);
    if (s.dispatches) n = spread(*s.slot, self_, w_.nworkers, pkts_.data(), n, *dp.ports[s.plan_port]);
    if (n == 0) return;
    if (!g_->engines[self_]->resets_annotations()) new (anno_of(pkts_[0])) PacketAnno{};
    processed_ += n;
    g_->engines[self_]->process(s.element, pkts_.data(), n);
    dp.flush_all();
  }

  Polled poll_device(const Source& s, std::size_t si, Dataplane& dp, std::uint16_t& n) {
    if (out_) {
      release_held(si);  // the end: a held record is not lost, it leaves now
      return Polled::Nothing;
    }
    if (done_[si]) return Polled::Ended;
    if (window_[si].ended) return input_ended(s, si, true);                  // its window's end: the file's
    if (!s.active->load(std::memory_order_relaxed)) return Polled::Nothing;  // paused: not ended either
    n = s.timing ? receive_paced(s, si, s.burst) : receive(s, si, pkts_.data(), s.burst);
    if (n == 0 && s.timing && paced_[si].held) return Polled::Nothing;  // waiting for its time: not the end
    if (n == 0) {
      if (window_[si].ended) return input_ended(s, si, true);
      if (window_[si].skipped_all) return Polled::Nothing;  // records before START: not the end
      // A pcap file at its end returns nothing; so does an empty mempool, which is not the end.
      if (s.finite && rte_mempool_avail_count(dp.pool) >= 2 * w_.burst * w_.nworkers) return input_ended(s, si, false);
      return Polled::Nothing;
    }
    add_counter(dp.ports[s.plan_port]->rx, n);
    add_counter(dp.ports[s.plan_port]->rx_bursts, 1);
    return Polled::Packets;
  }

  // A file read to its end, or to its window's end: the source has ended.
  Polled input_ended(const Source& s, std::size_t si, bool window_end) {
    done_[si] = 1;
    if (s.dispatches) s.slot->rx_ended.store(true, std::memory_order_release);
    if (s.stop && detail::driver_managed()) {  // a stop event: the DRIVER script decides
      detail::post_stop_event();
    } else if (s.stop) {  // Click's FromDump(STOP true): the router stops, devices and all
      leave(fmt::format("{} {} (STOP true)", g_->plan->elements[s.element].name,
                        window_end ? "reached the end of its time window" : "was read to its end"));
      g_stop = true;
      return Polled::Stop;
    }
    return Polled::Nothing;
  }

  void leave(std::string reason) {
    if (w_.stop_reason.empty()) w_.stop_reason = std::move(reason);
    if (!out_) {
      out_ = true;
      w_.exited->fetch_add(1, std::memory_order_acq_rel);
    }
  }

  bool all_finite(const Generation& gen) const {
    bool f = !gen.sources[self_].empty();
    for (const Source& s : gen.sources[self_]) f &= s.finite;
    return f;
  }

  // ---- measurement and reporting, apart from the work ----

  // For nbctl stats and the progress line (worker 0 adds the run's totals).
  void publish_progress() {
    w_.processed.store(processed_, std::memory_order_relaxed);
    w_.live_cycles.store(rte_rdtsc() - tsc_start_, std::memory_order_relaxed);
    if (self_ == 0) {
      std::uint64_t rx = 0, all_tx = 0, dropped = 0;
      for (std::uint32_t k = 0; k < g_->nworkers(); ++k) {
        for (const auto& p : g_->dps[k]->ports) all_tx += load_counter(p->tx);
        dropped += g_->dps[k]->total_drops();
      }
      for (const auto& slot : g_->ports) rx += port_totals(*slot).rx;
      w_.live->rx.store(rx, std::memory_order_relaxed);
      w_.live->tx.store(all_tx, std::memory_order_relaxed);
      w_.live->dropped.store(dropped, std::memory_order_relaxed);
    }
    if (w_.tick) w_.tick(w_.tick_arg);
  }

  // The quiescent state, and what a reload under way measures: the longest gap between the ends
  // of two passes, and the gap around the switch.
  void end_of_pass() {
    if (w_.qsv) rte_rcu_qsbr_quiescent(w_.qsv, w_.rcu_id);
    if (epoch_ & 1) {
      const std::uint64_t now = rte_rdtsc();
      if (prev_end_ && now - prev_end_ > max_gap_) {
        max_gap_ = now - prev_end_;
        w_.max_gap_tsc.store(max_gap_, std::memory_order_relaxed);
      }
      prev_end_ = now;
    }
    if (first_pass_pending_) {
      first_pass_pending_ = false;
      w_.switch_gap_tsc.store(last_old_end_ && prev_end_ > last_old_end_ ? prev_end_ - last_old_end_ : 0,
                              std::memory_order_relaxed);
      w_.first_done_gen.store(g_->id, std::memory_order_release);
    }
  }

  void finish() {
    g_->dps[self_]->flush_all();
    // What a Queue still holds when the run stops early (a signal, --duration) is dropped, and
    // counted: rx + generated == tx + dropped holds to the end.
    if (!g_->pullers.empty()) g_->pullers[self_]->drop_held();
    w_.cycles = rte_rdtsc() - tsc_start_;
    w_.processed.store(processed_, std::memory_order_relaxed);
    w_.live_cycles.store(w_.cycles, std::memory_order_relaxed);
    if (w_.stop_reason.empty()) w_.stop_reason = "stopped";
    if (w_.qsv) {
      rte_rcu_qsbr_thread_offline(w_.qsv, w_.rcu_id);
      rte_rcu_qsbr_thread_unregister(w_.qsv, w_.rcu_id);
    }
    w_.finished = true;
  }

  Worker& w_;
  const std::uint32_t self_;
  Generation* g_;
  std::vector<rte_mbuf*> pkts_;
  std::vector<char> done_;  // per source of g_: read to its end
  // Per source of g_, for FromDump(TIMING true): the trace's clock, and the record waiting for
  // its time.
  struct PaceClock {
    bool started = false;
    std::uint64_t first_us = 0, first_tsc = 0;
    rte_mbuf* held = nullptr;
  };
  std::vector<PaceClock> paced_;
  std::vector<WindowState> window_;  // per source of g_, for a file (a reload keeps it)
  std::uint64_t processed_ = 0, iterations_ = 0;
  const std::uint64_t tsc_start_;
  std::uint64_t epoch_ = 0, max_gap_ = 0, prev_end_ = 0, last_old_end_ = 0;
  bool first_pass_pending_ = false;
  bool out_ = false;  // counted in w_.exited: reads no device any more
  bool finite_;
};

int worker_main(void* arg) { return WorkerLoop(*static_cast<Worker*>(arg)).run(); }

void on_signal(int) {
  g_interrupted = true;
  g_stop = true;
}

bool is_number(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// DPDK keeps its runtime files under /run/dpdk/<prefix> (often RAM) and leaves them at exit;
// the prefix is nbrun's own unless the user chose one, so nbrun removes them.
std::string g_owned_runtime_dir;

void cleanup_eal() {
  rte_eal_cleanup();
  if (!g_owned_runtime_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(g_owned_runtime_dir, ec);
    g_owned_runtime_dir.clear();
  }
}

bool start_eal(const RunOptions& o, std::string& error) {
  std::vector<std::string> args{"nbrun"};
  bool has_prefix = false;
  for (const std::string& a : o.eal_args) has_prefix |= a.rfind("--file-prefix", 0) == 0;
  if (o.eal_args.empty()) {
    // The embedded default: no NIC, no hugepages, two lcores (main + one worker) when we can.
    // More workers are mapped onto the CPUs round robin (lcore k on CPU k mod CPUs, the main
    // lcore on CPU 0), so that --workers may exceed the CPUs for testing.
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::uint32_t workers = o.workers ? o.workers : std::max(1u, cores - 1);
    std::string lcores;
    if (workers == 1) {
      lcores = cores >= 2 ? "0-1" : "0";
      args.insert(args.end(), {"-l", lcores});
    } else {
      for (std::uint32_t k = 0; k <= workers; ++k) lcores += fmt::format("{}{}@{}", k ? "," : "", k, k % cores);
      args.insert(args.end(), {"--lcores", lcores});
    }
    args.insert(args.end(), {"--no-huge", "-m", workers > 1 ? "1024" : "512", "--no-pci", "--no-telemetry",
                             "--log-level=*:warning"});
  } else {
    args.insert(args.end(), o.eal_args.begin(), o.eal_args.end());
  }
  // Several nbrun at once must not share DPDK's runtime files.
  if (!has_prefix) args.push_back(fmt::format("--file-prefix=nb-{}", getpid()));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = detail::init_eal(static_cast<int>(args.size()), argv.data());
  if (!has_prefix && rte_eal_get_runtime_dir()[0] != '\0') g_owned_runtime_dir = rte_eal_get_runtime_dir();
  if (rc < 0) {
    error = fmt::format("DPDK initialisation failed: {}", rte_strerror(rte_errno));
    if (!has_prefix) {
      std::error_code ec;
      std::filesystem::remove_all(fmt::format("/run/dpdk/nb-{}", getpid()), ec);
    }
    return false;
  }
  return true;
}

// Reserves the mbuf bytes that hold packet annotations (packet.hpp) in DPDK's dynamic field
// registry, so that no driver or library registers a field over them.
bool reserve_anno_field(std::string& error) {
  rte_mbuf_dynfield field{};
  std::snprintf(field.name, sizeof field.name, "nb_packet_anno");
  field.size = sizeof(PacketAnno);
  field.align = alignof(PacketAnno);
  if (rte_mbuf_dynfield_register_offset(&field, kAnnoOffset) < 0) {
    error = fmt::format("cannot reserve bytes {}..{} of the mbuf for packet annotations: {}", kAnnoOffset,
                        kAnnoOffset + sizeof(PacketAnno) - 1, rte_strerror(rte_errno));
    return false;
  }
  return true;
}

std::uint32_t round_pool(std::uint64_t n) {
  std::uint32_t p = 4095;
  while (p < n && p < 262143) p = p * 2 + 1;
  return p;
}

// FromDump's file, read through once before DPDK's net_pcap reads it, because net_pcap takes a
// read error for the end of the file (a damaged capture would look like a short one), reads any
// link type as Ethernet, and overruns its buffers on a record over 65,535 bytes (its jumbo-frame
// path counts in 16 bits). Only regular files: a FIFO would block, or be consumed by this check.
bool check_capture(const compiler::PlanPort& p, std::uint32_t buffer_room, std::string& why) {
  int fd = ::open(p.file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    why = fmt::format("cannot open '{}': {}", p.file, std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = fmt::format("'{}' is {}: FromDump reads regular capture files", p.file, lang::file_kind(st.st_mode));
    ::close(fd);
    return false;
  }
  FILE* f = ::fdopen(fd, "rb");
  if (!f) {
    why = fmt::format("cannot open '{}': {}", p.file, std::strerror(errno));
    ::close(fd);
    return false;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_fopen_offline(f, err);
  if (!pc) {
    std::fclose(f);
    why = fmt::format("'{}' is not a readable capture: {}", p.file, err);
    return false;
  }
  bool ok = true;
  int link = pcap_datalink(pc);
  // Ethernet frames, or raw IP packets (LINKTYPE_RAW, what ToDump(ENCAP IP) writes): each packet
  // then starts at its IP header, as in Click (CheckIPHeader's OFFSET 0). Others are refused.
  if (link != DLT_EN10MB && link != DLT_RAW) {
    const char* name = pcap_datalink_val_to_name(link);
    const char* desc = pcap_datalink_val_to_description(link);
    why = fmt::format(
        "'{}' holds {} frames (link type {}{}), neither Ethernet nor raw IP: nb's elements read "
        "packets that start at one of those headers",
        p.file, desc ? desc : "non-Ethernet", name ? name : "", name ? "" : std::to_string(link));
    ok = false;
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  std::uint64_t n = 0;
  int rc = 1;
  while (ok && (rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
    ++n;
    if (hdr->caplen > kMaxCaptureFrame) {
      why = fmt::format("record {} of '{}' is a {}-byte frame: DPDK's net_pcap, which reads FromDump's files, "
                        "carries frames of at most {} bytes",
                        n, p.file, hdr->caplen, kMaxCaptureFrame);
      ok = false;
    } else if (p.loop && hdr->caplen > buffer_room) {
      why = fmt::format("record {} of '{}' is a {}-byte frame: with LOOP true every frame must fit one packet "
                        "buffer ({} bytes); without LOOP, longer frames travel as chained buffers",
                        n, p.file, hdr->caplen, buffer_room);
      ok = false;
    }
  }
  if (ok && rc == PCAP_ERROR) {
    why = fmt::format("'{}' is not a readable capture: {} (after {} good packets)", p.file, pcap_geterr(pc), n);
    ok = false;
  }
  pcap_close(pc);
  return ok;
}

// The longest frame in a capture and how many it holds, or zeros (problems are reported when the
// port opens).
struct CaptureSize {
  std::uint32_t largest = 0;
  std::uint64_t frames = 0;
};
CaptureSize capture_size(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  FILE* f = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ::fdopen(fd, "rb") : nullptr;
  if (!f) {
    ::close(fd);
    return {};
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_fopen_offline(f, err);
  if (!pc) {
    std::fclose(f);
    return {};
  }
  CaptureSize size;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(pc, &hdr, &data) == 1) {
    size.largest = std::max(size.largest, hdr->caplen);
    ++size.frames;
  }
  pcap_close(pc);
  return size;
}

// ToDump's port: a net_ring device whose ring a PcapWriter drains into the file.
bool open_dump_port(const compiler::PlanPort& p, std::uint64_t serial, PortSlot& slot, std::uint16_t& id,
                    lang::DiagnosticEngine& diags) {
  std::string error;
  slot.snaplen = p.snaplen;
  auto writer = PcapWriter::open(p.file, fmt::format("{} (ToDump)", p.name), p.snaplen, p.linktype, error);
  if (!writer) {
    diags.error(p.arg_span, error);
    return false;
  }
  std::string ring_name = fmt::format("nb_dump{}", serial);
  // Room for several bursts of every worker; a writer that falls behind (a slow FIFO reader)
  // shows as the port's tx drops rather than a stalled worker.
  // RTS enqueue: producers (workers) preempted mid-enqueue do not make the others spin.
  slot.ring = rte_ring_create(ring_name.c_str(), kDumpRingSize, static_cast<int>(rte_socket_id()),
                              RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
  if (!slot.ring) {
    diags.error(p.arg_span, fmt::format("cannot create the ring for '{}': {}", p.file, rte_strerror(rte_errno)));
    return false;
  }
  int port = rte_eth_from_ring(slot.ring);
  if (port < 0) {
    diags.error(p.arg_span, fmt::format("cannot create the net_ring port for '{}': {}", p.file, rte_strerror(rte_errno)));
    rte_ring_free(slot.ring);
    slot.ring = nullptr;
    return false;
  }
  id = static_cast<std::uint16_t>(port);
  slot.vdev_name = "net_ring_" + ring_name;
  writer->start(slot.ring);
  slot.writer = std::move(writer);
  return true;
}

// Opens, configures and starts the DPDK port for `p`. Reports problems at the port's argument.
bool open_port(const compiler::PlanPort& p, const RunOptions& o, rte_mempool* pool, std::uint64_t serial,
               std::uint32_t nworkers, std::uint32_t& next_reader, PortSlot& slot, lang::DiagnosticEngine& diags) {
  std::uint16_t id = kNoPort;
  slot.finite = p.kind == compiler::PlanPort::Kind::PcapIn && !p.loop;
  slot.active.store(p.active, std::memory_order_relaxed);
  if (p.kind == compiler::PlanPort::Kind::PcapOut) {
    if (!open_dump_port(p, serial, slot, id, diags)) return false;
  } else if (p.kind == compiler::PlanPort::Kind::PcapIn) {
    if (p.file.find(',') != std::string::npos) {
      diags.error(p.arg_span, fmt::format("pcap file names cannot contain ',' (DPDK's net_pcap arguments): '{}'", p.file));
      return false;
    }
    std::string why;
    if (!check_capture(p, rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM, why)) {
      diags.error(p.arg_span, why);
      return false;
    }
    std::string name = fmt::format("net_pcap_nb{}", serial);
    std::string args = fmt::format("rx_pcap={}{}", p.file, p.loop ? ",infinite_rx=1" : "");
    if (rte_vdev_init(name.c_str(), args.c_str()) != 0) {
      diags.error(p.arg_span, fmt::format("cannot read '{}' as a pcap file", p.file))
          .note("DPDK's net_pcap device refused it");
      return false;
    }
    slot.vdev_name = name;
    if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) id = kNoPort;
    if (id != kNoPort) PcapWriter::stamps_microseconds(id);
  } else if (p.host) {
    detail::HostVdev v;
    std::string why;
    if (!detail::host_vdev(p, serial, v, why)) {
      diags.error(p.arg_span, why);
      return false;
    }
    if (rte_vdev_init(v.name.c_str(), v.args.c_str()) != 0 || rte_eth_dev_get_port_by_name(v.name.c_str(), &id) != 0) {
      diags.error(p.arg_span, fmt::format("cannot make the {} interface '{}' (DPDK's net_{})", p.tun ? "tun" : "tap",
                                          v.iface, p.tun ? "tun" : "tap"))
          .note("making a kernel interface needs CAP_NET_ADMIN and /dev/net/tun");
      return false;
    }
    slot.vdev_name = v.name;
    slot.host_iface = v.iface;
    slot.host_settings = detail::host_settings(p);
  } else if (is_number(p.device)) {
    unsigned long v = std::stoul(p.device);
    if (v >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(static_cast<std::uint16_t>(v))) {
      diags.error(p.arg_span, fmt::format("there is no DPDK port {} ({} ports available)", p.device,
                                          rte_eth_dev_count_avail()))
          .note("pass devices to DPDK after '--', e.g. nbrun cfg.nbc -- -a 0000:01:00.0, or name a vdev such as net_tap0,iface=nb0");
      return false;
    }
    id = static_cast<std::uint16_t>(v);
  } else if (rte_eth_dev_get_port_by_name(p.device.c_str(), &id) != 0) {
    std::string name = p.device.substr(0, p.device.find(','));
    std::string args = p.device.find(',') == std::string::npos ? "" : p.device.substr(p.device.find(',') + 1);
    // A Linux interface's name, as Click's FromDevice(eth0) writes it: DPDK's net_af_packet on it.
    if (args.empty() && name.rfind("net_", 0) != 0 && if_nametoindex(name.c_str()) != 0) {
      args = "iface=" + name;
      name = "net_af_packet_" + name;
    }
    if (rte_vdev_init(name.c_str(), args.c_str()) != 0 || rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) {
      diags.error(p.arg_span, fmt::format("cannot create DPDK device '{}'", p.device))
          .note("virtual devices look like net_null0, net_ring0, net_tap0,iface=nb0 or net_af_packet0,iface=veth0; "
                "PCI devices must be passed to DPDK after '--' with -a");
      return false;
    }
    slot.vdev_name = name;
    // SNIFFER false: a packet socket reads the interface, and the kernel must not also take the
    // frames (a DPDK-owned port's frames never reach the kernel: nothing to do there).
    if (p.hide_from_kernel && name.rfind("net_af_packet", 0) == 0) {
      std::string iface;
      for (std::size_t at = 0; at <= args.size();) {
        const std::size_t comma = std::min(args.find(',', at), args.size());
        if (args.compare(at, 6, "iface=") == 0) iface = args.substr(at + 6, comma - at - 6);
        at = comma + 1;
      }
      std::string why;
      if (!iface.empty() && !slot.kernel_filter.install(iface, why)) {
        diags.error(p.arg_span, fmt::format("SNIFFER false: {}", why))
            .note(
                "keeping the kernel from an interface's frames needs CAP_NET_ADMIN and CAP_BPF (root); or leave "
                "SNIFFER out, and the kernel sees the frames too");
        rte_vdev_uninit(name.c_str());
        slot.vdev_name.clear();
        return false;
      }
    }
  }
  if (id == kNoPort) {
    diags.error(p.arg_span, "the DPDK device was created but has no port");
    return false;
  }
  slot.id = id;
  slot.hide_from_kernel = p.hide_from_kernel;
  rte_eth_dev_info info;
  if (rte_eth_dev_info_get(id, &info) != 0) {
    diags.error(p.arg_span, "cannot query the DPDK device");
    return false;
  }
  // Queues 0..QUEUE exist so that QUEUE can be set up; only QUEUE is polled or sent on.
  if (p.rx && p.rx_queue >= info.max_rx_queues) {
    diags.error(p.arg_span, fmt::format("the device has {} receive queue{}: QUEUE {} does not exist",
                                        info.max_rx_queues, info.max_rx_queues == 1 ? "" : "s", p.rx_queue));
    return false;
  }
  if (p.tx && p.tx_queue >= info.max_tx_queues) {
    diags.error(p.arg_span, fmt::format("the device has {} transmit queue{}: QUEUE {} does not exist",
                                        info.max_tx_queues, info.max_tx_queues == 1 ? "" : "s", p.tx_queue));
    return false;
  }
  std::uint16_t nrx = p.rx ? static_cast<std::uint16_t>(p.rx_queue + 1) : 0;
  std::uint16_t ntx = p.tx ? static_cast<std::uint16_t>(p.tx_queue + 1) : 0;
  // Several workers: a queue each where the device has them (QUEUE, QUEUE+1, ...), else one
  // worker reads and spreads the packets (software dispatch) and the workers share the transmit
  // queue. A pcap file has one queue by nature; a device saying so is worth a line on stderr.
  slot.worker_counters.resize(nworkers);
  for (std::uint32_t w = 1; w < nworkers; ++w) slot.worker_counters[w] = std::make_shared<PortCounters>();
  // net_af_packet puts all its qpairs sockets into one kernel fanout group when it is created:
  // the kernel spreads frames over every queue, configured or not. So every queue is polled
  // (queue q by worker q mod N), and QUEUE, which would leave the others unread, must be 0.
  slot.all_queues = p.rx && p.kind == compiler::PlanPort::Kind::Device && info.driver_name &&
                    std::string_view(info.driver_name) == "net_af_packet" && info.max_rx_queues > 1;
  if (slot.all_queues) {
    if (p.rx_queue != 0) {
      diags.error(p.arg_span, fmt::format("{} spreads received frames over all its {} queues (qpairs): QUEUE {} would "
                                          "leave the others unread",
                                          p.device, info.max_rx_queues, p.rx_queue))
          .note("leave QUEUE out: nbrun polls every queue, spread over the workers");
      return false;
    }
    nrx = info.max_rx_queues;
  } else if (nworkers > 1 && p.rx) {
    if (p.kind == compiler::PlanPort::Kind::Device && info.max_rx_queues >= p.rx_queue + nworkers) {
      nrx = static_cast<std::uint16_t>(p.rx_queue + nworkers);
    } else {
      slot.dispatch = true;
      slot.reader = next_reader++ % nworkers;
      if (p.kind == compiler::PlanPort::Kind::Device)
        fmt::print(stderr,
                   "nbrun: {} has {} receive queue{} (QUEUE {} + {} workers need {}): worker {} reads it and spreads "
                   "the packets over the workers by flow (software dispatch)\n",
                   p.device, info.max_rx_queues, info.max_rx_queues == 1 ? "" : "s", p.rx_queue, nworkers,
                   p.rx_queue + nworkers, slot.reader);
    }
  }
  if (nworkers > 1 && p.tx) {
    if (p.kind == compiler::PlanPort::Kind::Device && info.max_tx_queues >= p.tx_queue + nworkers) {
      ntx = static_cast<std::uint16_t>(p.tx_queue + nworkers);
      slot.tx_per_worker = true;
    } else {
      slot.tx_locked = slot.ring == nullptr;  // ToDump's ring takes several producers itself
    }
  }
  // Some drivers want at least one queue of each kind.
  if (nrx == 0 && info.max_rx_queues > 0 && ntx == 0) nrx = 1;
  // net_tap pairs its queues (one file descriptor each): as many receive as transmit queues.
  if (p.host) nrx = ntx = std::max<std::uint16_t>({nrx, ntx, 1});
  rte_eth_conf conf{};
  std::uint8_t rss_key[sizeof nb::kSymmetricRssKey];
  const bool multi_rx = nworkers > 1 && p.rx && !slot.dispatch;
  slot.steer = multi_rx && !info.flow_type_rss_offloads;
  if (multi_rx && info.flow_type_rss_offloads) {
    // The symmetric key: both directions of a flow reach the same worker.
    std::memcpy(rss_key, nb::kSymmetricRssKey, sizeof rss_key);
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = rss_key;
    conf.rx_adv_conf.rss_conf.rss_key_len =
        static_cast<std::uint8_t>(info.hash_key_size && info.hash_key_size <= sizeof rss_key ? info.hash_key_size : 40);
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_SCTP) & info.flow_type_rss_offloads;
  }
  int rc = rte_eth_dev_configure(id, nrx, ntx, &conf);
  if (rc != 0 && (nrx == 0 || ntx == 0)) {
    nrx = info.max_rx_queues ? 1 : 0;
    ntx = info.max_tx_queues ? 1 : 0;
    rc = rte_eth_dev_configure(id, nrx, ntx, &conf);
  }
  if (rc != 0) {
    diags.error(p.arg_span, fmt::format("cannot configure the DPDK device: {}", rte_strerror(-rc)));
    return false;
  }
  slot.nrx = nrx;
  slot.ntx = ntx;
  std::uint16_t rxd = static_cast<std::uint16_t>(p.rx_desc ? p.rx_desc : o.rx_desc);
  std::uint16_t txd = static_cast<std::uint16_t>(p.tx_desc ? p.tx_desc : o.tx_desc);
  rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
  slot.rx_desc = nrx ? rxd : 0;
  slot.tx_desc = ntx ? txd : 0;
  int socket = rte_eth_dev_socket_id(id);
  if (socket < 0) socket = static_cast<int>(rte_socket_id());
  for (std::uint16_t q = 0; q < nrx; ++q) {
    if ((rc = rte_eth_rx_queue_setup(id, q, rxd, static_cast<unsigned>(socket), nullptr, pool)) != 0) {
      diags.error(p.arg_span, fmt::format("cannot set up the receive queue: {}", rte_strerror(-rc)));
      return false;
    }
  }
  for (std::uint16_t q = 0; q < ntx; ++q) {
    if ((rc = rte_eth_tx_queue_setup(id, q, txd, static_cast<unsigned>(socket), nullptr)) != 0) {
      diags.error(p.arg_span, fmt::format("cannot set up the transmit queue: {}", rte_strerror(-rc)));
      return false;
    }
  }
  if (p.host && p.host_mtu) {
    // The frames the kernel sends must fit one mbuf: nbrun sets up no scattered receive.
    const std::uint32_t room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
    const std::uint32_t link = p.tun ? 0 : RTE_ETHER_HDR_LEN;
    if (p.host_mtu + link > room) {
      diags.error(p.arg_span, fmt::format("MTU {} does not fit nbrun's packet buffers ({} bytes{})", p.host_mtu, room,
                                          p.tun ? "" : " with the Ethernet header"));
      return false;
    }
    if ((rc = rte_eth_dev_set_mtu(id, static_cast<std::uint16_t>(p.host_mtu))) != 0) {
      diags.error(p.arg_span, fmt::format("cannot set interface '{}' to MTU {}: {}", slot.host_iface, p.host_mtu,
                                          rte_strerror(-rc)));
      return false;
    }
  }
  if ((rc = rte_eth_dev_start(id)) != 0) {
    diags.error(p.arg_span, fmt::format("cannot start the DPDK device: {}", rte_strerror(-rc)));
    return false;
  }
  slot.started = true;
  if (p.host) {
    std::string why;
    if (!detail::configure_host_iface(p, slot.host_iface, why)) {
      diags.error(p.arg_span, why);
      return false;
    }
  }
  if (multi_rx && !slot.steer) {
    // The redirection table: hash entry j to the queue of worker (j mod 128) mod N, the rule
    // software dispatch and elements use (nb::worker_of_hash). A device that takes no table
    // keeps its own spreading, which the workers then re-steer.
    std::vector<rte_eth_rss_reta_entry64> reta(std::max<std::size_t>(1, (info.reta_size + RTE_ETH_RETA_GROUP_SIZE - 1) /
                                                                           RTE_ETH_RETA_GROUP_SIZE));
    for (std::uint32_t j = 0; j < info.reta_size; ++j) {
      auto& e = reta[j / RTE_ETH_RETA_GROUP_SIZE];
      e.mask |= 1ull << (j % RTE_ETH_RETA_GROUP_SIZE);
      e.reta[j % RTE_ETH_RETA_GROUP_SIZE] =
          static_cast<std::uint16_t>(p.rx_queue + nb::worker_of_hash(j % nb::kRedirectionEntries, nworkers));
    }
    if (info.reta_size == 0 || rte_eth_dev_rss_reta_update(id, reta.data(), info.reta_size) != 0) slot.steer = true;
  }
  if (slot.dispatch || slot.steer) {
    slot.rings.assign(nworkers, nullptr);
    for (std::uint32_t w = 0; w < nworkers; ++w) {
      if (slot.dispatch && w == slot.reader) continue;
      std::string name = fmt::format("nb_disp{}_{}", serial, w);
      // Dispatch: one producer (the reader). Steering: every worker may hand packets to w.
      unsigned flags = slot.dispatch ? RING_F_SP_ENQ | RING_F_SC_DEQ : RING_F_MP_RTS_ENQ | RING_F_SC_DEQ;
      slot.rings[w] = rte_ring_create(name.c_str(), kDispatchRingSize, socket, flags);
      if (!slot.rings[w]) {
        diags.error(p.arg_span, fmt::format("cannot create the dispatch ring for worker {}: {}", w, rte_strerror(rte_errno)));
        return false;
      }
    }
  }
  if (p.promisc && (rc = rte_eth_promiscuous_enable(id)) != 0) {
    diags.error(p.arg_span, fmt::format("cannot put the device in promiscuous mode (PROMISC true): {}", rte_strerror(-rc)));
    return false;
  }
  return true;
}

void tick_trampoline(void* p);

}  // namespace

namespace detail {

std::string port_key(const compiler::PlanPort& p) {
  switch (p.kind) {
    case compiler::PlanPort::Kind::PcapIn: return fmt::format("pcap-in:{}:{}", p.loop ? "loop" : "once", p.file_key);
    case compiler::PlanPort::Kind::PcapOut: return "pcap-out:" + p.file_key;
    case compiler::PlanPort::Kind::Device:
      if (p.host) return p.device.empty() ? "host@" + p.name : "host:" + p.device;
      return "device:" + p.device;
  }
  return {};
}

void settle_slot(PortSlot& slot) {
  // Packets a reader handed to a worker that will never poll for them again (a reload removed
  // the port, or the run was interrupted): received, so counted, and dropped.
  for (rte_ring* r : slot.rings) {
    if (!r) continue;
    void* m = nullptr;
    while (rte_ring_dequeue(r, &m) == 0) {
      rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      add_counter(slot.counters->dispatch_dropped, 1);
    }
  }
  if (!slot.writer) return;
  slot.writer->finish();
  std::uint64_t lost = slot.writer->not_written();
  // Whose packets were not written is not known: taken from the workers' counts in turn.
  for (auto& wc : slot.worker_counters) {
    PortCounters& c = *wc;
    std::uint64_t tx = load_counter(c.tx);
    std::uint64_t take = std::min(lost, tx);
    __atomic_store_n(&c.tx, tx - take, __ATOMIC_RELAXED);
    add_counter(c.tx_dropped, take);
    lost -= take;
  }
  slot.write_failure = slot.writer->failure();
  slot.writer.reset();
}

void close_slot(PortSlot& slot) {
  settle_slot(slot);
  if (slot.id != kNoPort) {
    if (slot.started) rte_eth_dev_stop(slot.id);
    // Closing a pcap port closes its dumper, so output files are complete. A virtual device
    // nbrun created is removed too, so a later reload can create it again.
    if (!slot.vdev_name.empty()) rte_vdev_uninit(slot.vdev_name.c_str());
    else rte_eth_dev_close(slot.id);
  } else if (!slot.vdev_name.empty()) {
    rte_vdev_uninit(slot.vdev_name.c_str());
  }
  if (slot.ring) rte_ring_free(slot.ring);
  slot.ring = nullptr;
  for (rte_ring*& r : slot.rings) {
    rte_ring_free(r);
    r = nullptr;
  }
  slot.kernel_filter.remove();
  slot.id = kNoPort;
  slot.started = false;
  slot.vdev_name.clear();
}

bool attach_ports(Runtime& rt, Generation& gen, const Generation* previous, lang::DiagnosticEngine& diags) {
  const compiler::Plan& plan = *gen.plan;
  gen.ports.assign(plan.ports.size(), nullptr);
  std::vector<std::shared_ptr<PortSlot>> opened;
  auto fail = [&] {
    for (auto& s : opened) close_slot(*s);
    gen.ports.clear();
    return false;
  };
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    const compiler::PlanPort& p = plan.ports[i];
    std::string key = port_key(p);
    if (previous) {
      for (const auto& s : previous->ports) {
        // Two inputs reading the same file are two devices: each keeps its own (sharing one would
        // count its packets twice and leave the other's queue unread).
        if (s->key != key || std::find(gen.ports.begin(), gen.ports.begin() + static_cast<std::ptrdiff_t>(i), s) !=
                                 gen.ports.begin() + static_cast<std::ptrdiff_t>(i))
          continue;
        const std::uint32_t nw = rt.nworkers;
        bool rx_short = p.rx && !s->all_queues &&
                        (s->dispatch ? s->rings.empty() && nw > 1 : s->nrx < p.rx_queue + (nw > 1 ? nw : 1));
        bool tx_short = p.tx && (s->tx_per_worker ? s->ntx < p.tx_queue + nw : s->ntx <= p.tx_queue);
        if (rx_short || tx_short) {
          diags.error(p.arg_span, fmt::format("the running graph opened this device without the {} queue{} this "
                                              "graph needs",
                                              rx_short ? "receive" : "transmit", nw > 1 ? "s" : ""))
              .note("a reload keeps devices open as they are; restart nbrun to change how a device is used");
          return fail();
        }
        if (p.host && s->host_settings != host_settings(p)) {
          diags.error(p.arg_span, fmt::format("the running graph made interface '{}' with other settings (address, "
                                              "ETHER, MTU); a reload keeps it as it is",
                                              s->host_iface))
              .note("restart nbrun to change them");
          return fail();
        }
        if (p.rx && p.hide_from_kernel != s->hide_from_kernel) {
          diags
              .error(p.arg_span, fmt::format("the running graph reads this device with SNIFFER {}; a reload keeps the "
                                             "device as it is",
                                             s->hide_from_kernel ? "false" : "true"))
              .note("restart nbrun to change SNIFFER");
          return fail();
        }
        if (p.kind == compiler::PlanPort::Kind::PcapOut && s->snaplen != p.snaplen) {
          diags.error(p.arg_span, fmt::format("the running graph writes this file with SNAPLEN {}; a reload keeps the "
                                              "file open as it is",
                                              s->snaplen))
              .note("restart nbrun to change SNAPLEN, or write to another file");
          return fail();
        }
        gen.ports[i] = s;
        break;
      }
      if (gen.ports[i]) continue;
      // Opening a ToDump file replaces it: never while the running graph still reads it.
      if (p.kind == compiler::PlanPort::Kind::PcapOut) {
        for (std::size_t k = 0; k < previous->plan->ports.size(); ++k) {
          const compiler::PlanPort& old = previous->plan->ports[k];
          if (old.kind == compiler::PlanPort::Kind::PcapIn && old.file_key == p.file_key) {
            diags.error(p.arg_span, fmt::format("'{}' is read by the running graph ({}): writing it would destroy "
                                                "its input",
                                                p.file, old.name));
            return fail();
          }
        }
      }
    }
    auto slot = std::make_shared<PortSlot>();
    slot->key = key;
    bool ok = open_port(p, rt.options, rt.pool, rt.next_vdev++, rt.nworkers, rt.next_reader, *slot, diags);
    opened.push_back(slot);
    if (!ok) return fail();
    gen.ports[i] = slot;
  }
  return true;
}

namespace {

// One worker's dataplane of `gen`: its ports' queues and counters, and the State blocks of the
// elements kept from `previous` (by name and class). Fresh State of SharedReadMostly elements
// is left for build_dataplane to copy from worker 0.
void make_worker_dataplane(Runtime& rt, Generation& gen, const Generation* previous, std::uint32_t w) {
  const compiler::Plan& plan = *gen.plan;
  gen.dps[w] = std::make_unique<Dataplane>(plan, rt.pool, rt.options.burst);
  Dataplane& dp = *gen.dps[w];
  dp.worker = w;
  dp.stop = &g_interrupted;
  for (ElementHost& h : dp.hosts) {
    h.host.worker = w;
    h.host.nworkers = rt.nworkers;
  }
  dp.host.worker = w;
  dp.host.nworkers = rt.nworkers;
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    PortSlot& slot = *gen.ports[i];
    dp.tx[i].port_id = slot.id;
    dp.tx[i].queue = static_cast<std::uint16_t>(plan.ports[i].tx_queue + (slot.tx_per_worker ? w : 0));
    dp.tx_waits[i] = slot.writer != nullptr;
    dp.tx_locks[i] = slot.tx_locked ? &slot.tx_lock : nullptr;
    dp.ports[i] = slot.worker_counters[w];
  }
  std::vector<detail::Transfer>& transfers = gen.transfers[w];
  transfers.clear();
  if (!previous) return;
  const Dataplane& old = *previous->dps[w];
  for (std::uint32_t i = 0; i < plan.elements.size(); ++i) {
    const compiler::PlanElement& e = plan.elements[i];
    auto it = previous->by_name.find(e.name);
    if (it == previous->by_name.end()) continue;
    const compiler::PlanElement& oe = previous->plan->elements[it->second];
    if (oe.spec != e.spec || !e.ops) continue;
    if (old.drops[it->second]->size() == dp.drops[i]->size()) dp.drops[i] = old.drops[it->second];
    dp.generated[i] = old.generated[it->second];
    if (e.ops->role != ElementOps::Role::Kernel || !dp.states[i] || !old.states[it->second]) continue;
    const bool same_config = oe.config.size() == e.config.size() &&
                             std::memcmp(oe.config.data(), e.config.data(), e.config.size()) == 0;
    // A block shared by the workers and one of this worker's own are not the same block.
    const bool same_block =
        oe.ops == e.ops && old.states[it->second]->size() == dp.states[i]->size() && oe.shared_state == e.shared_state;
    if (e.ops->transfer && !(same_block && same_config)) {
      transfers.push_back({e.ops->transfer, oe.config.data(), old.state(it->second), e.config.data(), dp.state(i)});
    } else if (same_block && (!e.ops->setup || same_config)) {
      // A State that setup built from the Config (a route table) is kept only with the same
      // Config; otherwise the new element sets up its own.
      dp.states[i] = old.states[it->second];
      if (it->second < old.guards.size()) {
        if (dp.guards.size() < plan.elements.size()) dp.guards.resize(plan.elements.size());
        dp.guards[i] = old.guards[it->second];
      }
    }
  }
}

}  // namespace

bool build_dataplane(Runtime& rt, Generation& gen, const Generation* previous, std::string& error) {
  const compiler::Plan& plan = *gen.plan;
  const std::uint32_t nw = rt.nworkers;
  gen.by_name.clear();
  for (std::uint32_t i = 0; i < plan.elements.size(); ++i) gen.by_name.emplace(plan.elements[i].name, i);
  gen.dps.clear();
  gen.dps.resize(nw);
  gen.transfers.assign(nw, {});
  for (std::uint32_t w = 0; w < nw; ++w) make_worker_dataplane(rt, gen, previous, w);
  // Set-up: per worker, except that a SharedReadMostly element (or a Queue the workers share,
  // PlanElement::shared_state) sets up once (worker 0) and the other workers' fresh blocks start
  // as a byte copy of worker 0's: they share its tables (the Queue: its ring).
  for (std::uint32_t w = 0; w < nw; ++w) {
    Dataplane& dp = *gen.dps[w];
    if (w > 0) {
      const Dataplane& first = *gen.dps[0];
      for (std::uint32_t i = 0; i < plan.elements.size(); ++i) {
        const compiler::PlanElement& e = plan.elements[i];
        if (!e.ops || e.ops->role != ElementOps::Role::Kernel) continue;
        if (e.ops->state_scope != StateScope::SharedReadMostly && !e.shared_state) continue;
        if (i < dp.guards.size() && dp.guards[i]) continue;  // kept from the running graph
        if (!e.ops->setup) continue;
        std::memcpy(dp.state(i), first.state(i), dp.states[i]->size());
        // Its counters are this worker's: a count setup made (LookupIPRoute's routes) stays
        // worker 0's, or the sum over workers would count it N times.
        for (const HandlerSpec& c : e.spec->handlers) {
          if (c.kind != HandlerSpec::Kind::Counter) continue;
          if (c.offset + sizeof(std::uint64_t) <= dp.states[i]->size())
            std::memset(static_cast<unsigned char*>(dp.state(i)) + c.offset, 0, sizeof(std::uint64_t));
        }
        if (dp.guards.size() < plan.elements.size()) dp.guards.resize(plan.elements.size());
        // Holds worker 0's set-up (its teardown runs once, after every copy is gone).
        dp.guards[i] = first.guards.size() > i ? first.guards[i] : nullptr;
      }
    }
    std::string why;
    if (!dp.setup_elements(why)) {
      error = "cannot set up element " + why;
      return false;
    }
  }
  // Elements that end together (ElementOps::teardown_workers): blocks every worker set up in
  // this build get one guard that tears them all down at once.
  if (nw > 1) {
    for (std::uint32_t i = 0; i < plan.elements.size(); ++i) {
      const compiler::PlanElement& e = plan.elements[i];
      if (!e.ops || !e.ops->teardown_workers || e.ops->state_scope == StateScope::SharedReadMostly || e.shared_state)
        continue;
      bool fresh = true;
      for (std::uint32_t w = 0; w < nw; ++w) {
        const Dataplane& dp = *gen.dps[w];
        fresh &= i < dp.fresh_guards.size() && dp.fresh_guards[i] && dp.guards[i];
      }
      if (!fresh) continue;
      auto group = std::make_shared<Dataplane::SetupGuard>(e.ops, e.config, gen.dps[0]->states[i]);
      for (std::uint32_t w = 0; w < nw; ++w) {
        gen.dps[w]->guards[i]->armed = false;
        group->group.push_back(gen.dps[w]->states[i]);
        gen.dps[w]->guards[i] = group;
      }
    }
  }
  gen.engines.clear();
  gen.engines.resize(nw);
  const std::string engine = !gen.engine.empty() ? gen.engine : rt.options.engine == "interp" ? "interp" : "jit";
  if (engine == "jit") {
    std::string jit_error;
    // One compilation for every worker: with several, the code reads each worker's addresses
    // from its slot table.
    auto first = JitEngine::create(*gen.dps[0], jit_error, nw > 1, rt.options.jit_cache);
    if (!first) {
      error = "the JIT cannot compile this graph: " + jit_error;
      return false;
    }
    for (std::uint32_t w = 1; w < nw; ++w) {
      gen.dps[w]->build_slots();
      gen.engines[w] = first->share(*gen.dps[w]);
    }
    gen.engines[0] = std::move(first);
  } else {
    for (std::uint32_t w = 0; w < nw; ++w) gen.engines[w] = std::make_unique<InterpEngine>(*gen.dps[w]);
  }
  gen.pullers.clear();
  if (!plan.tasks.empty())
    for (std::uint32_t w = 0; w < nw; ++w) gen.pullers.push_back(std::make_unique<PullRunner>(*gen.dps[w], *gen.engines[w]));
  gen.sources.assign(nw, {});
  for (std::uint32_t w = 0; w < nw; ++w) {
    for (std::uint32_t src : plan.sources) {
      const compiler::PlanElement& e = plan.elements[src];
      auto port = static_cast<std::size_t>(e.port);
      PortSlot& slot = *gen.ports[port];
      const compiler::PlanPort& pp = plan.ports[port];
      Source s{src, static_cast<std::uint32_t>(port), slot.id, static_cast<std::uint16_t>(pp.rx_queue), slot.finite};
      s.stop = pp.stop;
      s.timing = pp.timing && pp.kind == compiler::PlanPort::Kind::PcapIn;
      if (pp.kind == compiler::PlanPort::Kind::PcapIn) s.window = pp.window;
      s.burst = static_cast<std::uint16_t>(pp.rx_burst ? pp.rx_burst : rt.options.burst);
      s.active = &slot.active;
      s.slot = &slot;
      if (slot.dispatch) {
        if (w == slot.reader)
          s.dispatches = true;
        else
          s.ring = slot.rings[w];
      } else if (slot.all_queues) {
        s.dispatches = slot.steer;
      } else if (nw > 1) {
        s.queue = static_cast<std::uint16_t>(pp.rx_queue + w);
        s.dispatches = slot.steer;
      }
      auto add = [&](Source s) {
        if (previous) {
          const auto& prev = previous->sources[w];
          for (std::size_t k = 0; k < prev.size(); ++k) {
            if (prev[k].slot == &slot && (prev[k].ring != nullptr) == (s.ring != nullptr)) s.prev = static_cast<int>(k);
          }
        }
        gen.sources[w].push_back(s);
      };
      if (slot.all_queues) {  // queue q by worker q mod N (none for a worker beyond the queues)
        for (std::uint16_t q = static_cast<std::uint16_t>(w); q < slot.nrx; q = static_cast<std::uint16_t>(q + nw)) {
          Source d = s;
          d.queue = q;
          add(d);
        }
      } else {
        add(s);
      }
      if (slot.steer) {  // what the other workers hand this one
        Source r = s;
        r.ring = slot.rings[w];
        r.dispatches = false;
        r.finite = false;
        add(r);
      }
    }
  }
  return true;
}

std::vector<void*> distinct_states(const Generation& gen, std::uint32_t element) {
  std::vector<void*> out;
  for (const auto& dp : gen.dps) {
    void* st = dp->state(element);
    if (std::find(out.begin(), out.end(), st) == out.end()) out.push_back(st);
  }
  return out;
}

std::string read_custom(const HandlerSpec& h, const void* config, const Generation& gen, std::uint32_t element) {
  std::string out;
  if (gen.nworkers() == 1 || (!h.read_workers && !h.read)) {
    if (h.read) h.read(config, gen.dps[0]->state(element), out);
    return out;
  }
  std::vector<void*> distinct = distinct_states(gen, element);
  if (distinct.size() == 1) {  // one block for every worker
    if (h.read) h.read(config, distinct[0], out);
    else h.read_workers(config, const_cast<const void* const*>(distinct.data()), 1, out);
    return out;
  }
  if (h.read_workers) {
    std::vector<const void*> states(distinct.begin(), distinct.end());
    h.read_workers(config, states.data(), static_cast<std::uint32_t>(states.size()), out);
    return out;
  }
  std::vector<std::string> texts;
  bool numbers = true;
  std::uint64_t sum = 0;
  for (const void* st : distinct) {
    std::string t;
    h.read(config, st, t);
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    numbers &= !t.empty() && ec == std::errc{} && end == t.data() + t.size();
    sum += v;
    texts.push_back(std::move(t));
  }
  if (numbers) return fmt::format("{}\n", sum);
  for (std::size_t w = 0; w < texts.size(); ++w) out += fmt::format("worker {}:\n{}\n", w, texts[w]);
  return out;
}

void fill_report(const Runtime& rt, const Generation& gen, double seconds, RunReport& r, bool final) {
  const compiler::Plan& plan = *gen.plan;
  r.seconds = seconds;
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    const compiler::PlanPort& p = plan.ports[i];
    PortReport pr;
    pr.name = p.name.substr(0, p.name.find(','));
    const PortSlot& slot = *gen.ports[i];
    pr.device = p.kind == compiler::PlanPort::Kind::Device ? p.device : p.file;
    if (p.host) pr.device = fmt::format("{}:{}", p.tun ? "tun" : "tap", slot.host_iface);
    // One slot may serve two plan ports (FromDevice and ToDevice of one device): its counters
    // then show under both, as before; totals count each slot once.
    PortCounters c = port_totals(slot);
    pr.rx = c.rx;
    pr.tx = c.tx;
    pr.dropped = c.tx_dropped + c.dispatch_dropped;
    pr.dispatch_dropped = c.dispatch_dropped;
    pr.skipped = c.skipped;
    pr.window = (p.kind == compiler::PlanPort::Kind::PcapIn && p.window.any()) || c.skipped;
    pr.rx_bursts = c.rx_bursts;
    pr.tx_bursts = c.tx_bursts;
    pr.rx_queues = p.rx ? (slot.dispatch ? 1u : slot.nrx - p.rx_queue) : 0u;
    pr.steer = slot.steer;
    pr.tx_queues = p.tx ? (slot.tx_per_worker ? slot.ntx - p.tx_queue : 1u) : 0u;
    pr.dispatch = slot.dispatch;
    if (slot.writer) {  // ToDump still writing: what it could not write is dropped already
      std::uint64_t lost = std::min(slot.writer->not_written(), pr.tx);
      pr.tx -= lost;
      pr.dropped += lost;
      pr.error = slot.writer->failure();
    } else {
      pr.error = slot.write_failure;
    }
    if (!pr.error.empty()) {
      r.errors.push_back(fmt::format("{} (ToDump): writing '{}' failed: {}; {} packets written, {} not written",
                                     pr.name, p.file, pr.error, pr.tx, pr.dropped));
    }
    rte_eth_rxq_info rq{};
    rte_eth_txq_info tq{};
    if (p.rx && slot.id != kNoPort) {
      pr.rx_desc = rte_eth_rx_queue_info_get(slot.id, static_cast<std::uint16_t>(p.rx_queue), &rq) == 0
                       ? rq.nb_desc
                       : slot.rx_desc;
    }
    if (p.tx && slot.id != kNoPort) {
      pr.tx_desc = rte_eth_tx_queue_info_get(slot.id, static_cast<std::uint16_t>(p.tx_queue), &tq) == 0
                       ? tq.nb_desc
                       : slot.tx_desc;
    }
    pr.promisc = slot.id != kNoPort && rte_eth_promiscuous_get(slot.id) == 1;
    // What the device missed never reached nb: reported beside rx, not counted as dropped.
    rte_eth_stats st{};
    if (gen.ports[i]->id != kNoPort && rte_eth_stats_get(gen.ports[i]->id, &st) == 0) {
      pr.missed = detail::missed_of(st);
      pr.has_driver = true;
      pr.ipackets = st.ipackets;
      pr.opackets = st.opackets;
      pr.imissed = st.imissed;
      pr.ierrors = st.ierrors;
      pr.oerrors = st.oerrors;
      pr.rx_nombuf = st.rx_nombuf;
    }
    bool counted = false;  // a slot serving two plan ports adds to the totals once
    for (std::size_t k = 0; k < i; ++k) counted |= gen.ports[k] == gen.ports[i];
    if (!counted) {
      r.rx += pr.rx;
      r.tx += pr.tx;
      r.dropped += pr.dropped;
      r.missed += pr.missed;
    }
    r.ports.push_back(std::move(pr));
  }
  for (std::uint32_t i = 0; i < plan.elements.size(); ++i) {
    const compiler::PlanElement& e = plan.elements[i];
    ElementReport er;
    er.name = e.name;
    er.cls = std::string(e.spec->class_name);
    if (e.ops && e.ops->role == ElementOps::Role::Kernel) {
      // Every worker's counters, summed.
      for (const HandlerSpec& c : e.spec->handlers) {
        if (c.kind != HandlerSpec::Kind::Counter) continue;
        std::uint64_t v = 0;
        for (const void* st : distinct_states(gen, i)) {
          auto* base = static_cast<const unsigned char*>(st);
          v += load_counter(*reinterpret_cast<const std::uint64_t*>(base + c.offset));
        }
        er.counters.emplace_back(std::string(c.name), v);
        if (c.name == "count" && seconds > 0) er.rate = static_cast<double>(v) / seconds;
      }
      const std::size_t slots = gen.dps[0]->drops[i]->size();
      for (std::size_t k = 0; k < slots; ++k) {
        std::string reason = k < e.ops->drop_reasons.size() ? std::string(e.ops->drop_reasons[k].name)
                             : k == slots - 2                ? "no buffers"
                                                             : "unconnected output";
        std::uint64_t v = 0;
        for (const auto& dp : gen.dps) v += k < dp->drops[i]->size() ? load_counter((*dp->drops[i])[k]) : 0;
        if (v || k < e.ops->drop_reasons.size()) er.drop_reasons.emplace_back(reason, v);
        er.drops += v;
      }
      for (const auto& dp : gen.dps) er.generated += load_counter(*dp->generated[i]);
      // The workers have stopped: custom read handlers may read State from here.
      for (const HandlerSpec& h : e.spec->handlers) {
        if (!final || h.kind != HandlerSpec::Kind::Custom || !h.read) continue;
        er.handlers.emplace_back(std::string(h.name), read_custom(h, e.config.data(), gen, i));
      }
    }
    r.dropped += er.drops;
    r.generated += er.generated;
    r.elements.push_back(std::move(er));
  }
  for (std::uint32_t w = 0; w < gen.nworkers(); ++w) {
    const Dataplane& dp = *gen.dps[w];
    WorkerReport wr;
    wr.index = w;
    if (w < rt.workers.size()) {
      wr.lcore = rt.workers[w]->lcore;
      wr.processed = rt.workers[w]->processed.load(std::memory_order_relaxed);
      wr.cycles = rt.workers[w]->live_cycles.load(std::memory_order_relaxed);
    }
    for (const auto& p : dp.ports) {
      wr.rx += load_counter(p->rx);
      wr.tx += load_counter(p->tx);
    }
    wr.dropped = dp.total_drops();
    r.workers.push_back(wr);
  }
  r.errors.insert(r.errors.end(), rt.retired.errors.begin(), rt.retired.errors.end());
  r.generation = gen.number;
  r.engine = "interp";
  if (const auto* jit = dynamic_cast<const JitEngine*>(gen.engines[0].get())) {
    r.engine = "jit";
    const compiler::JitStats& js = jit->graph().stats;
    r.jit_cache = js.cache;
    r.jit_ms = js.build_ms + js.cache_ms + js.parse_ms + js.link_ms + js.optimize_ms + js.codegen_ms;
  }
  if (rt.jit_ready_ms >= 0) r.jit_ready_ms = rt.jit_ready_ms;
  r.failed_reloads = rt.failed_reloads;
  r.succeeded_reloads = rt.reloads;
  r.retired_rx = rt.retired.rx;
  r.retired_tx = rt.retired.tx;
  r.retired_dropped = rt.retired.port_dropped + rt.retired.element_drops;
  r.retired_generated = rt.retired.generated;
  r.retired_missed = rt.retired.missed;
  r.rx += rt.retired.rx;
  r.tx += rt.retired.tx;
  r.dropped += r.retired_dropped;
  r.generated += r.retired_generated;
  r.missed += r.retired_missed;
}

}  // namespace detail

namespace {
struct ProgressLine {
  Live* live;
  const std::vector<Worker*>* workers = nullptr;
  std::vector<std::uint64_t> last_processed;
  std::chrono::steady_clock::time_point start, last;
  std::uint64_t last_rx = 0;
  bool enabled = false;
  bool printed = false;

  void tick(bool force = false) {
    if (!enabled) return;
    auto now = std::chrono::steady_clock::now();
    double since = std::chrono::duration<double>(now - last).count();
    if (!force && since < 1.0) return;
    std::uint64_t rx = live->rx.load(std::memory_order_relaxed);
    double mpps = since > 0 ? static_cast<double>(rx - last_rx) / since / 1e6 : 0;
    double t = std::chrono::duration<double>(now - start).count();
    // Several workers: each one's share, in Mpps of what it processed.
    std::string per_worker;
    if (workers && workers->size() > 1) {
      last_processed.resize(workers->size(), 0);
      per_worker = " (";
      for (std::size_t k = 0; k < workers->size(); ++k) {
        std::uint64_t p = (*workers)[k]->processed.load(std::memory_order_relaxed);
        double wm = since > 0 ? static_cast<double>(p - std::min(p, last_processed[k])) / since / 1e6 : 0;
        per_worker += fmt::format("{}{:.2f}", k ? " " : "w: ", wm);
        last_processed[k] = p;
      }
      per_worker += ")";
    }
    std::fprintf(stderr, "\r[nbrun %6.1fs] in %llu  out %llu  dropped %llu  %.3f Mpps%s   ", t,
                 static_cast<unsigned long long>(rx), static_cast<unsigned long long>(live->tx.load()),
                 static_cast<unsigned long long>(live->dropped.load()), mpps, per_worker.c_str());
    std::fflush(stderr);
    printed = true;
    last = now;
    last_rx = rx;
  }
  void finish() {
    if (printed) std::fprintf(stderr, "\n");
  }
};


void tick_trampoline(void* p) { static_cast<ProgressLine*>(p)->tick(); }

}  // namespace

void request_stop() {
  g_interrupted = true;
  g_stop = true;
}

bool run(compiler::Plan& plan, const RunOptions& o, lang::DiagnosticEngine& diags, RunReport& report) {
  // A ToDump FIFO whose reader goes away must fail the write (EPIPE), not kill nbrun.
  std::signal(SIGPIPE, SIG_IGN);
  // Likewise a file size limit (ulimit -f): the write fails with EFBIG instead.
  std::signal(SIGXFSZ, SIG_IGN);
  std::string error;
  const bool timed = o.read_at != std::chrono::steady_clock::time_point{};
  auto ms_from_read = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(t - o.read_at).count();
  };
  // Start-up phases, each from where the one before ended.
  double phase_start = timed ? ms_from_read(std::chrono::steady_clock::now()) : 0;
  auto phase_done = [&](double& out) {
    if (!timed) return;
    const double now = ms_from_read(std::chrono::steady_clock::now());
    out = now - phase_start;
    phase_start = now;
  };
  if (timed) report.front_end_ms = phase_start;
  if (!start_eal(o, error)) {
    diags.error(lang::Span{}, error)
        .note("with no EAL arguments nbrun uses --no-huge -m 512 --no-pci; pass your own after '--'");
    return false;
  }
  phase_done(report.eal_ms);
  if (!reserve_anno_field(error)) {
    diags.error(lang::Span{}, error)
        .note("a DPDK driver or library registered a dynamic mbuf field there; nb's elements address "
              "their annotations at a fixed offset (kAnnoOffset in nb/packet.hpp)");
    cleanup_eal();
    return false;
  }
  // DPDK's rx timestamp field: net_pcap fills it with each record's time, and ToDump writes it
  // back. Registered after the annotations' bytes are reserved and before any port opens.
  int ts_offset = -1;
  std::uint64_t ts_flag = 0;
  if (rte_mbuf_dyn_rx_timestamp_register(&ts_offset, &ts_flag) == 0) detail::PcapWriter::find_timestamp_field();
  // The workers: every EAL lcore but the main one, or as many as --workers asks.
  const unsigned eal_workers = rte_lcore_count() - 1;
  std::uint32_t nworkers = o.workers ? o.workers : std::max(1u, eal_workers);
  if (nworkers > 1 && nworkers > eal_workers) {
    diags.error(lang::Span{}, fmt::format("--workers {} needs {} worker lcores besides the main one; DPDK has {}",
                                          nworkers, nworkers, eal_workers))
        .note(fmt::format("give DPDK {} lcores after '--', e.g. nbrun cfg.nbc --workers {} -- -l 0-{} (more lcores "
                          "than CPUs: --lcores 0@0,1@1,2@0,...)",
                          nworkers + 1, nworkers, nworkers));
    cleanup_eal();
    return false;
  }
  // Every port's descriptors (a set of queues per worker), bursts in flight, copies made by Tee,
  // dispatch rings, and what the workers' mempool caches hold.
  std::uint64_t need = 2048 + static_cast<std::uint64_t>(nworkers) * (512 + 4 * o.burst);
  for (const auto& p : plan.ports) {
    if (p.rx) need += nworkers * ((p.rx_desc ? p.rx_desc : o.rx_desc) + 2 * o.burst);
    if (p.tx) need += nworkers * ((p.tx_desc ? p.tx_desc : o.tx_desc) + 2 * o.burst);
    if (p.rx && nworkers > 1) need += (nworkers - 1) * kDispatchRingSize;
    if (p.kind == compiler::PlanPort::Kind::PcapOut) need += kDumpRingSize + 512;  // + its writer's cache
  }
  // Packet buffers hold a whole frame where the inputs allow: elements see a chained frame's
  // first buffer only. Captures with jumbo frames get buffers that fit them, up to kMaxRoom
  // (longer frames travel chained, and ToDump writes them whole). A LOOP file is held in
  // buffers of its own, one per frame (net_pcap's infinite_rx).
  std::uint32_t room = RTE_MBUF_DEFAULT_DATAROOM;
  for (const auto& p : plan.ports) {
    if (p.kind != compiler::PlanPort::Kind::PcapIn) continue;
    CaptureSize size = capture_size(p.file);
    if (size.largest > room) room = std::min<std::uint32_t>((size.largest + 1023) / 1024 * 1024, kMaxRoom);
    if (p.loop) need += size.frames;
  }
  std::uint32_t npool = o.mempool ? o.mempool : round_pool(need);
  // Each lcore keeps up to `cache` buffers to itself. DPDK refuses a cache above 2/3 of the pool
  // (--mempool 256 used to fail with "Invalid argument"), and caches that hold most of a small
  // pool would starve the other cores: a quarter of each lcore's share at most.
  const std::uint32_t cache = std::min<std::uint32_t>(256, npool / (4 * (nworkers + 1)));
  rte_mempool* pool =
      detail::create_packet_pool("nb_mbufs", npool, cache, static_cast<std::uint16_t>(room + RTE_PKTMBUF_HEADROOM),
                                 static_cast<int>(rte_socket_id()));
  if (!pool) {
    diags.error(lang::Span{}, fmt::format("cannot allocate a mempool of {} packet buffers: {}", npool,
                                          rte_strerror(rte_errno)))
        .note("give DPDK more memory after '--' (e.g. -- -m 1024 --no-huge), or fewer buffers with --mempool");
    cleanup_eal();
    return false;
  }
  phase_done(report.pool_ms);
  Runtime rt(o);
  rt.pool = pool;
  rt.nworkers = nworkers;
  rt.registry = o.registry ? o.registry : &compiler::Registry::builtin();
  auto shutdown = [&] {
    if (rt.current) {
      for (auto& s : rt.current->ports) {
        if (s) detail::close_slot(*s);
      }
      rt.current.reset();
    }
    if (rt.qsv) rte_free(rt.qsv);
    rte_mempool_free(pool);
    cleanup_eal();
  };

  auto gen = std::make_unique<Generation>();
  gen->id = 1;
  gen->file = o.config_path;
  // --engine tiered: forward on the interpreter from the first packet; the control thread
  // compiles the JIT code meanwhile and switches to it as a reload would (ControlServer::tier_up).
  if (o.engine == "tiered") {
    gen->engine = "interp";
    rt.tier_up_pending = true;
  }
  gen->plan = &plan;
  if (!detail::attach_ports(rt, *gen, nullptr, diags)) {
    shutdown();
    return false;
  }
  phase_done(report.ports_ms);
  rt.current = std::move(gen);
  std::string jit_error;
  if (!detail::build_dataplane(rt, *rt.current, nullptr, jit_error)) {
    // No silent fallback to the interpreter: say why and stop.
    auto& d = diags.error(lang::Span{}, jit_error);
    if (jit_error.starts_with("the JIT")) d.note("run with --engine=interp to use the reference interpreter instead");
    shutdown();
    return false;
  }
  phase_done(report.engine_ms);
  if (timed) report.engine_ready_ms = phase_start;
  auto jit_stats = [&] {
    if (const auto* jit = dynamic_cast<const JitEngine*>(rt.current->engines[0].get())) {
      const compiler::JitStats& js = jit->graph().stats;
      report.jit_cache = js.cache;
      report.jit_ms = js.build_ms + js.cache_ms + js.parse_ms + js.link_ms + js.optimize_ms + js.codegen_ms;
    }
  };
  jit_stats();
  if (timed && !rt.tier_up_pending) rt.jit_ready_ms = report.engine_ready_ms;

  // Per-core quiescent states: how a reload knows every worker left the old graph.
  std::size_t qsz = rte_rcu_qsbr_get_memsize(nworkers);
  rt.qsv = static_cast<rte_rcu_qsbr*>(rte_zmalloc("nb_rcu", qsz, RTE_CACHE_LINE_SIZE));
  if (!rt.qsv || rte_rcu_qsbr_init(rt.qsv, nworkers) != 0) {
    diags.error(lang::Span{}, "cannot set up DPDK's RCU quiescent-state variable");
    shutdown();
    return false;
  }

  Live live;
  std::atomic<std::uint64_t> budget{o.packets}, received{0};
  std::atomic<std::uint32_t> exited{0};
  std::vector<std::unique_ptr<Worker>> workers;
  {
    unsigned lcore = rte_get_next_lcore(-1, 1, 0);
    for (std::uint32_t k = 0; k < nworkers; ++k) {
      auto w = std::make_unique<Worker>();
      w->index = k;
      w->nworkers = nworkers;
      w->lcore = lcore < RTE_MAX_LCORE ? lcore : rte_get_main_lcore();
      w->published.store(rt.current.get());
      w->qsv = rt.qsv;
      w->rcu_id = k;
      w->burst = o.burst;
      w->packet_limit = o.packets;
      w->budget = &budget;
      w->received = &received;
      w->exited = &exited;
      w->live = &live;
      rt.workers.push_back(w.get());
      workers.push_back(std::move(w));
      if (lcore < RTE_MAX_LCORE) lcore = rte_get_next_lcore(lcore, 1, 0);
    }
  }
  auto all_finished = [&] {
    for (const auto& w : workers)
      if (!w->finished.load(std::memory_order_acquire)) return false;
    return true;
  };

  g_stop = false;
  g_interrupted = false;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  rt.start = std::chrono::steady_clock::now();
  detail::ControlServer control(rt, live);
  std::string control_error, control_note;
  if (!control.start(control_error, control_note)) {
    if (!o.control_path.empty()) {
      diags.error(lang::Span{}, control_error);
      control.stop();  // its thread may be compiling the JIT's generation (tiered): done first
      shutdown();
      return false;
    }
    fmt::print(stderr, "nbrun: warning: {}; running without a control socket\n", control_error);
  } else if (!control.socket_path().empty()) {
    fmt::print(stderr, "nbrun: control socket {}\n", control.socket_path());
  }
  if (!control_note.empty()) fmt::print(stderr, "nbrun: {}\n", control_note);

  ProgressLine progress;
  progress.live = &live;
  progress.workers = &rt.workers;
  progress.start = progress.last = std::chrono::steady_clock::now();
  progress.enabled = o.progress && isatty(STDERR_FILENO);

  std::atomic<bool> duration_hit{false};
  auto start = std::chrono::steady_clock::now();
  if (workers[0]->lcore != rte_get_main_lcore()) {
    for (auto& w : workers) rte_eal_remote_launch(worker_main, w.get(), w->lcore);
    while (!all_finished()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      progress.tick();
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (o.duration > 0 && t >= o.duration && !g_stop) {
        duration_hit = true;
        g_interrupted = true;
        g_stop = true;
      }
    }
    live.finished = true;
    for (auto& w : workers) rte_eal_wait_lcore(w->lcore);
  } else {  // one worker and no worker lcore: the main lcore runs it
    Worker& w = *workers[0];
    w.tick = tick_trampoline;
    w.tick_arg = &progress;
    std::thread timer;
    if (o.duration > 0) {
      timer = std::thread([&] {
        while (!w.finished.load()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          if (t >= o.duration) {
            duration_hit = true;
            g_interrupted = true;
            g_stop = true;
            break;
          }
        }
      });
    }
    worker_main(&w);
    live.finished = true;
    if (timer.joinable()) timer.join();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The control thread finishes what it is doing (a reload completes: the workers are offline).
  control.stop();
  progress.tick(true);
  progress.finish();
  // The reason the run ended: the first worker that ended it (the others just followed).
  std::string reason;
  for (const auto& w : workers) {
    if (reason.empty() && w->stop_reason != "stopped") reason = w->stop_reason;
  }
  if (reason.empty()) reason = "stopped";
  if (duration_hit) reason = fmt::format("--duration {} reached", o.duration);
  else if (g_stop && reason == "stopped") reason = "stopped by a signal";
  report.stop_reason = reason;
  report.worker_cycles = 0;
  for (const auto& w : workers) report.worker_cycles += w->cycles;
  report.tsc_hz = rte_get_tsc_hz();
  std::uint64_t first_packet_tsc = 0;  // the earliest of the workers'
  for (const auto& w : workers)
    if (w->first_packet_tsc && (!first_packet_tsc || w->first_packet_tsc < first_packet_tsc))
      first_packet_tsc = w->first_packet_tsc;
  if (timed && first_packet_tsc) {
    const auto now = std::chrono::steady_clock::now();
    const double ago = static_cast<double>(rte_rdtsc() - first_packet_tsc) / static_cast<double>(report.tsc_hz);
    report.first_packet_ms = ms_from_read(now) - ago * 1e3;
  }
  jit_stats();  // --engine tiered: the code the JIT made meanwhile
  if (rt.jit_ready_ms >= 0 && o.engine != "interp") report.jit_ready_ms = rt.jit_ready_ms;
  // The worker has stopped: ToDump writers finish the file, and their counts become final.
  for (auto& s : rt.current->ports) {
    if (s) detail::settle_slot(*s);
  }
  detail::fill_report(rt, *rt.current, seconds, report, true);
  shutdown();
  return true;
}

}  // namespace nb::runtime
