// Graph checks. A packet has exactly one owner at a time, so: every output feeds exactly one
// input, no output that an element may send to is left dangling, and no packet can go around
// in circles. Each problem is reported at the connection or element that causes it.
#include <nb/compiler/driver.hpp>

#include "bind_args.hpp"

#include <fmt/format.h>

#include <algorithm>
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

// Click runs a push cycle (ICMPError -> the route table that sent the packet there) as nested
// calls. nb's fused loop would recurse for ever, so the connection that closes the cycle becomes
// `Queue -> Unqueue`: what goes round is stored and pushed again on the worker's next pass. The
// two elements are named after the connection's end (`NAME@cycle/queue`), so their handlers
// (length, drops) can be read.
void break_push_cycle(Graph& graph, std::size_t edge_index, lang::DiagnosticEngine& diags) {
  const Registry& builtin = Registry::builtin();
  const ElementClass* queue = builtin.find("Queue");
  const ElementClass* unqueue = builtin.find("Unqueue");
  Edge closing = graph.edges[edge_index];
  const lang::Span at = closing.arrow.valid() ? closing.arrow : closing.to_span;
  if (!queue || !unqueue) {
    diags.error(at, "this connection closes a cycle, and this nb has no Queue to break it with");
    return;
  }
  std::string base = graph.elements[closing.to].name + "@cycle";
  for (unsigned k = 2;; ++k) {
    bool taken = false;
    for (const Element& e : graph.elements) taken = taken || e.name == base + "/queue" || e.name == base + "/unqueue";
    if (!taken) break;
    base = fmt::format("{}@cycle{}", graph.elements[closing.to].name, k);
  }
  auto make = [&](const ElementClass* cls, const char* suffix, const char* in_mode, const char* out_mode) {
    Element el;
    el.name = base + suffix;
    el.cls = cls;
    el.anonymous = true;
    el.span = at;
    el.class_span = at;
    el.context = closing.context;
    el.ninputs = 1;
    el.noutputs = 1;
    el.input_modes = in_mode;
    el.output_modes = out_mode;
    detail::bind_params(el, {}, at, [&](lang::Span s, std::string message) -> lang::Diagnostic& {
      return diags.error(s, std::move(message));
    });
    graph.elements.push_back(std::move(el));
    return static_cast<unsigned>(graph.elements.size() - 1);
  };
  const unsigned q = make(queue, "/queue", "h", "l");
  const unsigned u = make(unqueue, "/unqueue", "l", "h");
  graph.edges[edge_index].to = q;
  graph.edges[edge_index].to_port = 0;
  Edge inner = closing;
  inner.from = q;
  inner.from_port = 0;
  inner.to = u;
  inner.to_port = 0;
  graph.edges.push_back(inner);
  Edge out = closing;
  out.from = u;
  out.from_port = 0;
  graph.edges.push_back(std::move(out));
  lang::Diagnostic& d = diags.warning(
      at, fmt::format("this connection closes a push cycle: nb runs it through a queue ('{}/queue'), so a packet that "
                      "goes round is processed again on the worker's next pass",
                      base));
  d.note("Click runs a push cycle as nested calls; to choose the queue yourself, write "
         "'-> Queue -> Unqueue ->' on one of its connections");
  add_context(d, closing.context);
}

// A source that sorts what it receives over several outputs (ElementSpec::source_split: Click's
// KernelTun sends what is not IP to output 1) gets a Classifier with its patterns between it and
// those outputs, so the port's receive path keeps one output. Only where output 0 and a later
// output are both connected: otherwise every packet goes to output 0 (Click's "drop it if there is
// no second output" keeps nothing apart), and a missing output 0 is the usual error at the
// element itself.
void split_source_outputs(Graph& graph, lang::DiagnosticEngine& diags) {
  const ElementClass* classifier = Registry::builtin().find("Classifier");
  const std::size_t n = graph.elements.size();
  for (std::size_t k = 0; k < n; ++k) {
    const Element& src = graph.elements[k];
    if (!src.cls || !src.cls->spec || src.cls->spec->source_split.empty() || !classifier) continue;
    std::vector<std::string> patterns;
    for (std::string_view rest = src.cls->spec->source_split; !rest.empty();) {
      const std::size_t comma = rest.find(',');
      std::string_view p = rest.substr(0, comma);
      while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      patterns.emplace_back(p);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    bool zero = false, later = false;
    for (const Edge& e : graph.edges) {
      if (e.from != k) continue;
      zero = zero || e.from_port == 0;
      later = later || (e.from_port > 0 && e.from_port < patterns.size());
    }
    if (!zero || !later) continue;
    const lang::Span at = src.class_span;
    Element split;
    split.name = src.name + "/split";
    split.cls = classifier;
    split.anonymous = true;
    split.span = src.span;
    split.class_span = at;
    split.context = src.context;
    std::vector<detail::SubstArg> args;
    for (const std::string& p : patterns) {
      detail::SubstArg a;
      a.text = p;
      a.span = at;
      a.substituted = true;
      args.push_back(std::move(a));
    }
    detail::bind_params(split, args, at, [&](lang::Span s, std::string message) -> lang::Diagnostic& {
      return diags.error(
          s, fmt::format("{} (the patterns {} sorts its packets with)", message, src.cls->spec->class_name));
    });
    const std::vector<lang::Span> context = src.context;
    graph.elements.push_back(std::move(split));
    const auto s = static_cast<unsigned>(graph.elements.size() - 1);
    for (Edge& e : graph.edges)
      if (e.from == k && e.from_port < patterns.size()) e.from = s;
    Edge in;
    in.from = static_cast<unsigned>(k);
    in.from_port = 0;
    in.to = s;
    in.to_port = 0;
    in.from_span = in.to_span = at;
    in.context = context;
    graph.edges.push_back(std::move(in));
  }
}

}  // namespace

