// Graph checks. A packet has exactly one owner at a time, so: every output feeds exactly one
// input, no output that an element may send to is left dangling, and no packet can go around
// in circles. Each problem is reported at the connection or element that causes it.
#include <nb/compiler/driver.hpp>

#include <fmt/format.h>

#include <map>

namespace nb::compiler {
namespace {

std::string plural(unsigned n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string display(const Element& e) {
  return fmt::format("'{}' ({})", e.name, e.cls ? std::string(e.cls->spec->class_name) : std::string("?"));
}

// "instantiated here" notes, innermost first; a deep nesting is summed up after a few.
void add_context(lang::Diagnostic& d, const std::vector<lang::Span>& context) {
  constexpr std::size_t kMaxNotes = 5;
  std::size_t shown = 0;
  for (auto it = context.rbegin(); it != context.rend(); ++it) {
    if (shown == kMaxNotes && context.size() > kMaxNotes + 1) {
      std::size_t more = context.size() - shown;
      d.note(fmt::format("... and {} more instantiation{}", more, more == 1 ? "" : "s"));
      break;
    }
    d.note(*it, "in the compound element instantiated here");
    ++shown;
  }
}

void add_context(lang::Diagnostic& d, const Element& e) { add_context(d, e.context); }

const char* mode_name(char m) { return m == 'l' ? "pull" : "push"; }

// Push and pull, by Click's rules. Each port is push ('h'), pull ('l') or agnostic ('a') as its
// class says; a connection joins two ends of one kind, so an agnostic end takes the kind of the
// other, and an element's agnostic ports all take one kind (what it pulls it gives on, what is
// pushed to it it pushes on). Agnostic ports nothing decides are push. Then: a push output
// cannot feed a pull input (nothing would pull, and the pusher cannot wait) nor the reverse, and
// a pull input has exactly one connection (the puller asks one place for its next packet).
void check_processing(Graph& graph, const std::vector<bool>& valid, lang::DiagnosticEngine& diags) {
  const std::size_t n = graph.elements.size();
  std::vector<char> group(n, 'a');  // what each element's agnostic ports became
  std::vector<std::vector<std::size_t>> touching(n);
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    if (!valid[i]) continue;
    touching[graph.edges[i].from].push_back(i);
    touching[graph.edges[i].to].push_back(i);
  }
  auto out_code = [&](const Edge& e) { return graph.elements[e.from].cls->processing.output(e.from_port); };
  auto in_code = [&](const Edge& e) { return graph.elements[e.to].cls->processing.input(e.to_port); };
  // Breadth first from every connection with a decided end: linear in the graph.
  std::vector<std::size_t> queue;
  auto decide = [&](std::size_t element, char mode) {
    if (group[element] != 'a') return;  // first come decides; a clash shows as a mismatch below
    group[element] = mode;
    queue.push_back(element);
  };
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    if (!valid[i]) continue;
    const Edge& e = graph.edges[i];
    const char f = out_code(e), t = in_code(e);
    if (f == 'a' && t != 'a') decide(e.from, t);
    if (t == 'a' && f != 'a') decide(e.to, f);
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::size_t x = queue[q];
    for (std::size_t i : touching[x]) {
      const Edge& e = graph.edges[i];
      if (e.from == x && out_code(e) == 'a' && in_code(e) == 'a') decide(e.to, group[x]);
      if (e.to == x && in_code(e) == 'a' && out_code(e) == 'a') decide(e.from, group[x]);
    }
  }
  auto resolve = [&](char code, std::size_t element) { return code != 'a' ? code : group[element] == 'l' ? 'l' : 'h'; };
  for (std::size_t k = 0; k < n; ++k) {
    Element& el = graph.elements[k];
    el.input_modes.assign(el.ninputs, 'h');
    el.output_modes.assign(el.noutputs, 'h');
    for (unsigned p = 0; p < el.ninputs; ++p) el.input_modes[p] = resolve(el.cls->processing.input(p), k);
    for (unsigned p = 0; p < el.noutputs; ++p) el.output_modes[p] = resolve(el.cls->processing.output(p), k);
  }

