// Typed, length-checked views of protocol headers inside a Packet.
//
// Element code reads and writes packet bytes only through these views (and Packet's own checked
// read/write): a view exists only when the bytes it covers are inside the packet, every field
// beyond a header's fixed part is checked against what is left of the packet, and the only
// pointer a view hands out is bytes()'s read-only span, for checksums and libraries that read the
// bytes (kept in State it would outlive the packet: docs/ownership.md lists that hole). Views cannot be copied, moved or addressed, so they live in the push call that
// made them: State (trivially copyable) cannot hold one, and neither can a container.
//
//   auto ip = p.ipv4(offset);           // empty when fewer than 20 bytes are left at offset
//   if (!ip) { ctx.drop(std::move(p), kMalformed); return; }
//   ip.set_ttl(ip.ttl() - 1);
//
// A view must not be used after its packet was sent or dropped. The typestate analysis follows
// the Packet, not its views: docs/ownership.md lists this as a remaining hole, limited to the one
// function that holds both.
//
// Multi-byte fields are in network byte order in the packet and in host order here; addresses
// (IPv4Address) are host-order integers like the compiler's IPv4 arguments.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>

// Benchmarks build the kernels a second time with the length checks compiled out to measure
// what they cost (nbrun-unchecked, engine jit-unchecked of nbbench). Never defined for a shipped build.
#if defined(NB_PACKET_UNCHECKED)
#define NB_DETAIL_CHECK(cond) true
#else
#define NB_DETAIL_CHECK(cond) (cond)
#endif

namespace nb {

class Packet;

using EtherAddress = std::array<std::uint8_t, 6>;
using IPv4Address = std::uint32_t;  // host byte order

namespace ether_type {
inline constexpr std::uint16_t kIPv4 = 0x0800;
inline constexpr std::uint16_t kARP = 0x0806;
inline constexpr std::uint16_t kVLAN = 0x8100;
inline constexpr std::uint16_t kIPv6 = 0x86dd;
}  // namespace ether_type

namespace ip_proto {
inline constexpr std::uint8_t kICMP = 1;
inline constexpr std::uint8_t kTCP = 6;
inline constexpr std::uint8_t kUDP = 17;
}  // namespace ip_proto

// One's-complement arithmetic of the Internet checksum (RFC 1071, RFC 1624).
namespace checksum {
// Adds bytes as big-endian 16-bit words to a running 32-bit sum (odd tail padded with zero).
inline std::uint32_t add(std::uint32_t sum, std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += std::uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
  return sum;
}
inline std::uint16_t fold(std::uint32_t sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
// fold(add(0, the 20 bytes at p)): an option-less IPv4 header's sum in straight-line code. The
// one's-complement sum does not depend on byte order (RFC 1071, 2(B)): five native 32-bit loads
// summed and folded, then the two bytes swapped on a little-endian machine, give the same 16 bits
// as ten big-endian words added one by one.
inline std::uint32_t add20_folded(const std::uint8_t* p) {
  std::uint64_t sum = 0;
  for (int i = 0; i < 5; ++i) {
    std::uint32_t word;
    std::memcpy(&word, p + 4 * i, 4);
    sum += word;
  }
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  if constexpr (std::endian::native == std::endian::little) sum = __builtin_bswap16(static_cast<std::uint16_t>(sum));
  return static_cast<std::uint32_t>(sum);
}
// The checksum field value for data whose word sum is `sum`.
inline std::uint16_t finish(std::uint32_t sum) { return static_cast<std::uint16_t>(~fold(sum)); }
// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after a 16-bit word changed from m to m'.
// Equals a full recomputation, also for the 0x0000/0xffff cases where eqn. 2 goes wrong.
inline std::uint16_t adjust16(std::uint16_t check, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t sum = (~std::uint32_t{check} & 0xffff) + (~std::uint32_t{old_word} & 0xffff) + new_word;
  return static_cast<std::uint16_t>(~fold(sum));
}
// The same for a 32-bit field (an IPv4 address: both halves change).
inline std::uint16_t adjust32(std::uint16_t check, std::uint32_t old_value, std::uint32_t new_value) {
  check = adjust16(check, static_cast<std::uint16_t>(old_value >> 16), static_cast<std::uint16_t>(new_value >> 16));
  return adjust16(check, static_cast<std::uint16_t>(old_value), static_cast<std::uint16_t>(new_value));
}
}  // namespace checksum

namespace detail {

// The common part of every view: where the header starts and how many bytes are left in the
// packet from there (at least the header's fixed size, checked when the view was made).
class ViewBase {
 public:
  ViewBase(const ViewBase&) = delete;
  ViewBase(ViewBase&&) = delete;
  ViewBase& operator=(const ViewBase&) = delete;
  ViewBase& operator=(ViewBase&&) = delete;
  ViewBase* operator&() = delete;
  const ViewBase* operator&() const = delete;

