// Elements that read the length of queues (ElementSpec::queues_param, RED): which elements'
// packets each one counts, named by its QUEUES argument or found in the graph as Click finds them.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/lang/diagnostics.hpp>

namespace nb::compiler::detail {

// Fills PlanElement::watched of every element whose class watches queues; an error for one that
// names no element that holds packets, or finds none.
void find_watched_queues(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags);

}  // namespace nb::compiler::detail
