// Facts over the graph: a forward "must" dataflow analysis (a fact holds at an element's input
// only if it holds on every path into it), then the removals it proves. Soundness rests on three
// rules: an element that declares nothing keeps nothing; a merge keeps only what every incoming
// edge carries; an element is left out only when, for every packet the graph can bring to it, it
// would send that packet to output 0 unchanged and change no State. Every removal is proven on
// the graph as written, so removing several at once changes no packet anywhere (by induction on
// the elements a packet passes).
#include <nb/compiler/facts.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace nb::compiler {

namespace {

constexpr std::uint32_t kUnset = PacketAnno::kNoNetworkOffset;

bool is_ipv4(Fact::Kind k) {
  return k == Fact::Kind::IPv4Header || k == Fact::Kind::IPv4Checksum || k == Fact::Kind::IPv4Trimmed ||
         k == Fact::Kind::IPv4SrcNot;
}

bool less(const Fact& a, const Fact& b) {
  return std::tuple(a.kind, a.offset, a.value) < std::tuple(b.kind, b.offset, b.value);
}

// The facts on one edge: sorted, at most one NetworkOffset and one Headroom (the largest known).
// `reached` false is the lattice's top: no packet has been seen to get here (yet).
struct FactSet {
  bool reached = false;
  std::vector<Fact> facts;

  bool operator==(const FactSet&) const = default;

  const Fact* find(Fact::Kind k) const {
    for (const Fact& f : facts)
      if (f.kind == k) return &f;
    return nullptr;
  }
  void erase(Fact::Kind k) {
    std::erase_if(facts, [&](const Fact& f) { return f.kind == k; });
  }
  void add(const Fact& f) {
    if (f.kind == Fact::Kind::NetworkOffset) erase(f.kind);
    if (f.kind == Fact::Kind::Headroom) {
      const Fact* h = find(f.kind);
      if (h && h->offset >= f.offset) return;
      erase(f.kind);
    }
    auto it = std::lower_bound(facts.begin(), facts.end(), f, less);
    if (it == facts.end() || !(*it == f)) facts.insert(it, f);
  }
  bool holds(const Fact& r) const {
    if (!reached) return false;
    if (r.kind == Fact::Kind::Headroom) {
      const Fact* h = find(r.kind);
      return h && h->offset >= r.offset;
    }
    return std::find(facts.begin(), facts.end(), r) != facts.end();
  }
  // Longest prefix of the packet the facts prove present (an IPv4 header's fixed part).
  std::uint32_t min_length() const {
    std::uint32_t n = 0;
    for (const Fact& f : facts)
      if (f.kind == Fact::Kind::IPv4Header) n = std::max(n, f.offset + 20);
    return n;
  }
};

FactSet meet(const FactSet& a, const FactSet& b) {
  if (!a.reached) return b;
  if (!b.reached) return a;
  FactSet out;
  out.reached = true;
  for (const Fact& f : a.facts) {
    if (f.kind == Fact::Kind::Headroom) {
      if (const Fact* h = b.find(f.kind)) out.add({f.kind, std::min(f.offset, h->offset), 0});
    } else if (std::find(b.facts.begin(), b.facts.end(), f) != b.facts.end()) {
      out.add(f);
    }
  }
  return out;
}

FactSheet sheet_of(const PlanElement& e) {
  FactSheet s;
  if (e.ops && e.ops->role == ElementOps::Role::Kernel && e.ops->facts) e.ops->facts(e.config.data(), s);
  // A plugin's sheet is input too: never trust counts past the arrays.
  s.nestablished = std::min(s.nestablished, FactSheet::kMaxFacts);
  s.nrequired = std::min(s.nrequired, FactSheet::kMaxFacts);
  return s;
}

// What holds on output `port` of an element with `sheet`, given `in` at its input.
FactSet transfer(const FactSheet& sheet, const FactSet& in, std::uint32_t port) {
  if (!in.reached) return in;
  FactSet out;
  out.reached = true;
  const Fact* headroom = in.find(Fact::Kind::Headroom);
  switch (sheet.effect) {
    case PacketEffect::Unknown:
      if (sheet.keeps_headroom && headroom) out.add(*headroom);
      break;
    case PacketEffect::None:
      for (const Fact& f : in.facts)
        if (f.kind != Fact::Kind::Headroom || sheet.keeps_headroom) out.add(f);
      break;
    case PacketEffect::UpdateIPv4: {
      // Only the header at the annotation is kept valid; one elsewhere may overlap what is written.
      const Fact* net = in.find(Fact::Kind::NetworkOffset);
      for (const Fact& f : in.facts) {
        if (f.kind == Fact::Kind::Headroom && !sheet.keeps_headroom) continue;
        if (is_ipv4(f.kind) && (!net || net->offset == kUnset || f.offset != net->offset)) continue;
        out.add(f);
      }
      break;
    }
    case PacketEffect::MoveStart: {
      const std::int64_t move = sheet.move;
      for (const Fact& f : in.facts) {
        if (f.kind == Fact::Kind::Headroom) continue;
        if (f.kind == Fact::Kind::NetworkOffset && f.offset == kUnset) {
          out.add(f);
          continue;
        }
        const std::int64_t at = std::int64_t{f.offset} - move;
        if (f.kind == Fact::Kind::NetworkOffset) {
          out.add({f.kind, at < 0 || at >= kUnset ? kUnset : static_cast<std::uint32_t>(at), 0});
        } else if (at >= 0 && at < kUnset) {
          out.add({f.kind, static_cast<std::uint32_t>(at), f.value});
        }
      }
      // Packets that pass have had `move` bytes to move: the headroom grew or shrank by exactly that.
      const std::int64_t room = (headroom ? std::int64_t{headroom->offset} : 0) + move;
      if (room > 0)
        out.add({Fact::Kind::Headroom, static_cast<std::uint32_t>(std::min<std::int64_t>(room, 0xffff)), 0});
      break;
    }
  }
  if (port == sheet.establish_port)
    for (std::uint32_t k = 0; k < sheet.nestablished; ++k) out.add(sheet.established[k]);
  return out;
}

struct Analysis {
  const Plan& plan;
  std::vector<FactSheet> sheets;
  std::vector<FactSet> in;
  std::vector<std::uint32_t> indegree;  // edges into the element, over all its inputs
  std::vector<std::uint32_t> order;     // after run(): every element after its predecessors

