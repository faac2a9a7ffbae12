// Click's AddressInfo names (address_info.hpp).
#include "address_info.hpp"

#include <nb/lang/diagnostics.hpp>
#include <nb/text.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nb::compiler::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string format_ipv4(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

std::string format_ether(const std::array<std::uint8_t, 6>& e) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", e[0], e[1], e[2], e[3], e[4], e[5]);
}

std::string format_prefix(std::pair<std::uint32_t, unsigned> p) {
  return fmt::format("{}/{}", format_ipv4(p.first & nb::text::prefix_mask(p.second)), p.second);
}

// ADDR/LEN or ADDR/MASK, as Click's IPPrefixArg reads it (10/8 too).
std::optional<std::pair<std::uint32_t, unsigned>> scan_prefix(std::string_view word) {
  std::uint32_t addr = 0;
  unsigned len = 0;
  if (!nb::text::scan_ipv4_prefix(word, addr, len)) return std::nullopt;
  return std::make_pair(addr, len);
}

enum class Suffix { None, Ip, Net, Bcast, Gw, Eth };

// Click's suffixes (AddressInfo::query_ip, query_ip_prefix, query_ethernet), any case.
Suffix suffix_of(std::string_view word, std::string_view& name) {
  name = word;
  const std::size_t colon = word.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Suffix::None;
  std::string s(word.substr(colon + 1));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Suffix k;
  if (s == "ip" || s == "ip4")
    k = Suffix::Ip;
  else if (s == "net" || s == "ipnet" || s == "ip4net")
    k = Suffix::Net;
  else if (s == "bcast")
    k = Suffix::Bcast;
  else if (s == "gw")
    k = Suffix::Gw;
  else if (s == "eth" || s == "ether" || s == "ethernet")
    k = Suffix::Eth;
  else
    return Suffix::None;
  name = word.substr(0, colon);
  return k;
}

bool looks_like_name(std::string_view word, AddressKind kind) {
  if (word.empty() || !(std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_')) return false;
  if (kind != AddressKind::Ether) return true;
  // de:ad:be:ef is a short Ethernet address, whose own error says more.
  return std::any_of(word.begin(), word.end(), [](char c) {
    return !(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '.');
  });
}

std::string_view kind_name(AddressKind kind) {
  switch (kind) {
    case AddressKind::IPv4:
      return "an IPv4 address";
    case AddressKind::Prefix:
      return "an IPv4 prefix";
    case AddressKind::Ether:
      return "an Ethernet address";
  }
  return "";
}

// What the name does hold, for "is X, not Y".
std::string_view held(const AddressEntry& e) {
  if (e.ip) return "an IPv4 address";
  if (e.prefix) return "an IPv4 prefix";
  return "an Ethernet address";
}

Resolution ok(std::string literal) {
  return Resolution{Resolution::Status::Ok, std::move(literal), {}, {}};
}
Resolution fail(std::string message, std::string hint = {}) {
  return Resolution{Resolution::Status::Error, {}, std::move(message), std::move(hint)};
}

}  // namespace

std::optional<AddressEntry> host_interface(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return std::nullopt;
  const std::string n(name);
  if (if_nametoindex(n.c_str()) == 0) return std::nullopt;
  AddressEntry e;
  e.host = true;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || n != a->ifa_name) continue;
      if (a->ifa_addr->sa_family == AF_INET && !e.ip) {  // the first address, as Click takes it
        const std::uint32_t ip = ntohl(reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
        const std::uint32_t mask =
            a->ifa_netmask ? ntohl(reinterpret_cast<const sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr) : 0xffffffffu;
        unsigned len = 32;
        if (!nb::text::mask_length(mask, len)) len = 32;
        e.ip = ip;
        e.prefix = std::make_pair(ip, len);
      } else if (a->ifa_addr->sa_family == AF_PACKET) {
        const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
        if (ll->sll_halen == 6) {
          std::array<std::uint8_t, 6> mac{};
          std::memcpy(mac.data(), ll->sll_addr, 6);
          e.ether = mac;
        }
      }
    }
    freeifaddrs(list);
  }
  // The kernel's IPv4 routes: "Iface Destination Gateway Flags ..." in hex, network byte order.
  std::ifstream routes("/proc/net/route");
  std::string line;
  std::getline(routes, line);  // the titles
  while (std::getline(routes, line)) {
    std::istringstream in(line);
    std::string iface, dst, gw;
    if (!(in >> iface >> dst >> gw) || iface != n || dst != "00000000") continue;
    const std::uint32_t g = static_cast<std::uint32_t>(std::strtoul(gw.c_str(), nullptr, 16));
    if (g != 0) {
      e.gw = ntohl(g);
      break;
    }
  }
  return e;
}

