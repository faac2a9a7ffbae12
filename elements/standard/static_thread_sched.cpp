#include "static_thread_sched.hpp"

#include "entry_words.hpp"

#include <string>
#include <string_view>

namespace nb::elements {

namespace {

// ELEMENT THREAD, THREAD a worker number.
bool validate_entry(std::string_view text, ParamError& error) {
  const EntryWords w = entry_words(text);
  if (w.count != 2) {
    error = {w.extra_at(), w.extra_length(), "expected ELEMENT THREAD, e.g. 'uq 1'", {}};
    return false;
  }
  const std::string_view thread = w.word(text, 1);
  bool digits = !thread.empty() && thread.size() <= 3;
  for (char c : thread) digits &= c >= '0' && c <= '9';
  if (!digits && thread != "-1") {
    error = {w.begin[1],
             thread.size(),
             "'" + std::string(thread) +
                 "' is not a worker number (0 to 999: the n-th worker of nbrun --workers, modulo "
                 "their number; -1: no preference)",
             {}};
    return false;
  }
  return true;
}

constexpr ParamSpec kParams[] = {
    {.name = "ENTRY",
     .type = ParamType::String,
     .kind = ParamKind::Rest,
     .required = false,
     .default_value = "",
     .doc = "ELEMENT THREAD: the task ELEMENT pulls for (an Unqueue, a pulling ToDevice, a scheduler's puller, a "
            "packet-making source such as InfiniteSource) runs on worker THREAD only; a compound's name binds "
            "every task inside it; THREAD -1 binds nothing (Click's no preference).",
     .validate = validate_entry},
};

}  // namespace

NB_ELEMENT_INFO(StaticThreadSched);

constinit const ElementSpec StaticThreadSched::spec{
    .class_name = "StaticThreadSched",
    .ports = "0/0",
    .params = kParams,
    .brief = "runs the tasks of the elements it names on one worker each: pipelines a graph over cores",
    .description =
        "Without it, every nbrun worker runs the whole graph on the flows it owns (docs/multicore.md), its "
        "tasks included, each with a Queue of its own. Each argument `ELEMENT THREAD` instead runs the task "
        "that ELEMENT belongs to (the chain ELEMENT pulls through, from the Queue or scheduler at its top "
        "down to ELEMENT's outputs) on worker THREAD alone, as Click's StaticThreadSched does with threads. "
        "THREAD counts nbrun's workers from 0, modulo `--workers` (with one worker, everything runs on it).\n"
        "\n"
        "A Queue that such a task pulls from becomes one queue shared by every worker: any worker pushes "
        "into it, and only THREAD takes packets out, so the elements after it run on THREAD's core - a "
        "pipeline (docs/queues.md). Its length is the length of that one queue; its packets leave in the "
        "order they entered it. An element in the chain that keeps packets per worker and could not be "
        "shared (anything but Queue, SimpleQueue and ThreadSafeQueue) is an error: put a ThreadSafeQueue in "
        "front of it. When the run ends, a worker that takes packets out of a shared queue keeps doing so "
        "until every other worker is done, so nothing pushed into it is left behind.\n"
        "\n"
        "ELEMENT is looked up as Click does, from the compound the StaticThreadSched is in outwards; a "
        "compound's name binds every task inside it. THREAD -1 is Click's \"no preference\": the task "
        "stays on every worker. ELEMENT must name an element (or compound) that has a task: naming a push "
        "element (a task runs on every worker that receives its packets) is an error that says so, and "
        "naming an input or output port is a warning (nb spreads what a port receives over the workers by "
        "flow, docs/multicore.md, so the port stays on every worker).",
    .example =
        "FromDump(in.pcap) -> CheckIPHeader(14) -> q :: ThreadSafeQueue(1000)\n"
        "  -> uq :: Unqueue -> ToDump(out.pcap);\nStaticThreadSched(uq 1);\n",
    .ops = &kOps,
};

NB_REGISTER_ELEMENT(StaticThreadSched::spec);

}  // namespace nb::elements
