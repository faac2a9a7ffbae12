#include <nb/compiler/plan.hpp>

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

namespace nb::compiler {

AlignedBlock::AlignedBlock(std::size_t size, std::size_t align) : size_(size) {
  std::size_t a = std::max<std::size_t>(align, alignof(std::max_align_t));
  std::size_t n = (std::max<std::size_t>(size, 1) + a - 1) / a * a;
  void* p = std::aligned_alloc(a, n);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, n);
  data_.reset(p);
}

void AlignedBlock::Free::operator()(void* p) const { std::free(p); }

namespace {

// nb::Args over an element's checked parameters. Reading a name the element's schema lacks, or
// reading one through the getter of another type, is a bug in the element: it is recorded
// (misuse()) and reported as an error, never read as 0 or false.
class GraphArgs final : public Args {
 public:
  explicit GraphArgs(const Element& el) : el_(el) {}

  bool given(std::string_view name) const override {
    if (!known(name, "given", {})) return false;
    const ParamValue* p = el_.param(name);
    return p && !p->is_default;
  }
  std::uint64_t get_unsigned(std::string_view name) const override {
    const ParamValue* p = checked(name, "get_unsigned", {ParamType::Unsigned});
    auto* u = p ? std::get_if<std::uint64_t>(&p->value) : nullptr;
    return u ? *u : 0;
  }
  std::int64_t get_integer(std::string_view name) const override {
    const ParamValue* p = checked(name, "get_integer", {ParamType::Integer});
    auto* i = p ? std::get_if<std::int64_t>(&p->value) : nullptr;
    return i ? *i : 0;
  }
  bool get_bool(std::string_view name) const override {
    const ParamValue* p = checked(name, "get_bool", {ParamType::Bool});
    auto* b = p ? std::get_if<bool>(&p->value) : nullptr;
    return b && *b;
  }
  std::string get_string(std::string_view name) const override {
    const ParamValue* p = checked(name, "get_string", kStringTypes);
    auto* s = p ? std::get_if<std::string>(&p->value) : nullptr;
    return s ? *s : std::string();
  }
  std::uint32_t get_ipv4(std::string_view name) const override {
    const ParamValue* p = checked(name, "get_ipv4", {ParamType::IPv4Address, ParamType::IPv4Prefix});
    if (!p) return 0;
    if (auto* a = std::get_if<IPv4Address>(&p->value)) return a->addr;
    if (auto* a = std::get_if<IPv4Prefix>(&p->value)) return a->addr;
    return 0;
  }
  std::array<std::uint8_t, 6> get_ether(std::string_view name) const override {
    const ParamValue* p = checked(name, "get_ether", {ParamType::EtherAddress});
    auto* e = p ? std::get_if<EtherAddress>(&p->value) : nullptr;
    return e ? e->bytes : std::array<std::uint8_t, 6>{};
  }
  std::size_t count(std::string_view name) const override {
    return known(name, "count", {}) ? el_.params_named(name).size() : 0;
  }
  std::string get_string_at(std::string_view name, std::size_t index) const override {
    if (!known(name, "get_string_at", kStringTypes)) return {};
    auto ps = el_.params_named(name);
    auto* s = index < ps.size() ? std::get_if<std::string>(&ps[index]->value) : nullptr;
    return s ? *s : std::string();
  }
  bool pattern_matches_all(std::string_view name, std::size_t index) const override {
    if (!known(name, "pattern_matches_all", {ParamType::BytePattern})) return false;
    auto ps = el_.params_named(name);
    if (index >= ps.size()) return false;
    auto* bp = std::get_if<BytePattern>(&ps[index]->value);
    return bp && bp->match_all;
  }
  std::vector<PatternClauseView> get_pattern(std::string_view name, std::size_t index) const override {
    std::vector<PatternClauseView> out;
    if (!known(name, "get_pattern", {ParamType::BytePattern})) return out;
    auto ps = el_.params_named(name);
    if (index >= ps.size()) return out;
    auto* bp = std::get_if<BytePattern>(&ps[index]->value);
    if (!bp) return out;
    for (const PatternClause& c : bp->clauses) out.push_back({c.offset, c.value, c.mask, c.negated});
    return out;
  }
  // The first misuse, as an error message; empty when every read matched the schema.
  const std::string& misuse() const { return misuse_; }
  std::uint32_t noutputs() const override { return el_.noutputs; }