  explicit Analysis(const Plan& p)
      : plan(p), sheets(p.elements.size()), in(p.elements.size()), indegree(p.elements.size()) {
    for (std::size_t i = 0; i < plan.elements.size(); ++i) sheets[i] = sheet_of(plan.elements[i]);
    for (const PlanElement& e : plan.elements)
      for (const Target& t : e.outputs)
        if (t.kind == Target::Kind::Element) ++indegree[t.index];
  }

  bool is_kernel(std::uint32_t i) const {
    const PlanElement& e = plan.elements[i];
    return e.ops && e.ops->role == ElementOps::Role::Kernel;
  }

  FactSet out_of(std::uint32_t i, std::uint32_t port) const {
    const PlanElement& e = plan.elements[i];
    if (e.ops && (e.ops->role == ElementOps::Role::Source || e.ops->role == ElementOps::Role::SourceSink))
      return FactSet{true, {}};  // nothing known
    return transfer(sheets[i], in[i], port);
  }

  // The checker refuses cycles (check.cpp), so one pass in topological order settles every
  // input: an element's facts are final once all its predecessors' are. Linear in the graph
  // (graphs may have 100,000 elements). Should a cycle get here anyway, nothing is proven.
  bool run() {
    const std::size_t n = plan.elements.size();
    std::vector<std::uint32_t> waiting = indegree;
    std::vector<std::uint32_t> ready;
    for (std::uint32_t i = 0; i < n; ++i)
      if (waiting[i] == 0) ready.push_back(i);
    std::size_t done = 0;
    order.clear();
    while (!ready.empty()) {
      const std::uint32_t i = ready.back();
      ready.pop_back();
      ++done;
      order.push_back(i);
      const PlanElement& e = plan.elements[i];
      for (std::uint32_t p = 0; p < e.outputs.size(); ++p) {
        const Target& t = e.outputs[p];
        if (t.kind != Target::Kind::Element) continue;
        in[t.index] = meet(in[t.index], out_of(i, p));
        if (--waiting[t.index] == 0) ready.push_back(t.index);
      }
    }
    if (done == n) return true;
    in.assign(n, FactSet{});
    return false;
  }
};

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

std::string anno_names(std::uint8_t fields) {
  std::vector<std::string> names;
  if (fields & anno_field::kPaint) names.push_back("paint");
  if (fields & anno_field::kUser) names.push_back("user bytes");
  if (fields & anno_field::kNetworkOffset) names.push_back("network offset");
  if (fields & anno_field::kDstIP) names.push_back("destination IP");
  if (fields & anno_field::kDstIP6) names.push_back("destination IPv6");
  return join(names);
}

// Forward "may" dataflow over the annotations: which ones may still hold what the buffer's
// last user left (stale) at each element's input if received packets were not reset. A source
// sends every annotation stale; an element's anno_sets, and a NetworkOffset fact the facts
// analysis proves, make one current; anything else passes along as it came (an element that
// could make a current annotation stale only by deriving it from a stale one it reads, and a
// stale read is what this looks for). Returns the first element, in graph order, that may read
// a stale annotation (then `fields` says which), or nullopt when none can.
std::optional<std::uint32_t> stale_annotation_reader(const Analysis& a, const std::vector<bool>& elided,
                                                     std::uint8_t& fields) {
  const Plan& plan = a.plan;
  const std::size_t n = plan.elements.size();
  std::vector<std::uint8_t> stale(n, 0);       // over all inputs
  std::vector<std::uint8_t> stale_read(n, 0);  // over the inputs on which the element reads them
  std::optional<std::uint32_t> first;
  for (const std::uint32_t i : a.order) {
    const PlanElement& e = plan.elements[i];
    std::uint8_t out = 0;
    if (e.ops && (e.ops->role == ElementOps::Role::Source || e.ops->role == ElementOps::Role::SourceSink)) {
      out = anno_field::kEvery;
    } else if (a.is_kernel(i)) {
      std::uint8_t known = 0;
      if (a.in[i].find(Fact::Kind::NetworkOffset)) known = anno_field::kNetworkOffset;
      const std::uint8_t in = stale[i] & static_cast<std::uint8_t>(~known);
      const FactSheet& s = a.sheets[i];
      const std::uint8_t read = stale_read[i] & static_cast<std::uint8_t>(~known) & s.anno_reads;
      if (!elided[i] && read && (!first || i < *first)) {
        first = i;
        fields = read;
      }
      out = elided[i] ? in : static_cast<std::uint8_t>(in & ~s.anno_sets);
    }
    for (const Target& t : e.outputs) {
      if (t.kind != Target::Kind::Element) continue;
      stale[t.index] |= out;
      const std::uint32_t inputs = a.sheets[t.index].anno_read_inputs;
      if (t.in_port >= 32 || (inputs >> t.in_port & 1)) stale_read[t.index] |= out;
    }
  }
  return first;
}

}  // namespace