bool check(Graph& graph, lang::DiagnosticEngine& diags) {
  split_source_outputs(graph, diags);
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

  // 4. Push cycles: iterative depth-first search (graphs may have 100,000 elements). A pull
  // connection breaks a loop: what a Queue stores leaves it only when its task pulls. Click runs
  // a push cycle as nested calls; nb's fused loop cannot, so a cycle a packet can leave gets a
  // queue on the connection that closes it (break_push_cycle), and the packets that go round
  // are processed in the worker's next pass. A cycle no packet can leave is an error.
  // The walk goes from connection to connection: after the one into input q of an element come
  // the push connections from the outputs q flows to (its class's flow code), so that
  // AddressTranslator's input 0 -> output 0 and input 1 -> output 1 make no cycle of a path
  // that enters at 1 and leaves at 0.
  const std::size_t m = graph.edges.size();
  std::vector<std::vector<std::size_t>> out_edges(n);
  for (std::size_t i = 0; i < m; ++i) {
    const Edge& e = graph.edges[i];
    const std::string& modes = graph.elements[e.from].output_modes;
    if (valid[i] && !(e.from_port < modes.size() && modes[e.from_port] == 'l')) out_edges[e.from].push_back(i);
  }
  auto next_edges = [&](std::size_t ei, std::vector<std::size_t>& out) {
    out.clear();
    const Edge& e = graph.edges[ei];
    const FlowCode& flow = graph.elements[e.to].cls->flow;
    for (std::size_t x : out_edges[e.to])
      if (flow.flows(e.to_port, graph.edges[x].from_port)) out.push_back(x);
  };
  enum : std::uint8_t { White, Grey, Black };
  std::vector<std::uint8_t> color(m, White);
  unsigned cycles = 0;
  std::vector<std::size_t> to_break;  // connections closing a cycle that a packet can leave
  std::vector<std::size_t> scratch;
  // Walks start at each element's push connections in element order (the file's order), so
  // that the connection reported is the one that closes the cycle as the file reads.
  std::vector<std::size_t> roots;
  for (std::size_t el = 0; el < n; ++el) roots.insert(roots.end(), out_edges[el].begin(), out_edges[el].end());
  for (std::size_t root : roots) {
    if (cycles >= 5) break;
    if (color[root] != White) continue;
    // Each frame: a connection and the connections after it, with how far the walk got.
    struct Frame {
      std::size_t edge;
      std::vector<std::size_t> next;
      std::size_t at = 0;
    };
    std::vector<Frame> stack;
    next_edges(root, scratch);
    stack.push_back({root, scratch});
    color[root] = Grey;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.at == f.next.size()) {
        color[f.edge] = Black;
        stack.pop_back();
        continue;
      }
      const std::size_t ei = f.next[f.at++];
      if (color[ei] == White) {
        color[ei] = Grey;
        next_edges(ei, scratch);
        stack.push_back({ei, scratch});
      } else if (color[ei] == Grey) {
        // The cycle: the connections on the stack from ei on. Its elements are their ends.
        std::vector<std::size_t> members;
        bool in_cycle = false;
        for (const Frame& g : stack) {
          in_cycle = in_cycle || g.edge == ei;
          if (in_cycle) members.push_back(graph.edges[g.edge].to);
        }
        // The connection that brings the walk back to where the cycle began closes it.
        const std::size_t closing = stack.back().edge;
        // A packet can leave where an element on the cycle chooses one of several outputs; an
        // element that copies a packet to all of them (Tee) sends one copy round again.
        bool way_out = false;
        bool copies = false;
        for (std::size_t el_index : members) {
          const Element& el = graph.elements[el_index];
          if (el.cls->spec->copies_packets)
            copies = true;
          else if (el.noutputs >= 2)
            way_out = true;
        }
        if (way_out) {
          to_break.push_back(closing);
          continue;
        }
        if (cycles >= 5) continue;
        ++cycles;
        const std::size_t v = graph.edges[ei].from;
        std::string path = graph.elements[v].name;
        for (std::size_t t = 0; t < members.size() && t < 11; ++t) path += " -> " + graph.elements[members[t]].name;
        if (members.size() > 11) path += " -> ...";
        const Edge& e = graph.edges[closing];
        lang::Diagnostic& d =
            diags.error(e.arrow.valid() ? e.arrow : e.to_span, "this connection closes a cycle: packets could loop forever");
        d.note(fmt::format("the cycle: {}", path));
        d.note(copies ? "a copy of every packet goes round it again: nothing on it chooses another way out"
                      : "no element on it can send a packet anywhere else");
        add_context(d, e.context);
      }
    }
  }
  if (diags.error_count() == errors_before) {
    std::sort(to_break.begin(), to_break.end());
    to_break.erase(std::unique(to_break.begin(), to_break.end()), to_break.end());
    for (std::size_t ei : to_break) break_push_cycle(graph, ei, diags);
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
