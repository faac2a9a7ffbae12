#include "sched_order_test.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <span>

namespace nb::elements {

namespace {

// One order for every SchedOrderTest of the process, as Click has one per router (nbrun runs
// one router; a reload's new elements carry on recording into it). Its length is the largest
// SIZE of the elements using it; it is freed when the last one is torn down.
struct Order {
  std::mutex mutex;  // users and size: setup and teardown only
  std::uint32_t users = 0;
  std::atomic<std::uint32_t> size{0};
  std::atomic<std::uint64_t> next{0};  // slots taken; past size: full
  std::unique_ptr<std::atomic<std::int32_t>[]> ids;
};

Order& shared() {
  static Order order;
  return order;
}

}  // namespace

bool SchedOrderTest::configure(const Args& args, Config& c, std::string& error) {
  const std::int64_t id = args.get_integer("ID");
  if (id < INT32_MIN || id > INT32_MAX) {
    error = "ID must fit in 32 bits";
    return false;
  }
  c.id = static_cast<std::int32_t>(id);
  c.size = static_cast<std::uint32_t>(args.get_unsigned("SIZE"));
  c.limit = static_cast<std::uint32_t>(args.get_unsigned("LIMIT"));
  c.stop = args.get_bool("STOP");
  return true;
}

bool SchedOrderTest::setup(const Config& c, State& s, std::string&) {
  Order& o = shared();
  std::lock_guard lock(o.mutex);
  if (!o.ids) {
    o.ids = std::make_unique<std::atomic<std::int32_t>[]>(kMaxSize);
    o.next.store(0);
    o.size.store(0);
  }
  if (c.size > o.size.load()) o.size.store(c.size);
  ++o.users;
  s.registered = true;
  return true;
}

void SchedOrderTest::teardown(const Config&, State& s) {
  if (!s.registered) return;
  s.registered = false;
  Order& o = shared();
  std::lock_guard lock(o.mutex);
  if (--o.users == 0) o.ids.reset();
}

std::uint32_t SchedOrderTest::pull(const Config& c, State& s, PullContext& ctx, rte_mbuf**, std::uint32_t) {
  // Click's task reschedules itself LIMIT times; nb's runs every pass, and does nothing after.
  if (c.limit && s.runs >= c.limit) return 0;
  ++s.runs;
  Order& o = shared();
  if (!o.ids) return 0;
  const std::uint32_t size = o.size.load(std::memory_order_relaxed);
  if (o.next.load(std::memory_order_relaxed) < size) {
    const std::uint64_t at = o.next.fetch_add(1, std::memory_order_relaxed);
    if (at < size) {
      o.ids[at].store(c.id, std::memory_order_relaxed);
      return 0;
    }
  }
  if (c.stop) ctx.stop_router();  // full: each run asks again, as Click's does
  return 0;
}

std::string SchedOrderTest::order() {
  Order& o = shared();
  std::lock_guard lock(o.mutex);
  std::string out;
  if (!o.ids) return "\n";
  const std::uint64_t n = std::min<std::uint64_t>(o.next.load(), o.size.load());
  for (std::uint64_t k = 0; k < n; ++k) {
    if (k) out += ' ';
    out += std::to_string(o.ids[k].load(std::memory_order_relaxed));
  }
  out += '\n';
  return out;
}

namespace {

constexpr ParamSpec kParams[] = {
    {"ID", ParamType::Integer, ParamKind::Positional, true, "",
     "The number this element records each time its task runs."},
    {"SIZE", ParamType::Unsigned, ParamKind::Keyword, false, "1024",
     "How many IDs the shared order keeps: the largest SIZE of the SchedOrderTest elements.", 1,
     SchedOrderTest::kMaxSize},
    {"LIMIT", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "How many times its task runs (records), then it is done; 0: forever."},
    {"STOP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Whether to stop the run once the order is full (a stop event under a DriverManager), "
     "asked again at each run after that, as Click does."},
};

void read_order(const SchedOrderTest::Config&, const SchedOrderTest::State&, std::string& out) {
  out = SchedOrderTest::order();
}

void read_order_workers(const SchedOrderTest::Config&, std::span<const SchedOrderTest::State* const>,
                        std::string& out) {
  out = SchedOrderTest::order();  // one order for every worker and element
}

constexpr HandlerSpec kHandlers[] = {
    handler<SchedOrderTest, &read_order, nullptr, &read_order_workers>(
        "order", "read: the IDs in the order their tasks ran, space-separated (the first SIZE runs)"),
    NB_COUNTER(SchedOrderTest, runs, "how many times its task ran and recorded (or found the order full)"),
};

}  // namespace

NB_ELEMENT_PULL(SchedOrderTest);

constinit const ElementSpec SchedOrderTest::spec{
    .class_name = "SchedOrderTest",
    .ports = "0/0",
    .params = kParams,
    .brief = "records the order in which the worker's loop runs the tasks (a scheduler test)",
    .description =
        "A task with no ports (docs/queues.md): each time the worker's loop runs it, it appends "
        "its ID to an order shared by every SchedOrderTest, until that holds SIZE IDs; the "
        "`order` handler reads it. After LIMIT runs (0: never) it records nothing more. With "
        "STOP true, every run once the order is full asks the run to stop: under a "
        "DriverManager that is a stop event (`DriverManager(wait_stop, print s.order, stop)`), "
        "else the run ends.\n"
        "\n"
        "What the order shows is nb's scheduler: the worker's loop runs the tasks in the order "
        "the elements appear in the configuration, each as often per pass as its ScheduleInfo "
        "share says (once without one), so three tasks record `1 2 3 1 2 3 ...`, with "
        "`ScheduleInfo(a 1, b 2, c 3)` `1 2 2 3 3 3 ...`, and one that reached its LIMIT drops "
        "out (`1 3 3 3 ...`). Click's stride scheduler runs them in the same proportions, "
        "interleaved differently. With several "
        "workers every worker runs every task, and their runs interleave in the one order as "
        "they happen (LIMIT counts per worker).",
    .example =
        "s1 :: SchedOrderTest(1, SIZE 100, STOP true);\n"
        "s2 :: SchedOrderTest(2, LIMIT 10);\n"
        "DriverManager(wait_stop, print s1.order, stop);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(SchedOrderTest::spec);

}  // namespace nb::elements
