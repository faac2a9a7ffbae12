// Packet handles with single ownership, checked by clang's typestate analysis (-Wconsumed).
//
// A Packet owns one DPDK mbuf. Element code can neither copy nor move it (copy and move
// constructors and assignments are deleted, and so is operator&): a movable handle could be
// moved into a member, a container or a lambda capture, where the analysis cannot follow it.
// The runtime creates it as a prvalue (detail::adopt), so kernels take it by value through
// guaranteed copy elision; helpers take `Packet&& p NB_OWNED`. A kernel must, on every path,
// give it away exactly once, itself or through a helper: Context::send or Context::drop, which
// take Packet&& and which the analysis treats as consuming. Touching it afterwards, giving it away twice, or letting it go
// out of scope still owned is a compile error under -Werror=consumed (the build sets it for all
// element code). docs/ownership.md lists what this does not catch.
#pragma once

#include <nb/headers.hpp>

#include <rte_mbuf_core.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__clang__)
#define NB_CONSUMABLE [[clang::consumable(unconsumed)]]
#define NB_CALLABLE_WHEN_OWNED [[clang::callable_when("unconsumed")]]
#define NB_CALLABLE_WHEN_GIVEN_AWAY [[clang::callable_when("consumed")]]
#define NB_CONSUMES [[clang::set_typestate(consumed)]]
#define NB_RETURNS_OWNED [[clang::return_typestate(unconsumed)]]
#define NB_PARAM_OWNED [[clang::param_typestate(unconsumed)]]
#define NB_PARAM_GIVEN_AWAY [[clang::return_typestate(consumed)]]
#define NB_TEST_OWNED [[clang::test_typestate(unconsumed)]]
// On a Packet parameter: the function receives it owned and must give it away before returning.
#define NB_OWNED [[clang::param_typestate(unconsumed)]] [[clang::return_typestate(consumed)]]
#else
#define NB_OWNED
#define NB_CONSUMABLE
#define NB_CALLABLE_WHEN_OWNED
#define NB_CALLABLE_WHEN_GIVEN_AWAY
#define NB_CONSUMES
#define NB_RETURNS_OWNED
#define NB_PARAM_OWNED
#define NB_PARAM_GIVEN_AWAY
#define NB_TEST_OWNED
#endif

namespace nb {

class Context;
class Packet;
namespace detail {
// The runtime (and tests) adopt an mbuf as a Packet; element code never does.
Packet adopt(rte_mbuf* m);
}  // namespace detail

// Per-packet metadata that travels with the packet between elements (Click's annotations).
// Kept inside the rte_mbuf (kAnnoOffset below).
struct PacketAnno {
  // network_offset when no element has found the network header (CheckIPHeader sets it).
  static constexpr std::uint16_t kNoNetworkOffset = 0xffff;
  // Offset of the IP header from the data start, kept right by Packet::pull and Packet::push.
  std::uint16_t network_offset = kNoNetworkOffset;
  // When Packet::pull took the network header away (StripIPHeader): how many bytes before the
  // data start it begins (network_offset is unset then); 0 otherwise, so that Click's
  // UnstripIPHeader can put the header back; Packet::push restores network_offset.
  std::uint16_t network_behind = 0;
  std::uint8_t paint = 0;
  std::uint8_t user[15] = {};
  // Click's destination IP address annotation (host order; 0 unset): the next hop that
  // LookupIPRoute chose (GetIPAddress sets it), which ARPQuerier resolves.
  std::uint32_t dst_ip = 0;