std::vector<std::string> host_interface_names() {
  std::vector<std::string> out;
  if (struct if_nameindex* names = if_nameindex()) {
    for (struct if_nameindex* i = names; i->if_index != 0; ++i) out.emplace_back(i->if_name);
    if_freenameindex(names);
  }
  return out;
}

namespace {
// Every interface with a 6-byte link address: (name, address).
std::vector<std::pair<std::string, std::array<std::uint8_t, 6>>> link_addresses() {
  std::vector<std::pair<std::string, std::array<std::uint8_t, 6>>> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET) continue;
    const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
    if (ll->sll_halen != 6) continue;
    std::array<std::uint8_t, 6> mac{};
    std::memcpy(mac.data(), ll->sll_addr, 6);
    out.emplace_back(a->ifa_name, mac);
  }
  freeifaddrs(list);
  return out;
}
}  // namespace

std::optional<std::string> host_interface_with_ether(const std::array<std::uint8_t, 6>& ether) {
  for (const auto& [name, mac] : link_addresses())
    if (mac == ether) return name;
  return std::nullopt;
}

std::vector<std::string> host_interface_ethers() {
  std::vector<std::string> out;
  for (const auto& [name, mac] : link_addresses()) out.push_back(name + " " + format_ether(mac));
  return out;
}

void AddressTable::define(const std::string& scope, std::string_view entry) {
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < entry.size();) {
    while (i < entry.size() && is_space(entry[i])) ++i;
    std::size_t j = i;
    while (j < entry.size() && !is_space(entry[j])) ++j;
    if (j > i) words.push_back(entry.substr(i, j - i));
    i = j;
  }
  if (words.size() < 2) return;
  AddressEntry& e = scopes_[scope][std::string(words[0])];
  for (std::size_t w = 1; w < words.size(); ++w) {
    std::uint32_t addr = 0;
    std::array<std::uint8_t, 6> ether{};
    if (nb::text::scan_ipv4(words[w], 0, words[w].size(), addr)) {
      e.ip = addr;
    } else if (auto p = scan_prefix(words[w])) {
      e.prefix = *p;
      // 10.0.0.1/8 names the address too (Click: when host bits are set).
      if (p->first & ~nb::text::prefix_mask(p->second)) e.ip = p->first;
    } else if (nb::text::scan_ether(words[w], ether)) {
      e.ether = ether;
    }
  }
}

const AddressEntry* AddressTable::find(std::string_view scope, std::string_view name, bool host) const {
  std::string_view s = scope;
  for (;;) {
    auto it = scopes_.find(s);
    if (it != scopes_.end()) {
      auto e = it->second.find(name);
      if (e != it->second.end()) return &e->second;
    }
    if (s.empty()) {
      if (!host || name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])))) return nullptr;
      auto h = host_.find(name);
      if (h == host_.end()) h = host_.emplace(std::string(name), host_interface(name)).first;
      return h->second ? &*h->second : nullptr;
    }
    // "a/b/" -> "a/" -> "".
    const std::size_t slash = s.substr(0, s.size() - 1).rfind('/');
    s = slash == std::string_view::npos ? std::string_view() : s.substr(0, slash + 1);
  }
}

void AddressTable::define_pattern(const std::string& scope, std::string_view entry) {
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < entry.size();) {
    while (i < entry.size() && is_space(entry[i])) ++i;
    std::size_t j = i;
    while (j < entry.size() && !is_space(entry[j])) ++j;
    if (j > i) words.push_back(entry.substr(i, j - i));
    i = j;
  }
  // A malformed entry is left to IPRewriterPatterns' own check, which reports it.
  if (words.size() != 5) return;
  std::string body;
  for (std::size_t w = 1; w < words.size(); ++w) {
    if (w > 1) body += ' ';
    body += words[w];
  }
  patterns_[scope][std::string(words[0])] = std::move(body);
}

const std::string* AddressTable::find_pattern(std::string_view scope, std::string_view name) const {
  std::string_view s = scope;
  for (;;) {
    auto it = patterns_.find(s);
    if (it != patterns_.end()) {
      auto e = it->second.find(name);
      if (e != it->second.end()) return &e->second;
    }
    if (s.empty()) return nullptr;
    const std::size_t slash = s.substr(0, s.size() - 1).rfind('/');
    s = slash == std::string_view::npos ? std::string_view() : s.substr(0, slash + 1);
  }
}

