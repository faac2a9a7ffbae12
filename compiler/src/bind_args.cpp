// Argument binding (bind_args.hpp).
#include "bind_args.hpp"

#include "address_info.hpp"

#include <nb/compiler/registry.hpp>
#include <nb/compiler/values.hpp>
#include <nb/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace nb::compiler::detail {
namespace {

using lang::Diagnostic;
using lang::Span;

// Port numbers are 0 to 65535 in the syntax: an element cannot use more ports than that.
constexpr std::uint64_t kMaxPorts = 65536;

// Quoted user text in a note: a substituted argument may be a megabyte long.
std::string shortened(std::string_view text) {
  constexpr std::size_t kMax = 200;
  if (text.size() <= kMax) return std::string(text);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole characters
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

std::string signature(const ElementSpec& spec) {
  std::string pos, kw;
  for (const ParamSpec& p : spec.params) {
    if (p.kind == ParamKind::Keyword) {
      kw += (kw.empty() ? "" : ", ") + std::string(p.name);
      continue;
    }
    std::string item = p.kind == ParamKind::Rest ? std::string(p.name) + "..." : std::string(p.name);
    if (!p.required) item = "[" + item + "]";
    pos += (pos.empty() ? "" : ", ") + item;
  }
  std::string all = pos;
  if (!kw.empty()) all += (all.empty() ? "" : ", ") + std::string("keywords ") + kw;
  return fmt::format("{}({})", spec.class_name, all);
}

class ArgBinder {
 public:
  ArgBinder(const ReportError& error, const AddressScope* addresses) : error(error), addresses(addresses) {}

  // Click's keyword arguments: an upper-case word, then white space, then the value.
  static std::optional<std::pair<std::string, std::size_t>> keyword_of(std::string_view text) {
    std::size_t i = 0;
    if (text.empty() || !(std::isupper(static_cast<unsigned char>(text[0])) || text[0] == '_')) return std::nullopt;
    while (i < text.size() && (std::isupper(static_cast<unsigned char>(text[i])) ||
                               std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '_'))
      ++i;
    if (i == text.size() || !std::isspace(static_cast<unsigned char>(text[i]))) return std::nullopt;
    std::size_t v = i;
    while (v < text.size() && std::isspace(static_cast<unsigned char>(text[v]))) ++v;
    return std::make_pair(std::string(text.substr(0, i)), v);
  }

  // Click's keywords are upper case; `stop true` for `STOP true` is a likely slip. Returns the
  // parameter that the lower-case first word names, if any.
  static const ParamSpec* lower_case_keyword(const ElementSpec& spec, std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && (std::islower(static_cast<unsigned char>(text[i])) ||
                               std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '_'))
      ++i;
    if (i == 0 || i == text.size() || !std::isspace(static_cast<unsigned char>(text[i]))) return nullptr;
    std::string upper(text.substr(0, i));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const ParamSpec& p : spec.params) {
      if (p.kind != ParamKind::Rest && p.name == upper) return &p;
    }
    return nullptr;
  }

  // The file span of text[b, e) of an argument (the whole argument after substitution).
  static Span arg_span(const SubstArg& arg, std::size_t b, std::size_t e) {
    if (arg.substituted || !arg.source) return arg.span;
    Span where = arg.source->value_span(b, e);
    if (where.end <= where.begin) where.end = where.begin + 1;
    return where;
  }