  explicit operator bool() const { return at_ != nullptr; }
  // Bytes from the header's first byte to the end of the packet.
  std::uint32_t available() const { return available_; }

  // Checked access anywhere within `available()`: false (and nothing written) when outside.
  bool read(std::uint32_t offset, void* out, std::uint32_t n) const {
    if (!NB_DETAIL_CHECK(fits(offset, n))) return false;
    std::memcpy(out, at_ + offset, n);
    return true;
  }
  bool write(std::uint32_t offset, const void* in, std::uint32_t n) const {
    if (!NB_DETAIL_CHECK(fits(offset, n))) return false;
    std::memcpy(at_ + offset, in, n);
    return true;
  }
  // A byte, or 0 beyond the end (callers that care check available() first).
  std::uint8_t byte(std::uint32_t offset) const { return NB_DETAIL_CHECK(offset < available_) ? at_[offset] : 0; }
  // The bytes [offset, offset+n) for a checksum or a library call that reads them (hashing,
  // pattern matching); empty when they are not all inside the packet. Read-only, and like the
  // view itself valid only until the packet is given away.
  std::span<const std::uint8_t> bytes(std::uint32_t offset, std::uint32_t n) const {
    if (!NB_DETAIL_CHECK(fits(offset, n))) return {};
    return {at_ + offset, n};
  }

 protected:
  ViewBase(std::uint8_t* at, std::uint32_t available) : at_(at), available_(available) {}
  bool fits(std::uint32_t offset, std::uint32_t n) const { return offset <= available_ && n <= available_ - offset; }
  // Fixed-part fields: in bounds by construction.
  std::uint8_t u8(std::uint32_t o) const { return at_[o]; }
  void set_u8(std::uint32_t o, std::uint8_t v) const { at_[o] = v; }
  std::uint16_t be16(std::uint32_t o) const { return static_cast<std::uint16_t>(at_[o] << 8 | at_[o + 1]); }
  void set_be16(std::uint32_t o, std::uint16_t v) const {
    at_[o] = static_cast<std::uint8_t>(v >> 8);
    at_[o + 1] = static_cast<std::uint8_t>(v);
  }
  std::uint32_t be32(std::uint32_t o) const {
    return std::uint32_t{at_[o]} << 24 | std::uint32_t{at_[o + 1]} << 16 | std::uint32_t{at_[o + 2]} << 8 | at_[o + 3];
  }
  void set_be32(std::uint32_t o, std::uint32_t v) const {
    set_be16(o, static_cast<std::uint16_t>(v >> 16));
    set_be16(o + 2, static_cast<std::uint16_t>(v));
  }
  EtherAddress ether(std::uint32_t o) const {
    EtherAddress a;
    std::memcpy(a.data(), at_ + o, 6);
    return a;
  }
  void set_ether(std::uint32_t o, const EtherAddress& a) const { std::memcpy(at_ + o, a.data(), 6); }
  // The header's fixed part, in bounds by construction (read-only).
  const std::uint8_t* fixed_part() const { return at_; }

