// Click's AddressInfo names (elements/standard/address_info.cpp documents the element): the
// elaborator collects every AddressInfo of a body before it binds any element's arguments, and
// argument binding (bind_args.cpp) turns a name into the address it stands for. Names are
// scoped as in Click: one declared inside a compound holds in that compound and below it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nb::compiler::detail {

struct AddressEntry {
  std::optional<std::uint32_t> ip;
  std::optional<std::pair<std::uint32_t, unsigned>> prefix;  // address as written, length
  std::optional<std::array<std::uint8_t, 6>> ether;
  std::optional<std::uint32_t> gw;  // a host interface's: the gateway of its default route
  bool host = false;                // read from a network interface of this host
};

// Click's userlevel reads a network interface's addresses: `eth0` as an IPv4 or Ethernet address,
// eth0:ip, eth0:eth, eth0:bcast, eth0:net, eth0:gw (the default route through it). Read from the
// kernel (getifaddrs, /proc/net/route) when a configuration is checked: no device is opened.
std::optional<AddressEntry> host_interface(std::string_view name);
// The host's interface names, for "did you mean".
std::vector<std::string> host_interface_names();
// The name of the host's interface whose Ethernet address is `ether` (Click's user-level
// FromDevice and ToHostSniffers find a device named by its address so), if one has it; and, for
// an error, every interface's "name address".
std::optional<std::string> host_interface_with_ether(const std::array<std::uint8_t, 6>& ether);
std::vector<std::string> host_interface_ethers();

// What an argument needs a name to be.
enum class AddressKind { IPv4, Prefix, Ether };

class AddressTable {
 public:
  // One AddressInfo argument, `NAME ADDRESS [ADDRESS...]`, declared in the body whose element
  // names start with `scope` ("" at the top, "c/" inside compound c). Words that are no address
  // are left to the element's own check, which reports them.
  void define(const std::string& scope, std::string_view entry);
  // The entry `name` seen from an element named scope + "x", innermost scope first.
  // A name no AddressInfo declares may be a network interface of the host (host_interface) when
  // `host` is true.
  const AddressEntry* find(std::string_view scope, std::string_view name, bool host = true) const;
  std::vector<std::string> visible(std::string_view scope) const;
  bool empty() const { return scopes_.empty() && patterns_.empty(); }

  // Click's IPRewriterPatterns: one argument, `NAME SADDR SPORT DADDR DPORT`, scoped as an
  // AddressInfo name. find_pattern gives the four words after NAME as written.
  void define_pattern(const std::string& scope, std::string_view entry);
  const std::string* find_pattern(std::string_view scope, std::string_view name) const;

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> patterns_;
  std::map<std::string, std::map<std::string, AddressEntry, std::less<>>, std::less<>> scopes_;
  // The host's interfaces looked up so far (nullopt: no such interface); read once per name.
  mutable std::map<std::string, std::optional<AddressEntry>, std::less<>> host_;
};

struct Resolution {
  enum class Status { NotAName, Ok, Error } status = Status::NotAName;
  std::string literal;  // Ok: the address as text an argument parser reads
  std::string message;  // Error
  std::string hint;     // Error: optional note
};

// `word` (NAME or NAME:SUFFIX, Click's suffixes ip, net, bcast, gw, eth and their spellings) as
// an address of `kind`. NotAName when the word is no defined name and does not look like one
// (e.g. a mistyped dotted quad, whose own error says more).
Resolution resolve_address(const AddressTable& table, std::string_view scope, std::string_view word, AddressKind kind);

// A String argument of an element's own language (IPFilter rules, routes, patterns): every word
// that is a defined name (with or without suffix) replaced by its address. `map_offset` maps a
// position in the result back to the original text.
struct Rewritten {
  std::string text;
  struct Piece {
    std::size_t new_begin, new_len, old_begin, old_len;
  };
  std::vector<Piece> pieces;
  std::size_t to_original(std::size_t offset) const;
};
std::optional<Rewritten> rewrite_names(const AddressTable& table, std::string_view scope, std::string_view text);

// A rewriter's INPUTSPEC `pattern NAME FOUTPUT ROUTPUT` with NAME an IPRewriterPatterns name:
// `pattern SADDR SPORT DADDR DPORT FOUTPUT ROUTPUT`. nullopt when the text is no such spec.
std::optional<Rewritten> expand_pattern(const AddressTable& table, std::string_view scope, std::string_view text);

// Click's ARPResponder(NAME): an entry that is one name holding an IPv4 address (or prefix) and an
// Ethernet address is `IP ETH`. nullopt when the text is no such entry.
std::optional<Rewritten> expand_arp_name(const AddressTable& table, std::string_view scope, std::string_view text);

// The scope an argument is bound in: the table and the element's name prefix.
struct AddressScope {
  const AddressTable* table = nullptr;
  std::string prefix;
};

}  // namespace nb::compiler::detail
