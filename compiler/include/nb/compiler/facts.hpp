// Graph-level specialisation: facts that elements declare (nb::FactSheet) flowed over the Plan,
// and the elements they prove redundant. Only the JIT applies the result; the interpreter runs
// the Plan as written and stays the reference (docs/facts.md).
#pragma once

#include <nb/compiler/plan.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nb::compiler {

struct FactRemoval {
  std::uint32_t element = 0;
  std::string fact;  // what proves it redundant, e.g. "valid IPv4 header at 14, network offset 14, ..."
};

struct FactAnalysis {
  // Per element: the JIT leaves it out and sends what would reach it to where its output 0
  // leads (the element would have sent every packet there unchanged, changing no State).
  std::vector<bool> elided;
  std::vector<FactRemoval> removals;  // in element order
  // Whether received packets need their annotations reset (PacketAnno{}): true when some element
  // may read an annotation that still holds what the buffer's last user left, which
  // `annotations_why` then names; false when every annotation any element reads was set on the
  // way to it (FactSheet::anno_reads, anno_sets, a NetworkOffset fact). The interpreter always
  // resets them.
  bool reset_annotations = true;
  std::string annotations_why;
};

// The facts that hold at each element's input (for tests and tools), or nullopt when no packet
// reaches it.
std::vector<std::optional<std::vector<Fact>>> input_facts(const Plan& plan);

FactAnalysis analyse_facts(const Plan& plan);

std::string describe(const Fact& f);

}  // namespace nb::compiler
