#include "watch.hpp"

#include <nb/compiler/registry.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nb::compiler::detail {
namespace {

// What Click calls a Storage element: one that holds packets between calls (Queue and its other
// names, LinkUnqueue), which says how many through ElementOps::held.
bool holds_packets(const Element& el) {
  const ElementOps* ops = el.cls && el.cls->spec ? el.cls->spec->ops : nullptr;
  return ops && ops->held;
}

// The words of an argument that names elements (`a b c`, `ELEMENT THREAD`), each with the span
// of the word itself when the argument is written as it reads (else the argument's).
struct Word {
  std::string text;
  lang::Span at;
};
std::vector<Word> words_of(const ParamValue& arg) {
  const auto* text = std::get_if<std::string>(&arg.value);
  const std::string words = text ? *text : arg.text;
  std::vector<Word> out;
  for (std::size_t b = 0; b < words.size();) {
    if (std::isspace(static_cast<unsigned char>(words[b]))) {
      ++b;
      continue;
    }
    std::size_t e = b;
    while (e < words.size() && !std::isspace(static_cast<unsigned char>(words[e]))) ++e;
    lang::Span at = arg.span;
    if (at.valid() && at.size() == words.size()) {  // no substitution moved it
      at.begin = arg.span.begin + static_cast<std::uint32_t>(b);
      at.end = at.begin + static_cast<std::uint32_t>(e - b);
    }
    out.push_back({words.substr(b, e - b), at});
    b = e;
  }
  return out;
}

// Click's router()->find(name, context): a name is looked up in the compound the element is in
// first, then in each enclosing one, up to the top.
int find_near(const Graph& graph, const std::string& from, const std::string& name) {
  std::string scope = from;
  for (;;) {
    const std::size_t slash = scope.rfind('/');
    scope = slash == std::string::npos ? std::string() : scope.substr(0, slash);
    const int i = graph.find(scope.empty() ? name : scope + "/" + name);
    if (i >= 0 || scope.empty()) return i;
  }
}

// The nearest elements that hold packets, following connections from output 0 downstream (a push
// element) or from input 0 upstream (a pull one), through every port of the elements in between,
// and no further than the first that holds packets on each path: Click's flow-based router context.
std::vector<std::uint32_t> nearest(const Graph& graph, std::uint32_t start, bool downstream) {
  std::vector<std::uint32_t> found;
  std::vector<char> seen(graph.elements.size(), 0);
  seen[start] = 1;
  std::deque<std::uint32_t> next;
  auto follow = [&](std::uint32_t from, bool only_port0) {
    for (const Edge& e : graph.edges) {
      const unsigned near_end = downstream ? e.from : e.to;
      const unsigned near_port = downstream ? e.from_port : e.to_port;
      if (near_end != from || (only_port0 && near_port != 0)) continue;
      const std::uint32_t far = downstream ? e.to : e.from;
      if (seen[far]) continue;
      seen[far] = 1;
      next.push_back(far);
    }
  };
  follow(start, true);
  while (!next.empty()) {
    const std::uint32_t i = next.front();
    next.pop_front();
    if (holds_packets(graph.elements[i])) {
      found.push_back(i);
      continue;
    }
    follow(i, false);
  }
  return found;
}

}  // namespace

