#pragma once

#include <nb/runtime/dataplane.hpp>

namespace nb::runtime {

// The reference engine: walks the plan with one indirect call per element per packet. It is
// the semantic reference the JIT is compared against byte for byte.
class InterpEngine final : public Engine {
 public:
  explicit InterpEngine(Dataplane& dp) : dp_(dp) {}
  void process(std::uint32_t source, rte_mbuf** pkts, std::uint32_t n) override;
  // Pushes m out of output `port` of `element` and on to where it ends (the pull side's way
  // into the push side off output 0: PullTee's copies, an agnostic element's other outputs).
  void push_from(std::uint32_t element, std::uint32_t port, rte_mbuf* m);

 private:
  void deliver(const compiler::Target& t, std::uint32_t from, rte_mbuf* m);
  void run_stack();
  Dataplane& dp_;
  struct Work {
    std::uint32_t element;
    std::uint32_t in_port;
    rte_mbuf* m;
  };
  static constexpr std::uint32_t kToPort = 0xffffffffu;  // Work::in_port of a packet leaving by a port
  std::vector<Work> stack_;
};

}  // namespace nb::runtime