 private:
  std::uint8_t* at_;
  std::uint32_t available_;
};

}  // namespace detail

// Any bytes: Packet::bytes_at(offset, n) checks that n bytes are there.
class ByteView : public detail::ViewBase {
 public:
  std::uint32_t size() const { return available(); }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

// Ethernet II header (14 bytes).
class EtherView : public detail::ViewBase {
 public:
  static constexpr std::uint32_t kSize = 14;
  EtherAddress dst() const { return ether(0); }
  EtherAddress src() const { return ether(6); }
  std::uint16_t type() const { return be16(12); }
  void set_dst(const EtherAddress& a) const { set_ether(0, a); }
  void set_src(const EtherAddress& a) const { set_ether(6, a); }
  void set_type(std::uint16_t t) const { set_be16(12, t); }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

// ARP for IPv4 over Ethernet (RFC 826), 28 bytes.
class ArpView : public detail::ViewBase {
 public:
  static constexpr std::uint32_t kSize = 28;
  static constexpr std::uint16_t kRequest = 1, kReply = 2;
  std::uint16_t hardware_type() const { return be16(0); }
  std::uint16_t protocol_type() const { return be16(2); }
  std::uint8_t hardware_length() const { return u8(4); }
  std::uint8_t protocol_length() const { return u8(5); }
  // Ethernet (1) and IPv4 with the usual address lengths: the only kind the other fields describe.
  bool is_ether_ipv4() const {
    return hardware_type() == 1 && protocol_type() == ether_type::kIPv4 && hardware_length() == 6 &&
           protocol_length() == 4;
  }
  std::uint16_t op() const { return be16(6); }
  EtherAddress sender_ether() const { return ether(8); }
  IPv4Address sender_ip() const { return be32(14); }
  EtherAddress target_ether() const { return ether(18); }
  IPv4Address target_ip() const { return be32(24); }
  void set_op(std::uint16_t v) const { set_be16(6, v); }
  void set_sender_ether(const EtherAddress& a) const { set_ether(8, a); }
  void set_sender_ip(IPv4Address a) const { set_be32(14, a); }
  void set_target_ether(const EtherAddress& a) const { set_ether(18, a); }
  void set_target_ip(IPv4Address a) const { set_be32(24, a); }
  // Writes a complete Ethernet/IPv4 ARP header.
  void fill(std::uint16_t operation, const EtherAddress& sha, IPv4Address spa, const EtherAddress& tha,
            IPv4Address tpa) const {
    set_be16(0, 1);
    set_be16(2, ether_type::kIPv4);
    set_u8(4, 6);
    set_u8(5, 4);
    set_op(operation);
    set_sender_ether(sha);
    set_sender_ip(spa);
    set_target_ether(tha);
    set_target_ip(tpa);
  }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

// IPv4 header: the 20-byte fixed part is checked when the view is made; options are reached
// through header_fits() and the ViewBase accessors.
class IPv4View : public detail::ViewBase {
 public:
  static constexpr std::uint32_t kSize = 20;
  std::uint8_t version() const { return u8(0) >> 4; }
  std::uint32_t header_length() const { return (u8(0) & 0x0fu) * 4u; }  // bytes
  // The whole header (options included) is inside the packet, and at least 20 bytes long.
  bool header_fits() const { return header_length() >= kSize && header_length() <= available(); }
  std::uint8_t tos() const { return u8(1); }
  std::uint16_t total_length() const { return be16(2); }
  std::uint16_t id() const { return be16(4); }
  std::uint16_t fragment_word() const { return be16(6); }  // flags and offset
  bool dont_fragment() const { return fragment_word() & 0x4000; }
  bool more_fragments() const { return fragment_word() & 0x2000; }
  std::uint16_t fragment_offset() const { return fragment_word() & 0x1fff; }  // in 8-byte units
  bool is_fragment() const { return (fragment_word() & 0x3fff) != 0; }  // MF set or offset non-zero
  std::uint8_t ttl() const { return u8(8); }
  std::uint8_t protocol() const { return u8(9); }
  std::uint16_t checksum() const { return be16(10); }
  IPv4Address src() const { return be32(12); }
  IPv4Address dst() const { return be32(16); }

  void set_version_ihl(std::uint8_t version, std::uint8_t ihl_words) const {
    set_u8(0, static_cast<std::uint8_t>(version << 4 | (ihl_words & 0x0f)));
  }
  void set_tos(std::uint8_t v) const { set_u8(1, v); }
  void set_total_length(std::uint16_t v) const { set_be16(2, v); }
  void set_id(std::uint16_t v) const { set_be16(4, v); }
  void set_fragment_word(std::uint16_t v) const { set_be16(6, v); }
  void set_ttl(std::uint8_t v) const { set_u8(8, v); }
  void set_protocol(std::uint8_t v) const { set_u8(9, v); }
  void set_checksum(std::uint16_t v) const { set_be16(10, v); }
  void set_src(IPv4Address a) const { set_be32(12, a); }
  void set_dst(IPv4Address a) const { set_be32(16, a); }