void find_watched_queues(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags) {
  for (std::uint32_t i = 0; i < graph.elements.size() && i < plan.elements.size(); ++i) {
    const Element& el = graph.elements[i];
    if (!el.cls || !el.cls->spec || el.cls->spec->queues_param.empty()) continue;
    const std::string_view cls = el.cls->spec->class_name;
    const std::string_view param = el.cls->spec->queues_param;
    const ParamValue* named = el.param(param);
    std::vector<std::uint32_t> watched;
    if (named && !named->is_default && !named->text.empty()) {
      const auto* text = std::get_if<std::string>(&named->value);
      const std::string words = text ? *text : named->text;
      bool bad = false;
      for (std::size_t b = 0; b < words.size();) {
        if (words[b] == ' ' || words[b] == '\t' || words[b] == '\n' || words[b] == '\r') {
          ++b;
          continue;
        }
        std::size_t e = b;
        while (e < words.size() && words[e] != ' ' && words[e] != '\t' && words[e] != '\n' && words[e] != '\r') ++e;
        const std::string word = words.substr(b, e - b);
        b = e;
        const int q = find_near(graph, el.name, word);
        if (q < 0) {
          diags.error(named->span, fmt::format("{} of {}: no element named '{}'", param, cls, word))
              .note(fmt::format("{} names the Queues whose lengths {} reads, separated by spaces", param, cls));
          bad = true;
        } else if (!holds_packets(graph.elements[static_cast<std::size_t>(q)])) {
          diags
              .error(named->span, fmt::format("{} of {}: '{}' ({}) holds no packets", param, cls, word,
                                              graph.elements[static_cast<std::size_t>(q)].cls->spec->class_name))
              .note(fmt::format("{} names elements that store packets, such as Queues", param));
          bad = true;
        } else {
          watched.push_back(static_cast<std::uint32_t>(q));
        }
      }
      if (bad) continue;
    } else {
      const bool pull = !el.output_modes.empty() && el.output_modes[0] == 'l';
      watched = nearest(graph, i, !pull);
      if (watched.empty()) {
        diags
            .error(el.class_span,
                   pull ? fmt::format("{} '{}' finds no Queue upstream of its input 0: it drops by the length of "
                                      "the queues it is pulled from",
                                      cls, el.name)
                        : fmt::format("{} '{}' finds no Queue downstream of its output 0: it drops by the length of "
                                      "the queues it feeds",
                                      cls, el.name))
            .note(fmt::format("put a Queue after it (... -> {} -> Queue -> ...), or name the queues with {}", cls,
                              param));
        continue;
      }
    }
    plan.elements[i].watched = std::move(watched);
  }
}

namespace {
// Whether `name` is one of the space-separated class names of `list` (PeerParam::classes); an
// empty list takes every class.
bool class_listed(std::string_view list, std::string_view name) {
  if (list.empty()) return true;
  for (std::size_t b = 0; b < list.size();) {
    if (list[b] == ' ') {
      ++b;
      continue;
    }
    std::size_t e = list.find(' ', b);
    if (e == std::string_view::npos) e = list.size();
    if (list.substr(b, e - b) == name) return true;
    b = e;
  }
  return false;
}
}  // namespace

void find_peers(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags) {
  for (std::uint32_t i = 0; i < graph.elements.size() && i < plan.elements.size(); ++i) {
    const Element& el = graph.elements[i];
    if (!el.cls || !el.cls->spec || el.cls->spec->peers.empty()) continue;
    const std::string_view cls = el.cls->spec->class_name;
    std::vector<std::uint32_t> peers;
    for (const PeerParam& pp : el.cls->spec->peers) {
      for (const ParamValue* named : el.params_named(pp.param)) {
        if (!named || named->is_default) continue;
        for (const Word& w : words_of(*named)) {
          const std::string& word = w.text;
          const lang::Span at = w.at;
          const int q = find_near(graph, el.name, word);
          const Element* peer = q >= 0 ? &graph.elements[static_cast<std::size_t>(q)] : nullptr;
          if (!peer) {
            diags.error(at, fmt::format("{} of {}: no element named '{}'", pp.param, cls, word))
                .note(fmt::format("{} names elements by name, separated by spaces: each {}", pp.param, pp.what));
          } else if (!peer->cls || !peer->cls->spec || peer->cls->spec->family != pp.family ||
                     !class_listed(pp.classes, peer->cls->spec->class_name)) {
            diags
                .error(at, fmt::format("{} of {}: '{}' is a {}, not {}", pp.param, cls, word,
                                       peer->cls && peer->cls->spec ? peer->cls->spec->class_name : "?", pp.what))
                .note(fmt::format("{} reads the State of the elements {} names: each must be {}", cls, pp.param,
                                  pp.what));
          } else {
            peers.push_back(static_cast<std::uint32_t>(q));
          }
        }
      }
    }
    plan.elements[i].peers = std::move(peers);
  }
}

namespace {

// The task `el` belongs to: its puller, or an element on the chain from the puller up to the
// task's top. -1: none (a push element, a Queue, a device input).
int task_of(const Plan& plan, std::uint32_t el) {
  for (std::size_t k = 0; k < plan.tasks.size(); ++k) {
    std::uint32_t cur = plan.tasks[k].puller;
    for (std::size_t steps = 0; steps <= plan.elements.size(); ++steps) {
      if (cur == el) return static_cast<int>(k);
      if (cur == plan.tasks[k].top) break;
      const std::vector<Target>& from = plan.elements[cur].pull_inputs;
      if (from.empty() || from[0].kind != Target::Kind::Element) break;
      cur = from[0].index;
    }
  }
  return -1;
}

// Every element a task's top pulls from, directly or through schedulers: the elements whose pull
// runs on the task's worker.
void pulled_by(const Plan& plan, std::uint32_t el, std::vector<char>& seen, std::vector<std::uint32_t>& out) {
  if (seen[el]) return;
  seen[el] = 1;
  out.push_back(el);
  for (const Target& t : plan.elements[el].pull_inputs)
    if (t.kind == Target::Kind::Element) pulled_by(plan, t.index, seen, out);
}

}  // namespace