  // Click's destination IPv6 address annotation (DST_IP6_ANNO; network order, :: unset): the next
  // hop that LookupIP6Route chose (GetIP6Address sets it), which IP6NDSolicitor resolves. It has
  // no bytes of its own, as in Click, where it overlaps the IPv4 one: it is the last 16 bytes,
  // user[3..14] and dst_ip, so setting it changes those and setting them changes it.
  static constexpr std::size_t kDstIP6Offset = 8;
  void dst_ip6(std::uint8_t out[16]) const {
    std::memcpy(out, reinterpret_cast<const unsigned char*>(this) + kDstIP6Offset, 16);
  }
  void set_dst_ip6(const std::uint8_t in[16]) {
    std::memcpy(reinterpret_cast<unsigned char*>(this) + kDstIP6Offset, in, 16);
  }
};
static_assert(offsetof(PacketAnno, user) + 3 == PacketAnno::kDstIP6Offset &&
                  offsetof(PacketAnno, dst_ip) + sizeof(PacketAnno::dst_ip) == PacketAnno::kDstIP6Offset + 16,
              "the IPv6 destination annotation is user[3..14] and dst_ip");

// Where a packet's annotations live: inside its rte_mbuf, in the dynamic-field bytes at the end
// of the mbuf's second cache line. The driver and the mempool write that line for every packet
// anyway, whereas the private area after the mbuf is a cache line of its own that nothing else
// touches: annotations there cost a cache miss per packet (most visible behind lookups that
// miss the cache themselves, such as rte_lpm's). The offset is a constant so that kernels, and
// the JIT, address the annotations directly; the runtime reserves these bytes in DPDK's dynamic
// field registry (rte_mbuf_dynfield_register_offset) at start-up and refuses to run if a driver
// holds them. rte_pktmbuf_copy copies them with the rest of the dynamic fields.
inline constexpr std::size_t kAnnoOffset = 104;
static_assert(offsetof(rte_mbuf, dynfield1) <= kAnnoOffset &&
                  kAnnoOffset + sizeof(PacketAnno) <= offsetof(rte_mbuf, dynfield1) + sizeof(rte_mbuf::dynfield1),
              "packet annotations must fit in the mbuf's dynamic fields");
static_assert(kAnnoOffset % alignof(PacketAnno) == 0);
static_assert(sizeof(PacketAnno) == 24,
              "the annotations fill their dynamic-field bytes exactly: a new one needs a layout change");

inline PacketAnno* anno_of(rte_mbuf* m) {
  return reinterpret_cast<PacketAnno*>(reinterpret_cast<unsigned char*>(m) + kAnnoOffset);
}

class NB_CONSUMABLE Packet {
 public:
  // Not movable: a Packet lives only where the SDK puts it (a kernel's parameter), never in a
  // member, a container, a global or a lambda capture, which the analysis cannot follow.
  // Helpers take `Packet&& p NB_OWNED`.
  Packet(Packet&&) = delete;
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
  Packet& operator=(Packet&&) = delete;
  // No pointers to a Packet (kept in State or a global they would outlive the push call).
  Packet* operator&() = delete;
  const Packet* operator&() const = delete;
  // Reaching the end of a scope while still owning the packet leaks it.
  NB_CALLABLE_WHEN_GIVEN_AWAY ~Packet() {}

  NB_CALLABLE_WHEN_OWNED std::uint32_t length() const { return m_->data_len; }
  NB_CALLABLE_WHEN_OWNED std::uint32_t headroom() const { return m_->data_off; }
  NB_CALLABLE_WHEN_OWNED std::uint32_t tailroom() const {
    return static_cast<std::uint32_t>(m_->buf_len) - m_->data_off - m_->data_len;
  }

  // Bounds-checked reads and writes: false when [offset, offset+n) is not inside the packet.
  NB_CALLABLE_WHEN_OWNED bool has(std::uint32_t offset, std::uint32_t n) const {
    return NB_DETAIL_CHECK(offset <= length() && n <= length() - offset);
  }

