#include <nb/compiler/plan.hpp>

#include <nb/compiler/element_args.hpp>

#include "watch.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <variant>

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

// Every element whose pull input ends a pull chain (it pulls, and pulls for no one) makes a task,
// and so does a source with a pull side that pushes (InfiniteSource: the task asks it for packets),
// and an element without ports that has a pull side (SchedOrderTest: its task records its runs).
// Agnostic kernels between its input and the element that pulls for real (a Queue, a scheduler)
// run on the push side of the task, JIT-compiled with the rest of it; the check made sure that
// only output 0 is ever pulled from, and that a pulled agnostic element has one input.
std::vector<PlanTask> pull_tasks(const Plan& plan, const Graph& graph) {
  std::vector<PlanTask> tasks;
  for (std::uint32_t r = 0; r < plan.elements.size(); ++r) {
    const Element& el = graph.elements[r];
    const PlanElement& root = plan.elements[r];
    // A source that makes packets (InfiniteSource) and pushes them is a task of its own; so is one
    // whose inputs are pushed to (ICMPPingSource takes the replies to its pings there).
    // A task without ports (SchedOrderTest) runs for what it does, and pushes nothing.
    const bool portless = el.ninputs == 0 && el.noutputs == 0 && root.ops && root.ops->pull && !root.ops->control;
    const bool source = portless || (el.input_modes.find('l') == std::string::npos && root.ops && root.ops->pull &&
                                     !el.output_modes.empty() && el.output_modes[0] == 'h');
    if ((el.input_modes.find('l') == std::string::npos && !source) || el.output_modes.find('l') != std::string::npos)
      continue;
    PlanTask t{r, r};
    if (!root.ops->pull) {
      std::uint32_t cur = r;
      for (std::size_t steps = 0; steps <= plan.elements.size(); ++steps) {
        const Target& from = plan.elements[cur].pull_inputs.empty() ? Target{} : plan.elements[cur].pull_inputs[0];
        if (from.kind != Target::Kind::Element) break;
        cur = from.index;
        const PlanElement& e = plan.elements[cur];
        if (e.ops->pull || e.ninputs != 1) break;
      }
      t.top = cur;
    }
    tasks.push_back(t);
  }
  return tasks;
}

bool is_host(PortOpen open) {
  return open == PortOpen::HostRx || open == PortOpen::HostTx || open == PortOpen::HostTap ||
         open == PortOpen::HostTun;
}

// ToHost without DEVNAME: the one tap interface the configuration's FromHost or KernelTap makes
// (Click's user-level ToHost shares its FromHost's device), else nb's own interface nbhost;
// nullopt when several would do.
std::optional<std::string> default_host_iface(const Graph& graph) {
  std::vector<std::string> taps;
  for (const Element& el : graph.elements) {
    if (!el.cls || !el.cls->spec) continue;
    const PortOpen open = el.cls->spec->port_open;
    if (open != PortOpen::HostRx && open != PortOpen::HostTap) continue;
    const ParamValue* v = el.param(el.cls->spec->port_param);
    const std::string* name = v ? std::get_if<std::string>(&v->value) : nullptr;
    if (name && !name->empty() && std::find(taps.begin(), taps.end(), *name) == taps.end()) taps.push_back(*name);
  }
  if (taps.size() > 1) return std::nullopt;
  return taps.empty() ? std::string(kDefaultHostIface) : taps[0];
}

