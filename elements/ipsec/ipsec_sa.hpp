// What Click's IPsec elements share: the security association (SA) RadixIPsecLookup's routes
// define, the annotation bytes that carry it with the packet from element to element (as Click's
// IPSEC_SA_DATA_REFERENCE_ANNO does), the ESP layout (RFC 4303 with AES-128-CBC, RFC 3602, and
// HMAC-SHA1-96, RFC 2404) and the cryptography, which is OpenSSL's libcrypto (docs/ipsec.md).
#pragma once

#include "../ip/ip_text.hpp"

#include <nb/element.hpp>

#include <openssl/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nb::elements::ipsec {

inline constexpr std::uint32_t kKeySize = 16;  // AES-128 and the HMAC key, as Click's KEY_SIZE
inline constexpr std::uint32_t kHeader = 8;    // SPI and sequence number
inline constexpr std::uint32_t kIV = 16;       // AES-CBC's IV, carried in clear (RFC 3602)
inline constexpr std::uint32_t kPrefix = kHeader + kIV;
inline constexpr std::uint32_t kBlock = 16;      // AES's block: the payload is padded to it
inline constexpr std::uint32_t kICV = 12;        // HMAC-SHA1-96
inline constexpr std::uint32_t kMaxWindow = 64;  // the replay window's bitmap
inline constexpr std::uint8_t kProtoESP = 50;

// Every IPsec element's example: gateway a sends what it routes to output 1 through an ESP tunnel
// to gateway b, which takes it out again (the decrypted packets are the IP packets a tunnelled).
inline constexpr std::string_view kExample =
    "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader\n"
    "  -> a :: RadixIPsecLookup(192.0.2.1/32 2, 0.0.0.0/0 192.0.2.2 1 7 000102030405060708090a0b0c0d0e0f\n"
    "                           101112131415161718191a1b1c1d1e1f 1 64);\n"
    "a[0] -> Discard;\n"
    "a[2] -> Discard;\n"
    "a[1] -> IPsecESPEncap -> IPsecAuthHMACSHA1(0) -> IPsecAES(1) -> IPsecEncap(50) -> FixIPSrc(192.0.2.1)\n"
    "  -> b :: RadixIPsecLookup(192.0.2.2/32 0 7 000102030405060708090a0b0c0d0e0f\n"
    "                           101112131415161718191a1b1c1d1e1f 1 64, 0.0.0.0/0 3);\n"
    "b[0] -> StripIPHeader -> IPsecAES(0) -> IPsecAuthHMACSHA1(1) -> IPsecESPUnencap -> CheckIPHeader\n"
    "  -> ToDump(decrypted.pcap);\n"
    "b[1] -> Discard;\n"
    "b[2] -> Discard;\n"
    "b[3] -> Discard;\n";

// One SA as the route that defines it writes it: `SPI ENCRYPT_KEY AUTH_KEY REPLAY OOSIZE`.
struct SAParams {
  std::uint32_t spi;
  std::uint32_t replay;  // the first sequence number sent; the receiver's window starts below it
  std::uint8_t window;   // OOSIZE: how far behind the highest sequence number received one may be
  std::uint8_t enc_key[kKeySize];
  std::uint8_t auth_key[kKeySize];
};

// The SA at run time: its keys and the state both directions keep. One per SPI, made by
// RadixIPsecLookup's setup and shared by every worker (its State is SharedReadMostly): the
// sequence counter is an atomic, the replay window is kept under a spin lock of its own.
struct SecurityAssociation {
  static constexpr std::uint64_t kLive = 0x4e42495053454341ull;  // "NBIPSECA"; wiped at teardown
  std::uint64_t live = 0;
  SAParams params{};
  // Outbound: the next sequence number to send (a 64-bit count, so running past 2^32 - 1 is seen).
  alignas(64) std::atomic<std::uint64_t> next_seq{0};
  // Inbound: the highest sequence number accepted and the window's bitmap (bit k: top - k seen).
  alignas(64) std::atomic<std::uint32_t> lock{0};
  std::uint32_t top = 0;
  std::uint64_t bitmap = 0;
};

// Where the packet is in ESP processing (the stage annotation byte). RadixIPsecLookup sets kOut
// on packets it sends into a tunnel (output 1) and kIn on ESP packets it found the SA of
// (output 0); each element adds what it did, so that elements in Click's order (the ICV over the
// ciphertext although IPsecAuthHMACSHA1 comes before IPsecAES) produce RFC 4303's packets.
namespace stage {
inline constexpr std::uint8_t kOut = 0x01;
inline constexpr std::uint8_t kIn = 0x02;
inline constexpr std::uint8_t kBuilt = 0x04;       // out: IPsecESPEncap laid out header, IV and trailer
inline constexpr std::uint8_t kCipher = 0x08;      // out: payload encrypted; in: decrypted
inline constexpr std::uint8_t kIcvPending = 0x10;  // out: ICV bytes appended, to be computed after encryption
inline constexpr std::uint8_t kIcv = 0x20;         // out: ICV computed; in: ICV verified
inline constexpr std::uint8_t kIcvBad = 0x40;      // in: the ICV did not verify
inline constexpr std::uint8_t kIcvGone = 0x80;     // in: the ICV bytes were taken off
}  // namespace stage