  // Click's device named by its Ethernet address (FromDevice(00:e0:98:09:ab:af), or an
  // AddressInfo name's NAME:eth; mazu-nat.click): Click's user level finds the host's interface
  // that has the address, and so does nb, for a Device argument and ToHost's DEVNAME. `name` gets
  // the interface's name; false (an error) when no interface has the address.
  bool device_by_ether(const Element& el, const ParamSpec& p, const SubstArg& arg, std::size_t value_offset,
                       std::string_view text, std::string& name) {
    const ElementSpec& spec = *el.cls->spec;
    if (p.type != ParamType::Device && !(spec.port_open == PortOpen::HostTx && spec.port_param == p.name)) return true;
    std::string literal(text);
    if (p.type == ParamType::Device && addresses && addresses->table) {
      for (std::string_view suffix : {":eth", ":ether", ":ethernet"}) {
        if (text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix) {
          Resolution res = resolve_address(*addresses->table, addresses->prefix, text, AddressKind::Ether);
          if (res.status == Resolution::Status::Ok) literal = res.literal;
          break;
        }
      }
    }
    std::array<std::uint8_t, 6> ether{};
    if (!nb::text::scan_ether(literal, ether)) return true;
    if (auto iface = host_interface_with_ether(ether)) {
      name = *iface;
      return true;
    }
    std::string have;
    for (const std::string& i : host_interface_ethers()) have += (have.empty() ? "" : ", ") + i;
    Diagnostic& d =
        error(arg_span(arg, value_offset, arg.text.size()),
              fmt::format("{} of {}: no network interface of this host has the Ethernet address {}{}", p.name,
                          spec.class_name, literal, literal == text ? std::string() : fmt::format(" ('{}')", text)));
    d.note(
        fmt::format("Click finds a device named by its Ethernet address among the host's interfaces; this "
                    "host has {} (`ip -br link`): name one, or give it that address",
                    have.empty() ? "none" : have));
    return false;
  }

