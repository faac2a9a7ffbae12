#include <nb/compiler/element_args.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace nb::compiler {

namespace {
constexpr std::initializer_list<ParamType> kStringTypes = {ParamType::String, ParamType::Filename, ParamType::Device,
                                                           ParamType::IPv4AddressList, ParamType::BytePattern};
}  // namespace

bool ElementArgs::given(std::string_view name) const {
  if (!known(name, "given", {})) return false;
  const ParamValue* p = el_.param(name);
  return p && !p->is_default;
}
std::uint64_t ElementArgs::get_unsigned(std::string_view name) const {
  const ParamValue* p = checked(name, "get_unsigned",
                                {ParamType::Unsigned, ParamType::Duration, ParamType::Bandwidth, ParamType::IPv4Prefix});
  if (auto* a = p ? std::get_if<IPv4Prefix>(&p->value) : nullptr) return a->length;
  auto* u = p ? std::get_if<std::uint64_t>(&p->value) : nullptr;
  return u ? *u : 0;
}
std::int64_t ElementArgs::get_integer(std::string_view name) const {
  const ParamValue* p = checked(name, "get_integer", {ParamType::Integer});
  auto* i = p ? std::get_if<std::int64_t>(&p->value) : nullptr;
  return i ? *i : 0;
}
bool ElementArgs::get_bool(std::string_view name) const {
  const ParamValue* p = checked(name, "get_bool", {ParamType::Bool});
  auto* b = p ? std::get_if<bool>(&p->value) : nullptr;
  return b && *b;
}
std::string ElementArgs::get_string(std::string_view name) const {
  const ParamValue* p = checked(name, "get_string", kStringTypes);
  auto* s = p ? std::get_if<std::string>(&p->value) : nullptr;
  return s ? *s : std::string();
}
std::uint32_t ElementArgs::get_ipv4(std::string_view name) const {
  const ParamValue* p = checked(name, "get_ipv4", {ParamType::IPv4Address, ParamType::IPv4Prefix});
  if (!p) return 0;
  if (auto* a = std::get_if<IPv4Address>(&p->value)) return a->addr;
  if (auto* a = std::get_if<IPv4Prefix>(&p->value)) return a->addr;
  return 0;
}
std::array<std::uint8_t, 6> ElementArgs::get_ether(std::string_view name) const {
  const ParamValue* p = checked(name, "get_ether", {ParamType::EtherAddress});
  auto* e = p ? std::get_if<EtherAddress>(&p->value) : nullptr;
  return e ? e->bytes : std::array<std::uint8_t, 6>{};
}
std::size_t ElementArgs::count(std::string_view name) const {
  return known(name, "count", {}) ? el_.params_named(name).size() : 0;
}
std::string ElementArgs::get_string_at(std::string_view name, std::size_t index) const {
  if (!known(name, "get_string_at", kStringTypes)) return {};
  auto ps = el_.params_named(name);
  auto* s = index < ps.size() ? std::get_if<std::string>(&ps[index]->value) : nullptr;
  return s ? *s : std::string();
}
bool ElementArgs::known(std::string_view name, const char* getter, std::initializer_list<ParamType> types) const {
  for (const ParamSpec& ps : el_.cls->spec->params) {
    if (ps.name != name) continue;
    if (types.size() == 0 || std::find(types.begin(), types.end(), ps.type) != types.end()) return true;
    if (misuse_.empty())
      misuse_ = fmt::format("Args::{}(\"{}\") reads a parameter of type {}", getter, name, type_name(ps.type));
    return false;
  }
  if (misuse_.empty())
    misuse_ = fmt::format("Args::{}(\"{}\") reads a parameter the class does not declare", getter, name);
  return false;
}
const ParamValue* ElementArgs::checked(std::string_view name, const char* getter,
                                       std::initializer_list<ParamType> types) const {
  return known(name, getter, types) ? el_.param(name) : nullptr;
}

}  // namespace nb::compiler