  // Typed header views (nb/headers.hpp), empty when the header's fixed part is not inside the
  // packet at `offset`. The only way element code reaches packet bytes besides read/write.
  NB_CALLABLE_WHEN_OWNED EtherView ether(std::uint32_t offset = 0) const { return view<EtherView>(offset); }
  NB_CALLABLE_WHEN_OWNED ArpView arp(std::uint32_t offset) const { return view<ArpView>(offset); }
  NB_CALLABLE_WHEN_OWNED IPv4View ipv4(std::uint32_t offset) const { return view<IPv4View>(offset); }
  NB_CALLABLE_WHEN_OWNED UDPView udp(std::uint32_t offset) const { return view<UDPView>(offset); }
  NB_CALLABLE_WHEN_OWNED TCPView tcp(std::uint32_t offset) const { return view<TCPView>(offset); }
  NB_CALLABLE_WHEN_OWNED ICMPView icmp(std::uint32_t offset) const { return view<ICMPView>(offset); }
  // n bytes at offset (empty view when they are not all there); bytes_from: all from offset on.
  NB_CALLABLE_WHEN_OWNED ByteView bytes_at(std::uint32_t offset, std::uint32_t n) const {
    if (!has(offset, n)) return ByteView(nullptr, 0);
    return ByteView(data() + offset, n);
  }
  NB_CALLABLE_WHEN_OWNED ByteView bytes_from(std::uint32_t offset) const {
    if (!has(offset, 0)) return ByteView(nullptr, 0);
    return ByteView(data() + offset, length() - offset);
  }
  NB_CALLABLE_WHEN_OWNED bool read(std::uint32_t offset, void* out, std::uint32_t n) const {
    if (!has(offset, n)) return false;
    std::memcpy(out, data() + offset, n);
    return true;
  }
  NB_CALLABLE_WHEN_OWNED bool write(std::uint32_t offset, const void* in, std::uint32_t n) {
    if (!has(offset, n)) return false;
    std::memcpy(data() + offset, in, n);
    return true;
  }
  NB_CALLABLE_WHEN_OWNED bool read_u8(std::uint32_t offset, std::uint8_t& v) const { return read(offset, &v, 1); }
  NB_CALLABLE_WHEN_OWNED bool read_be16(std::uint32_t offset, std::uint16_t& v) const {
    std::uint8_t b[2];
    if (!read(offset, b, 2)) return false;
    v = static_cast<std::uint16_t>(b[0] << 8 | b[1]);
    return true;
  }
  NB_CALLABLE_WHEN_OWNED bool read_be32(std::uint32_t offset, std::uint32_t& v) const {
    std::uint8_t b[4];
    if (!read(offset, b, 4)) return false;
    v = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    return true;
  }
  NB_CALLABLE_WHEN_OWNED bool write_be16(std::uint32_t offset, std::uint16_t v) {
    std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    return write(offset, b, 2);
  }

  // Click's pull/push of header bytes: remove n bytes from the front, or put n back. The network
  // offset stays on the same bytes, as Click's header pointers do: when they are pulled away it
  // is unset (PacketEffect::MoveStart, which the compiler's facts pass relies on) and
  // network_behind() says how far back they are, so that pushing them back restores it; it is
  // forgotten when it would no longer fit.
  NB_CALLABLE_WHEN_OWNED bool pull(std::uint32_t n) {
    if (n > m_->data_len) return false;
    m_->data_off = static_cast<std::uint16_t>(m_->data_off + n);
    m_->data_len = static_cast<std::uint16_t>(m_->data_len - n);
    m_->pkt_len -= n;
    PacketAnno& a = anno();
    if (a.network_offset != PacketAnno::kNoNetworkOffset) {
      if (a.network_offset >= n) {
        a.network_offset = static_cast<std::uint16_t>(a.network_offset - n);
      } else {
        a.network_behind = static_cast<std::uint16_t>(n - a.network_offset);
        a.network_offset = PacketAnno::kNoNetworkOffset;
      }
    } else if (a.network_behind != 0) {
      a.network_behind = static_cast<std::uint16_t>(a.network_behind + n);  // <= data_off: fits
    }
    return true;
  }
  NB_CALLABLE_WHEN_OWNED bool push(std::uint32_t n) {
    if (n > m_->data_off) return false;
    m_->data_off = static_cast<std::uint16_t>(m_->data_off - n);
    m_->data_len = static_cast<std::uint16_t>(m_->data_len + n);
    m_->pkt_len += n;
    PacketAnno& a = anno();
    if (a.network_offset != PacketAnno::kNoNetworkOffset) {
      const std::uint32_t moved = std::uint32_t{a.network_offset} + n;
      a.network_offset = moved < PacketAnno::kNoNetworkOffset ? static_cast<std::uint16_t>(moved)
                                                              : PacketAnno::kNoNetworkOffset;
    } else if (a.network_behind != 0) {
      if (n < a.network_behind) {
        a.network_behind = static_cast<std::uint16_t>(a.network_behind - n);
      } else {
        a.network_offset = static_cast<std::uint16_t>(n - a.network_behind);  // n <= data_off < 0xffff
        a.network_behind = 0;
      }
    }
    return true;
  }