std::string describe(const Fact& f) {
  switch (f.kind) {
    case Fact::Kind::IPv4Header:
      return fmt::format("valid IPv4 header at {}", f.offset);
    case Fact::Kind::IPv4Checksum:
      return fmt::format("IPv4 checksum correct at {}", f.offset);
    case Fact::Kind::IPv4Trimmed:
      return fmt::format("packet ends with the IPv4 datagram at {}", f.offset);
    case Fact::Kind::IPv4SrcNot:
      return fmt::format("IPv4 source at {} is not {}.{}.{}.{}", f.offset, f.value >> 24, f.value >> 16 & 0xff,
                         f.value >> 8 & 0xff, f.value & 0xff);
    case Fact::Kind::NetworkOffset:
      return f.offset == kUnset ? std::string("network offset unset") : fmt::format("network offset {}", f.offset);
    case Fact::Kind::Headroom:
      return fmt::format("headroom >= {}", f.offset);
  }
  return "?";
}

std::vector<std::optional<std::vector<Fact>>> input_facts(const Plan& plan) {
  Analysis a(plan);
  std::vector<std::optional<std::vector<Fact>>> out(plan.elements.size());
  if (!a.run()) return out;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (a.in[i].reached) out[i] = a.in[i].facts;
  return out;
}

