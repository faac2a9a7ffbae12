// The pull side of a graph on one worker: runs its tasks (compiler::PlanTask), each once per pass
// of the worker's loop. A task asks its top element for a burst - a Queue dequeues, a scheduler
// or shaper asks its own pull inputs in turn, an agnostic element pulls its input and runs its
// push on what comes - and hands the burst to the engine, which pushes it on from the top's
// output 0 as it does a source's burst. Pull code runs natively: only the push side is JIT code.
#pragma once

#include <nb/runtime/dataplane.hpp>
#include <nb/runtime/interp.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nb::runtime {

class PullRunner {
 public:
  PullRunner(Dataplane& dp, Engine& engine);
  // Runs every task this worker runs (all, but those StaticThreadSched bound to another): a task
  // of share 1 once, others as often as ScheduleInfo's share says over the passes (PlanTask::share).
  // `out`: the worker's own inputs ended; only tasks that drain a queue other workers push into
  // still run, as a worker empties its dispatch rings. Returns the packets they moved.
  std::uint64_t run_tasks(bool out = false);
  // Whether any element holds packets (ElementOps::held): a finished input's packets are not
  // all out yet.
  bool holding() const;
  // Takes what elements hold out of them and drops it, counted under their "flushed" reason.
  void drop_held();
  // An element asked to end the run (PullContext::stop_router): who, or empty.
  void request_stop(const std::string& element) {
    if (stop_by_.empty()) stop_by_ = element;
  }
  const std::string& stop_requested_by() const { return stop_by_; }
  // The request was posted as a stop event instead (a DRIVER script runs): a new one may come.
  void clear_stop() { stop_by_.clear(); }
  // Pulls up to `max` packets out of output `port` of `element`.
  std::uint32_t pull_from(std::uint32_t element, std::uint32_t port, rte_mbuf** out, std::uint32_t max);

 private:
  Dataplane& dp_;
  Engine& engine_;
  InterpEngine interp_;  // the pull side's rare ways into the push side (PullTee's copies)
  std::uint64_t hz_;
  rte_mbuf* burst_[jit_abi::kMaxBurst];
  // Runs each task has earned and not used (PlanTask::share below 1 earns a fraction per pass).
  std::vector<double> credit_;
  std::string stop_by_;
};

}  // namespace nb::runtime