std::string format_ip(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

// The port of a FromHost, ToHost, KernelTap or KernelTun: one per interface name, shared by the
// elements naming it, whose settings must agree (one kernel interface has one address).
std::optional<std::uint32_t> host_port(const Graph& graph, const Element& el, PortOpen open, std::string iface,
                                       const std::optional<std::string>& default_host, Plan& plan,
                                       std::map<std::string, std::uint32_t>& device_ports,
                                       lang::DiagnosticEngine& diags) {
  const ElementSpec& spec = *el.cls->spec;
  const ParamValue* where = el.param(spec.port_param);
  const lang::Span arg_span = where && !where->is_default ? where->span : el.span;
  ElementArgs args(el);
  if (iface.empty() && open == PortOpen::HostTx) {
    if (!default_host) {
      diags.error(el.span, fmt::format("{} without DEVNAME: the configuration makes several tap interfaces",
                                       spec.class_name))
          .note(fmt::format("name the one the kernel should get the packets on, e.g. {}(fake0)", spec.class_name));
      return std::nullopt;
    }
    iface = *default_host;
  }
  PlanPort want;
  want.kind = PlanPort::Kind::Device;
  want.host = true;
  want.tun = open == PortOpen::HostTun;
  want.device = iface;
  for (std::string_view name : {"PREFIX", "ADDR"}) {
    const ParamValue* a = el.param(name);
    if (!a || a->is_default) continue;
    if (const auto* p = std::get_if<IPv4Prefix>(&a->value)) {
      want.host_addr = true;
      want.host_ip = p->given;
      want.host_len = p->length;
    }
  }
  if (const ParamValue* e = el.param("ETHER"); e && !e->is_default) {
    want.host_ether_given = true;
    want.host_ether = args.get_ether("ETHER");
  }
  if (const ParamValue* m = el.param("MTU"); m && !m->is_default)
    want.host_mtu = static_cast<std::uint32_t>(args.get_unsigned("MTU"));
  // Without DEVNAME every KernelTap and KernelTun is an interface of its own.
  const std::string key = iface.empty() ? "host@" + el.name : "host:" + iface;
  auto it = device_ports.find(key);
  if (it == device_ports.end()) {
    want.name = el.name;
    want.span = el.span;
    want.arg_span = arg_span;
    plan.ports.push_back(std::move(want));
    it = device_ports.emplace(key, static_cast<std::uint32_t>(plan.ports.size() - 1)).first;
  } else {
    PlanPort& port = plan.ports[it->second];
    const std::string first = port.name.substr(0, port.name.find(','));
    std::string other = first;
    for (const Element& o : graph.elements)
      if (o.name == first) other = fmt::format("{} '{}'", o.cls->spec->class_name, first);
    const std::string self = fmt::format("{} '{}'", spec.class_name, el.name);
    auto clash = [&](const std::string& what) {
      diags.error(arg_span, fmt::format("interface '{}' {}", iface, what))
          .note("elements naming one interface share it: give its settings once, or name another interface");
      return std::nullopt;
    };
    auto kind = [](bool tun) { return tun ? "a tun (IP packets)" : "a tap (Ethernet frames)"; };
    if (want.tun != port.tun) return clash(fmt::format("is {} for {} and {} for {}", kind(port.tun), other, kind(want.tun), self));
    if (want.host_addr) {
      if (port.host_addr && (port.host_ip != want.host_ip || port.host_len != want.host_len))
        return clash(fmt::format("has the address {}/{} from {}; {} gives it {}/{}", format_ip(port.host_ip),
                                 port.host_len, other, self, format_ip(want.host_ip), want.host_len));
      port.host_addr = true;
      port.host_ip = want.host_ip;
      port.host_len = want.host_len;
    }
    if (want.host_ether_given) {
      if (port.host_ether_given && port.host_ether != want.host_ether)
        return clash(fmt::format("has another Ethernet address (ETHER) from {}", other));
      port.host_ether_given = true;
      port.host_ether = want.host_ether;
    }
    if (want.host_mtu) {
      if (port.host_mtu && port.host_mtu != want.host_mtu)
        return clash(fmt::format("has MTU {} from {}; {} gives it {}", port.host_mtu, other, self, want.host_mtu));
      port.host_mtu = want.host_mtu;
    }
    port.name += "," + el.name;
  }
  PlanPort& port = plan.ports[it->second];
  if (open != PortOpen::HostTx && el.param("BURST") && args.given("BURST"))
    port.rx_burst = static_cast<std::uint32_t>(args.get_unsigned("BURST"));
  return it->second;
}

// FromDump's time window from Click's START, START_AFTER, END, END_AFTER and INTERVAL (Duration
// values: microseconds). Refuses what Click refuses (two starts, two ends) and what can hold no
// record whatever the trace (an end at or before the start); with LOOP true, any of them.
TraceWindow lower_window(const Element& el, bool loop, lang::DiagnosticEngine& diags) {
  TraceWindow w;
  auto given = [&](std::string_view name) -> const ParamValue* {
    const ParamValue* v = el.param(name);
    return v && !v->is_default && std::holds_alternative<std::uint64_t>(v->value) ? v : nullptr;
  };
  auto at = [&](const ParamValue* v) { return v->span.valid() ? v->span : el.span; };
  auto us = [](const ParamValue* v) { return std::get<std::uint64_t>(v->value); };
  const ParamValue* start = given("START");
  const ParamValue* start_after = given("START_AFTER");
  const ParamValue* end = given("END");
  const ParamValue* end_after = given("END_AFTER");
  const ParamValue* interval = given("INTERVAL");
  bool ok = true;
  if (start && start_after) {
    diags.error(at(start_after), "START and START_AFTER are mutually exclusive: the window has one start")
        .note(
            "START is a time in seconds since the epoch, START_AFTER a time after the trace's first record: "
            "give one of them");
    ok = false;
  }
  const ParamValue* ends[] = {end, end_after, interval};
  const ParamValue* first_end = nullptr;
  for (const ParamValue* e : ends) {
    if (!e) continue;
    if (!first_end) {
      first_end = e;
      continue;
    }
    diags
        .error(at(e), fmt::format("{} and {} are mutually exclusive: the window has one end", first_end->param->name,
                                  e->param->name))
        .note(
            "END is a time in seconds since the epoch, END_AFTER a time after the trace's first record, INTERVAL "
            "a time after the start: give one of them");
    ok = false;
  }
  if (!ok) return w;
  if (start) {
    w.start_from = TraceWindow::From::Epoch;
    w.start_us = us(start);
  } else if (start_after) {
    w.start_from = TraceWindow::From::FirstRecord;
    w.start_us = us(start_after);
  }
  if (end) {
    w.end_from = TraceWindow::From::Epoch;
    w.end_us = us(end);
  } else if (end_after) {
    w.end_from = TraceWindow::From::FirstRecord;
    w.end_us = us(end_after);
  } else if (interval) {
    w.end_from = TraceWindow::From::Start;
    w.end_us = us(interval);
  }
  // An end that is not after the start leaves nothing to read, whatever the file holds. (START
  // with END_AFTER, or START_AFTER with END, compare only once the trace's first record is known:
  // such a window may hold no record, and then FromDump emits none.)
  const bool empty = (end && start && us(end) <= us(start)) ||
                     (end_after && us(end_after) <= (start_after ? us(start_after) : 0)) ||
                     (interval && us(interval) == 0);
  if (empty) {
    const ParamValue* e = first_end;
    const ParamValue* s = start ? start : start_after;
    std::string what = interval ? "INTERVAL 0 ends the window where it starts"
                       : s ? fmt::format("{} {} is not after {} {}", e->param->name, e->text, s->param->name, s->text)
                           : fmt::format("{} {} ends the window at the trace's first record", e->param->name, e->text);
    diags.error(at(e), what + ": the window holds no record")
        .note("FromDump stops at the first record stamped at or after its end; the end must come after the start");
    return TraceWindow{};
  }
  if (loop && w.any()) {
    const ParamValue* first = start ? start : start_after ? start_after : first_end;
    diags
        .error(at(first), fmt::format("{} with LOOP true: a looping file is replayed from memory without its "
                                      "records' times, so there is no window to cut",
                                      first->param->name))
        .note(
            "drop LOOP to read the window once, or cut the window into a file of its own (editcap -A/-B) and loop "
            "that");
    return TraceWindow{};
  }
  return w;
}

}  // namespace