FactAnalysis analyse_facts(const Plan& plan) {
  FactAnalysis r;
  const std::size_t n = plan.elements.size();
  r.elided.assign(n, false);
  std::vector<Target> next(n);  // where each element's output 0 leads
  for (std::size_t i = 0; i < n; ++i)
    if (!plan.elements[i].outputs.empty()) next[i] = plan.elements[i].outputs[0];
  Analysis a(plan);
  if (!a.run()) return r;
  std::vector<std::string> why(n);

  // Elements whose every check the graph already made.
  for (std::uint32_t i = 0; i < n; ++i) {
    const FactSheet& s = a.sheets[i];
    if (!a.is_kernel(i) || !s.skippable || !a.in[i].reached || plan.elements[i].outputs.empty()) continue;
    bool all = true;
    std::vector<std::string> parts;
    for (std::uint32_t k = 0; k < s.nrequired && all; ++k) {
      all = a.in[i].holds(s.required[k]);
      parts.push_back(describe(s.required[k]));
    }
    if (!all) continue;
    r.elided[i] = true;
    why[i] = join(parts);
  }

  // Strip/Unstrip pairs (any two MoveStart elements that move back what the first moved), with
  // only left-out elements or ones that neither read nor change the packet between them, and no
  // other way in. Inner pairs first: an outer one is found once what lies inside it is gone.
  auto single_path_to = [&](std::uint32_t from, std::uint32_t& to) {
    std::uint32_t cur = from;
    for (std::size_t steps = 0; steps <= n; ++steps) {
      const PlanElement& e = plan.elements[cur];
      if (e.outputs.empty()) return false;
      const Target& t = e.outputs[0];
      if (t.kind != Target::Kind::Element || a.indegree[t.index] != 1 || !a.is_kernel(t.index)) return false;
      // Every other output of a kept element must be unused: its packets would leave the region.
      if (!r.elided[cur] && cur != from && e.outputs.size() != 1) return false;
      const std::uint32_t succ = t.index;
      const FactSheet& s = a.sheets[succ];
      if (!r.elided[succ] && s.effect == PacketEffect::MoveStart) {
        to = succ;
        return true;
      }
      if (!r.elided[succ] && (s.reads_packet || s.effect != PacketEffect::None)) return false;
      cur = succ;
    }
    return false;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      const FactSheet& s = a.sheets[i];
      const FactSet& f = a.in[i];
      if (r.elided[i] || !a.is_kernel(i) || s.effect != PacketEffect::MoveStart || s.move == 0 || !f.reached) continue;
      if (plan.elements[i].outputs.size() != 1) continue;
      std::uint32_t j = 0;
      if (!single_path_to(i, j) || a.sheets[j].move != -s.move || plan.elements[j].outputs.size() != 1) continue;
      const std::uint32_t len = static_cast<std::uint32_t>(s.move > 0 ? s.move : -s.move);
      const Fact* net = f.find(Fact::Kind::NetworkOffset);
      std::vector<std::string> parts;
      if (s.move > 0) {
        // Strip N then Unstrip N: the identity when no packet is shorter than N (else dropped) and
        // the annotation does not fall before the data start (else unset).
        if (f.min_length() < len) continue;
        if (!net || (net->offset != kUnset && net->offset < len)) continue;
        parts.push_back(fmt::format("length >= {}", f.min_length()));
      } else {
        // Unstrip N then Strip N: the identity with N bytes of headroom (else dropped) and an
        // annotation that stays below 0xffff when moved.
        const Fact* h = f.find(Fact::Kind::Headroom);
        if (!h || h->offset < len) continue;
        if (!net || (net->offset != kUnset && net->offset + len >= kUnset)) continue;
        parts.push_back(describe(*h));
      }
      parts.push_back(describe(*net));
      r.elided[i] = r.elided[j] = true;
      const PlanElement& ei = plan.elements[i];
      const PlanElement& ej = plan.elements[j];
      why[i] = fmt::format("cancels with {} ({}): {}", ej.name, ej.spec->class_name, join(parts));
      why[j] = fmt::format("cancels with {} ({}): {}", ei.name, ei.spec->class_name, join(parts));
      changed = true;
    }
  }

  // A loop of left-out elements (a packet would go round it for ever, as in the graph as written)
  // would make the JIT's forwarding endless: such a graph gets no removal at all (keeping one
  // element of the loop could split a Strip/Unstrip pair).
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t cur = i;
    for (std::size_t steps = 0; r.elided[i] && steps <= n; ++steps) {
      const Target& t = next[cur];
      if (t.kind != Target::Kind::Element || !r.elided[t.index]) break;
      cur = t.index;
      if (steps == n) {
        r.elided.assign(n, false);
        return r;
      }
    }
  }
  for (std::uint32_t i = 0; i < n; ++i)
    if (r.elided[i]) r.removals.push_back({i, why[i]});
  std::uint8_t fields = 0;
  if (std::optional<std::uint32_t> reader = stale_annotation_reader(a, r.elided, fields)) {
    const PlanElement& e = plan.elements[*reader];
    r.annotations_why = fmt::format("{} ({}) reads the {} annotation, which may not be set on its way there",
                                    e.name, e.spec->class_name, anno_names(fields));
  } else {
    r.reset_annotations = false;
    r.annotations_why = "no element reads an annotation before one sets it";
  }
  return r;
}

}  // namespace nb::compiler