void bind_tasks(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags) {
  std::vector<lang::Span> bound_at(plan.tasks.size());
  for (std::uint32_t i = 0; i < graph.elements.size() && i < plan.elements.size(); ++i) {
    const Element& el = graph.elements[i];
    if (!el.cls || !el.cls->spec || std::string_view(el.cls->spec->class_name) != "StaticThreadSched") continue;
    for (const ParamValue* entry : el.params_named("ENTRY")) {
      if (!entry || entry->is_default) continue;
      const std::vector<Word> words = words_of(*entry);
      if (words.size() != 2) continue;  // checked by the element
      const std::string& name = words[0].text;
      const long thread = std::strtol(words[1].text.c_str(), nullptr, 10);  // -1: none (Click's "no preference")
      const lang::Span at = words[0].at;
      auto bind = [&](std::size_t k) {
        PlanTask& task = plan.tasks[k];
        if (task.worker >= 0 && task.worker != thread) {
          diags
              .error(at, fmt::format("StaticThreadSched: the task of '{}' is bound to worker {} already",
                                     plan.elements[task.puller].name, task.worker))
              .note(bound_at[k], "bound here");
          return;
        }
        task.worker = static_cast<std::int32_t>(thread);
        bound_at[k] = at;
      };
      const int q = find_near(graph, el.name, name);
      if (q < 0) {
        // A compound's name, as in Click: every task inside it.
        const std::size_t slash = el.name.rfind('/');
        const std::string inside =
            (slash == std::string::npos ? std::string() : el.name.substr(0, slash + 1)) + name + "/";
        bool any = false;
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) {
          if (!plan.elements[plan.tasks[k].puller].name.starts_with(inside)) continue;
          any = true;
          if (thread >= 0) bind(k);
        }
        if (any) continue;
        bool compound = false;
        for (const Element& e : graph.elements) compound |= e.name.starts_with(inside);
        diags
            .error(at, compound ? fmt::format("StaticThreadSched: the compound '{}' has no task inside", name)
                                : fmt::format("StaticThreadSched: no element or compound named '{}'", name))
            .note("each entry is ELEMENT THREAD: the element (or compound) whose task runs on worker THREAD");
        continue;
      }
      const PlanElement& target = plan.elements[static_cast<std::size_t>(q)];
      const int k = task_of(plan, static_cast<std::uint32_t>(q));
      if (k < 0) {
        if (target.ops && target.ops->role != ElementOps::Role::Kernel) {
          diags
              .warning(at, fmt::format("StaticThreadSched: '{}' is an input or output port, not a task: nb spreads "
                                       "what a port receives over the workers by flow, so it stays on every worker",
                                       name))
              .note(
                  "docs/multicore.md says which worker gets which flow; to pipeline, bind the element that pulls "
                  "from a ThreadSafeQueue after the port");
          continue;
        }
        std::string pullers;
        for (const PlanTask& t : plan.tasks) {
          std::vector<char> seen(plan.elements.size(), 0);
          std::vector<std::uint32_t> pulled;
          pulled_by(plan, t.top, seen, pulled);
          for (std::uint32_t p : pulled)
            if (p == static_cast<std::uint32_t>(q))
              pullers += (pullers.empty() ? "'" : ", '") + plan.elements[t.puller].name + "'";
        }
        lang::Diagnostic& d = diags.error(
            at,
            fmt::format("StaticThreadSched: '{}' has no task: it runs on whichever worker its packets reach", name));
        if (!pullers.empty())
          d.note(fmt::format("the task that takes packets out of it belongs to {}: name that one", pullers));
        else
          d.note(
              "tasks belong to elements that pull (Unqueue, a ToDevice or Discard after a queue, a scheduler's "
              "puller) and to sources that make packets (InfiniteSource)");
        continue;
      }
      if (thread >= 0) bind(static_cast<std::size_t>(k));
    }
  }
  // A bound task's worker alone takes packets out of the stores it pulls from, while every worker
  // may push into them: they must be one store for all.
  const ElementClass* queue = Registry::builtin().find("Queue");
  const ElementOps* queue_ops = queue && queue->spec ? queue->spec->ops : nullptr;
  for (std::size_t k = 0; k < plan.tasks.size(); ++k) {
    PlanTask& task = plan.tasks[k];
    if (task.worker < 0) continue;
    std::vector<char> seen(plan.elements.size(), 0);
    std::vector<std::uint32_t> pulled;
    pulled_by(plan, task.top, seen, pulled);
    for (std::uint32_t p : pulled) {
      if (graph.elements[p].input_modes.find('h') == std::string::npos) continue;
      PlanElement& store = plan.elements[p];
      if (queue_ops && store.ops == queue_ops) {
        store.shared_state = true;
        task.drains_shared = true;
        continue;
      }
      diags
          .error(bound_at[k],
                 fmt::format("StaticThreadSched: the task of '{}' pulls from '{}' ({}), which keeps its "
                             "packets per worker: what other workers push into it would never leave",
                             plan.elements[task.puller].name, store.name, store.spec ? store.spec->class_name : "?"))
          .note(graph.elements[p].span, fmt::format("put a ThreadSafeQueue in front of '{}': a queue is shared by "
                                                    "every worker when a bound task pulls from it",
                                                    store.name));
    }
  }
}

