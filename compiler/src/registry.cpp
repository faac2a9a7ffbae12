#include <nb/compiler/registry.hpp>

#include <fmt/format.h>

#include <cctype>

#include <algorithm>
#include <charconv>

namespace nb::compiler {
namespace {

bool parse_number(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "1", "1-2", "-" (any), "1-" (at least one)
std::optional<PortRange> parse_range(std::string_view s) {
  PortRange r;
  if (s == "-") return PortRange{0, PortRange::kUnbounded};
  auto dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_number(s, r.min)) return std::nullopt;
    r.max = r.min;
    return r;
  }
  if (!parse_number(s.substr(0, dash), r.min)) return std::nullopt;
  std::string_view hi = s.substr(dash + 1);
  if (hi.empty()) {
    r.max = PortRange::kUnbounded;
  } else if (!parse_number(hi, r.max) || r.max < r.min) {
    return std::nullopt;
  }
  return r;
}

constexpr PortParam kPcapReadParams[] = {
    {"LOOP", ParamType::Bool},    {"STOP", ParamType::Bool},          {"ACTIVE", ParamType::Bool},
    {"TIMING", ParamType::Bool},  {"START", ParamType::Duration},     {"START_AFTER", ParamType::Duration},
    {"END", ParamType::Duration}, {"END_AFTER", ParamType::Duration}, {"INTERVAL", ParamType::Duration}};
constexpr PortParam kPcapWriteParams[] = {{"SNAPLEN", ParamType::Unsigned}};
constexpr PortParam kDeviceRxParams[] = {{"QUEUE", ParamType::Unsigned},
                                         {"BURST", ParamType::Unsigned},
                                         {"NDESC", ParamType::Unsigned},
                                         {"PROMISC", ParamType::Bool}};
constexpr PortParam kDeviceTxParams[] = {
    {"QUEUE", ParamType::Unsigned}, {"BURST", ParamType::Unsigned}, {"NDESC", ParamType::Unsigned}};
constexpr PortParam kHostParams[] = {{"PREFIX", ParamType::IPv4Prefix},
                                     {"ADDR", ParamType::IPv4Prefix},
                                     {"ETHER", ParamType::EtherAddress},
                                     {"MTU", ParamType::Unsigned},
                                     {"BURST", ParamType::Unsigned}};

std::string_view type_name(ParamType t) {
  switch (t) {
    case ParamType::Bool: return "Bool";
    case ParamType::Unsigned: return "Unsigned";
    case ParamType::IPv4Prefix: return "IPv4Prefix";
    case ParamType::EtherAddress: return "EtherAddress";
    case ParamType::Duration:
      return "Duration";
    default: return "of another type";
  }
}

// A port element's spec must say what the compiler needs to open its port: a kernel element
// with a port, or a source without one, would otherwise reach the runtime half described.
std::optional<std::string> check_port_spec(const ElementSpec& spec) {
  const ElementOps::Role role = spec.ops ? spec.ops->role : ElementOps::Role::Kernel;
  const bool port_role = role != ElementOps::Role::Kernel;
  if (spec.port_open == PortOpen::None) {
    if (!port_role) return std::nullopt;
    return fmt::format("element class '{}' is a {} but its spec names no port to open (port_open)", spec.class_name,
                       role == ElementOps::Role::Source ? "source" : "sink");
  }
  if (spec.port_open > PortOpen::HostTun) {
    return fmt::format("element class '{}' has an unknown port_open {}", spec.class_name,
                       static_cast<unsigned>(spec.port_open));
  }
  const bool both = spec.port_open == PortOpen::HostTap || spec.port_open == PortOpen::HostTun;
  const bool reads =
      spec.port_open == PortOpen::PcapRead || spec.port_open == PortOpen::DeviceRx || spec.port_open == PortOpen::HostRx;
  const bool file = spec.port_open == PortOpen::PcapRead || spec.port_open == PortOpen::PcapWrite;
  const ElementOps::Role want_role =
      both ? ElementOps::Role::SourceSink : reads ? ElementOps::Role::Source : ElementOps::Role::Sink;
  if (role != want_role) {
    return fmt::format("element class '{}' opens a port to {} but its ops are not {}", spec.class_name,
                       both ? "read and write" : reads ? "read" : "write",
                       both ? "kSourceSinkOps" : reads ? "kSourceOps" : "kSinkOps");
  }
  const ParamSpec* where = nullptr;
  for (const ParamSpec& p : spec.params) {
    if (p.name == spec.port_param && p.kind != ParamKind::Rest) where = &p;
  }
  const ParamType want = file ? ParamType::Filename : ParamType::Device;
  if (!where || where->type != want) {
    return fmt::format("element class '{}' names its {} in parameter '{}', which is not a {} parameter of it",
                       spec.class_name, file ? "file" : "device", spec.port_param, file ? "Filename" : "Device");
  }
  if (file && where->file_access != (reads ? FileAccess::Read : FileAccess::Write)) {
    return fmt::format("element class '{}': parameter '{}' must be declared with file_access {}", spec.class_name,
                       spec.port_param, reads ? "Read" : "Write");
  }
  for (const PortParam& k : port_params(spec.port_open)) {
    for (const ParamSpec& p : spec.params) {
      if (p.name == k.name && p.type != k.type) {
        return fmt::format("element class '{}': parameter '{}' of a port element must be {}", spec.class_name, k.name,
                           type_name(k.type));
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::span<const PortParam> port_params(PortOpen open) {
  switch (open) {
    case PortOpen::PcapRead: return kPcapReadParams;
    case PortOpen::PcapWrite: return kPcapWriteParams;
    case PortOpen::DeviceRx: return kDeviceRxParams;
    case PortOpen::DeviceTx: return kDeviceTxParams;
    case PortOpen::HostRx:
    case PortOpen::HostTap:
    case PortOpen::HostTun: return kHostParams;
    default: return {};
  }
}

std::optional<PortCounts> parse_port_spec(std::string_view spec) {
  auto slash = spec.find('/');
  if (slash == std::string_view::npos) {
    auto r = parse_range(spec);
    if (!r) return std::nullopt;
    return PortCounts{*r, *r};
  }
  auto in = parse_range(spec.substr(0, slash));
  auto out = parse_range(spec.substr(slash + 1));
  if (!in || !out) return std::nullopt;
  return PortCounts{*in, *out};
}

std::string describe_range(const PortRange& r) {
  if (r.max == PortRange::kUnbounded) return r.min == 0 ? "any number of" : fmt::format("at least {}", r.min);
  if (r.min == r.max) return fmt::format("{}", r.min);
  if (r.max == r.min + 1) return fmt::format("{} or {}", r.min, r.max);
  return fmt::format("{} to {}", r.min, r.max);
}

std::string describe_count(const PortRange& r, std::string_view noun) {
  auto n = [&](unsigned count) { return fmt::format("{}{}", noun, count == 1 ? "" : "s"); };
  if (r.max == PortRange::kUnbounded) {
    return r.min == 0 ? fmt::format("any number of {}s", noun) : fmt::format("at least {} {}", r.min, n(r.min));
  }
  if (r.min == r.max) return fmt::format("{} {}", r.min, n(r.min));
  if (r.max == r.min + 1) return fmt::format("{} or {} {}s", r.min, r.max, noun);
  return fmt::format("{} to {} {}s", r.min, r.max, noun);
}

std::optional<Processing> parse_processing(const ElementSpec& spec) {
  std::string_view text = spec.processing;
  if (text.empty()) {
    const auto role = spec.ops ? spec.ops->role : ElementOps::Role::Kernel;
    text = role == ElementOps::Role::Source       ? "/h"
           : role == ElementOps::Role::Sink       ? "a/"
           : role == ElementOps::Role::SourceSink ? "a/h"
                                                  : "a/ah";
  }
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  Processing p{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  for (char c : p.inputs + p.outputs)
    if (c != 'a' && c != 'h' && c != 'l') return std::nullopt;
  return p;
}

std::optional<FlowCode> parse_flow_code(std::string_view text) {
  FlowCode f;
  if (text.empty()) return f;
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto side = [](std::string_view t, std::vector<std::string>& out) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '[') {
        const auto close = t.find(']', i);
        if (close == std::string_view::npos || close == i + 1) return false;
        out.emplace_back(t.substr(i + 1, close - i - 1));
        i = close;
      } else {
        out.emplace_back(1, t[i]);
      }
    }
    for (const std::string& letters : out)
      for (char c : letters)
        if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '#')) return false;
    return !out.empty();
  };
  if (!side(text.substr(0, slash), f.inputs) || !side(text.substr(slash + 1), f.outputs)) return std::nullopt;
  return f;
}

bool FlowCode::flows(unsigned in, unsigned out) const {
  if (inputs.empty() || outputs.empty()) return true;
  const std::string& a = inputs[in < inputs.size() ? in : inputs.size() - 1];
  const std::string& b = outputs[out < outputs.size() ? out : outputs.size() - 1];
  for (char x : a)
    for (char y : b)
      if (x == y && (x != '#' || in == out)) return true;
  return false;
}

namespace {

// What the runtime can run: a port that can pull needs an element with a pull side (or one whose
// push the runtime can run as it pulls, an agnostic one); a pull-only element is never pushed to.
std::optional<std::string> check_processing(const ElementSpec& spec, const PortCounts& ports, const Processing& p) {
  const ElementOps* ops = spec.ops;
  if (!ops || ops->role != ElementOps::Role::Kernel) return std::nullopt;
  // An element without packet code (NB_ELEMENT_INFO, a control element) has nothing to do with
  // a packet that reaches it.
  if (!ops->push && !ops->pull && (ports.inputs.max != 0 || ports.outputs.max != 0))
    return fmt::format("element class '{}' has ports '{}' but neither push nor pull", spec.class_name, spec.ports);
  const unsigned nin = ports.inputs.max == PortRange::kUnbounded ? std::max(1u, ports.inputs.min) : ports.inputs.max;
  const unsigned nout = ports.outputs.max == PortRange::kUnbounded ? std::max(1u, ports.outputs.min) : ports.outputs.max;
  for (unsigned k = 0; k < nin && k < 64; ++k)
    if (p.input(k) != 'l' && !ops->push)
      return fmt::format("element class '{}' has no push, but its input {} can be pushed to (processing '{}')",
                         spec.class_name, k, spec.processing);
  for (unsigned k = 0; k < nout && k < 64; ++k)
    if (p.output(k) == 'l' && !ops->pull)
      return fmt::format("element class '{}' has no pull, but its output {} is pulled from (processing '{}')",
                         spec.class_name, k, spec.processing);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Registry::add(const ElementSpec& spec) {
  if (spec.class_name.empty()) return std::string("element spec without a class name");
  auto ports = parse_port_spec(spec.ports);
  if (!ports) return fmt::format("element class '{}' has a malformed port spec '{}'", spec.class_name, spec.ports);
  if (classes_.count(spec.class_name)) return fmt::format("element class '{}' is already defined", spec.class_name);
  if (auto err = check_port_spec(spec)) return err;
  auto processing = parse_processing(spec);
  if (!processing)
    return fmt::format("element class '{}' has a malformed processing code '{}' (Click's: \"a/ah\", \"h/l\")",
                       spec.class_name, spec.processing);
  if (auto err = check_processing(spec, *ports, *processing)) return err;
  auto flow = parse_flow_code(spec.flow_code);
  if (!flow)
    return fmt::format("element class '{}' has a malformed flow code '{}' (Click's: \"x/x\", \"#/#\", \"xy/x\")",
                       spec.class_name, spec.flow_code);
  classes_.emplace(std::string(spec.class_name),
                   ElementClass{&spec, *ports, nullptr, std::move(*processing), std::move(*flow)});
  return std::nullopt;
}

const ElementClass* Registry::find(std::string_view name) const {
  auto it = classes_.find(name);
  return it == classes_.end() ? nullptr : &it->second;
}

void Registry::set_origin(std::string_view name, const Plugin* plugin) {
  auto it = classes_.find(name);
  if (it != classes_.end()) it->second.plugin = plugin;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  out.reserve(classes_.size());
  for (const auto& [name, cls] : classes_) out.push_back(name);
  return out;
}

const Registry& Registry::builtin() {
  static const Registry registry = [] {
    Registry r;
    for (const ElementSpec* spec : registered_element_specs()) {
      if (auto err = r.add(*spec)) {
        // A broken built-in spec is a bug in nb itself, caught by the registry test.
        fmt::print(stderr, "internal error: {}\n", *err);
      }
    }
    return r;
  }();
  return registry;
}

}  // namespace nb::compiler
