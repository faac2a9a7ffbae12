// Elements that read the length of queues (ElementSpec::queues_param, RED): which elements'
// packets each one counts, named by its QUEUES argument or found in the graph as Click finds them.
// Elements that reach other elements' State (ElementSpec::peers, ICMPRewriter): which ones.
#pragma once

#include <nb/compiler/graph.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/lang/diagnostics.hpp>

namespace nb::compiler::detail {

// Fills PlanElement::watched of every element whose class watches queues; an error for one that
// names no element that holds packets, or finds none.
void find_watched_queues(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags);

// Fills PlanElement::peers of every element whose class names peers (ElementSpec::peers); an
// error for a word that names no element, or one not of the parameter's family.
void find_peers(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags);

// StaticThreadSched: binds the tasks its entries name to workers (PlanTask::worker) and makes the
// Queues such a task pulls from shared by every worker (PlanElement::shared_state). Errors for an
// entry that names no element, an element without a task, a task bound twice, or a packet store
// in a bound task's chain that cannot be shared. Call after plan.tasks is made.
void bind_tasks(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags);

// ScheduleInfo: gives the tasks its entries name their share (PlanTask::share), as Click's
// ScheduleInfo gives tickets: an entry naming a compound applies to every task inside it, and
// shares at nested levels multiply. A name that matches no task is a warning (in Click, no
// error); the same name given two shares is an error. Call after plan.tasks is made.
void weigh_tasks(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags);

}  // namespace nb::compiler::detail