void weigh_tasks(const Graph& graph, Plan& plan, lang::DiagnosticEngine& diags) {
  // Click's limits on a task's tickets, over its default (Task::DEFAULT_TICKETS 1024, MAX_TICKETS 32768).
  constexpr double kMinShare = 1.0 / 1024, kMaxShare = 32.0;
  std::vector<std::pair<std::string, lang::Span>> given;  // full names already weighed
  for (std::uint32_t i = 0; i < graph.elements.size(); ++i) {
    const Element& el = graph.elements[i];
    if (!el.cls || !el.cls->spec || std::string_view(el.cls->spec->class_name) != "ScheduleInfo") continue;
    const std::size_t slash = el.name.rfind('/');
    const std::string scope = slash == std::string::npos ? std::string() : el.name.substr(0, slash + 1);
    for (const ParamValue* entry : el.params_named("ENTRY")) {
      if (!entry || entry->is_default) continue;
      const std::vector<Word> words = words_of(*entry);
      if (words.size() != 2) continue;  // checked by the element
      const std::string full = scope + words[0].text;
      const lang::Span at = words[0].at;
      const double share = std::strtod(words[1].text.c_str(), nullptr);
      bool twice = false;
      for (const auto& [name, where] : given) {
        if (name != full) continue;
        diags.error(at, fmt::format("ScheduleInfo: '{}' is given a share already", words[0].text))
            .note(where, "given here");
        twice = true;
        break;
      }
      if (twice) continue;
      given.emplace_back(full, at);
      bool weighed = false;
      for (PlanTask& t : plan.tasks) {
        const std::string& puller = plan.elements[t.puller].name;
        if (puller != full && !(puller.size() > full.size() && puller.starts_with(full) && puller[full.size()] == '/'))
          continue;
        t.share *= share;
        weighed = true;
      }
      if (weighed) continue;
      const int q = find_near(graph, el.name, words[0].text);
      if (q < 0) {
        diags.warning(at, fmt::format("ScheduleInfo: no element or compound named '{}': the share applies to nothing",
                                      words[0].text));
        continue;
      }
      const PlanElement& target = plan.elements[static_cast<std::size_t>(q)];
      const bool port = target.ops && target.ops->role != ElementOps::Role::Kernel;
      diags
          .warning(at, port ? fmt::format("ScheduleInfo: '{}' is an input or output port, not a task: every worker "
                                          "polls each port once per pass, so the share is not applied",
                                          words[0].text)
                            : fmt::format("ScheduleInfo: '{}' has no task: it runs when its packets reach it, so the "
                                          "share is not applied",
                                          words[0].text))
          .note(
              "shares weigh tasks: elements that pull (Unqueue, a ToDevice or Discard after a queue, a "
              "scheduler's puller) and sources that make packets (InfiniteSource)");
    }
  }
  for (PlanTask& t : plan.tasks) t.share = std::clamp(t.share, kMinShare, kMaxShare);
}

}  // namespace nb::compiler::detail