  // Click's AddressInfo names in an address argument: the address the name stands for, or an
  // error about the name. Returns false when the argument holds no name (its own error stands).
  bool resolve_name(Element& el, const ParamSpec& p, const SubstArg& arg, std::size_t value_offset,
                    std::string_view text, ValueResult& r) {
    if (!addresses || !addresses->table) return false;
    const AddressKind kind = p.type == ParamType::EtherAddress ? AddressKind::Ether
                             : p.type == ParamType::IPv4Prefix ? AddressKind::Prefix
                                                               : AddressKind::IPv4;
    std::string literal;
    std::vector<std::pair<std::size_t, Resolution>> failed;
    bool any = false;
    // An IPv4AddressList resolves word by word; the other types are one word.
    for (std::size_t i = 0; i < text.size();) {
      std::size_t j = i;
      if (p.type == ParamType::IPv4AddressList) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) literal += text[i++];
        j = i;
        while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      } else {
        j = text.size();
      }
      if (j == i) break;
      std::string_view word = text.substr(i, j - i);
      Resolution res = resolve_address(*addresses->table, addresses->prefix, word, kind);
      if (res.status == Resolution::Status::Ok) {
        literal += res.literal;
        any = true;
      } else {
        if (res.status == Resolution::Status::Error) failed.emplace_back(i, std::move(res));
        literal += word;
      }
      i = j;
    }
    if (!failed.empty()) {
      for (const auto& [at, res] : failed) {
        Diagnostic& d = error(arg_span(arg, value_offset + at, value_offset + text.size()),
                              fmt::format("{} (argument {} of {})", res.message, p.name, el.cls->spec->class_name));
        if (!res.hint.empty()) d.note(res.hint);
      }
      r = ValueResult{};
      r.errors.push_back(ValueError{});
      return true;
    }
    if (!any) return false;
    ValueResult resolved = parse_value(p.type, literal);
    if (!resolved.ok()) return false;
    r = std::move(resolved);
    resolved_text = literal;
    return true;
  }

  bool parse_param(Element& el, const ParamSpec& p, const SubstArg& arg, std::size_t value_offset) {
    std::string_view text = std::string_view(arg.text).substr(value_offset);
    resolved_text.clear();
    // Names in an element's own language (IPFilter rules, routes): replaced by their addresses
    // before the element sees the text; positions in errors are mapped back to what was written.
    std::optional<Rewritten> rewritten;
    const bool raw = p.type == ParamType::String && el.cls->spec->raw_arguments;
    // Click's `pattern NAME FOUTPUT ROUTPUT` in a rewriter's INPUTSPEC: the pattern an
    // IPRewriterPatterns element names, spelt out (its AddressInfo names are then replaced too).
    std::optional<Rewritten> expanded;
    if (p.type == ParamType::String && p.name == "INPUTSPEC" && addresses && addresses->table)
      expanded = expand_pattern(*addresses->table, addresses->prefix, text);
    else if (p.type == ParamType::String && p.name == "ENTRY" && el.cls->spec->class_name == "ARPResponder" &&
             addresses && addresses->table)
      expanded = expand_arp_name(*addresses->table, addresses->prefix, text);
    if (expanded) text = expanded->text;
    if (p.type == ParamType::String && addresses && addresses->table && !raw &&
        el.cls->spec->class_name != "AddressInfo") {
      rewritten = rewrite_names(*addresses->table, addresses->prefix, text);
      if (rewritten) text = rewritten->text;
    }
    auto orig = [&](std::size_t off) {
      if (rewritten) off = rewritten->to_original(off);
      return expanded ? expanded->to_original(off) : off;
    };
    std::string device_name;
    if (!device_by_ether(el, p, arg, value_offset, text, device_name)) return false;
    if (!device_name.empty()) text = device_name;
    ValueResult r = raw ? ValueResult{std::string(text), {}} : parse_value(p.type, text);
    if (!r.ok() && (p.type == ParamType::IPv4Address || p.type == ParamType::IPv4Prefix ||
                    p.type == ParamType::EtherAddress || p.type == ParamType::IPv4AddressList)) {
      if (resolve_name(el, p, arg, value_offset, text, r) && !r.ok()) return false;
      if (!resolved_text.empty()) text = resolved_text;
    }
    if (!r.ok()) {
      for (const ValueError& e : r.errors) {
        std::size_t b = value_offset + orig(e.offset);
        Span where = arg_span(arg, b, b + std::max<std::size_t>(e.length, 1));
        Diagnostic& d = error(where, fmt::format("invalid {} for {} of {}: {}", type_name(p.type), p.name,
                                                 el.cls->spec->class_name, e.message));
        if (arg.substituted) d.note(fmt::format("after substitution the argument reads '{}'", shortened(arg.text)));
        if (e.out_of_range && p.max_value != UINT64_MAX && p.type != ParamType::Duration &&
            p.type != ParamType::Bandwidth) {
          // The parameter's own range says more than the type's.
          d.note(p.min_value == INT64_MIN || p.min_value == 0
                     ? fmt::format("{} of {} is at most {}", p.name, el.cls->spec->class_name, p.max_value)
                     : fmt::format("{} of {} is between {} and {}", p.name, el.cls->spec->class_name, p.min_value,
                                   p.max_value));
        } else if (!e.hint.empty()) {
          d.note(e.hint);
        }
      }
      return false;
    }
    std::string range_error;
    // An output count parameter (Tee's N) below its minimum is reported by the port check, which
    // says how many outputs the class needs.
    const bool output_count =
        el.cls->spec->output_count == OutputCount::FromParam && el.cls->spec->output_count_param == p.name;
    // A time is kept in microseconds but shown as written: 5min, not 300000000.
    auto shown = [&](std::uint64_t v) {
      return p.type == ParamType::Duration    ? format_duration(v)
             : p.type == ParamType::Bandwidth ? fmt::format("{}B/s", v)
                                              : fmt::format("{}", v);
    };
    if (auto* u = std::get_if<std::uint64_t>(&r.value); u && *u > p.max_value) {
      range_error = fmt::format("{} is larger than the maximum {}", shown(*u), shown(p.max_value));
    } else if (u && p.min_value > 0 && *u < static_cast<std::uint64_t>(p.min_value) && !output_count) {
      range_error =
          fmt::format("{} is smaller than the minimum {}", shown(*u), shown(static_cast<std::uint64_t>(p.min_value)));
    } else if (auto* i = std::get_if<std::int64_t>(&r.value)) {
      if (*i < p.min_value)
        range_error = fmt::format("{} is smaller than the minimum {}", *i, p.min_value);
      else if (*i > 0 && static_cast<std::uint64_t>(*i) > p.max_value)
        range_error = fmt::format("{} is larger than the maximum {}", *i, p.max_value);
    }
    if (!range_error.empty()) {
      error(arg_span(arg, value_offset, arg.text.size()), fmt::format("invalid {} for {} of {}: {}", type_name(p.type),
                                                                      p.name, el.cls->spec->class_name, range_error));
      return false;
    }
    if (p.validate) {
      // The element's own language (IPFilter rules): errors point inside the argument. A quoted
      // argument is checked unquoted; its positions are then only as good as the quotes allow.
      const auto* s = std::get_if<std::string>(&r.value);
      std::string_view checked = s ? std::string_view(*s) : text;
      const std::size_t shift = checked == text ? 0 : std::min<std::size_t>(1, text.size());
      ParamError e;
      if (!p.validate(checked, e)) {
        std::size_t b = value_offset + orig(std::min(e.offset + shift, text.size()));
        Diagnostic& d = error(arg_span(arg, b, b + std::max<std::size_t>(e.length, 1)),
                              fmt::format("invalid {} of {}: {}", p.name, el.cls->spec->class_name, e.message));
        // A misspelt AddressInfo name in a rule is an unknown word to the element.
        if (addresses && addresses->table && b < arg.text.size()) {
          std::size_t end = b;
          while (end < arg.text.size() && (std::isalnum(static_cast<unsigned char>(arg.text[end])) ||
                                           arg.text[end] == '_' || arg.text[end] == '-'))
            ++end;
          std::string hint = end > b ? lang::closest_match(std::string_view(arg.text).substr(b, end - b),
                                                           addresses->table->visible(addresses->prefix))
                                     : std::string();
          if (!hint.empty()) d.note(fmt::format("did you mean the address name '{}'?", hint));
        }
        return false;
      }
    }
    if (p.validate_all) {
      std::vector<ParamError> errors;
      if (!p.validate_all(text, errors) && !errors.empty()) {
        for (const ParamError& e : errors) {
          std::size_t b = value_offset + orig(std::min(e.offset, text.size()));
          Diagnostic& d = error(arg_span(arg, b, b + std::max<std::size_t>(e.length, 1)),
                                fmt::format("invalid {} for {} of {}: {}", type_name(p.type), p.name,
                                            el.cls->spec->class_name, e.message));
          if (arg.substituted) d.note(fmt::format("after substitution the argument reads '{}'", shortened(arg.text)));
          if (!e.hint.empty()) d.note(e.hint);
        }
        return false;
      }
    }
    el.params.push_back(ParamValue{&p, std::move(r.value), std::string(text), arg.span, false});
    return true;
  }

  void unknown_keyword(const ElementSpec& spec, const SubstArg& arg, std::string_view keyword, std::string_view hint,
                       bool case_hint) {
    Span kspan = arg_span(arg, 0, keyword.size());
    Diagnostic& d = error(kspan, fmt::format("unknown keyword '{}' for {}", keyword, spec.class_name));
    if (case_hint)
      d.note(fmt::format("keywords are upper case: did you mean '{}'?", hint));
    else if (!hint.empty())
      d.note(fmt::format("did you mean '{}'?", hint));
    d.note(fmt::format("{} takes {}", spec.class_name, signature(spec)));
  }

  // Click's one-name form, ARPQuerier(NAME): a name (AddressInfo's, or a network interface's)
  // that holds both addresses, given for an IPv4 address parameter, also fills the Ethernet
  // address parameter right after it when that one is left out.
  bool fill_from_name(Element& el, const ParamSpec* before, const ParamSpec& p,
                      const std::map<std::string_view, std::string_view>& written, Span where) {
    if (!before || !addresses || !addresses->table || p.type != ParamType::EtherAddress ||
        p.kind != ParamKind::Positional || before->type != ParamType::IPv4Address ||
        before->kind != ParamKind::Positional)
      return false;
    auto w = written.find(before->name);
    if (w == written.end()) return false;
    const std::string_view name = w->second;
    if (name.find(':') != std::string_view::npos && name.find_first_not_of("0123456789abcdefABCDEF:") == name.npos)
      return false;
    Resolution res = resolve_address(*addresses->table, addresses->prefix, name, AddressKind::Ether);
    if (res.status != Resolution::Status::Ok) return false;
    ValueResult r = parse_value(p.type, res.literal);
    if (!r.ok()) return false;
    el.params.push_back(ParamValue{&p, std::move(r.value), res.literal, where, false});
    return true;
  }

  void bind_params(Element& el, const std::vector<SubstArg>& args, Span where) {
    const ElementSpec& spec = *el.cls->spec;
    std::vector<const ParamSpec*> positional;
    const ParamSpec* rest = nullptr;
    std::vector<std::string> keyword_names;
    for (const ParamSpec& p : spec.params) {
      if (p.kind == ParamKind::Positional) positional.push_back(&p);
      if (p.kind == ParamKind::Rest)
        rest = &p;
      else
        keyword_names.emplace_back(p.name);
    }
    std::map<std::string_view, Span> given;
    std::map<std::string_view, std::string_view> written;  // positional arguments as written
    std::size_t next = 0;
    std::size_t rest_count = 0;
    Span first_keyword;
    // Once an argument was reported, missing ones are not reported as well: the mistake that
    // was reported is most likely the missing argument, misspelt or misplaced.
    bool arg_errors = false;
    auto take_positional = [&]() -> const ParamSpec* {
      if (next < positional.size()) return positional[next++];
      if (rest) {
        ++rest_count;
        return rest;
      }
      return nullptr;
    };
    for (const SubstArg& arg : args) {
      auto kw = keyword_of(arg.text);
      const ParamSpec* by_keyword = nullptr;
      if (kw) {
        for (const ParamSpec& p : spec.params) {
          if (p.kind != ParamKind::Rest && p.name == kw->first) by_keyword = &p;
        }
      }
      if (arg.failed) {
        // A variable in it was reported already: bind it (so that nothing is missing), check nothing.
        const ParamSpec* p = by_keyword ? by_keyword : take_positional();
        if (p) given.emplace(p->name, arg.span);
        continue;
      }
      if (arg.text.empty()) {
        error(arg.span.size() ? arg.span : where, "empty argument").note("remove the extra ',' or give a value");
        arg_errors = true;
        continue;
      }
      bool positional_left = next < positional.size() || rest != nullptr;
      if (kw && !by_keyword) {
        // An upper-case word close to a keyword is that keyword misspelt, even where a positional
        // value could go: Strip(LENTH 14).
        std::string hint = lang::closest_match(kw->first, keyword_names);
        if (!positional_left || !hint.empty()) {
          unknown_keyword(spec, arg, kw->first, hint, false);
          arg_errors = true;
          continue;
        }
      }
      if (!kw) {
        if (const ParamSpec* p = lower_case_keyword(spec, arg.text)) {
          const ParamSpec* slot = next < positional.size() ? positional[next] : rest;
          if (!slot || !parse_value(slot->type, arg.text).ok()) {
            unknown_keyword(spec, arg, arg.text.substr(0, arg.text.find_first_of(" \t\r\n\v\f")), p->name, true);
            arg_errors = true;
            continue;
          }
        }
      }
      if (by_keyword) {
        auto prev = given.find(by_keyword->name);
        if (prev != given.end()) {
          error(arg.span, fmt::format("{} is given more than once", by_keyword->name))
              .note(prev->second, "first given here");
          arg_errors = true;
          continue;
        }
        given[by_keyword->name] = arg.span;
        if (!first_keyword.valid()) first_keyword = arg.span;
        if (!parse_param(el, *by_keyword, arg, kw->second)) arg_errors = true;
        continue;
      }
      // Click's elements with a list of arguments (Script's instructions) take their keywords
      // wherever they stand (Args::consume): what follows them goes on into the list.
      const bool into_rest = next >= positional.size() && rest != nullptr;
      if (first_keyword.valid() && !into_rest) {
        error(arg.span, "positional argument after a keyword argument")
            .note(first_keyword, "keyword arguments start here")
            .note(fmt::format("{} takes {}", spec.class_name, signature(spec)));
        arg_errors = true;
        // It was meant for the next positional parameter: that one is not missing as well.
        if (const ParamSpec* p = take_positional()) given.emplace(p->name, arg.span);
        continue;
      }
      if (const ParamSpec* p = take_positional()) {
        given[p->name] = arg.span;
        written[p->name] = arg.text;
        if (!parse_param(el, *p, arg, 0)) arg_errors = true;
      } else {
        Diagnostic& d = error(arg.span, fmt::format("too many arguments for {}", spec.class_name));
        d.note(fmt::format("{} takes {}", spec.class_name, signature(spec)));
        arg_errors = true;
        break;
      }
    }
    // Missing required parameters, then defaults.
    const ParamSpec* previous = nullptr;
    for (const ParamSpec& p : spec.params) {
      const ParamSpec* before = previous;
      previous = &p;
      if (given.count(p.name)) continue;
      if (p.required && !arg_errors && fill_from_name(el, before, p, written, where)) continue;
      if (p.required) {
        if (arg_errors) continue;
        Diagnostic& d = error(where, p.kind == ParamKind::Rest
                                         ? fmt::format("{} needs at least one {}", spec.class_name, p.name)
                                         : fmt::format("missing required argument {} of {}", p.name, spec.class_name));
        d.note(fmt::format("{} takes {}", spec.class_name, signature(spec)));
        continue;
      }
      if (!p.default_value.empty()) {
        ValueResult r = parse_value(p.type, p.default_value);
        if (r.ok()) el.params.push_back(ParamValue{&p, std::move(r.value), std::string(p.default_value), Span{}, true});
      }
    }
    // Keep params in schema order, whatever order the user wrote them in.
    std::vector<ParamValue> ordered;
    ordered.reserve(el.params.size());
    for (const ParamSpec& p : spec.params) {
      for (ParamValue& v : el.params) {
        if (v.param == &p) ordered.push_back(std::move(v));
      }
    }
    el.params = std::move(ordered);
    // Output counts fixed by the arguments.
    const PortRange& outs = el.cls->ports.outputs;
    if (spec.output_count == OutputCount::OnePerRestArg) {
      el.noutputs = static_cast<unsigned>(rest_count);
      el.outputs_fixed = true;
    } else if (spec.output_count == OutputCount::FromParam) {
      if (const ParamValue* n = el.param(spec.output_count_param); n && !n->is_default) {
        std::uint64_t v = 0;
        if (auto* u = std::get_if<std::uint64_t>(&n->value))
          v = *u;
        else if (auto* s = std::get_if<std::int64_t>(&n->value))
          v = *s < 0 ? 0 : static_cast<std::uint64_t>(*s);
        if (v > kMaxPorts) {
          // Tee(1000000000) would have the checks walk a billion outputs that no port number
          // can reach.
          error(n->span, fmt::format("{} cannot have {} outputs: port numbers go from 0 to {}", spec.class_name, v,
                                     kMaxPorts - 1));
        } else if (!outs.contains(static_cast<unsigned>(std::min<std::uint64_t>(v, 0xfffffffe)))) {
          error(n->span, fmt::format("{} cannot have {} output{}: it needs {}", spec.class_name, v, v == 1 ? "" : "s",
                                     describe_count(outs, "output")));
        } else {
          el.noutputs = static_cast<unsigned>(v);
          el.outputs_fixed = true;
        }
      }
    }
  }

 private:
  const ReportError& error;
  const AddressScope* addresses;
  std::string resolved_text;  // an address argument after its name was resolved
};

}  // namespace

std::optional<std::pair<std::string, std::size_t>> keyword_of(std::string_view text) {
  return ArgBinder::keyword_of(text);
}

void bind_params(Element& el, const std::vector<SubstArg>& args, Span where, const ReportError& error,
                 const AddressScope* addresses) {
  ArgBinder(error, addresses).bind_params(el, args, where);
}

}  // namespace nb::compiler::detail