// The annotation bytes: PacketAnno::user[3..10] the SA's address, user[11] the stage. They are
// bytes of dst_ip6 (unused on these IPv4 paths), as Click's IPsec annotations share their bytes
// with others; Paint(ANNO 4 to 12) between RadixIPsecLookup and IPsecEncap would break them.
inline constexpr std::size_t kSAByte = 3;
inline constexpr std::size_t kStageByte = 11;

inline SecurityAssociation* sa_of(const PacketAnno& a) {
  SecurityAssociation* sa = nullptr;
  std::memcpy(&sa, &a.user[kSAByte], sizeof sa);
  // A packet whose SA went away (a reload that changed its routes) or was never set: none.
  return sa && sa->live == SecurityAssociation::kLive ? sa : nullptr;
}
inline void set_sa(PacketAnno& a, SecurityAssociation* sa, std::uint8_t st) {
  std::memcpy(&a.user[kSAByte], &sa, sizeof sa);
  a.user[kStageByte] = st;
}
inline std::uint8_t& stage_of(PacketAnno& a) {
  return a.user[kStageByte];
}

// The outbound sequence number for the next packet: false when the SA has sent 2^32 - 1 packets
// (RFC 4303 3.3.3: a sender must not cycle; the SA must be rekeyed).
inline bool next_sequence(SecurityAssociation& sa, std::uint32_t& seq) {
  const std::uint64_t s = sa.next_seq.fetch_add(1, std::memory_order_relaxed);
  if (s > 0xffffffffull) return false;
  seq = static_cast<std::uint32_t>(s);
  return true;
}

// The anti-replay check of RFC 4303 3.4.3, made after the ICV verified: true (and the window
// updated) when `seq` was not seen and is not older than the window.
inline bool accept_sequence(SecurityAssociation& sa, std::uint32_t seq) {
  if (seq == 0) return false;
  while (sa.lock.exchange(1, std::memory_order_acquire) != 0) {
    while (sa.lock.load(std::memory_order_relaxed) != 0) {
    }
  }
  bool ok = true;
  if (seq > sa.top) {
    const std::uint32_t shift = seq - sa.top;
    sa.bitmap = shift >= 64 ? 1 : (sa.bitmap << shift) | 1;
    sa.top = seq;
  } else {
    const std::uint32_t diff = sa.top - seq;
    if (diff >= sa.params.window || (sa.bitmap >> diff & 1))
      ok = false;
    else
      sa.bitmap |= std::uint64_t{1} << diff;
  }
  sa.lock.store(0, std::memory_order_release);
  return ok;
}

// One route of RadixIPsecLookup: Click's `ADDR/MASK [GW] OUT [SPI ENCRYPT_KEY AUTH_KEY REPLAY OOSIZE]`.
struct Route {
  std::uint32_t addr;  // host order, masked
  std::uint32_t mask;
  std::uint32_t gateway;  // 0: none
  std::uint32_t port;
  bool has_sa;
  SAParams sa;
};

// Parses one route; on failure `error` says why and `at`/`len` where in `text`.
bool parse_route(std::string_view text, Route& r, std::string& error, std::size_t& at, std::size_t& len);

// OpenSSL's contexts one worker's element uses (made by crypto_setup, never shared).
struct Crypto {
  EVP_CIPHER* cipher;
  EVP_CIPHER_CTX* cipher_ctx;
  EVP_MAC* mac;
  EVP_MAC_CTX* mac_ctx;
};
bool crypto_setup(Crypto& c, bool cipher, bool mac, std::string& error);
void crypto_teardown(Crypto& c);
// HMAC-SHA1-96 of `data` under the SA's authentication key.
bool icv(Crypto& c, const SecurityAssociation& sa, std::span<const std::uint8_t> data, std::uint8_t out[kICV]);
// Whether `expected` (kICV bytes) is the ICV of `data`, compared in constant time.
bool icv_matches(Crypto& c, const SecurityAssociation& sa, std::span<const std::uint8_t> data,
                 std::span<const std::uint8_t> expected);
// AES-128-CBC over the `n` bytes of `region` (a multiple of kBlock) in place, with `iv`.
bool cbc(Crypto& c, const SecurityAssociation& sa, bool encrypt, const std::uint8_t iv[kIV], const ByteView& region,
         std::uint32_t n);
// kIV unpredictable bytes for a new packet's IV (OpenSSL's DRBG).
bool random_iv(std::uint8_t iv[kIV]);

}  // namespace nb::elements::ipsec
