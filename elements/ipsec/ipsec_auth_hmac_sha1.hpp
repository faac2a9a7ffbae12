// IPsecAuthHMACSHA1: computes (VERIFY 0) or verifies (VERIFY 1) an ESP packet's ICV,
// HMAC-SHA1-96 under its SA's authentication key.
#pragma once

#include "ipsec_sa.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IPsecAuthHMACSHA1 {
  static const ElementSpec spec;
  // Per worker: each worker has its own OpenSSL context; the SA's keys are only read.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr auto kDrops = drop_reasons({
      {"no sa", "no SA annotation, or the packet is not at this step of ESP processing (see the description)"},
      {"malformed", "verifying: too short for an ESP header, IV, one AES block and the ICV"},
      {"bad icv",
       "verifying: the ICV is wrong (the packet was changed, or another key made it), output 1 not "
       "connected"},
      {"no room", "computing: fewer than 12 bytes of tailroom for the ICV"},
      {"crypto", "OpenSSL failed to compute the HMAC"},
  });

  struct Config {
    bool verify;
  };
  struct State {
    ipsec::Crypto crypto;  // made by setup()
    std::uint64_t computed;
    std::uint64_t verified;
    std::uint64_t bad_icv;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config&, State& state, std::string& error) {
    return ipsec::crypto_setup(state.crypto, false, true, error);
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
    if (!config.verify) {
      // After IPsecESPEncap, before or after IPsecAES(1), once.
      if (!sa || (st & (kOut | kBuilt | kIcvPending | kIcv)) != (kOut | kBuilt)) {
        ctx.drop(std::move(p), kDrops["no sa"]);
        return;
      }
      const std::uint32_t len = p.length();
      if (p.tailroom() < ipsec::kICV) {
        ctx.drop(std::move(p), kDrops["no room"]);
        return;
      }
      std::uint8_t mac[ipsec::kICV] = {};
      if (st & kCipher) {
        // RFC 4303: the ICV covers the ESP header, the IV and the ciphertext.
        if (!ipsec::icv(state.crypto, *sa, p.bytes_at(0, len).bytes(0, len), mac)) {
          ctx.drop(std::move(p), kDrops["crypto"]);
          return;
        }
        st |= kIcv;
      } else {
        // Click's order: IPsecAES(1) fills these bytes in after it encrypted the payload.
        st |= kIcvPending;
      }
      p.put(ipsec::kICV);
      p.write(len, mac, ipsec::kICV);
      ++state.computed;
      ctx.send(0, std::move(p));
      return;
    }
    if (!sa || (st & (kIn | kIcvGone)) != kIn) {
      ctx.drop(std::move(p), kDrops["no sa"]);
      return;
    }
    const std::uint32_t len = p.length();
    if (!(st & (kIcv | kIcvBad))) {
      // Before IPsecAES(0): the ciphertext is still there to verify.
      if (len < ipsec::kPrefix + ipsec::kBlock + ipsec::kICV) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      const std::uint32_t body = len - ipsec::kICV;
      const bool matches = ipsec::icv_matches(state.crypto, *sa, p.bytes_at(0, body).bytes(0, body),
                                              p.bytes_at(body, ipsec::kICV).bytes(0, ipsec::kICV));
      st |= matches ? kIcv : kIcvBad;
    }
    if (st & kIcvBad) {
      ++state.bad_icv;
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["bad icv"]);
      return;
    }
    // Verified (here, or by IPsecAES(0) before it decrypted): the ICV's bytes go.
    p.truncate(len - ipsec::kICV);
    st |= kIcvGone;
    ++state.verified;
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements
