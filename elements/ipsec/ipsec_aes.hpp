// IPsecAES: encrypts (ENCRYPT 1) or decrypts (ENCRYPT 0) an ESP packet's payload with AES-128-CBC
// under its SA's encryption key (RFC 3602).
#pragma once

#include "ipsec_sa.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPsecAES {
  static const ElementSpec spec;
  // Per worker: each worker has its own OpenSSL contexts; the SA's keys are only read.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no sa", "no SA annotation, or the packet is not at this step of ESP processing (see the description)"},
      {"malformed",
       "decrypting: too short for an ESP header, IV, one AES block and the ICV, or the payload is no whole number "
       "of AES blocks"},
      {"crypto", "OpenSSL failed to encrypt, decrypt or compute the HMAC"},
  });

  struct Config {
    bool encrypt;
  };
  struct State {
    ipsec::Crypto crypto;  // made by setup()
    std::uint64_t encrypted;
    std::uint64_t decrypted;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config&, State& state, std::string& error) {
    // Both: in Click's order the cipher also fills in (encrypting) or checks (decrypting) the ICV.
    return ipsec::crypto_setup(state.crypto, true, true, error);
  }
  static void teardown(const Config&, State& state) { ipsec::crypto_teardown(state.crypto); }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kUser;
    sheet.effect = PacketEffect::Unknown;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    using namespace ipsec::stage;
    PacketAnno& a = p.anno();
    const ipsec::SecurityAssociation* sa = ipsec::sa_of(a);
    std::uint8_t& st = ipsec::stage_of(a);
    const std::uint32_t len = p.length();
    std::uint8_t iv[ipsec::kIV];
    if (config.encrypt) {
      // After IPsecESPEncap, before or after IPsecAuthHMACSHA1(0) reserved the ICV, once.
      if (!sa || (st & (kOut | kBuilt | kCipher | kIcv)) != (kOut | kBuilt)) {
        ctx.drop(std::move(p), kDrops["no sa"]);
        return;
      }
      const std::uint32_t icv = st & kIcvPending ? ipsec::kICV : 0;
      const std::uint32_t n = len - ipsec::kPrefix - icv;  // IPsecESPEncap made it whole blocks
      bool ok = p.read(ipsec::kHeader, iv, ipsec::kIV) &&
                ipsec::cbc(state.crypto, *sa, true, iv, p.bytes_at(ipsec::kPrefix, n), n);
      if (ok && icv) {
        std::uint8_t mac[ipsec::kICV];
        ok = ipsec::icv(state.crypto, *sa, p.bytes_at(0, len - icv).bytes(0, len - icv), mac) &&
             p.write(len - icv, mac, icv);
        st = static_cast<std::uint8_t>((st & ~kIcvPending) | kIcv);
      }
      if (!ok) {
        ctx.drop(std::move(p), kDrops["crypto"]);
        return;
      }
      st |= kCipher;
      ++state.encrypted;
      ctx.send(0, std::move(p));
      return;
    }
    if (!sa || (st & (kIn | kCipher)) != kIn) {
      ctx.drop(std::move(p), kDrops["no sa"]);
      return;
    }
    const std::uint32_t icv = st & kIcvGone ? 0 : ipsec::kICV;
    if (len < ipsec::kPrefix + ipsec::kBlock + icv || (len - ipsec::kPrefix - icv) % ipsec::kBlock != 0) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    if (!(st & (kIcv | kIcvBad))) {
      // Click's order: IPsecAuthHMACSHA1(1) comes after, but the ICV covers the ciphertext, so it
      // is checked now; a bad one is left for IPsecAuthHMACSHA1(1) to count and drop, undecrypted.
      const std::uint32_t body = len - icv;
      st |= ipsec::icv_matches(state.crypto, *sa, p.bytes_at(0, body).bytes(0, body),
                               p.bytes_at(body, ipsec::kICV).bytes(0, ipsec::kICV))
                ? kIcv
                : kIcvBad;
    }
    if (st & kIcvBad) {
      ctx.send(0, std::move(p));
      return;
    }
    const std::uint32_t n = len - ipsec::kPrefix - icv;
    if (!p.read(ipsec::kHeader, iv, ipsec::kIV) ||
        !ipsec::cbc(state.crypto, *sa, false, iv, p.bytes_at(ipsec::kPrefix, n), n)) {
      ctx.drop(std::move(p), kDrops["crypto"]);
      return;
    }
    st |= kCipher;
    ++state.decrypted;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements
