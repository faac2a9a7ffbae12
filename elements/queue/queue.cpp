#include "queue.hpp"

#include <rte_common.h>
#include <rte_mbuf.h>

#include <atomic>
#include <cstdlib>
#include <span>
#include <string>

namespace nb::elements {

namespace {

constexpr std::uint32_t kMaxCapacity = 1u << 24;

constexpr ParamSpec kParams[] = {
    {"CAPACITY", ParamType::Unsigned, ParamKind::Positional, false, "1000",
     "The most packets the queue holds; one more is dropped at the tail.", 1, kMaxCapacity},
};

void read_length(const Queue::Config&, const Queue::State& state, std::string& out) {
  out = std::to_string(Queue::held({}, state));
}

void read_capacity(const Queue::Config& config, const Queue::State&, std::string& out) {
  out = std::to_string(config.capacity);
}

void read_capacity_workers(const Queue::Config& config, std::span<const Queue::State* const>, std::string& out) {
  out = std::to_string(config.capacity);
}

void read_highwater(const Queue::Config&, const Queue::State& state, std::string& out) {
  out = std::to_string(state.highwater);
}

// The longest any worker saw it (each keeps its own mark, like its counters).
void read_highwater_workers(const Queue::Config&, std::span<const Queue::State* const> states, std::string& out) {
  std::uint64_t most = 0;
  for (const Queue::State* s : states) most = s->highwater > most ? s->highwater : most;
  out = std::to_string(most);
}

// Each ring once: the workers share one when a task bound to one worker pulls from the queue
// (StaticThreadSched), and their State blocks then hold the same ring.
void read_length_workers(const Queue::Config&, std::span<const Queue::State* const> states, std::string& out) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < states.size(); ++i) {
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = states[j]->ring == states[i]->ring;
    if (!seen) n += Queue::held({}, *states[i]);
  }
  out = std::to_string(n);
}

bool write_reset_counts(const Queue::Config&, Queue::State& state, std::string_view, std::string&) {
  state.highwater = rte_ring_count(state.ring);
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    handler<Queue, &read_length, nullptr, &read_length_workers>(
        "length", "read: packets in the queue now (with several workers: in all their queues)"),
    handler<Queue, &read_highwater, nullptr, &read_highwater_workers>(
        "highwater_length",
        "read: the most packets the queue held since the start (or reset_counts); with several workers, the most "
        "any worker's held"),
    handler<Queue, &read_capacity, nullptr, &read_capacity_workers>("capacity", "read: CAPACITY"),
    NB_VALUE(Queue, "reload_dropped", reload_dropped, "packets a hot reload into a smaller queue could not keep"),
    handler<Queue, nullptr, &write_reset_counts>("reset_counts",
                                                  "write (any value): the high-water mark starts again from the length"),
};

}  // namespace

bool Queue::configure(const Args& args, Config& config, std::string&) {
  config.capacity = static_cast<std::uint32_t>(args.get_unsigned("CAPACITY"));
  return true;
}

bool Queue::setup(const Config& config, State& state, std::string& error) {
  // A ring of its own memory rather than a named memzone: reloads make and free queues, and
  // DPDK's memzones are few and never reused by name.
  static std::atomic<std::uint32_t> serial{0};
  const std::uint32_t slots = rte_align32pow2(config.capacity + 1);
  const ssize_t size = rte_ring_get_memsize(slots);
  if (size < 0) {
    error = "cannot size a ring of " + std::to_string(config.capacity) + " packets";
    return false;
  }
  const std::size_t bytes = (static_cast<std::size_t>(size) + RTE_CACHE_LINE_SIZE - 1) & ~std::size_t{RTE_CACHE_LINE_SIZE - 1};
  void* memory = std::aligned_alloc(RTE_CACHE_LINE_SIZE, bytes);
  if (!memory) {
    error = "out of memory for a ring of " + std::to_string(config.capacity) + " packets";
    return false;
  }
  auto* ring = static_cast<rte_ring*>(memory);
  const std::string name = "nbq" + std::to_string(serial.fetch_add(1));
  if (rte_ring_init(ring, name.c_str(), config.capacity, RING_F_EXACT_SZ) != 0) {
    std::free(memory);
    error = "cannot make a ring of " + std::to_string(config.capacity) + " packets";
    return false;
  }
  state.ring = ring;
  state.memory = memory;
  return true;
}