  // Where the network (IP) header starts: the offset CheckIPHeader found, or the data start when
  // no element found one (Click's elements take the packet to start with its IP header then).
  NB_CALLABLE_WHEN_OWNED std::uint32_t network_offset() const {
    const std::uint16_t o = anno().network_offset;
    return o == PacketAnno::kNoNetworkOffset ? 0 : o;
  }
  NB_CALLABLE_WHEN_OWNED bool has_network_offset() const {
    return anno().network_offset != PacketAnno::kNoNetworkOffset;
  }
  NB_CALLABLE_WHEN_OWNED void set_network_offset(std::uint16_t offset) {
    anno().network_offset = offset;
    anno().network_behind = 0;
  }
  NB_CALLABLE_WHEN_OWNED void clear_network_offset() {
    anno().network_offset = PacketAnno::kNoNetworkOffset;
    anno().network_behind = 0;
  }
  // How many bytes before the data start the network header begins, when a pull took it away
  // (StripIPHeader); 0 when it did not (has_network_offset() or no header marked).
  NB_CALLABLE_WHEN_OWNED std::uint32_t network_behind() const { return anno().network_behind; }
  // Shortens the packet to n bytes (no-op when already shorter).
  NB_CALLABLE_WHEN_OWNED void truncate(std::uint32_t n) {
    if (n >= m_->data_len) return;
    m_->pkt_len -= m_->data_len - n;
    m_->data_len = static_cast<std::uint16_t>(n);
  }

  // Lengthens the packet by n bytes at its tail (Click's put), when the buffer has the room. The
  // new bytes are whatever the buffer held: a truncate undone (IPFragmenter sends a copy of each
  // fragment cut from the whole), or bytes the element writes before it sends the packet.
  NB_CALLABLE_WHEN_OWNED bool put(std::uint32_t n) {
    if (n > tailroom()) return false;
    m_->data_len = static_cast<std::uint16_t>(m_->data_len + n);
    m_->pkt_len += n;
    return true;
  }

  NB_CALLABLE_WHEN_OWNED PacketAnno& anno() const { return *anno_of(m_); }

  NB_TEST_OWNED bool owned() const { return m_ != nullptr; }

 private:
  // Only the SDK's consuming calls get at the mbuf: an element cannot keep a raw pointer to a
  // packet it has given away.
  friend class Context;
  friend Packet detail::adopt(rte_mbuf* m);
  NB_RETURNS_OWNED explicit Packet(rte_mbuf* m) : m_(m) {}

  // Raw bytes stay inside the SDK: element code gets typed, checked views.
  NB_CALLABLE_WHEN_OWNED std::uint8_t* data() const {
    return static_cast<std::uint8_t*>(m_->buf_addr) + m_->data_off;
  }
  template <typename V>
  NB_CALLABLE_WHEN_OWNED V view(std::uint32_t offset) const {
    if (!has(offset, V::kSize)) return V(nullptr, 0);
    return V(data() + offset, length() - offset);
  }

  // For Context::send_copy: the copy is made by the runtime, the original stays owned here.
  NB_CALLABLE_WHEN_OWNED rte_mbuf* mbuf_for_copy() const { return m_; }

  NB_CONSUMES rte_mbuf* release() {
    rte_mbuf* m = m_;
    m_ = nullptr;
    return m;
  }

  rte_mbuf* m_;
};

namespace detail {
NB_RETURNS_OWNED inline Packet adopt(rte_mbuf* m) { return Packet(m); }
}  // namespace detail

}  // namespace nb
