#include <nb/compiler/jit.hpp>
#include <nb/runtime/dataplane.hpp>

#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

namespace nb::runtime {
namespace {

// HostServices::copy: a deep copy, so that elements after a Tee may change their packet
// without touching the others. Runs natively (it uses the mempool's per-lcore cache). The
// annotations come along: rte_pktmbuf_copy copies the mbuf's dynamic fields (packet.hpp).
// `runtime` is the copying element's ElementHost, so the copy is counted here, once per copy.
//
// The headroom comes along too, as far as the new buffer's reaches: Click's Tee clones, so a
// header a Strip moved past is still in front of the data on every copy, and an Unstrip after
// the Tee puts back the same bytes on each (not what the new buffer's last user left there).
rte_mbuf* copy_with_headroom(rte_mbuf* m, rte_mempool* pool) {
  rte_mbuf* c = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
  if (!c) return nullptr;
  const std::uint16_t room = std::min(rte_pktmbuf_headroom(m), rte_pktmbuf_headroom(c));
  std::memcpy(rte_pktmbuf_mtod(c, char*) - room, rte_pktmbuf_mtod(m, const char*) - room, room);
  return c;
}

rte_mbuf* copy_packet(void* runtime, rte_mbuf* m) {
  auto* h = static_cast<ElementHost*>(runtime);
  rte_mbuf* c = copy_with_headroom(m, h->dp->pool);
  if (c) add_counter(*h->dp->generated[h->element], 1);
  return c;
}

// The same without an element to count under (Dataplane::host).
rte_mbuf* copy_uncounted(void* runtime, rte_mbuf* m) {
  return copy_with_headroom(m, static_cast<Dataplane*>(runtime)->pool);
}

void print_held(std::uint64_t held) {
  if (held)
    fmt::print(stderr, "nbrun: {} more element message{} not printed (at most {} a second)\n", held,
               held == 1 ? "" : "s", Dataplane::kLogPerSecond);
}

// "ELEMENT: text" on stderr, at most kLogPerSecond lines a second. Runs on the worker core,
// natively.
void log_line(Dataplane* dp, std::string_view name, const char* text) {
  Dataplane::LogLimit& l = dp->log_limit;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now != l.second) {
    l.second = now;
    l.printed = 0;
  }
  if (l.printed >= Dataplane::kLogPerSecond) {
    ++l.held;
    return;
  }
  ++l.printed;
  print_held(l.held);
  l.held = 0;
  fmt::print(stderr, "{}: {}\n", name, text);
}

// HostServices::log of an element's Context: `runtime` is its ElementHost.
void log_element(void* runtime, const void*, const char* text) {
  auto* h = static_cast<ElementHost*>(runtime);
  log_line(h->dp, h->dp->plan.elements[h->element].name, text);
}

// HostServices::log without an element (Dataplane::host): the element is found by its State.
void log_message(void* runtime, const void* state, const char* text) {
  auto* dp = static_cast<Dataplane*>(runtime);
  std::string_view name = "?";
  for (std::size_t i = 0; i < dp->states.size(); ++i)
    if (dp->states[i] && dp->states[i]->data() == state) name = dp->plan.elements[i].name;
  log_line(dp, name, text);
}

// HostServices::print: the element's text on stderr as it is, unthrottled. One write(2) per
// call (stderr is unbuffered anyway), so a line is never split by another worker's.
void print_text(void*, const void*, const char* text, std::uint32_t len) {
  while (len > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to write: the text is lost, the packet goes on
    text += n;
    len -= static_cast<std::uint32_t>(n);
  }
}

// HostServices::watched_length: what the queues the compiler found for the element hold now, on
// this worker (each worker has its own queues).
std::uint64_t watched_length(void* runtime) {
  auto* h = static_cast<ElementHost*>(runtime);
  const Dataplane& dp = *h->dp;
  std::uint64_t n = 0;
  for (std::uint32_t q : dp.plan.elements[h->element].watched) {
    const compiler::PlanElement& e = dp.plan.elements[q];
    if (e.ops && e.ops->held && dp.state(q)) n += e.ops->held(e.config.data(), dp.state(q));
  }
  return n;
}

// HostServices::peer_state: the State of the element's index-th peer on this worker.
void* peer_state(void* runtime, std::uint32_t index) {
  auto* h = static_cast<ElementHost*>(runtime);
  const Dataplane& dp = *h->dp;
  const std::vector<std::uint32_t>& peers = dp.plan.elements[h->element].peers;
  return index < peers.size() ? dp.state(peers[index]) : nullptr;
}

// HostServices::peer_config: the Config of the element's index-th peer.
const void* peer_config(void* runtime, std::uint32_t index) {
  auto* h = static_cast<ElementHost*>(runtime);
  const Dataplane& dp = *h->dp;
  const std::vector<std::uint32_t>& peers = dp.plan.elements[h->element].peers;
  return index < peers.size() ? dp.plan.elements[peers[index]].config.data() : nullptr;
}

// HostServices::epoch_us: the wall clock's microseconds when the TSC read 0, so that elements
// read the wall clock off the worker's TSC (nb::wall_us) without a system call.
std::uint64_t epoch_at_tsc_zero() {
  HostServices clock;
  clock.cycles_per_second = rte_get_tsc_hz();
  const std::uint64_t since_zero = wall_us(clock, rte_rdtsc());
  const auto now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return now > 0 && static_cast<std::uint64_t>(now) > since_zero ? static_cast<std::uint64_t>(now) - since_zero : 0;
}

}  // namespace

