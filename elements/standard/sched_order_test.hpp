// SchedOrderTest: a task that records the order in which the worker's loop runs the tasks
// (Click's SchedOrderTest, a test of the scheduler).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct SchedOrderTest {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  // The shared order holds at most this many IDs (Click allocates SIZE; nb's buffer is fixed).
  static constexpr std::uint32_t kMaxSize = 1u << 16;

  struct Config {
    std::int32_t id;
    std::uint32_t size;
    std::uint32_t limit;  // runs, then the task is done; 0: forever
    bool stop;            // stop the run once the order is full
  };
  struct State {
    std::uint64_t runs;  // how many times its task ran (at most LIMIT)
    bool registered;     // this block counts as a user of the shared order (setup)
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  static std::uint32_t pull(const Config& config, State& state, PullContext& ctx, rte_mbuf** out, std::uint32_t max);
  // The order so far, Click's `order` text: IDs separated by spaces, then a newline.
  static std::string order();
};

}  // namespace nb::elements