 private:
  static constexpr std::initializer_list<ParamType> kStringTypes = {
      ParamType::String, ParamType::Filename, ParamType::Device, ParamType::IPv4AddressList};
  // Whether the schema has `name` with one of `types` (any type when empty); records the misuse if not.
  bool known(std::string_view name, const char* getter, std::initializer_list<ParamType> types) const {
    for (const ParamSpec& ps : el_.cls->spec->params) {
      if (ps.name != name) continue;
      if (types.size() == 0 || std::find(types.begin(), types.end(), ps.type) != types.end()) return true;
      if (misuse_.empty())
        misuse_ = fmt::format("Args::{}(\"{}\") reads a parameter of type {}", getter, name, type_name(ps.type));
      return false;
    }
    if (misuse_.empty()) misuse_ = fmt::format("Args::{}(\"{}\") reads a parameter the class does not declare", getter, name);
    return false;
  }
  const ParamValue* checked(std::string_view name, const char* getter, std::initializer_list<ParamType> types) const {
    return known(name, getter, types) ? el_.param(name) : nullptr;
  }
  const Element& el_;
  mutable std::string misuse_;
};

// What a file argument names: the file itself, so that `x.pcap`, `./x.pcap`, a symlink to it and
// a hard link of it compare equal. Only stat(2)s: `nbc check` opens no file.
struct FileIdentity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;  // absolute, with symlinks of its existing part resolved

  explicit FileIdentity(const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(name, ec), ec);
    path = ec ? name : p.string();
    struct stat st {};
    if (::stat(name.c_str(), &st) == 0) {
      exists = true;
      dev = st.st_dev;
      ino = st.st_ino;
    }
  }
  bool same_file(const FileIdentity& o) const {
    return (exists && o.exists && dev == o.dev && ino == o.ino) || path == o.path;
  }
};

struct FileUse {
  FileIdentity id;
  std::string name;  // as written
  const Element* element;
  lang::Span span;
};

std::string element_label(const Element& el) {
  return fmt::format("{} ({})", el.name, el.cls->spec->class_name);
}

// A graph that writes a file it reads destroys its input before reading it (FromDump(x) ->
// ToDump(x) used to cut a 20,000-packet trace to 13 packets); two writers of one file leave
// half of each. Both are refused at the writer's argument.
void check_file_uses(const Graph& graph, lang::DiagnosticEngine& diags) {
  std::vector<FileUse> reads, writes;
  for (const Element& el : graph.elements) {
    for (const ParamValue& pv : el.params) {
      if (!pv.param || pv.param->type != ParamType::Filename || pv.is_default) continue;
      const auto* name = std::get_if<std::string>(&pv.value);
      if (!name || name->empty()) continue;
      FileUse use{FileIdentity(*name), *name, &el, pv.span.valid() ? pv.span : el.span};
      (pv.param->file_access == FileAccess::Write ? writes : reads).push_back(std::move(use));
    }
  }
  // A file an element reads must be a regular file: a FIFO or a device could block nbrun for
  // ever (or, like /dev/zero, never end). One that does not exist yet is nbrun's to report.
  for (const FileUse& r : reads) {
    struct stat st {};
    if (!r.id.exists || ::stat(r.name.c_str(), &st) != 0 || S_ISREG(st.st_mode)) continue;
    diags.error(r.span, fmt::format("'{}' is {}: {} reads regular files", r.name, lang::file_kind(st.st_mode),
                                    element_label(*r.element)));
  }
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const FileUse& w = writes[i];
    auto alias = [&](const FileUse& other) {
      return other.name == w.name ? std::string() : fmt::format(" (as '{}')", other.name);
    };
    bool reported = false;
    for (const FileUse& r : reads) {
      if (!w.id.same_file(r.id)) continue;
      diags
          .error(w.span, fmt::format("{} would write '{}', which {} reads{}: the input would be destroyed before it "
                                     "is read",
                                     element_label(*w.element), w.name, element_label(*r.element), alias(r)))
          .note(r.span, "read here")
          .note("write the output to another file");
      reported = true;
      break;
    }
    if (reported) continue;
    for (std::size_t k = 0; k < i; ++k) {
      const FileUse& first = writes[k];
      if (!w.id.same_file(first.id)) continue;
      diags
          .error(w.span, fmt::format("'{}' is already written by {}{}: two writers of one file would each cut the "
                                     "other's records",
                                     w.name, element_label(*first.element), alias(first)))
          .note(first.span, "first written here");
      break;
    }
  }
}

}  // namespace

std::string file_key(const std::string& name) { return FileIdentity(name).path; }