Dataplane::~Dataplane() {
  print_held(log_limit.held);
}

Dataplane::Dataplane(const compiler::Plan& p, rte_mempool* mp, std::uint32_t b) : plan(p), pool(mp), burst(b) {
  // DPDK's rx timestamp field, which nbrun registers at start-up (packets' timestamps).
  const int ts_offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
  const int ts_bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
  const std::uint64_t epoch = epoch_at_tsc_zero();
  states.resize(plan.elements.size());
  drops.resize(plan.elements.size());
  generated.resize(plan.elements.size());
  hosts.resize(plan.elements.size());
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const compiler::PlanElement& e = plan.elements[i];
    if (e.ops && e.ops->role == ElementOps::Role::Kernel) {
      states[i] = std::make_shared<compiler::AlignedBlock>(e.ops->state_size, e.ops->state_align);
      e.ops->init(e.config.data(), states[i]->data());
    }
    drops[i] = std::make_shared<std::vector<std::uint64_t>>((e.ops ? e.ops->drop_reasons.size() : 0) + 2, 0);
    generated[i] = std::make_shared<std::uint64_t>(0);
    hosts[i].host.copy = &copy_packet;
    hosts[i].host.log = &log_element;
    hosts[i].host.print = &print_text;
    hosts[i].host.cycles_per_second = rte_get_tsc_hz();  // now_cycles stays null: rte_rdtsc, inline
    hosts[i].host.epoch_us = epoch;
    if (ts_offset >= 0 && ts_bit >= 0) {
      hosts[i].host.timestamp_offset = ts_offset;
      hosts[i].host.timestamp_flag = std::uint64_t{1} << ts_bit;
    }
    if (!e.watched.empty()) hosts[i].host.watched_length = &watched_length;
    if (!e.peers.empty()) {
      hosts[i].host.peer_state = &peer_state;
      hosts[i].host.peer_config = &peer_config;
    }
    hosts[i].host.runtime = &hosts[i];
    hosts[i].dp = this;
    hosts[i].element = static_cast<std::uint32_t>(i);
  }
  tx.resize(plan.ports.size());
  tx_burst.resize(plan.ports.size(), burst);
  tx_waits.resize(plan.ports.size(), 0);
  tx_locks.resize(plan.ports.size(), nullptr);
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    if (plan.ports[i].tx_burst) tx_burst[i] = plan.ports[i].tx_burst;
  }
  ports.resize(plan.ports.size());
  for (auto& c : ports) c = std::make_shared<PortCounters>();
  host.copy = &copy_uncounted;
  host.log = &log_message;
  host.print = &print_text;
  host.cycles_per_second = rte_get_tsc_hz();
  host.runtime = this;
}

Dataplane::SetupGuard::SetupGuard(const ElementOps* o, const compiler::AlignedBlock& c,
                                  std::shared_ptr<compiler::AlignedBlock> s)
    : ops(o), config(c.size(), 64), state(std::move(s)) {
  if (c.size()) std::memcpy(config.data(), c.data(), c.size());
}

Dataplane::SetupGuard::~SetupGuard() {
  if (!armed) return;
  if (!group.empty() && ops->teardown_workers) {
    std::vector<void*> states;
    for (const auto& b : group) states.push_back(b->data());
    ops->teardown_workers(config.data(), states.data(), static_cast<std::uint32_t>(states.size()));
  } else if (ops->teardown) {
    ops->teardown(config.data(), state->data());
  }
}