void Queue::teardown(const Config&, State& state) {
  // Packets still in it (a reload removed the queue) are freed: the ring owns them.
  void* m = nullptr;
  while (state.ring && rte_ring_mc_dequeue(state.ring, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  std::free(state.memory);
  state.ring = nullptr;
  state.memory = nullptr;
}

void Queue::transfer(const Config&, const State& old_state, const Config&, State& new_state) {
  void* m = nullptr;
  while (old_state.ring && rte_ring_mc_dequeue(old_state.ring, &m) == 0) {
    if (rte_ring_mp_enqueue(new_state.ring, m) != 0) {
      rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      ++new_state.reload_dropped;
    }
  }
  new_state.highwater = rte_ring_count(new_state.ring);
}

NB_ELEMENT_KERNEL(Queue);

#define NB_QUEUE_DESCRIPTION                                                                                          \
  "Stores the packets pushed to its input, oldest first, until something pulls them from its "                        \
  "output: Unqueue, a scheduler (RoundRobinSched, PrioSched), a Shaper, or a ToDevice or Discard "                    \
  "connected straight to it. Whatever pulls runs as a task of the worker's loop, once per pass "                      \
  "(docs/queues.md). A full queue drops the packet pushed to it at the tail and counts it (`drops`, "                 \
  "reason `full`); it never makes the worker wait.\n"                                                                 \
  "\n"                                                                                                                \
  "The queue owns the packets in it. With several workers, each worker has a queue of its own "                       \
  "(CAPACITY each) and runs the task that pulls from it, so a flow's packets leave in the order they "                \
  "came; when StaticThreadSched binds the task that pulls from it to one worker, it is one queue "                    \
  "(CAPACITY) that every worker pushes into and that worker alone empties: a pipeline stage. A hot reload keeps the " \
  "packets of a queue of the same name: they move into the new "                                                      \
  "configuration's queue; when it is smaller, the oldest that fit are kept and the others counted "                   \
  "in `reload_dropped`. Packets still queued when the run stops early are dropped as `flushed`; when "                \
  "every input file was read to its end, the run waits until the queues are empty.\n"                                 \
  "\n"                                                                                                                \
  "Input 0 (push): packets to store. Output 0 (pull): the packets, oldest first."

constinit const ElementSpec Queue::spec{
    .class_name = "Queue",
    .ports = "1/1",
    .params = kParams,
    .brief = "stores packets until they are pulled (FIFO)",
    .description = NB_QUEUE_DESCRIPTION,
    .example = "FromDump(in.pcap) -> Queue(500) -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/l",
};

// Click's names for queues that differ from Queue in Click only in what they are safe for, or
// in how they notify; nb's Queue is safe for every use, and its tasks need no notification.
#define NB_QUEUE_ALIAS(var, name, what, why)                                          \
  constinit const ElementSpec var{                                                    \
      .class_name = name,                                                             \
      .ports = "1/1",                                                                 \
      .params = kParams,                                                              \
      .brief = "Queue under Click's name for " what,                                  \
      .description = "The same element as Queue (" why "). " NB_QUEUE_DESCRIPTION,     \
      .example = "FromDump(in.pcap) -> " name "(500) -> ToDump(out.pcap);\n",         \
      .ops = &kOps,                                                                   \
      .handlers = kHandlers,                                                          \
      .processing = "h/l",                                                            \
  };                                                                                  \
  NB_REGISTER_ELEMENT(var)

NB_QUEUE_ALIAS(kSimpleQueue, "SimpleQueue", "a queue without notification", "nb's tasks need no notification");
NB_QUEUE_ALIAS(kThreadSafeQueue, "ThreadSafeQueue", "a queue several threads use",
               "a queue is shared between workers exactly when StaticThreadSched makes one worker empty it");

NB_REGISTER_ELEMENT(Queue::spec);

}  // namespace nb::elements