std::string file_key(const std::string& name) { return FileIdentity(name).path; }

std::string to_flat_config(const Plan& plan, int replace, const std::string& args) {
  std::string out;
  for (const std::string& r : plan.requirements) out += fmt::format("require({});\n", r);
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const PlanElement& e = plan.elements[i];
    std::string text;
    if (static_cast<int>(i) == replace) {
      text = args;
    } else {
      for (std::size_t k = 0; k < e.args.size(); ++k) text += (k ? ", " : "") + e.args[k];
    }
    out += fmt::format("{} :: {}{};\n", e.name, e.spec->class_name, text.empty() ? "" : "(" + text + ")");
  }
  for (const PlanElement& e : plan.elements) {
    for (std::size_t p = 0; p < e.outputs.size(); ++p) {
      const Target& t = e.outputs[p];
      std::int32_t to = -1;
      if (t.kind == Target::Kind::Element) to = static_cast<std::int32_t>(t.index);
      if (t.kind == Target::Kind::Port && t.index < plan.ports.size())
        to = t.sink >= 0 ? t.sink : plan.ports[t.index].sink_element;
      if (to < 0) continue;
      out += fmt::format("{} [{}] -> [{}] {};\n", e.name, p, t.kind == Target::Kind::Element ? t.in_port : 0,
                         plan.elements[static_cast<std::size_t>(to)].name);
    }
  }
  return out;
}