std::optional<Plan> lower(const Graph& graph, lang::DiagnosticEngine& diags) {
  std::size_t errors = diags.error_count();
  Plan plan;
  plan.plugins = graph.plugins;
  plan.elements.resize(graph.elements.size());
  std::map<std::string, std::uint32_t> device_ports;  // device spec -> port
  check_file_uses(graph, diags);

  for (std::size_t i = 0; i < graph.elements.size(); ++i) {
    const Element& el = graph.elements[i];
    PlanElement& pe = plan.elements[i];
    pe.name = el.name;
    pe.spec = el.cls->spec;
    pe.ops = el.cls->spec->ops;
    pe.ninputs = el.ninputs;
    pe.noutputs = el.noutputs;
    pe.outputs.resize(el.noutputs);
    pe.span = el.span;
    if (!pe.ops) {
      diags.error(el.class_span, fmt::format("element class '{}' cannot run yet: it has no kernel",
                                             el.cls->spec->class_name));
      continue;
    }
    GraphArgs args(el);
    if (pe.ops->role == ElementOps::Role::Kernel) {
      pe.config = AlignedBlock(pe.ops->config_size, pe.ops->config_align);
      std::string error;
      if (!pe.ops->configure(args, pe.config.data(), error)) {
        diags.error(el.class_span, fmt::format("{}: {}", el.cls->spec->class_name, error.empty() ? "bad configuration" : error));
      } else if (!args.misuse().empty()) {
        diags.error(el.class_span, fmt::format("element class '{}' is broken: its configure() {}",
                                               el.cls->spec->class_name, args.misuse()));
      }
      continue;
    }
    // Sources and sinks: find or create their port, as their spec says (nb/element.hpp, PortOpen).
    // Registry::add made sure port_param and the optional parameters read here fit the kind.
    const PortOpen open = el.cls->spec->port_open;
    const ParamValue* where = el.param(el.cls->spec->port_param);
    std::string what = args.get_string(el.cls->spec->port_param);
    auto flag = [&](std::string_view name, bool absent) { return el.param(name) ? args.get_bool(name) : absent; };
    bool is_source = pe.ops->role == ElementOps::Role::Source;
    std::uint32_t port_index = 0;
    if (open == PortOpen::PcapRead || open == PortOpen::PcapWrite) {
      PlanPort port;
      port.kind = is_source ? PlanPort::Kind::PcapIn : PlanPort::Kind::PcapOut;
      port.file = what;
      port.file_key = file_key(what);
      port.loop = is_source && flag("LOOP", false);
      port.stop = is_source && !port.loop && flag("STOP", false);
      port.active = !is_source || flag("ACTIVE", true);
      port.snaplen = is_source ? 0 : static_cast<std::uint32_t>(args.get_unsigned("SNAPLEN"));
      port.name = el.name;
      port.span = el.span;
      port.arg_span = where ? where->span : el.span;
      plan.ports.push_back(std::move(port));
      port_index = static_cast<std::uint32_t>(plan.ports.size() - 1);
    } else {
      auto it = device_ports.find(what);
      if (it == device_ports.end()) {
        PlanPort port;
        port.kind = PlanPort::Kind::Device;
        port.device = what;
        port.name = el.name;
        port.span = el.span;
        port.arg_span = where ? where->span : el.span;
        plan.ports.push_back(std::move(port));
        it = device_ports.emplace(what, static_cast<std::uint32_t>(plan.ports.size() - 1)).first;
      } else {
        plan.ports[it->second].name += "," + el.name;
      }
      port_index = it->second;
      PlanPort& port = plan.ports[port_index];
      (is_source ? port.rx_queue : port.tx_queue) = static_cast<std::uint32_t>(args.get_unsigned("QUEUE"));
      if (args.given("BURST")) (is_source ? port.rx_burst : port.tx_burst) = static_cast<std::uint32_t>(args.get_unsigned("BURST"));
      if (args.given("NDESC")) {
        auto n = static_cast<std::uint32_t>(args.get_unsigned("NDESC"));
        (is_source ? port.rx_desc : port.tx_desc) = n;
      }
      if (is_source && flag("PROMISC", false)) port.promisc = true;
    }
    PlanPort& port = plan.ports[port_index];
    if (is_source) {
      if (port.source_element >= 0) {
        diags.error(el.span, fmt::format("device '{}' already has a {}", what,
                                         graph.elements[port.source_element].cls->spec->class_name));
        continue;
      }
      port.rx = true;
      port.source_element = static_cast<std::int32_t>(i);
      plan.sources.push_back(static_cast<std::uint32_t>(i));
    } else {
      if (port.sink_element >= 0) {
        diags.error(el.span, fmt::format("device '{}' already has a {}", what,
                                         graph.elements[port.sink_element].cls->spec->class_name));
        continue;
      }
      port.tx = true;
      port.sink_element = static_cast<std::int32_t>(i);
    }
    pe.port = static_cast<std::int32_t>(port_index);
  }

  for (const Edge& e : graph.edges) {
    PlanElement& from = plan.elements[e.from];
    const PlanElement& to = plan.elements[e.to];
    if (e.from_port >= from.outputs.size()) continue;
    Target t;
    if (to.ops && to.ops->role == ElementOps::Role::Sink) {
      t.kind = Target::Kind::Port;
      t.index = static_cast<std::uint32_t>(to.port);
    } else {
      t.kind = Target::Kind::Element;
      t.index = e.to;
      t.in_port = e.to_port;
    }
    from.outputs[e.from_port] = t;
  }
  if (diags.error_count() != errors) return std::nullopt;
  return plan;
}

}  // namespace nb::compiler