  // What nb's tasks can run (docs/queues.md): a pulled packet leaves an element by output 0, and
  // an element that pulls by running its push (an agnostic one) pulls from its one input.
  for (std::size_t k = 0; k < n; ++k) {
    const Element& el = graph.elements[k];
    for (unsigned p = 1; p < el.noutputs; ++p) {
      if (el.output_modes[p] != 'l') continue;
      lang::Diagnostic& d = diags.error(
          el.span, fmt::format("output {} of {} would be pulled from: nb pulls from output 0 only", p, display(el)));
      add_context(d, el);
    }
    const ElementOps* ops = el.cls->spec->ops;
    if (group[k] == 'l' && el.ninputs > 1 && ops && !ops->pull && el.cls->processing.input(0) == 'a') {
      lang::Diagnostic& d = diags.error(
          el.span, fmt::format("{} is pulled from, and has {} inputs: nb does not know which to pull from", display(el),
                               el.ninputs));
      d.note("move it before the Queue, so that packets are pushed through it");
      add_context(d, el);
    }
  }

  auto agnostic_note = [&](lang::Diagnostic& d, const Element& el, char code) {
    if (code == 'a')
      d.note(el.class_span, fmt::format("{} is agnostic: its agnostic ports are all push or all pull, as the first "
                                        "connection that decides says ({})",
                                        display(el), mode_name(group[static_cast<std::size_t>(&el - graph.elements.data())])));
  };
  std::map<std::pair<unsigned, unsigned>, std::size_t> pull_input_owner;
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    if (!valid[i]) continue;
    const Edge& e = graph.edges[i];
    const Element& from = graph.elements[e.from];
    const Element& to = graph.elements[e.to];
    const char f = e.from_port < from.output_modes.size() ? from.output_modes[e.from_port] : 'h';
    const char t = e.to_port < to.input_modes.size() ? to.input_modes[e.to_port] : 'h';
    if (f != t) {
      lang::Diagnostic& d = diags.error(
          e.arrow.valid() ? e.arrow : e.to_span,
          fmt::format("{} output {} of {} is connected to {} input {} of {}", mode_name(f), e.from_port, display(from),
                      mode_name(t), e.to_port, display(to)));
      agnostic_note(d, from, out_code(e));
      agnostic_note(d, to, in_code(e));
      if (f == 'h')
        d.note(fmt::format("nothing would pull what is pushed there: put a Queue between them ({} -> Queue -> {})",
                           from.name, to.name));
      else
        d.note(fmt::format("nothing pulls from {}: put an Unqueue between them ({} -> Unqueue -> {}), or pull with a "
                           "ToDevice",
                           from.name, from.name, to.name));
      add_context(d, e.context);
      continue;
    }
    if (t != 'l') continue;
    auto [it, fresh] = pull_input_owner.emplace(std::make_pair(e.to, e.to_port), i);
    if (!fresh) {
      lang::Diagnostic& d = diags.error(e.to_span, fmt::format("pull input {} of {} is already connected", e.to_port,
                                                               display(to)));
      d.note(graph.edges[it->second].to_span, "first connected here");
      d.note("a pull input asks one place for its next packet: to take from several queues, pull through a scheduler "
             "(RoundRobinSched, PrioSched) with one input per queue");
      add_context(d, e.context);
    }
  }
}

}  // namespace