std::optional<Plan> lower(const Graph& graph, lang::DiagnosticEngine& diags) {
  std::size_t errors = diags.error_count();
  Plan plan;
  plan.plugins = graph.plugins;
  plan.elements.resize(graph.elements.size());
  std::map<std::string, std::uint32_t> device_ports;  // device spec (host:NAME for a tap) -> port
  check_file_uses(graph, diags);
  const std::optional<std::string> default_host = default_host_iface(graph);

  for (std::size_t i = 0; i < graph.elements.size(); ++i) {
    const Element& el = graph.elements[i];
    PlanElement& pe = plan.elements[i];
    pe.name = el.name;
    pe.spec = el.cls->spec;
    pe.ops = el.cls->spec->ops;
    pe.ninputs = el.ninputs;
    pe.noutputs = el.noutputs;
    pe.outputs.resize(el.noutputs);
    pe.pull_inputs.resize(el.ninputs);
    pe.input_modes = el.input_modes;
    pe.output_modes = el.output_modes;
    pe.args = el.args;
    pe.span = el.span;
    if (!pe.ops) {
      diags.error(el.class_span, fmt::format("element class '{}' cannot run yet: it has no kernel",
                                             el.cls->spec->class_name));
      continue;
    }
    ElementArgs args(el);
    if (!el.cls->spec->warning.empty())
      diags.warning(el.class_span, fmt::format("{}: {}", el.cls->spec->class_name, el.cls->spec->warning));
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
      port.timing = is_source && flag("TIMING", false);
      if (port.timing && port.loop) {
        const ParamValue* timing = el.param("TIMING");
        diags
            .error(timing && timing->span.valid() ? timing->span : el.span,
                   "TIMING true with LOOP true: a looping file is replayed from memory without its records' times, "
                   "so there is no pace to keep")
            .note("drop LOOP to replay the trace once at its pace, or TIMING to loop it as fast as it goes");
      }
      if (is_source) port.window = lower_window(el, port.loop, diags);
      port.snaplen = is_source ? 0 : static_cast<std::uint32_t>(args.get_unsigned("SNAPLEN"));
      // ToDump ENCAP IP: records that start at the IP header (LINKTYPE_RAW), as Click writes them.
      if (!is_source && args.get_string("ENCAP") == "IP") port.linktype = 101;
      port.name = el.name;
      port.span = el.span;
      port.arg_span = where ? where->span : el.span;
      plan.ports.push_back(std::move(port));
      port_index = static_cast<std::uint32_t>(plan.ports.size() - 1);
    } else if (is_host(open)) {
      auto r = host_port(graph, el, open, what, default_host, plan, device_ports, diags);
      if (!r) continue;
      port_index = *r;
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
      // Several ToDevices may send through one device (Click wants one, fed by a Queue; nb's
      // workers each have their own transmit buffer per port, so they can share it): they share
      // its transmit settings, which must then agree.
      if (!is_source && port.sink_element >= 0) {
        const PlanElement& first = plan.elements[static_cast<std::size_t>(port.sink_element)];
        // BURST and NDESC 0: no earlier ToDevice set them (nbrun's defaults), so this one may.
        auto differs = [&](std::string_view name, std::uint32_t have) {
          return args.given(name) && static_cast<std::uint32_t>(args.get_unsigned(name)) != have &&
                 (name == "QUEUE" || have != 0);
        };
        const char* which = differs("QUEUE", port.tx_queue)   ? "QUEUE"
                            : differs("BURST", port.tx_burst) ? "BURST"
                            : differs("NDESC", port.tx_desc)  ? "NDESC"
                                                              : nullptr;
        if (which) {
          lang::Diagnostic& d =
              diags.error(el.span, fmt::format("'{}' and '{}' send through device '{}' with different {}", first.name,
                                               el.name, what, which));
          d.note("the elements that send through one device share its transmit queue: give them the same " +
                 std::string(which) + ", or leave it out of all but one");
          continue;
        }
      }
      if (is_source || port.sink_element < 0 || args.given("QUEUE"))
        (is_source ? port.rx_queue : port.tx_queue) = static_cast<std::uint32_t>(args.get_unsigned("QUEUE"));
      if (args.given("BURST")) (is_source ? port.rx_burst : port.tx_burst) = static_cast<std::uint32_t>(args.get_unsigned("BURST"));
      if (args.given("NDESC")) {
        auto n = static_cast<std::uint32_t>(args.get_unsigned("NDESC"));
        (is_source ? port.rx_desc : port.tx_desc) = n;
      }
      if (is_source && flag("PROMISC", false)) port.promisc = true;
      if (is_source && !flag("SNIFFER", true)) port.hide_from_kernel = true;
    }
    PlanPort& port = plan.ports[port_index];
    const bool both = pe.ops->role == ElementOps::Role::SourceSink;
    is_source = is_source || both;
    std::int32_t& owner = is_source ? port.source_element : port.sink_element;
    // Click hands the kernel frames from any number of ToHost elements: a tap's sinks share it;
    // and a DPDK device takes packets from any number of ToDevices (above).
    if (owner >= 0 && !((port.host || port.kind == PlanPort::Kind::Device) && !is_source)) {
      diags.error(el.span, fmt::format("device '{}' already has a {}", port.host ? port.device : what,
                                       graph.elements[owner].cls->spec->class_name));
      continue;
    }
    if (owner < 0) owner = static_cast<std::int32_t>(i);
    if (both && port.sink_element < 0) port.sink_element = static_cast<std::int32_t>(i);
    (is_source ? port.rx : port.tx) = true;
    if (both) port.tx = true;
    if (is_source) plan.sources.push_back(static_cast<std::uint32_t>(i));
    pe.port = static_cast<std::int32_t>(port_index);
  }

  for (const Edge& e : graph.edges) {
    PlanElement& from = plan.elements[e.from];
    const PlanElement& to = plan.elements[e.to];
    if (e.from_port >= from.outputs.size()) continue;
    Target t;
    if (to.ops && (to.ops->role == ElementOps::Role::Sink || to.ops->role == ElementOps::Role::SourceSink)) {
      t.kind = Target::Kind::Port;
      t.index = static_cast<std::uint32_t>(to.port);
      t.sink = static_cast<std::int32_t>(e.to);
    } else {
      t.kind = Target::Kind::Element;
      t.index = e.to;
      t.in_port = e.to_port;
    }
    from.outputs[e.from_port] = t;
    if (e.to_port < graph.elements[e.to].input_modes.size() && graph.elements[e.to].input_modes[e.to_port] == 'l' &&
        e.to_port < plan.elements[e.to].pull_inputs.size())
      plan.elements[e.to].pull_inputs[e.to_port] = {Target::Kind::Element, e.from, e.from_port};
  }
  detail::find_watched_queues(graph, plan, diags);
  detail::find_peers(graph, plan, diags);
  if (diags.error_count() != errors) return std::nullopt;
  plan.tasks = pull_tasks(plan, graph);
  detail::bind_tasks(graph, plan, diags);
  detail::weigh_tasks(graph, plan, diags);
  if (diags.error_count() != errors) return std::nullopt;
  for (const Requirement& r : graph.requirements) {
    std::string args;
    for (const lang::ConfigArg& a : r.args) {
      if (a.value.compare(0, 7, "library") == 0 && (a.value.size() == 7 || std::isspace(static_cast<unsigned char>(a.value[7]))))
        continue;
      args += (args.empty() ? "" : ", ") + a.value;
    }
    if (!args.empty()) plan.requirements.push_back(std::move(args));
  }
  return plan;
}

}  // namespace nb::compiler