std::vector<std::string> AddressTable::visible(std::string_view scope) const {
  std::vector<std::string> out = host_interface_names();
  for (const auto& [s, names] : scopes_) {
    if (scope.substr(0, s.size()) != s) continue;
    for (const auto& [n, e] : names) out.push_back(n);
  }
  return out;
}

Resolution resolve_address(const AddressTable& table, std::string_view scope, std::string_view word, AddressKind kind) {
  // NAME/LEN and NAME/MASK: the name's address with a length (Click's IPPrefixArg).
  if (kind == AddressKind::Prefix) {
    const std::size_t slash = word.find('/');
    if (slash != std::string_view::npos && slash > 0) {
      Resolution r = resolve_address(table, scope, word.substr(0, slash), AddressKind::IPv4);
      if (r.status == Resolution::Status::Ok) r.literal += std::string(word.substr(slash));
      return r;
    }
  }
  std::string_view name;
  const Suffix suffix = suffix_of(word, name);
  const AddressEntry* e = table.find(scope, name);
  if (!e) {
    if (!looks_like_name(word, kind)) return Resolution{};
    std::string hint = lang::closest_match(name, table.visible(scope));
    if (!hint.empty())
      return fail(fmt::format("unknown address name '{}'", name), fmt::format("did you mean '{}'?", hint));
    return fail(fmt::format("unknown address name '{}'", name),
                fmt::format("name it with AddressInfo({} ADDRESS...), e.g. AddressInfo({} 10.0.0.1/24 "
                            "00:11:22:33:44:55), or name a network interface of this host (`ip link` lists "
                            "them), whose addresses nb reads as Click does",
                            name, name));
  }
  const std::string w(word);
  auto wrong = [&](std::string_view is) {
    if (e->host) {
      std::string_view k = kind_name(kind);
      k.remove_prefix(k.find(' ') + 1);  // "an IPv4 address" -> "IPv4 address"
      return fail(fmt::format("network interface '{}' has no {} (for '{}')", name, k, w));
    }
    return fail(fmt::format("address name '{}' is {}, not {}", w, is, kind_name(kind)));
  };
  const bool want_net = suffix == Suffix::Net;
  switch (kind) {
    case AddressKind::Ether:
      if (suffix == Suffix::None || suffix == Suffix::Eth) {
        if (e->ether) return ok(format_ether(*e->ether));
        return wrong(suffix == Suffix::None ? held(*e) : "not defined as an Ethernet address");
      }
      return wrong(want_net ? "an IPv4 prefix" : "an IPv4 address");
    case AddressKind::Prefix:
      if (want_net || (suffix == Suffix::None && !e->ip)) {
        if (e->prefix) return ok(format_prefix(*e->prefix));
        return wrong(want_net ? "not defined as an IPv4 prefix" : held(*e));
      }
      [[fallthrough]];
    case AddressKind::IPv4:
      switch (suffix) {
        case Suffix::None:
        case Suffix::Ip:
          if (e->ip) return ok(format_ipv4(*e->ip));
          return wrong(suffix == Suffix::None ? held(*e) : "not defined as an IPv4 address");
        case Suffix::Bcast:
          if (e->prefix) return ok(format_ipv4(e->prefix->first | ~nb::text::prefix_mask(e->prefix->second)));
          return fail(fmt::format("'{}' needs an IPv4 prefix for '{}'", w, name),
                      fmt::format("the broadcast address of AddressInfo({} 10.0.0.1/24) is 10.0.0.255", name));
        case Suffix::Gw: {
          // Click: a name "x:gw" of its own, else the network's first address; an interface's is
          // the gateway of the kernel's default route through it.
          if (const AddressEntry* gw = table.find(scope, word, false); gw && gw->ip) return ok(format_ipv4(*gw->ip));
          if (e->host) {
            if (e->gw) return ok(format_ipv4(*e->gw));
            return fail(fmt::format("the host has no default route through '{}' for '{}'", name, w),
                        fmt::format("`ip route` shows the kernel's routes; or name the gateway with "
                                    "AddressInfo({}:gw ADDRESS)",
                                    name));
          }
          if (e->prefix) return ok(format_ipv4((e->prefix->first & nb::text::prefix_mask(e->prefix->second)) | 1));
          return fail(fmt::format("'{}' needs an IPv4 prefix for '{}'", w, name),
                      fmt::format("the gateway of AddressInfo({} 10.0.0.1/24) is 10.0.0.1; or define {}:gw itself",
                                  name, name));
        }
        case Suffix::Net:
          return wrong("an IPv4 prefix");
        case Suffix::Eth:
          return wrong("an Ethernet address");
      }
  }
  return Resolution{};
}