  // The sum over the header's words; valid() when it folds to 0xffff. Only when header_fits().
  // Options are rare: the common 20-byte header (inside the view by construction) is summed
  // without a loop whose bound the compiler cannot know.
  std::uint32_t header_sum() const {
    if (header_length() == kSize) return checksum::add20_folded(fixed_part());
    return checksum::add(0, bytes(0, header_fits() ? header_length() : 0));
  }
  bool checksum_ok() const { return header_fits() && checksum::fold(header_sum()) == 0xffff; }
  // Recomputes the header checksum from scratch (after building or rewriting a header).
  void update_checksum() const {
    set_checksum(0);
    set_checksum(checksum::finish(header_sum()));
  }
  // The pseudo-header sum that TCP and UDP checksums start from (RFC 793, RFC 768).
  std::uint32_t pseudo_header_sum(std::uint16_t l4_length) const {
    return (src() >> 16) + (src() & 0xffff) + (dst() >> 16) + (dst() & 0xffff) + protocol() + l4_length;
  }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

// UDP header (8 bytes).
class UDPView : public detail::ViewBase {
 public:
  static constexpr std::uint32_t kSize = 8;
  std::uint16_t src_port() const { return be16(0); }
  std::uint16_t dst_port() const { return be16(2); }
  std::uint16_t length() const { return be16(4); }
  std::uint16_t checksum() const { return be16(6); }
  void set_src_port(std::uint16_t v) const { set_be16(0, v); }
  void set_dst_port(std::uint16_t v) const { set_be16(2, v); }
  void set_length(std::uint16_t v) const { set_be16(4, v); }
  void set_checksum(std::uint16_t v) const { set_be16(6, v); }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

// TCP header: the 20-byte fixed part is checked when the view is made.
class TCPView : public detail::ViewBase {
 public:
  static constexpr std::uint32_t kSize = 20;
  static constexpr std::uint8_t kFIN = 0x01, kSYN = 0x02, kRST = 0x04, kPSH = 0x08, kACK = 0x10, kURG = 0x20;
  std::uint16_t src_port() const { return be16(0); }
  std::uint16_t dst_port() const { return be16(2); }
  std::uint32_t seq() const { return be32(4); }
  std::uint32_t ack() const { return be32(8); }
  std::uint32_t header_length() const { return (u8(12) >> 4) * 4u; }
  bool header_fits() const { return header_length() >= kSize && header_length() <= available(); }
  std::uint8_t flags() const { return u8(13); }
  std::uint16_t window() const { return be16(14); }
  std::uint16_t checksum() const { return be16(16); }
  void set_src_port(std::uint16_t v) const { set_be16(0, v); }
  void set_dst_port(std::uint16_t v) const { set_be16(2, v); }
  void set_seq(std::uint32_t v) const { set_be32(4, v); }
  void set_ack(std::uint32_t v) const { set_be32(8, v); }
  void set_flags(std::uint8_t v) const { set_u8(13, v); }
  void set_checksum(std::uint16_t v) const { set_be16(16, v); }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

// ICMP header (8 bytes: type, code, checksum and the 4-byte rest of header).
class ICMPView : public detail::ViewBase {
 public:
  static constexpr std::uint32_t kSize = 8;
  static constexpr std::uint8_t kEchoReply = 0, kUnreachable = 3, kRedirect = 5, kEcho = 8, kTimeExceeded = 11,
                                kParameterProblem = 12;
  std::uint8_t type() const { return u8(0); }
  std::uint8_t code() const { return u8(1); }
  std::uint16_t checksum() const { return be16(2); }
  std::uint32_t rest() const { return be32(4); }  // identifier/sequence, unused, MTU, pointer
  void set_type(std::uint8_t v) const { set_u8(0, v); }
  void set_code(std::uint8_t v) const { set_u8(1, v); }
  void set_checksum(std::uint16_t v) const { set_be16(2, v); }
  void set_rest(std::uint32_t v) const { set_be32(4, v); }

 private:
  friend class Packet;
  using ViewBase::ViewBase;
};

}  // namespace nb