bool check(Graph& graph, lang::DiagnosticEngine& diags) {
  std::size_t errors_before = diags.error_count();
  const std::size_t n = graph.elements.size();
  std::vector<bool> valid(graph.edges.size(), true);
  // Each end of an edge on its own: an edge to a missing input still uses its source's output
  // (so that one mistake does not also leave the source "not connected"), and vice versa.
  std::vector<bool> valid_from(graph.edges.size(), true), valid_to(graph.edges.size(), true);

  // 1. Port numbers within each element's port spec.
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    const Edge& e = graph.edges[i];
    const Element& from = graph.elements[e.from];
    const Element& to = graph.elements[e.to];
    const PortRange& outs = from.cls->ports.outputs;
    const PortRange& ins = to.cls->ports.inputs;
    if (from.outputs_fixed ? e.from_port >= from.noutputs : e.from_port >= outs.max) {
      unsigned have = from.outputs_fixed ? from.noutputs : outs.max;
      lang::Diagnostic& d =
          have == 0 ? diags.error(e.from_span, fmt::format("{} has no outputs: it cannot be the source of a connection",
                                                           display(from)))
                    : diags.error(e.from_span, fmt::format("output {} is out of range: {} has {}", e.from_port,
                                                           display(from), plural(have, "output")));
      if (from.outputs_fixed && from.cls->spec->output_count == OutputCount::OnePerRestArg) {
        d.note(from.class_span, fmt::format("{} has one output per {} argument", from.cls->spec->class_name,
                                            from.cls->spec->params.empty() ? "" : from.cls->spec->params.back().name));
      }
      add_context(d, from);
      valid[i] = valid_from[i] = false;
    }
    if (e.to_port >= ins.max) {
      lang::Diagnostic& d =
          ins.max == 0 ? diags.error(e.to_span, fmt::format("{} has no inputs: it cannot be the destination of a "
                                                            "connection",
                                                            display(to)))
                       : diags.error(e.to_span, fmt::format("input {} is out of range: {} has {}", e.to_port,
                                                            display(to), plural(ins.max, "input")));
      add_context(d, to);
      valid[i] = valid_to[i] = false;
    }
  }

  // 2. Each output feeds exactly one input.
  std::map<std::pair<unsigned, unsigned>, std::size_t> owner;
  std::vector<unsigned> max_out(n, 0), max_in(n, 0);
  std::vector<std::vector<bool>> out_used(n), in_used(n);
  std::vector<bool> touched(n, false);
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    const Edge& e = graph.edges[i];
    touched[e.from] = touched[e.to] = true;
    if (!valid_from[i]) {
      if (valid_to[i]) {
        auto& iu = in_used[e.to];
        if (iu.size() <= e.to_port) iu.resize(e.to_port + 1, false);
        iu[e.to_port] = true;
      }
      continue;
    }
    auto [it, fresh] = owner.emplace(std::make_pair(e.from, e.from_port), i);
    if (!fresh) {
      const Edge& first = graph.edges[it->second];
      lang::Diagnostic& d = diags.error(e.from_span, fmt::format("output {} of {} is already connected", e.from_port,
                                                                 display(graph.elements[e.from])));
      d.note(first.from_span, "first connected here");
      d.note("a packet has exactly one owner: to send copies to several places, use Tee (t :: Tee; a -> t; "
             "t[0] -> b; t[1] -> c)");
      valid[i] = false;
      continue;
    }
    auto& ou = out_used[e.from];
    if (ou.size() <= e.from_port) ou.resize(e.from_port + 1, false);
    ou[e.from_port] = true;
    if (!valid_to[i]) continue;
    auto& iu = in_used[e.to];
    if (iu.size() <= e.to_port) iu.resize(e.to_port + 1, false);
    iu[e.to_port] = true;
  }

  // 3. Final port counts; dangling outputs would leak packets.
  for (std::size_t k = 0; k < n; ++k) {
    Element& el = graph.elements[k];
    const PortCounts& pc = el.cls->ports;
    if (!el.outputs_fixed) el.noutputs = std::max<unsigned>(pc.outputs.min, static_cast<unsigned>(out_used[k].size()));
    el.ninputs = std::max<unsigned>(pc.inputs.min, static_cast<unsigned>(in_used[k].size()));
    if (!touched[k] && (el.noutputs > 0 || el.ninputs > 0)) {
      lang::Diagnostic& d = diags.warning(el.span, fmt::format("{} is not connected to anything", display(el)));
      add_context(d, el);
      continue;
    }
    for (unsigned p = 0; p < el.noutputs; ++p) {
      if (p < out_used[k].size() && out_used[k][p]) continue;
      lang::Diagnostic& d = diags.error(el.span, fmt::format("output {} of {} is not connected: packets sent there "
                                                             "would be lost",
                                                             p, display(el)));
      d.note(fmt::format("connect it, or send unwanted packets to Discard: {} [{}] -> Discard;", el.name, p));
      add_context(d, el);
    }
    for (unsigned p = 0; p < el.ninputs; ++p) {
      if (p < in_used[k].size() && in_used[k][p]) continue;
      lang::Diagnostic& d = diags.warning(el.span, fmt::format("input {} of {} is not connected: it will never receive "
                                                               "packets",
                                                               p, display(el)));
      add_context(d, el);
    }
  }

  check_processing(graph, valid, diags);

  // 4. No cycles: iterative depth-first search (graphs may have 100,000 elements). A pull
  // connection breaks a loop: what a Queue stores leaves it only when its task pulls. So does a
  // port that is both source and sink (KernelTap): what enters it goes to the kernel.
  std::vector<std::vector<std::size_t>> adj(n);
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    const Edge& e = graph.edges[i];
    const std::string& modes = graph.elements[e.from].output_modes;
    const Element& to = graph.elements[e.to];
    const bool port = to.cls && to.cls->spec && to.cls->spec->ops &&
                      to.cls->spec->ops->role == ElementOps::Role::SourceSink;
    if (valid[i] && !port && !(e.from_port < modes.size() && modes[e.from_port] == 'l')) adj[e.from].push_back(i);
  }
  enum : std::uint8_t { White, Grey, Black };
  std::vector<std::uint8_t> color(n, White);
  std::vector<std::size_t> via(n, 0);  // the edge by which we entered each grey element
  unsigned cycles = 0;
  for (std::size_t root = 0; root < n && cycles < 5; ++root) {
    if (color[root] != White) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};
    color[root] = Grey;
    while (!stack.empty()) {
      auto& [u, next] = stack.back();
      if (next == adj[u].size()) {
        color[u] = Black;
        stack.pop_back();
        continue;
      }
      std::size_t ei = adj[u][next++];
      std::size_t v = graph.edges[ei].to;
      if (color[v] == White) {
        color[v] = Grey;
        via[v] = ei;
        stack.push_back({v, 0});
      } else if (color[v] == Grey && cycles < 5) {
        ++cycles;
        // The path from v to u on the stack, closed by this edge.
        std::vector<std::string> names;
        for (std::size_t s = 0; s < stack.size(); ++s) {
          if (stack[s].first == v) {
            for (std::size_t t = s; t < stack.size(); ++t) names.push_back(graph.elements[stack[t].first].name);
            break;
          }
        }
        names.push_back(graph.elements[v].name);
        std::string path;
        for (std::size_t t = 0; t < names.size() && t < 12; ++t) path += (t ? " -> " : "") + names[t];
        if (names.size() > 12) path += " -> ...";
        const Edge& e = graph.edges[ei];
        lang::Diagnostic& d =
            diags.error(e.arrow.valid() ? e.arrow : e.to_span, "this connection closes a cycle: packets could loop forever");
        d.note(fmt::format("the cycle: {}", path));
        add_context(d, e.context);
      }
    }
  }

  // 5. Arguments the runtime would refuse before opening anything, so that `nbc check` says what
  // nbrun says (same message, same place as the runtime's own check): DPDK's net_pcap takes the
  // file a PcapRead element (FromDump) reads as a device argument, where ',' separates arguments.
  // (A PcapWrite element's file is opened by nbrun itself: any name goes.)
  for (const Element& el : graph.elements) {
    if (!el.cls || el.cls->spec->port_open != PortOpen::PcapRead) continue;
    const ParamValue* file = el.param(el.cls->spec->port_param);
    const auto* name = file ? std::get_if<std::string>(&file->value) : nullptr;
    if (!name || name->find(',') == std::string::npos) continue;
    add_context(diags.error(file->span.valid() ? file->span : el.span,
                            fmt::format("pcap file names cannot contain ',' (DPDK's net_pcap arguments): '{}'", *name)),
                el);
  }
  return diags.error_count() == errors_before;
}

}  // namespace nb::compiler
