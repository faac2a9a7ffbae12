#pragma once

#include <nb/runtime/dataplane.hpp>

namespace nb::runtime {

// The reference engine: walks the plan with one indirect call per element per packet. It is
// the semantic reference the JIT is compared against byte for byte.
class InterpEngine final : public Engine {
 public:
  explicit InterpEngine(Dataplane& dp) : dp_(dp) {}
  void process(std::uint32_t source, rte_mbuf** pkts, std::uint32_t n) override;

 private:
  void deliver(const compiler::Target& t, std::uint32_t from, rte_mbuf* m);
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