bool Dataplane::setup_elements(std::string& error) {
  guards.resize(plan.elements.size());
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const compiler::PlanElement& e = plan.elements[i];
    if (!e.ops || e.ops->role != ElementOps::Role::Kernel || !e.ops->setup || guards[i]) continue;
    std::string why;
    if (!e.ops->setup(e.config.data(), states[i]->data(), why)) {
      error = fmt::format("{} ({}): {}", e.name, e.spec->class_name, why.empty() ? "setup failed" : why);
      return false;
    }
    guards[i] = std::make_shared<SetupGuard>(e.ops, e.config, states[i]);
    if (fresh_guards.size() < plan.elements.size()) fresh_guards.resize(plan.elements.size(), 0);
    fresh_guards[i] = 1;
  }
  return true;
}

void Dataplane::build_slots() {
  const auto ne = static_cast<std::uint32_t>(plan.elements.size());
  slots.assign(2 * ne + tx.size(), nullptr);
  for (std::uint32_t i = 0; i < ne; ++i) {
    slots[compiler::JitLayout::state_slot(i)] = state(i);
    slots[compiler::JitLayout::host_slot(ne, i)] = &hosts[i].host;
  }
  for (std::uint32_t p = 0; p < tx.size(); ++p) slots[compiler::JitLayout::tx_slot(ne, p)] = &tx[p];
}

std::uint32_t Dataplane::reason_slot(std::uint32_t element, std::uint32_t reason) const {
  auto n = static_cast<std::uint32_t>(drops[element]->size());
  if (reason == kDropNoBuffers) return n - 2;
  if (reason >= n - 2) return n - 1;  // unknown reasons count as "unconnected output"
  return reason;
}

void Dataplane::flush(std::uint32_t port) {
  TxQueue& q = tx[port];
  std::uint32_t sent = 0;
  std::uint32_t calls = 0;
  bool waits = tx_waits[port] != 0;
  rte_spinlock_t* lock = tx_locks[port];
  if (lock) rte_spinlock_lock(lock);
  for (std::uint32_t attempt = 0; sent < q.count && attempt <= 16;) {
    std::uint16_t k = rte_eth_tx_burst(q.port_id, q.queue, q.pkts + sent, static_cast<std::uint16_t>(q.count - sent));
    sent += k;
    calls += k != 0;
    if (k == 0) {
      if (waits && !(stop && stop->load(std::memory_order_relaxed))) {
        rte_pause();
        continue;
      }
      ++attempt;
    }
  }
  if (lock) rte_spinlock_unlock(lock);
  PortCounters& c = *ports[port];
  add_counter(c.tx, sent);
  add_counter(c.tx_bursts, calls);
  if (sent < q.count) {
    add_counter(c.tx_dropped, q.count - sent);
    rte_pktmbuf_free_bulk(q.pkts + sent, q.count - sent);
  }
  q.count = 0;
}

void Dataplane::flush_all() {
  for (std::uint32_t p = 0; p < tx.size(); ++p) {
    if (tx[p].count) flush(p);
  }
}

std::uint64_t Dataplane::total_drops() const {
  std::uint64_t n = 0;
  for (const auto& d : drops)
    for (const std::uint64_t& v : *d) n += load_counter(v);
  for (const auto& p : ports) n += load_counter(p->tx_dropped) + load_counter(p->dispatch_dropped);
  return n;
}

std::uint64_t Dataplane::total_generated() const {
  std::uint64_t n = 0;
  for (const auto& g : generated) n += load_counter(*g);
  return n;
}

}  // namespace nb::runtime

// Called by JIT code (see jit_abi.hpp); the interpreter calls the same Dataplane methods.
extern "C" void nb_host_drop(void* dp, std::uint32_t element, rte_mbuf* m, std::uint32_t reason) {
  static_cast<nb::runtime::Dataplane*>(dp)->free_drop(element, m, reason);
}
// Generated code calls it for copies that could not be made (jit_glue.cpp): those count as
// generated too, as the interpreter counts them (Dataplane::copy_failed).
extern "C" void nb_host_count_drop(void* dp, std::uint32_t element, std::uint32_t reason) {
  auto* d = static_cast<nb::runtime::Dataplane*>(dp);
  if (reason == nb::kDropNoBuffers)
    d->copy_failed(element);
  else
    d->count_drop(element, reason);
}
extern "C" void nb_host_flush(void* dp, std::uint32_t port) { static_cast<nb::runtime::Dataplane*>(dp)->flush(port); }