std::size_t Rewritten::to_original(std::size_t offset) const {
  std::ptrdiff_t shift = 0;
  for (const Piece& p : pieces) {
    if (offset < p.new_begin) break;
    if (offset < p.new_begin + p.new_len) return p.old_begin;
    shift = static_cast<std::ptrdiff_t>(p.old_begin + p.old_len) - static_cast<std::ptrdiff_t>(p.new_begin + p.new_len);
  }
  return static_cast<std::size_t>(static_cast<std::ptrdiff_t>(offset) + shift);
}

std::optional<Rewritten> rewrite_names(const AddressTable& table, std::string_view scope, std::string_view text) {
  auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' || c == '.';
  };
  Rewritten out;
  std::string_view previous;  // the word before, for IPFilter's `net NAME`
  char quote = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      out.text += c;
      ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      out.text += c;
      ++i;
      continue;
    }
    if (!word_char(c)) {
      out.text += c;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && word_char(text[j])) ++j;
    const std::string_view word = text.substr(i, j - i);
    std::string_view name;
    const Suffix suffix = suffix_of(word, name);
    std::optional<std::string> literal;
    // A bare word is an interface's address only where an address must be (typed arguments):
    // in an element's own language `eth0` may be a label or a keyword; eth0:ip is an address.
    if (const AddressEntry* e = table.find(scope, name, suffix != Suffix::None)) {
      if (suffix == Suffix::None) {
        // As Click's IPFilter reads a name: an address, but a prefix after `net`; then whatever
        // the name holds.
        if (previous == "net" && e->prefix)
          literal = format_prefix(*e->prefix);
        else if (e->ip)
          literal = format_ipv4(*e->ip);
        else if (e->prefix)
          literal = format_prefix(*e->prefix);
        else if (e->ether)
          literal = format_ether(*e->ether);
      } else {
        const AddressKind kind = suffix == Suffix::Net   ? AddressKind::Prefix
                                 : suffix == Suffix::Eth ? AddressKind::Ether
                                                         : AddressKind::IPv4;
        Resolution r = resolve_address(table, scope, word, kind);
        if (r.status == Resolution::Status::Ok) literal = std::move(r.literal);
      }
    }
    if (literal) {
      out.pieces.push_back({out.text.size(), literal->size(), i, word.size()});
      out.text += *literal;
    } else {
      out.text += word;
    }
    previous = word;
    i = j;
  }
  if (out.pieces.empty()) return std::nullopt;
  return out;
}

std::optional<Rewritten> expand_pattern(const AddressTable& table, std::string_view scope, std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> words;  // begin, length
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    if (j > i) words.emplace_back(i, j - i);
    i = j;
  }
  if (words.size() != 4 || text.substr(words[0].first, words[0].second) != "pattern") return std::nullopt;
  const std::string* body = table.find_pattern(scope, text.substr(words[1].first, words[1].second));
  if (!body) return std::nullopt;
  Rewritten out;
  out.text = std::string(text.substr(0, words[1].first));
  out.pieces.push_back({out.text.size(), body->size(), words[1].first, words[1].second});
  out.text += *body;
  out.text += text.substr(words[1].first + words[1].second);
  return out;
}

std::optional<Rewritten> expand_arp_name(const AddressTable& table, std::string_view scope, std::string_view text) {
  std::size_t b = 0;
  while (b < text.size() && is_space(text[b])) ++b;
  std::size_t e = b;
  while (e < text.size() && !is_space(text[e])) ++e;
  std::size_t rest = e;
  while (rest < text.size() && is_space(text[rest])) ++rest;
  if (e == b || rest != text.size()) return std::nullopt;
  const AddressEntry* entry = table.find(scope, text.substr(b, e - b));
  if (!entry || !entry->ether || (!entry->ip && !entry->prefix)) return std::nullopt;
  // Click prefers the name's address to its network (NAME:ipnet asks for the network).
  std::string literal =
      (entry->ip ? format_ipv4(*entry->ip) : format_prefix(*entry->prefix)) + " " + format_ether(*entry->ether);
  Rewritten out;
  out.text = std::string(text.substr(0, b));
  out.pieces.push_back({out.text.size(), literal.size(), b, e - b});
  out.text += literal;
  out.text += text.substr(e);
  return out;
}

}  // namespace nb::compiler::detail
