// Element kernels: every built-in element's configure/push, run on real mbuf memory without
// DPDK's EAL, through the spec's type-erased ops and directly.
#include "../../elements/analysis/flow_monitor.hpp"
#include "../../elements/classifier/classifier.hpp"
#include "../../elements/ethernet/arp_querier.hpp"
#include "../../elements/ethernet/arp_responder.hpp"
#include "../../elements/ethernet/ether_encap.hpp"
#include "../../elements/ethernet/ether_mirror.hpp"
#include "../../elements/ids/signature_matcher.hpp"
#include "../../elements/io/from_device.hpp"
#include "../../elements/io/from_dump.hpp"
#include "../../elements/io/to_device.hpp"
#include "../../elements/io/to_dump.hpp"
#include "../../elements/ip/check_ip_header.hpp"
#include "../../elements/ip/dec_ip_ttl.hpp"
#include "../../elements/ip/icmp_error.hpp"
#include "../../elements/ip/lookup_ip_route.hpp"
#include "../../elements/lb/maglev_lb.hpp"
#include "../../elements/standard/counter.hpp"
#include "../../elements/standard/discard.hpp"
#include "../../elements/standard/paint.hpp"
#include "../../elements/standard/strip.hpp"
#include "../../elements/standard/tee.hpp"
#include "../../elements/standard/unstrip.hpp"

#include "../support/element_harness.hpp"

#include <nb/compiler/values.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

Bytes iota_bytes(std::size_t n, std::uint8_t start = 0) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i);
  return b;
}

// ---- IPv4 helpers -----------------------------------------------------------------------------

// One's complement sum of 16-bit big-endian words, end-around carry.
std::uint16_t ones_sum(const std::uint8_t* d, std::size_t n) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) s += std::uint32_t{d[i]} << 8 | d[i + 1];
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

// The header checksum computed from scratch (checksum field taken as zero).
std::uint16_t full_checksum(const std::uint8_t* h, std::size_t hlen) {
  Bytes copy(h, h + hlen);
  copy[10] = copy[11] = 0;
  return static_cast<std::uint16_t>(~ones_sum(copy.data(), hlen));
}

void set_checksum(Bytes& pkt, std::size_t offset, std::size_t hlen) {
  const std::uint16_t c = full_checksum(pkt.data() + offset, hlen);
  pkt[offset + 10] = static_cast<std::uint8_t>(c >> 8);
  pkt[offset + 11] = static_cast<std::uint8_t>(c);
}

std::uint16_t be16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

void put_be16(Bytes& b, std::size_t at, std::uint16_t v) {
  b.at(at) = static_cast<std::uint8_t>(v >> 8);
  b.at(at + 1) = static_cast<std::uint8_t>(v);
}

// An IPv4 packet: `prefix` bytes (e.g. Ethernet), a header with `options` option bytes,
// `payload` bytes, then `padding` bytes not counted in the total length. Checksum correct.
Bytes ip_packet(std::mt19937& rng, std::size_t prefix = 0, std::size_t options = 0, std::size_t payload = 20,
                std::size_t padding = 0) {
  const std::size_t hlen = 20 + options;
  Bytes p = random_bytes(rng, prefix + hlen + payload + padding);
  p[prefix] = static_cast<std::uint8_t>(0x40 | hlen / 4);
  put_be16(p, prefix + 2, static_cast<std::uint16_t>(hlen + payload));
  p[prefix + 8] = static_cast<std::uint8_t>(2 + rng() % 254);   // TTL 2..255
  p[prefix + 12] = static_cast<std::uint8_t>(1 + rng() % 200);  // unicast source
  p[prefix + 16] = static_cast<std::uint8_t>(1 + rng() % 200);  // unicast destination
  set_checksum(p, prefix, hlen);
  return p;
}

}  // namespace

// ---- all elements -----------------------------------------------------------------------------

TEST_CASE("every element has ops: a kernel, or a runtime port for I/O", "[kernels]") {
  CHECK(FromDump::spec.ops == &kSourceOps);
  CHECK(FromDevice::spec.ops == &kSourceOps);
  CHECK(ToDump::spec.ops == &kSinkOps);
  CHECK(ToDevice::spec.ops == &kSinkOps);
  CHECK(kSourceOps.role == ElementOps::Role::Source);
  CHECK(kSinkOps.role == ElementOps::Role::Sink);

  const ElementSpec* kernels[] = {&Discard::spec,       &Counter::spec,  &Strip::spec,       &Unstrip::spec,
                                  &CheckIPHeader::spec, &DecIPTTL::spec, &EtherMirror::spec, &Classifier::spec,
                                  &Tee::spec,           &Paint::spec};
  for (const ElementSpec* spec : kernels) {
    INFO(std::string(spec->class_name));
    REQUIRE(spec->ops != nullptr);
    CHECK(spec->ops->role == ElementOps::Role::Kernel);
    CHECK(spec->ops->configure != nullptr);
    CHECK(spec->ops->init != nullptr);
    CHECK(spec->ops->push != nullptr);
    // The JIT links against the kernel's C entry (NB_ELEMENT_KERNEL).
    REQUIRE(spec->ops->kernel_symbol != nullptr);
    CHECK(std::string_view(spec->ops->kernel_symbol) == "nb_kernel_" + std::string(spec->class_name));
    for (const HandlerSpec& c : spec->handlers) {
      if (c.kind != HandlerSpec::Kind::Counter) continue;
      CHECK(!c.name.empty());
      CHECK(c.offset % alignof(std::uint64_t) == 0);
      CHECK(c.offset + sizeof(std::uint64_t) <= spec->ops->state_size);
    }
    for (const DropReason& r : spec->ops->drop_reasons) CHECK((!r.name.empty() && !r.doc.empty()));
  }
  // Every element that can drop a packet names its reasons.
  CHECK(reason_name(Discard::spec, Discard::kDrops["discarded"]) == "discarded");
  CHECK(reason_name(Strip::spec, Strip::kDrops["too short"]) == "too short");
  CHECK(reason_name(Unstrip::spec, Unstrip::kDrops["no headroom"]) == "no headroom");
  CHECK(reason_name(EtherMirror::spec, EtherMirror::kDrops["too short"]) == "too short");
  CHECK(reason_name(Classifier::spec, Classifier::kDrops["no match"]) == "no match");
  CHECK(reason_name(DecIPTTL::spec, DecIPTTL::kDrops["malformed"]) == "malformed");
  CHECK(reason_name(DecIPTTL::spec, DecIPTTL::kDrops["expired"]) == "expired");
  CHECK(reason_name(CheckIPHeader::spec, CheckIPHeader::kDrops["too short"]) == "too short");
  CHECK(reason_name(CheckIPHeader::spec, CheckIPHeader::kDrops["bad version"]) == "bad version");
  CHECK(reason_name(CheckIPHeader::spec, CheckIPHeader::kDrops["bad header length"]) == "bad header length");
  CHECK(reason_name(CheckIPHeader::spec, CheckIPHeader::kDrops["bad total length"]) == "bad total length");
  CHECK(reason_name(CheckIPHeader::spec, CheckIPHeader::kDrops["bad checksum"]) == "bad checksum");
  CHECK(reason_name(CheckIPHeader::spec, CheckIPHeader::kDrops["bad source"]) == "bad source");
  CHECK(CheckIPHeader::spec.ops->drop_reasons.size() == CheckIPHeader::kDrops.size());
}

// ---- Discard, Counter -------------------------------------------------------------------------

TEST_CASE("Discard drops every packet and counts it", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Discard", 0);
    Instance<Discard> d(args, via);
    REQUIRE(d.ok());
    CHECK(d.counter("count") == 0);
    for (std::size_t len = 0; len <= 40; ++len) {
      Outcome out = d.push(iota_bytes(len), 0);
      CHECK(out.dropped_for(Discard::kDrops["discarded"]));
    }
    CHECK(d.counter("count") == 41);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Counter counts packets and bytes and passes packets on unchanged", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Counter");
    Instance<Counter> c(args, via);
    REQUIRE(c.ok());
    std::uint64_t bytes = 0;
    for (std::size_t len = 0; len <= 40; ++len) {
      const Bytes in = iota_bytes(len, 7);
      Outcome out = c.push(in, 1);
      REQUIRE(out.sent_to(0));
      CHECK(out.emits[0].data() == in);
      bytes += len;
    }
    CHECK(c.counter("count") == 41);
    CHECK(c.counter("byte_count") == bytes);
    // Bytes as the packet is now: a stripped packet counts its remaining bytes.
    rte_mbuf* m = make_mbuf(iota_bytes(100));
    m->data_off = static_cast<std::uint16_t>(m->data_off + 14);
    m->data_len = 86;
    m->pkt_len = 86;
    Outcome out = c.push(m, 1);
    CHECK(out.sent_to(0));
    CHECK(c.counter("byte_count") == bytes + 86);
  }
  CHECK(g_live_mbufs == 0);
}

// ---- Strip, Unstrip ---------------------------------------------------------------------------

TEST_CASE("Strip pulls LENGTH bytes and drops packets shorter than LENGTH", "[kernels][bounds]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Strip(LENGTH 14)");
    Instance<Strip> s(args, via);
    REQUIRE(s.ok());
    for (std::size_t len = 0; len <= 40; ++len) {
      INFO("length " << len);
      const Bytes in = iota_bytes(len, 1);
      Outcome out = s.push(in, 1);
      if (len < 14) {
        CHECK(out.dropped_for(Strip::kDrops["too short"]));
        continue;
      }
      const Emitted& e = out.only();
      CHECK(e.port == 0);
      CHECK(e.data() == Bytes(in.begin() + 14, in.end()));
      CHECK(e.m->data_off == kHeadroom + 14);
      CHECK(e.m->pkt_len == len - 14);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Strip keeps the network header annotation on the same bytes", "[kernels]") {
  Configured args("Strip(LENGTH 14)");
  Instance<Strip> s(args, Via::Ops);
  REQUIRE(s.ok());
  const std::pair<std::uint16_t, std::uint16_t> cases[] = {
      {14, 0}, {34, 20}, {0xffff, 0xffff}, {13, 0xffff}, {0, 0xffff}};
  for (auto [before, after] : cases) {
    INFO("network_offset " << before);
    rte_mbuf* m = make_mbuf(iota_bytes(60));
    anno_ref(m).network_offset = before;
    anno_ref(m).paint = 9;
    Outcome out = s.push(m, 1);
    const Emitted& e = out.only();
    CHECK(anno_ref(e.m.get()).network_offset == after);
    CHECK(anno_ref(e.m.get()).paint == 9);
  }
}

TEST_CASE("Strip(0) passes packets unchanged; Strip rejects lengths no packet has", "[kernels]") {
  Configured zero("Strip(LENGTH 0)");
  Instance<Strip> s(zero, Via::Ops);
  REQUIRE(s.ok());
  for (std::size_t len = 0; len <= 3; ++len) {
    Outcome out = s.push(iota_bytes(len), 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.emits[0].data() == iota_bytes(len));
  }
  Configured max("Strip(LENGTH 65535)");
  CHECK(Instance<Strip>(max, Via::Ops).ok());
  for (Via via : kBothWays) {
    Configured big("Strip(LENGTH 65536)");
    Instance<Strip> bad(big, via);
    CHECK_FALSE(bad.ok());
    CHECK(bad.error().find("LENGTH") != std::string::npos);
  }
}

TEST_CASE("Unstrip puts stripped bytes back and drops packets without headroom", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured sargs("Strip(LENGTH 14)");
    Configured uargs("Unstrip(LENGTH 14)");
    Instance<Strip> strip(sargs, via);
    Instance<Unstrip> unstrip(uargs, via);
    REQUIRE(strip.ok());
    REQUIRE(unstrip.ok());
    std::mt19937 rng(1);
    for (std::size_t len = 14; len <= 60; ++len) {
      const Bytes in = random_bytes(rng, len);
      Outcome stripped = strip.push(in, 1);
      REQUIRE(stripped.sent_to(0));
      Outcome back = unstrip.push(stripped.emits[0].m.release(), 1);
      const Emitted& e = back.only();
      CHECK(e.port == 0);
      CHECK(e.data() == in);
      CHECK(e.m->data_off == kHeadroom);
      CHECK(e.m->pkt_len == len);
    }
    // Headroom: exactly enough passes, one byte short drops.
    for (std::uint16_t headroom : {std::uint16_t{0}, std::uint16_t{13}, std::uint16_t{14}, std::uint16_t{15}}) {
      INFO("headroom " << headroom);
      for (std::size_t len = 0; len <= 40; ++len) {
        Outcome out = unstrip.push(make_mbuf(iota_bytes(len), headroom), 1);
        if (headroom < 14) {
          CHECK(out.dropped_for(Unstrip::kDrops["no headroom"]));
        } else {
          REQUIRE(out.sent_to(0));
          CHECK(out.emits[0].m->data_len == len + 14);
          CHECK(out.emits[0].m->data_off == headroom - 14);
        }
      }
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Unstrip moves the network header annotation with the data start", "[kernels]") {
  Configured args("Unstrip(LENGTH 14)");
  Instance<Unstrip> u(args, Via::Direct);
  REQUIRE(u.ok());
  const std::pair<std::uint16_t, std::uint16_t> cases[] = {{0, 14},          {6, 20},          {0xffff, 0xffff},
                                                           {0xfff0, 0xfffe}, {0xfff1, 0xffff}, {0xfffe, 0xffff}};
  for (auto [before, after] : cases) {
    INFO("network_offset " << before);
    rte_mbuf* m = make_mbuf(iota_bytes(30));
    anno_ref(m).network_offset = before;
    Outcome out = u.push(m, 1);
    CHECK(anno_ref(out.only().m.get()).network_offset == after);
  }
  Configured big("Unstrip(LENGTH 70000)");
  CHECK_FALSE(Instance<Unstrip>(big, Via::Ops).ok());
}

TEST_CASE("Strip then Unstrip restores a network header annotation the strip pulled away", "[kernels]") {
  // Click's header pointers stay on their bytes when the data start passes them: pulling them
  // away and pushing them back gives the same mark (what UnstripIPHeader relies on).
  Configured sargs("Strip(LENGTH 14)");
  Configured uargs("Unstrip(LENGTH 14)");
  Configured u4args("Unstrip(LENGTH 4)");
  Instance<Strip> s(sargs, Via::Ops);
  Instance<Unstrip> u(uargs, Via::Ops);
  Instance<Unstrip> u4(u4args, Via::Ops);
  Configured s4args("Strip(LENGTH 4)");
  Instance<Strip> s4(s4args, Via::Ops);
  for (std::uint16_t offset : {std::uint16_t{0}, std::uint16_t{5}, std::uint16_t{13}}) {
    INFO("network_offset " << offset);
    rte_mbuf* m = make_mbuf(iota_bytes(40));
    anno_ref(m).network_offset = offset;
    Outcome stripped = s.push(m, 1);
    rte_mbuf* sm = stripped.only().m.get();
    CHECK(anno_ref(sm).network_offset == PacketAnno::kNoNetworkOffset);
    CHECK(anno_ref(sm).network_behind == 14 - offset);
    // Part of the way back: still behind, or just in front again.
    Outcome part = u4.push(stripped.emits[0].m.release(), 1);
    rte_mbuf* pm = part.only().m.get();
    if (offset < 10) {
      CHECK(anno_ref(pm).network_offset == PacketAnno::kNoNetworkOffset);
      CHECK(anno_ref(pm).network_behind == 10 - offset);
    } else {
      CHECK(anno_ref(pm).network_offset == offset - 10);
      CHECK(anno_ref(pm).network_behind == 0);
    }
    Outcome past = u.push(part.emits[0].m.release(), 1);  // 4 bytes before the start now
    CHECK(anno_ref(past.only().m.get()).network_offset == offset + 4);
    Outcome home2 = s4.push(past.emits[0].m.release(), 1);
    CHECK(anno_ref(home2.only().m.get()).network_offset == offset);
    CHECK(anno_ref(home2.only().m.get()).network_behind == 0);
  }
  {
    // An unmarked packet stays unmarked both ways.
    Outcome plain = s.push(iota_bytes(30), 1);
    Outcome again = u.push(plain.emits[0].m.release(), 1);
    CHECK(anno_ref(again.only().m.get()).network_offset == PacketAnno::kNoNetworkOffset);
    CHECK(anno_ref(again.only().m.get()).network_behind == 0);
  }
  CHECK(g_live_mbufs == 0);
}

// ---- EtherMirror ------------------------------------------------------------------------------

TEST_CASE("EtherMirror swaps Ethernet addresses and drops runts", "[kernels][bounds]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("EtherMirror");
    Instance<EtherMirror> e(args, via);
    REQUIRE(e.ok());
    for (std::size_t len = 0; len <= 40; ++len) {
      INFO("length " << len);
      const Bytes in = iota_bytes(len, 0x10);
      Outcome out = e.push(in, 1);
      if (len < 14) {
        CHECK(out.dropped_for(EtherMirror::kDrops["too short"]));
        continue;
      }
      REQUIRE(out.sent_to(0));
      Bytes expect = in;
      std::copy(in.begin() + 6, in.begin() + 12, expect.begin());
      std::copy(in.begin(), in.begin() + 6, expect.begin() + 6);
      CHECK(out.emits[0].data() == expect);
    }
  }
  CHECK(g_live_mbufs == 0);
}

// ---- Paint ------------------------------------------------------------------------------------

TEST_CASE("Paint sets the paint annotation or a user annotation byte", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    for (unsigned anno = 0; anno <= 15; ++anno) {
      INFO("ANNO " << anno);
      Configured args(std::string("Paint(COLOR 200, ANNO ") + std::to_string(anno) + ")");
      Instance<Paint> p(args, via);
      REQUIRE(p.ok());
      rte_mbuf* m = make_mbuf(iota_bytes(20));
      anno_ref(m).paint = 1;
      for (unsigned i = 0; i < 15; ++i) anno_ref(m).user[i] = static_cast<std::uint8_t>(i + 1);
      anno_ref(m).network_offset = 14;
      Outcome out = p.push(m, 1);
      REQUIRE(out.sent_to(0));
      const PacketAnno& a = anno_ref(out.emits[0].m.get());
      CHECK(a.paint == (anno == 0 ? 200 : 1));
      for (unsigned i = 0; i < 15; ++i) CHECK(a.user[i] == (anno == i + 1 ? 200 : i + 1));
      CHECK(a.network_offset == 14);
      CHECK(out.emits[0].data() == iota_bytes(20));
    }
    Configured defaults("Paint(COLOR 3)");
    Instance<Paint> p(defaults, via);
    REQUIRE(p.ok());
    Outcome out = p.push(iota_bytes(0), 1);
    CHECK(anno_ref(out.only().m.get()).paint == 3);

    Configured bad_anno("Paint(COLOR 3, ANNO 16)");
    Instance<Paint> bad(bad_anno, via);
    CHECK_FALSE(bad.ok());
    CHECK(bad.error().find("ANNO") != std::string::npos);
    Configured bad_color("Paint(COLOR 256)");
    CHECK_FALSE(Instance<Paint>(bad_color, via).ok());
  }
  CHECK(g_live_mbufs == 0);
}

// ---- Tee --------------------------------------------------------------------------------------

TEST_CASE("Tee sends deep copies to outputs 0..N-2 and the original last to N-1", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    CopyHost copier;
    HostServices host{&copy_mbuf, &copier};
    Configured args("Tee(N 3)", 3);
    Instance<Tee> t(args, via);
    REQUIRE(t.ok());
    const Bytes in = iota_bytes(64, 3);
    rte_mbuf* original = make_mbuf(in);
    anno_ref(original).paint = 5;
    Outcome out = t.push(original, 3, &host);
    REQUIRE(out.drops.empty());
    REQUIRE(out.emits.size() == 3);
    CHECK(copier.made == 2);
    CHECK(t.counter("copies") == 2);
    CHECK(t.counter("copy_failures") == 0);
    for (std::uint32_t i = 0; i < 3; ++i) {
      CHECK(out.emits[i].port == i);
      CHECK(out.emits[i].data() == in);
      CHECK(anno_ref(out.emits[i].m.get()).paint == 5);
    }
    CHECK(out.emits[2].m.get() == original);
    CHECK(out.emits[0].m.get() != original);
    CHECK(out.emits[1].m.get() != original);
    // Deep: changing one copy's bytes or annotations changes no other.
    auto* d0 = static_cast<std::uint8_t*>(out.emits[0].m->buf_addr) + out.emits[0].m->data_off;
    d0[0] ^= 0xff;
    anno_ref(out.emits[0].m.get()).paint = 77;
    auto* d2 = static_cast<std::uint8_t*>(out.emits[2].m->buf_addr) + out.emits[2].m->data_off;
    d2[63] ^= 0xff;
    CHECK(out.emits[1].data() == in);
    CHECK(anno_ref(out.emits[1].m.get()).paint == 5);
    CHECK(out.emits[0].data() != in);
    CHECK(out.emits[2].data() != in);
    CHECK(out.emits[0].data()[63] == in[63]);
    CHECK(out.emits[2].data()[0] == in[0]);
    CHECK(anno_ref(out.emits[2].m.get()).paint == 5);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Tee counts copies it could not make and still sends the original", "[kernels]") {
  CopyHost copier;
  copier.fail = true;
  HostServices host{&copy_mbuf, &copier};
  Configured args("Tee", 4);
  Instance<Tee> t(args, Via::Ops);
  REQUIRE(t.ok());
  {
    Outcome out = t.push(iota_bytes(10), 4, &host);
    REQUIRE(out.emits.size() == 1);
    CHECK(out.emits[0].port == 3);
    CHECK(out.copy_failures == 3);
    CHECK(t.counter("copies") == 0);
    CHECK(t.counter("copy_failures") == 3);
  }
  {
    Configured one("Tee(N 1)", 1);
    Instance<Tee> t1(one, Via::Direct);
    REQUIRE(t1.ok());
    Outcome single = t1.push(iota_bytes(10), 1, &host);
    CHECK(single.sent_to(0));
    CHECK(single.copy_failures == 0);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Tee rejects output counts it cannot serve", "[kernels]") {
  Configured none("Tee", 0);
  CHECK_FALSE(Instance<Tee>(none, Via::Ops).ok());
  Configured many("Tee", kMaxEmits + 1);
  CHECK_FALSE(Instance<Tee>(many, Via::Ops).ok());
  Configured most("Tee", kMaxEmits);
  CHECK(Instance<Tee>(most, Via::Ops).ok());
  Configured mismatch("Tee(N 3)", 2);
  CHECK_FALSE(Instance<Tee>(mismatch, Via::Ops).ok());
}

// ---- CheckIPHeader ----------------------------------------------------------------------------

namespace {

// Independent statement of the checks, for random packets.
std::uint32_t reference_check(const Bytes& pkt, std::size_t offset, bool checksum,
                              const std::vector<std::uint32_t>& bad, std::size_t& total) {
  if (pkt.size() < offset + 20) return CheckIPHeader::kDrops["too short"];
  const std::uint8_t* h = pkt.data() + offset;
  const std::size_t avail = pkt.size() - offset;
  if ((h[0] >> 4) != 4) return CheckIPHeader::kDrops["bad version"];
  const std::size_t hlen = (h[0] & 15u) * 4;
  if (hlen < 20 || hlen > avail) return CheckIPHeader::kDrops["bad header length"];
  total = std::size_t{h[2]} << 8 | h[3];
  if (total < hlen || total > avail) return CheckIPHeader::kDrops["bad total length"];
  if (checksum && ones_sum(h, hlen) != 0xffff) return CheckIPHeader::kDrops["bad checksum"];
  const std::uint32_t src = std::uint32_t{h[12]} << 24 | std::uint32_t{h[13]} << 16 | std::uint32_t{h[14]} << 8 | h[15];
  for (std::uint32_t b : bad)
    if (b == src) return CheckIPHeader::kDrops["bad source"];
  return CheckIPHeader::kDrops.size();
}

}  // namespace

TEST_CASE("CheckIPHeader passes valid headers, trims padding and marks the header", "[kernels]") {
  std::mt19937 rng(7);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    for (unsigned offset : {0u, 14u}) {
      INFO("OFFSET " << offset);
      Configured args(std::string("CheckIPHeader(OFFSET ") + std::to_string(offset) + ")", 1);
      Instance<CheckIPHeader> c(args, via);
      REQUIRE(c.ok());
      for (std::size_t options : {0u, 4u, 40u}) {
        for (std::size_t padding : {0u, 1u, 6u}) {
          const Bytes in = ip_packet(rng, offset, options, 26, padding);
          Outcome out = c.push(in, 1);
          REQUIRE(out.sent_to(0));
          const Bytes got = out.emits[0].data();
          CHECK(got.size() == in.size() - padding);
          CHECK(got == Bytes(in.begin(), in.end() - static_cast<std::ptrdiff_t>(padding)));
          CHECK(out.emits[0].m->pkt_len == got.size());
          CHECK(anno_ref(out.emits[0].m.get()).network_offset == offset);
        }
      }
      CHECK(c.counter("bad") == 0);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIPHeader finds each kind of bad header", "[kernels]") {
  std::mt19937 rng(11);
  struct Case {
    const char* what;
    std::uint32_t reason;
    void (*spoil)(Bytes&);  // on a packet with an IP header at 14
  };
  const Case cases[] = {
      {"version 6", CheckIPHeader::kDrops["bad version"], [](Bytes& p) { p[14] = 0x65; }},
      {"version 0", CheckIPHeader::kDrops["bad version"], [](Bytes& p) { p[14] = 0x05; }},
      {"header length 16", CheckIPHeader::kDrops["bad header length"], [](Bytes& p) { p[14] = 0x44; }},
      {"header length 0", CheckIPHeader::kDrops["bad header length"], [](Bytes& p) { p[14] = 0x40; }},
      {"header length 60 > packet", CheckIPHeader::kDrops["bad header length"], [](Bytes& p) { p[14] = 0x4f; }},
      {"total length 19", CheckIPHeader::kDrops["bad total length"], [](Bytes& p) { put_be16(p, 16, 19); }},
      {"total length beyond packet", CheckIPHeader::kDrops["bad total length"],
       [](Bytes& p) { put_be16(p, 16, static_cast<std::uint16_t>(p.size() - 14 + 1)); }},
      {"total length 65535", CheckIPHeader::kDrops["bad total length"], [](Bytes& p) { put_be16(p, 16, 0xffff); }},
      {"checksum off by one", CheckIPHeader::kDrops["bad checksum"], [](Bytes& p) { p[25] ^= 1; }},
      {"TTL changed, checksum not", CheckIPHeader::kDrops["bad checksum"],
       [](Bytes& p) { p[22] = static_cast<std::uint8_t>(p[22] + 1); }},
      {"bad source 10.0.0.255", CheckIPHeader::kDrops["bad source"],
       [](Bytes& p) {
         p[26] = 10, p[27] = 0, p[28] = 0, p[29] = 255;
         set_checksum(p, 14, 20);
       }},
      {"bad source 192.168.1.1", CheckIPHeader::kDrops["bad source"],
       [](Bytes& p) {
         p[26] = 192, p[27] = 168, p[28] = 1, p[29] = 1;
         set_checksum(p, 14, 20);
       }},
  };
  for (Via via : kBothWays) {
    INFO(name_of(via));
    for (std::uint32_t noutputs : {1u, 2u}) {
      INFO("noutputs " << noutputs);
      Configured args("CheckIPHeader(OFFSET 14, BADSRC 10.0.0.255  192.168.1.1)", noutputs);
      Instance<CheckIPHeader> c(args, via);
      REQUIRE(c.ok());
      std::uint64_t bad = 0;
      for (const Case& k : cases) {
        INFO(k.what);
        Bytes in = ip_packet(rng, 14, 0, 30);
        k.spoil(in);
        Outcome out = c.push(in, noutputs);
        ++bad;
        if (noutputs == 2) {
          REQUIRE(out.sent_to(1));
          CHECK(out.emits[0].data() == in);  // unchanged
          CHECK(anno_ref(out.emits[0].m.get()).network_offset == 0xffff);
        } else {
          CHECK(out.dropped_for(k.reason));
        }
        CHECK(c.counter("bad") == bad);
      }
      // Addresses not on the list pass.
      Bytes ok = ip_packet(rng, 14, 0, 30);
      ok[26] = 10, ok[27] = 0, ok[28] = 0, ok[29] = 254;
      set_checksum(ok, 14, 20);
      CHECK(c.push(ok, noutputs).sent_to(0));
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIPHeader with CHECKSUM false ignores the checksum", "[kernels]") {
  std::mt19937 rng(3);
  Configured args("CheckIPHeader(CHECKSUM false)", 1);
  Instance<CheckIPHeader> c(args, Via::Ops);
  REQUIRE(c.ok());
  Bytes in = ip_packet(rng);
  in[10] ^= 0x5a;
  CHECK(c.push(in, 1).sent_to(0));
  Configured checking("CheckIPHeader", 1);
  Instance<CheckIPHeader> d(checking, Via::Ops);
  REQUIRE(d.ok());
  CHECK(d.push(in, 1).dropped_for(CheckIPHeader::kDrops["bad checksum"]));
}

namespace {
// HostServices::log as a list of what was said, and by which State block.
struct LogHost {
  std::vector<std::pair<const void*, std::string>> lines;
};
void log_to(void* runtime, const void* state, const char* text) {
  static_cast<LogHost*>(runtime)->lines.emplace_back(state, text);
}
}  // namespace

TEST_CASE("CheckIPHeader with VERBOSE true reports every bad packet and its reason", "[kernels]") {
  std::mt19937 rng(5);
  for (bool verbose : {false, true}) {
    for (std::uint32_t noutputs : {1u, 2u}) {
      INFO("VERBOSE " << verbose << ", noutputs " << noutputs);
      Configured args(std::string("CheckIPHeader(VERBOSE ") + (verbose ? "true" : "false") + ")", noutputs);
      Instance<CheckIPHeader> c(args, Via::Ops);
      REQUIRE(c.ok());
      LogHost log;
      HostServices host;
      host.runtime = &log;
      host.log = &log_to;
      Bytes good = ip_packet(rng);
      Bytes bad_sum = good;
      bad_sum[10] ^= 1;
      Bytes bad_version = good;
      bad_version[0] = 0x65;
      Bytes tiny(12, 0x45);
      CHECK(c.push(good, noutputs, &host).sent_to(0));
      c.push(bad_sum, noutputs, &host);
      c.push(bad_version, noutputs, &host);
      c.push(tiny, noutputs, &host);
      CHECK(c.counter("bad") == 3);
      if (!verbose) {
        CHECK(log.lines.empty());
        continue;
      }
      REQUIRE(log.lines.size() == 3);  // the good packet says nothing
      CHECK(log.lines[0].second == "IP header check failed: bad checksum");
      CHECK(log.lines[1].second == "IP header check failed: bad version");
      CHECK(log.lines[2].second == "IP header check failed: too short");
      for (const auto& [state, text] : log.lines) CHECK(state == c.state());
    }
  }
  CHECK(g_live_mbufs == 0);
}

// The element API's only ways to packet bytes: every view and checked read or write is empty or
// refused exactly when its bytes are not all inside the packet, for every packet length and
// offset. The mbufs are exactly as long as their data, so a read past the end is an
// AddressSanitizer error in the sanitizer build.
TEST_CASE("header views and checked reads and writes stop at the packet's end", "[kernels][bounds]") {
  for (std::uint32_t len = 0; len <= 72; ++len) {
    for (std::uint32_t off = 0; off <= len + 2; ++off) {
      INFO("length " << len << ", offset " << off);
      const bool fits_14 = off + 14 <= len, fits_20 = off + 20 <= len, fits_8 = off + 8 <= len;
      Context ctx(1, nullptr);
      Packet p = nb::detail::adopt(make_mbuf(iota_bytes(len)));
      CHECK(p.length() == len);
      CHECK(bool(p.ether(off)) == fits_14);
      CHECK(bool(p.ipv4(off)) == fits_20);
      CHECK(bool(p.tcp(off)) == fits_20);
      CHECK(bool(p.udp(off)) == fits_8);
      CHECK(bool(p.icmp(off)) == fits_8);
      CHECK(bool(p.arp(off)) == (off + 28 <= len));
      CHECK(p.has(off, 4) == (off + 4 <= len));
      std::uint8_t buf[4] = {0, 0, 0, 0};
      CHECK(p.read(off, buf, 4) == (off + 4 <= len));
      CHECK(p.write(off, buf, 4) == (off + 4 <= len));
      std::uint32_t v32 = 0;
      CHECK(p.read_be32(off, v32) == (off + 4 <= len));
      {
        const ByteView b = p.bytes_at(off, 3);
        CHECK(bool(b) == (off + 3 <= len));
        const ByteView rest = p.bytes_from(off);
        CHECK(bool(rest) == (off <= len));
        if (rest) {
          CHECK(rest.size() == len - off);
          // Inside a view, offsets are checked against what is left of the packet.
          CHECK(rest.read(rest.size(), buf, 1) == false);
          CHECK(rest.bytes(0, rest.size() + 1).empty());
          CHECK(rest.byte(rest.size()) == 0);
        }
      }
      if (const IPv4View ip = p.ipv4(off)) {
        CHECK(ip.available() == len - off);
        CHECK(ip.read(ip.available() - 1, buf, 2) == false);
      }
      ctx.drop(std::move(p), 0);
      Outcome out = collect(ctx);
      REQUIRE(out.drops.size() == 1);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIPHeader on every truncation of a packet never reads past its end", "[kernels][bounds]") {
  std::mt19937 rng(5);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    for (unsigned offset : {0u, 14u}) {
      Configured args(std::string("CheckIPHeader(OFFSET ") + std::to_string(offset) + ")", 1);
      Instance<CheckIPHeader> c(args, via);
      REQUIRE(c.ok());
      for (std::size_t options : {0u, 8u}) {
        const Bytes full = ip_packet(rng, offset, options, 20);
        for (std::size_t len = 0; len <= full.size(); ++len) {
          INFO("OFFSET " << offset << ", options " << options << ", length " << len);
          const Bytes in(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
          Outcome out = c.push(in, 1);
          std::uint32_t expect;
          if (len < offset + 20)
            expect = CheckIPHeader::kDrops["too short"];
          else if (len < offset + 20 + options)
            expect = CheckIPHeader::kDrops["bad header length"];
          else if (len < full.size())
            expect = CheckIPHeader::kDrops["bad total length"];
          else
            expect = CheckIPHeader::kDrops.size();
          if (expect == CheckIPHeader::kDrops.size())
            CHECK(out.sent_to(0));
          else
            CHECK(out.dropped_for(expect));
        }
      }
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIPHeader agrees with a reference on random packets", "[kernels]") {
  std::mt19937 rng(2024);
  const std::vector<std::uint32_t> bad = {0x0a0000ff, 0xffffffff};
  for (Via via : kBothWays) {
    INFO(name_of(via));
    for (bool checksum : {true, false}) {
      Configured args(std::string("CheckIPHeader(OFFSET 2, CHECKSUM ") + (checksum ? "true" : "false") +
                          ", BADSRC 10.0.0.255 255.255.255.255)",
                      2);
      Instance<CheckIPHeader> c(args, via);
      REQUIRE(c.ok());
      int valid = 0;
      std::map<std::uint32_t, int> seen;
      for (int i = 0; i < 4000; ++i) {
        Bytes in;
        if (i % 2) {
          const std::size_t options = 4 * (rng() % 3);
          in = ip_packet(rng, 2, options, rng() % 30, rng() % 4);
          if (rng() % 8 == 0) {
            in[14] = 10, in[15] = 0, in[16] = 0, in[17] = 255;
            set_checksum(in, 2, 20 + options);
          }
          // Spoil one random byte of the header now and then.
          if (rng() % 3 == 0) in[2 + rng() % 20] = static_cast<std::uint8_t>(rng());
          if (rng() % 4 == 0) in.resize(rng() % (in.size() + 1));
        } else {
          in = random_bytes(rng, rng() % 48);
          if (in.size() > 2 && rng() % 2) in[2] = static_cast<std::uint8_t>(0x40 | (in[2] & 15));
        }
        std::size_t total = 0;
        const std::uint32_t expect = reference_check(in, 2, checksum, bad, total);
        ++seen[expect];
        Outcome out = c.push(in, 2);
        INFO("packet " << i << ", length " << in.size());
        if (expect == CheckIPHeader::kDrops.size()) {
          ++valid;
          REQUIRE(out.sent_to(0));
          CHECK(out.emits[0].data() == Bytes(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(2 + total)));
          CHECK(anno_ref(out.emits[0].m.get()).network_offset == 2);
        } else {
          REQUIRE(out.sent_to(1));
          CHECK(out.emits[0].data() == in);
        }
      }
      // The random packets reach every verdict (checksum ones only when checked).
      for (std::uint32_t r = 0; r <= CheckIPHeader::kDrops.size(); ++r)
        if (checksum || r != CheckIPHeader::kDrops["bad checksum"]) CHECK(seen[r] > 0);
      CHECK(c.counter("bad") == static_cast<std::uint64_t>(4000 - valid));
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("CheckIPHeader configuration errors", "[kernels]") {
  for (const char* badsrc : {"10.0.0", "256.1.1.1", "1.2.3.4x", "1..2.3", "1.2.3.4.5", "-1.2.3.4", "a"}) {
    INFO("BADSRC " << badsrc);
    // BADSRC is an IPv4 address list: the compiler rejects bad addresses before configure runs.
    CHECK_FALSE(compiler::parse_value(ParamType::IPv4AddressList, badsrc).ok());
  }
  std::string sixteen, seventeen;
  for (int i = 0; i < 16; ++i) sixteen += "10.0.0." + std::to_string(i) + " ";
  seventeen = sixteen + "10.0.1.1";
  Configured ok(std::string("CheckIPHeader(BADSRC ") + sixteen + ")");
  Instance<CheckIPHeader> c16(ok, Via::Ops);
  REQUIRE(c16.ok());
  CHECK(c16.config().nbadsrc == 16);
  CHECK(c16.config().badsrc[15] == 0x0a00000f);
  Configured too_many(std::string("CheckIPHeader(BADSRC ") + seventeen + ")");
  CHECK_FALSE(Instance<CheckIPHeader>(too_many, Via::Ops).ok());
  Configured offset("CheckIPHeader(OFFSET 65535)");
  CHECK_FALSE(Instance<CheckIPHeader>(offset, Via::Ops).ok());
  Configured offset_max("CheckIPHeader(OFFSET 65534)");
  Instance<CheckIPHeader> far(offset_max, Via::Ops);
  REQUIRE(far.ok());
  CHECK(far.push(iota_bytes(40), 1).dropped_for(CheckIPHeader::kDrops["too short"]));
}

// ---- DecIPTTL ---------------------------------------------------------------------------------

TEST_CASE("DecIPTTL's incremental checksum equals a full recomputation for every checksum value", "[kernels]") {
  std::mt19937 rng(99);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("DecIPTTL", 2);
    Instance<DecIPTTL> d(args, via);
    REQUIRE(d.ok());
    int old_zero = 0, old_ffff = 0, new_zero = 0;
    // For every possible old checksum value h, build a header that h checks (h = 0xffff is
    // the second encoding of a zero sum): solve the identification field for it.
    for (std::uint32_t h = 0; h <= 0xffff; ++h) {
      Bytes p = ip_packet(rng, 0, 4 * (rng() % 2), rng() % 8);
      const std::size_t hlen = (p[0] & 15u) * 4;
      put_be16(p, 4, 0);
      put_be16(p, 10, static_cast<std::uint16_t>(h));
      // Sum of all words with ID 0 and checksum h; the ID must bring it to 0xffff (mod 0xffff).
      const std::uint32_t rest = ones_sum(p.data(), hlen) % 0xffff;
      std::uint32_t id = (0xffff - rest) % 0xffff;
      if (id == 0 && rng() % 2) id = 0xffff;  // the other encoding of zero
      put_be16(p, 4, static_cast<std::uint16_t>(id));
      REQUIRE(ones_sum(p.data(), hlen) == 0xffff);  // the header checks
      old_zero += h == 0;
      old_ffff += h == 0xffff;
      Outcome out = d.push(p, 2);
      REQUIRE(out.sent_to(0));
      const Bytes got = out.emits[0].data();
      INFO("old checksum " << h << ", TTL " << int(p[8]));
      REQUIRE(got.size() == p.size());
      CHECK(got[8] == p[8] - 1);
      const std::uint16_t sum = be16(got, 10);
      REQUIRE(sum == full_checksum(got.data(), hlen));
      new_zero += sum == 0;
      // Nothing else changed.
      Bytes expect = p;
      expect[8] = got[8];
      put_be16(expect, 10, sum);
      REQUIRE(got == expect);
    }
    CHECK(old_zero == 1);
    CHECK(old_ffff == 1);
    CHECK(new_zero > 0);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("DecIPTTL's checksum update over random headers and every TTL", "[kernels]") {
  std::mt19937 rng(4242);
  Configured args("DecIPTTL", 2);
  Instance<DecIPTTL> d(args, Via::Direct);
  REQUIRE(d.ok());
  Configured cargs("CheckIPHeader", 1);
  Instance<CheckIPHeader> check(cargs, Via::Direct);
  REQUIRE(check.ok());
  for (int i = 0; i < 20000; ++i) {
    Bytes p = ip_packet(rng, 0, 4 * (rng() % 11), rng() % 16);
    const std::size_t hlen = (p[0] & 15u) * 4;
    p[8] = static_cast<std::uint8_t>(2 + i % 254);
    set_checksum(p, 0, hlen);
    Outcome out = d.push(p, 2);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.emits[0].data();
    REQUIRE(got[8] == p[8] - 1);
    REQUIRE(be16(got, 10) == full_checksum(got.data(), hlen));
    // And CheckIPHeader accepts the result.
    REQUIRE(check.push(got, 1).sent_to(0));
  }
  // The update alone, for every old checksum, against RFC 1624 eqn. 3 written out with the
  // actual old and new TTL/protocol words: HC' = ~(~HC + ~m + m').
  for (std::uint32_t h = 0; h <= 0xffff; ++h) {
    const std::uint32_t ttl = 2 + rng() % 254, protocol = rng() % 256;
    const std::uint32_t m = ttl << 8 | protocol, m_new = (ttl - 1) << 8 | protocol;
    std::uint32_t s = (~h & 0xffff) + (~m & 0xffff) + m_new;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    const auto expect = static_cast<std::uint16_t>(~s);
    INFO("old checksum " << h << ", m " << m);
    REQUIRE(DecIPTTL::updated_checksum(static_cast<std::uint16_t>(h)) == expect);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("DecIPTTL expires TTL 0 and 1 to output 1 or drops them", "[kernels]") {
  std::mt19937 rng(8);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("DecIPTTL", 2);
    Instance<DecIPTTL> d(args, via);
    REQUIRE(d.ok());
    for (std::uint8_t ttl : {std::uint8_t{0}, std::uint8_t{1}}) {
      Bytes p = ip_packet(rng);
      p[8] = ttl;
      set_checksum(p, 0, 20);
      Outcome to1 = d.push(p, 2);
      REQUIRE(to1.sent_to(1));
      CHECK(to1.emits[0].data() == p);
      Outcome dropped = d.push(p, 1);
      CHECK(dropped.dropped_for(DecIPTTL::kDrops["expired"]));
    }
    CHECK(d.counter("expired") == 4);
    Bytes two = ip_packet(rng);
    two[8] = 2;
    set_checksum(two, 0, 20);
    Outcome out = d.push(two, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.emits[0].data()[8] == 1);
    CHECK(d.counter("expired") == 4);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("DecIPTTL passes multicast unchanged unless MULTICAST is true", "[kernels]") {
  std::mt19937 rng(9);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured off("DecIPTTL(MULTICAST false)", 2);
    Configured on("DecIPTTL", 2);  // default true
    Instance<DecIPTTL> no_mc(off, via), mc(on, via);
    REQUIRE(no_mc.ok());
    REQUIRE(mc.ok());
    for (std::uint8_t first : {std::uint8_t{224}, std::uint8_t{239}, std::uint8_t{223}, std::uint8_t{240}}) {
      INFO("destination " << int(first) << ".x.x.x");
      const bool multicast = first >= 224 && first <= 239;
      for (std::uint8_t ttl : {std::uint8_t{1}, std::uint8_t{64}}) {
        Bytes p = ip_packet(rng);
        p[16] = first;
        p[8] = ttl;
        set_checksum(p, 0, 20);
        Outcome a = no_mc.push(p, 2);
        if (multicast) {
          REQUIRE(a.sent_to(0));
          CHECK(a.emits[0].data() == p);
        } else {
          REQUIRE(a.sent_to(ttl == 1 ? 1 : 0));
          if (ttl > 1) CHECK(a.emits[0].data()[8] == ttl - 1);
        }
        Outcome b = mc.push(p, 2);
        REQUIRE(b.sent_to(ttl == 1 ? 1 : 0));
        if (ttl > 1) CHECK(b.emits[0].data()[8] == ttl - 1);
      }
    }
  }
  CHECK(g_live_mbufs == 0);
}

// Click's ACTIVE: false starts the element inactive (packets pass unchanged) until the `active`
// handler is written; the runtime's setup() puts ACTIVE into the State the handler writes.
TEST_CASE("DecIPTTL with ACTIVE false passes packets unchanged until active is written", "[kernels][click]") {
  std::mt19937 rng(11);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured off("DecIPTTL(ACTIVE false)", 2);
    Configured on("DecIPTTL(ACTIVE true)", 2);
    Instance<DecIPTTL> idle(off, via), busy(on, via);
    REQUIRE(idle.ok());
    REQUIRE(busy.ok());
    idle.setup();
    busy.setup();
    for (std::uint8_t ttl : {std::uint8_t{1}, std::uint8_t{64}}) {
      Bytes p = ip_packet(rng);
      p[8] = ttl;
      set_checksum(p, 0, 20);
      Outcome a = idle.push(p, 2);
      REQUIRE(a.sent_to(0));
      CHECK(a.emits[0].data() == p);
      Outcome b = busy.push(p, 2);
      REQUIRE(b.sent_to(ttl == 1 ? 1 : 0));
      if (ttl > 1) CHECK(b.emits[0].data()[8] == ttl - 1);
    }
    CHECK(idle.counter("expired") == 0);
    static_cast<DecIPTTL::State*>(idle.mutable_state())->active = true;  // what writing `active` does
    Bytes p = ip_packet(rng);
    p[8] = 9;
    set_checksum(p, 0, 20);
    Outcome c = idle.push(p, 2);
    REQUIRE(c.sent_to(0));
    CHECK(c.emits[0].data()[8] == 8);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("DecIPTTL uses the network header annotation and drops short packets", "[kernels][bounds]") {
  std::mt19937 rng(10);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("DecIPTTL", 1);
    Instance<DecIPTTL> d(args, via);
    REQUIRE(d.ok());
    // Header after an Ethernet header, found through the annotation.
    const Bytes in = ip_packet(rng, 14);
    rte_mbuf* m = make_mbuf(in);
    anno_ref(m).network_offset = 14;
    Outcome out = d.push(m, 1);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.emits[0].data();
    CHECK(Bytes(got.begin(), got.begin() + 14) == Bytes(in.begin(), in.begin() + 14));
    CHECK(got[14 + 8] == in[14 + 8] - 1);
    CHECK(be16(got, 24) == full_checksum(got.data() + 14, 20));
    // Every length from 0 to 40 with the header at 0 (no annotation), 14 and 30.
    for (std::uint16_t offset : {std::uint16_t{0xffff}, std::uint16_t{14}, std::uint16_t{30}}) {
      const std::size_t at = offset == 0xffff ? 0 : offset;
      const Bytes full = ip_packet(rng, at, 0, 20);
      for (std::size_t len = 0; len <= 40; ++len) {
        INFO("network_offset " << offset << ", length " << len);
        const Bytes part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(std::min(len, full.size())));
        rte_mbuf* pm = make_mbuf(part);
        anno_ref(pm).network_offset = offset;
        Outcome o = d.push(pm, 1);
        if (len < at + 20)
          CHECK(o.dropped_for(DecIPTTL::kDrops["malformed"]));
        else
          CHECK(o.sent_to(0));
      }
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Strip, CheckIPHeader, DecIPTTL, Unstrip: a router's IP path", "[kernels]") {
  std::mt19937 rng(12);
  Configured sa("Strip(LENGTH 14)");
  Configured ca("CheckIPHeader", 1);
  Configured da("DecIPTTL", 1);
  Configured ua("Unstrip(LENGTH 14)");
  Instance<Strip> strip(sa, Via::Ops);
  Instance<CheckIPHeader> check(ca, Via::Ops);
  Instance<DecIPTTL> dec(da, Via::Ops);
  Instance<Unstrip> unstrip(ua, Via::Ops);
  for (int i = 0; i < 200; ++i) {
    const Bytes in = ip_packet(rng, 14, 4 * (rng() % 3), rng() % 40, rng() % 5);
    const std::size_t hlen = (in[14] & 15u) * 4;
    const std::size_t total = be16(in, 16);
    rte_mbuf* m = make_mbuf(in);
    for (auto step : {0, 1, 2, 3}) {
      Outcome out = step == 0   ? strip.push(m, 1)
                    : step == 1 ? check.push(m, 1)
                    : step == 2 ? dec.push(m, 1)
                                : unstrip.push(m, 1);
      REQUIRE(out.sent_to(0));
      m = out.emits[0].m.release();
    }
    const Bytes got = data_of(m);
    MbufFree{}(m);
    REQUIRE(got.size() == 14 + total);  // padding trimmed
    CHECK(Bytes(got.begin(), got.begin() + 14) == Bytes(in.begin(), in.begin() + 14));
    CHECK(got[22] == in[22] - 1);
    CHECK(ones_sum(got.data() + 14, hlen) == 0xffff);
  }
  CHECK(g_live_mbufs == 0);
}

// ---- Classifier -------------------------------------------------------------------------------

namespace {

// Click's rule, stated directly: a clause holds when every byte it compares (mask not zero) is
// inside the packet and equal under the mask; a negated clause holds when that is false.
bool reference_match(const elements::byte_pattern::Pattern& bp, const Bytes& pkt) {
  if (bp.match_all) return true;
  for (const elements::byte_pattern::Clause& c : bp.clauses) {
    bool equal = true;
    for (std::size_t j = 0; j < c.value.size(); ++j) {
      if (c.mask[j] == 0) continue;
      const std::uint64_t at = std::uint64_t{c.offset} + j;
      if (at >= pkt.size() || (pkt[at] & c.mask[j]) != (c.value[j] & c.mask[j])) {
        equal = false;
        break;
      }
    }
    if (equal == c.negated) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("Classifier sends each packet to its first matching pattern", "[kernels]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -)", 4);
    Instance<Classifier> c(args, via);
    REQUIRE(c.ok());
    auto frame = [](std::uint16_t type, std::uint16_t op) {
      Bytes f = iota_bytes(42);
      put_be16(f, 12, type);
      put_be16(f, 20, op);
      return f;
    };
    CHECK(c.push(frame(0x0806, 1), 4).sent_to(0));
    CHECK(c.push(frame(0x0806, 2), 4).sent_to(1));
    CHECK(c.push(frame(0x0806, 3), 4).sent_to(3));
    CHECK(c.push(frame(0x0800, 1), 4).sent_to(2));
    CHECK(c.push(frame(0x86dd, 1), 4).sent_to(3));
    CHECK(c.push(Bytes{}, 4).sent_to(3));

    Configured no_default("Classifier(12/0800, !12/0806 14/4?)", 2);
    Instance<Classifier> n(no_default, via);
    REQUIRE(n.ok());
    Bytes v4 = frame(0x86dd, 0);
    v4[14] = 0x45;
    CHECK(n.push(frame(0x0800, 0), 2).sent_to(0));
    CHECK(n.push(v4, 2).sent_to(1));
    v4[14] = 0x65;
    CHECK(n.push(v4, 2).dropped_for(Classifier::kDrops["no match"]));
    CHECK(n.push(frame(0x0806, 0), 2).dropped_for(Classifier::kDrops["no match"]));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Classifier clauses past the packet's end are false, their negations true", "[kernels][bounds]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("Classifier(12/0800, !12/0800 0/00%00, -)", 3);
    Instance<Classifier> c(args, via);
    REQUIRE(c.ok());
    for (std::size_t len = 0; len <= 40; ++len) {
      INFO("length " << len);
      Bytes p(len, 0);
      if (len > 12) p[12] = 8;
      // 12/0800 needs 14 bytes; shorter packets fall through to the negation.
      CHECK(c.push(p, 3).sent_to(len >= 14 ? 0 : 1));
    }
    // Zero-mask bytes are not compared: 12/08?? needs 13 bytes only.
    Configured wild("Classifier(12/08??, !12/08?\?)", 2);
    Instance<Classifier> w(wild, via);
    REQUIRE(w.ok());
    for (std::size_t len = 0; len <= 20; ++len) {
      Bytes p(len, 0);
      if (len > 12) p[12] = 8;
      CHECK(w.push(p, 2).sent_to(len >= 13 ? 0 : 1));
    }
    // A clause that compares nothing always holds; negated, never.
    Configured nothing("Classifier(!100/??, 100/????, -)", 3);
    Instance<Classifier> z(nothing, via);
    REQUIRE(z.ok());
    CHECK(z.push(Bytes{}, 3).sent_to(1));
    CHECK(z.push(Bytes(200, 1), 3).sent_to(1));
    // Offsets near 4 GiB are past every packet's end.
    Configured huge("Classifier(4294967295/00, !4294967295/ffff)", 2);
    Instance<Classifier> h(huge, via);
    REQUIRE(h.ok());
    CHECK(h.push(Bytes(64, 0), 2).sent_to(1));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Classifier splits long clauses and enforces its limits", "[kernels]") {
  std::string hex40;
  Bytes body(40);
  for (std::size_t i = 0; i < 40; ++i) {
    body[i] = static_cast<std::uint8_t>(i * 7 + 1);
    static const char* digits = "0123456789abcdef";
    hex40 += digits[body[i] >> 4];
    hex40 += digits[body[i] & 15];
  }
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args(std::string("Classifier(") + ("2/" + hex40) + ", -)", 2);
    Instance<Classifier> c(args, via);
    REQUIRE(c.ok());
    CHECK(c.config().patterns[0].nclauses == 3);  // 16 + 16 + 8 bytes
    Bytes p(42, 0);
    std::copy(body.begin(), body.end(), p.begin() + 2);
    CHECK(c.push(p, 2).sent_to(0));
    for (std::size_t i = 2; i < 42; ++i) {
      Bytes q = p;
      q[i] ^= 0x10;
      CHECK(c.push(q, 2).sent_to(1));
    }
    Bytes shorter(p.begin(), p.end() - 1);
    CHECK(c.push(shorter, 2).sent_to(1));
  }
  // Zero-mask runs inside a clause are not stored.
  Configured gaps(std::string("Classifier(") + ("0/ff" + std::string(60, '?') + "ff") + ")", 1);
  Instance<Classifier> g(gaps, Via::Ops);
  REQUIRE(g.ok());
  CHECK(g.config().patterns[0].nclauses == 2);

  std::vector<std::string> many(Classifier::kMaxPatterns + 1, "-");
  Configured too_many(std::string("Classifier(") + join_args(many) + ")", static_cast<std::uint32_t>(many.size()));
  Instance<Classifier> t(too_many, Via::Ops);
  CHECK_FALSE(t.ok());
  CHECK(t.error().find("64") != std::string::npos);
  many.pop_back();
  Configured most(std::string("Classifier(") + join_args(many) + ")", static_cast<std::uint32_t>(many.size()));
  CHECK(Instance<Classifier>(most, Via::Ops).ok());

  Configured nine("Classifier(0/00 1/00 2/00 3/00 4/00 5/00 6/00 7/00 8/00)", 1);
  Instance<Classifier> n9(nine, Via::Ops);
  CHECK_FALSE(n9.ok());
  CHECK(n9.error().find("pattern 0") != std::string::npos);
  Configured eight("Classifier(0/00 1/00 2/00 3/00 4/00 5/00 6/00 7/00)", 1);
  CHECK(Instance<Classifier>(eight, Via::Ops).ok());
  const std::string hex128 = hex40 + hex40 + hex40 + hex40.substr(0, 16);
  Configured split_most(std::string("Classifier(") + ("0/" + hex128) + ")", 1);  // 128 bytes: 8 clauses of 16
  Instance<Classifier> most8(split_most, Via::Ops);
  REQUIRE(most8.ok());
  CHECK(most8.config().patterns[0].nclauses == 8);
  Configured split_over(std::string("Classifier(") + ("0/" + hex128 + "00") + ", -)", 2);  // 129 bytes: 9 clauses
  CHECK_FALSE(Instance<Classifier>(split_over, Via::Ops).ok());

  Configured neg16(std::string("Classifier(") + ("!0/" + hex40.substr(0, 32)) + ")", 1);
  CHECK(Instance<Classifier>(neg16, Via::Ops).ok());
  Configured neg17(std::string("Classifier(") + ("!0/" + hex40.substr(0, 34)) + ")", 1);
  Instance<Classifier> n17(neg17, Via::Ops);
  CHECK_FALSE(n17.ok());
  CHECK(n17.error().find("negated") != std::string::npos);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Classifier agrees with a reference matcher on random patterns and packets", "[kernels]") {
  std::mt19937 rng(31337);
  // Few distinct byte values, so that patterns match often enough to matter.
  const std::uint8_t alphabet[] = {0x00, 0x08, 0x06, 0x45, 0xff};
  static const char* digits = "0123456789abcdef";
  auto hex = [&](std::uint8_t b) { return std::string{digits[b >> 4], digits[b & 15]}; };
  std::map<std::string, int> outcomes;
  for (int round = 0; round < 300; ++round) {
    const std::size_t npatterns = 1 + rng() % 6;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < npatterns; ++i) {
      if (rng() % 12 == 0) {
        texts.push_back("-");
        continue;
      }
      std::string text;
      const std::size_t nclauses = 1 + rng() % 3;
      for (std::size_t k = 0; k < nclauses; ++k) {
        const bool negated = rng() % 4 == 0;
        const std::size_t n = negated || rng() % 6 ? 1 + rng() % 3 : 1 + rng() % 20;
        const std::size_t offset = rng() % 44;
        std::string value, mask;
        const bool with_mask = rng() % 3 == 0;
        for (std::size_t j = 0; j < n; ++j) {
          std::string v = hex(alphabet[rng() % std::size(alphabet)]);
          for (char& d : v)
            if (rng() % 8 == 0) d = '?';
          value += v;
          mask += with_mask ? hex(std::uint8_t(rng() % 3 == 0 ? rng() : 0xff)) : "";
        }
        if (k) text += ' ';
        text += (negated ? "!" : "") + std::to_string(offset) + "/" + value + (with_mask ? "%" + mask : "");
      }
      texts.push_back(text);
    }
    Configured args(std::string("Classifier(") + join_args(texts) + ")", static_cast<std::uint32_t>(npatterns));
    std::vector<elements::byte_pattern::Pattern> patterns;
    for (const std::string& t : texts) {
      std::vector<ParamError> errors;
      patterns.emplace_back();
      REQUIRE(elements::byte_pattern::parse(t, patterns.back(), errors));
    }
    for (Via via : kBothWays) {
      Instance<Classifier> c(args, via);
      std::string all;
      for (const auto& t : texts) all += "\n  " + t;
      INFO(name_of(via) << ", patterns:" << all);
      REQUIRE(c.ok());
      for (int i = 0; i < 40; ++i) {
        Bytes p(rng() % 49);
        for (auto& b : p) b = alphabet[rng() % std::size(alphabet)];
        std::uint32_t expect = static_cast<std::uint32_t>(npatterns);
        for (std::size_t k = 0; k < npatterns; ++k)
          if (reference_match(patterns[k], p)) {
            expect = static_cast<std::uint32_t>(k);
            break;
          }
        Outcome out = c.push(p, static_cast<std::uint32_t>(npatterns));
        INFO("packet of " << p.size() << " bytes, expected " << expect);
        if (expect == npatterns) {
          REQUIRE(out.dropped_for(Classifier::kDrops["no match"]));
          ++outcomes["no match"];
        } else {
          REQUIRE(out.sent_to(expect));
          REQUIRE(out.emits[0].data() == p);
          ++outcomes[expect == 0 ? "first" : "later"];
        }
      }
    }
  }
  // The random cases exercised every kind of verdict.
  CHECK(outcomes["no match"] > 100);
  CHECK(outcomes["first"] > 100);
  CHECK(outcomes["later"] > 100);
  CHECK(g_live_mbufs == 0);
}

// ---- Router elements (configs/router.nbc) ---------------------------------------------------

namespace {

// The Internet checksum over any number of bytes (odd tail padded), folded, not inverted.
std::uint16_t inet_sum(const std::uint8_t* d, std::size_t n) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) s += std::uint32_t{d[i]} << 8 | d[i + 1];
  if (n % 2) s += std::uint32_t{d[n - 1]} << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

Bytes arp_frame(std::uint16_t op, std::uint32_t spa, std::uint32_t tpa) {
  Bytes f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x06,
             0,    1,    0x08, 0,    6,    4,    0,    static_cast<std::uint8_t>(op), 0x02, 0, 0, 0, 0, 0x0a};
  for (int i = 3; i >= 0; --i) f.push_back(static_cast<std::uint8_t>(spa >> (8 * i)));
  for (int i = 0; i < 6; ++i) f.push_back(0);
  for (int i = 3; i >= 0; --i) f.push_back(static_cast<std::uint8_t>(tpa >> (8 * i)));
  return f;
}

}  // namespace

TEST_CASE("ICMPError builds RFC 792 messages and survives any bad packet", "[kernels][nf][bounds]") {
  std::mt19937 rng(812);
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("ICMPError(SRC 10.1.0.1, TYPE timeexceeded, CODE transit)");
    Instance<ICMPError> e(args, via);
    REQUIRE(e.ok());
    int sent = 0, dropped = 0;
    for (int i = 0; i < 4000; ++i) {
      // Valid headers with options, fragments, short and long total lengths, truncations, and
      // plain garbage of every small length.
      Bytes p;
      if (i % 4 == 0) {
        p = random_bytes(rng, rng() % 64);
      } else {
        p = ip_packet(rng, 0, 4 * (rng() % 11), rng() % 40);
        const std::size_t hl = (p[0] & 15u) * 4;
        p[0] = static_cast<std::uint8_t>(0x40 | hl / 4);
        p[9] = static_cast<std::uint8_t>(rng() % 3 ? 17 : 1);
        put_be16(p, 6, rng() % 4 ? 0 : static_cast<std::uint16_t>(rng()));
        put_be16(p, 2, rng() % 4 ? static_cast<std::uint16_t>(p.size()) : static_cast<std::uint16_t>(rng() % 100));
        p[12] = 10;  // a unicast source
        set_checksum(p, 0, hl);
        if (rng() % 5 == 0) p.resize(rng() % p.size());
      }
      const Bytes in = p;
      Outcome out = e.push(p, 1);
      if (out.emits.empty()) {
        REQUIRE(out.drops.size() == 1);
        ++dropped;
        continue;
      }
      REQUIRE(out.sent_to(0));
      ++sent;
      const Bytes got = out.emits[0].data();
      const std::size_t hl = (in[0] & 15u) * 4;
      // Click's quote: everything from the IP header on, up to the 576-byte message (RFC 1812).
      const std::size_t quote = std::min<std::size_t>(576 - 28, in.size());
      CHECK(quote >= std::min<std::size_t>(hl + 8, in.size()));  // at least RFC 792's
      INFO("packet " << i << ", " << in.size() << " bytes");
      REQUIRE(got.size() == 28 + quote);
      CHECK(got[0] == 0x45);
      CHECK(be16(got, 2) == got.size());
      CHECK(got[8] == 255);
      CHECK(got[9] == 1);
      CHECK(inet_sum(got.data(), 20) == 0xffff);  // IP header checksum
      CHECK(Bytes(got.begin() + 12, got.begin() + 16) == Bytes{10, 1, 0, 1});
      CHECK(Bytes(got.begin() + 16, got.begin() + 20) == Bytes(in.begin() + 12, in.begin() + 16));
      CHECK(got[20] == 11);
      CHECK(got[21] == 0);
      CHECK(inet_sum(got.data() + 20, got.size() - 20) == 0xffff);  // ICMP checksum
      CHECK(Bytes(got.begin() + 28, got.end()) == Bytes(in.begin(), in.begin() + static_cast<long>(quote)));
      CHECK(anno_ref(out.emits[0].m.get()).network_offset == 0);
    }
    CHECK(sent > 500);
    CHECK(dropped > 500);
    CHECK(e.counter("errors") == static_cast<std::uint64_t>(sent));
  }
  CHECK(g_live_mbufs == 0);
}

// Click (and RFC 1812 4.3.2.3) quote as much of the datagram as fits in a 576-byte message; MTU
// sets that size; BADADDRS are addresses that get no error, as source or destination.
TEST_CASE("ICMPError quotes up to MTU bytes and skips BADADDRS, as Click does", "[kernels][nf][click]") {
  std::mt19937 rng(576);
  {
    Configured plain("ICMPError(10.1.0.1, timeexceeded)");
    Configured small("ICMPError(10.1.0.1, timeexceeded, MTU 100)");
    Configured bad("ICMPError(10.1.0.1, unreachable, host, 10.9.9.9 10.255.255.255)");
    Instance<ICMPError> e(plain, Via::Ops), s(small, Via::Ops), b(bad, Via::Ops);
    REQUIRE(e.ok());
    REQUIRE(s.ok());
    REQUIRE(b.ok());
    Bytes big = ip_packet(rng, 0, 0, 980);  // a 1000-byte datagram
    big[0] = 0x45;
    big[9] = 17;
    put_be16(big, 2, static_cast<std::uint16_t>(big.size()));
    put_be16(big, 6, 0);
    big[12] = 10, big[13] = 2, big[14] = 3, big[15] = 4;
    big[16] = 10, big[17] = 5, big[18] = 6, big[19] = 7;
    set_checksum(big, 0, 20);
    for (auto [inst, size] : {std::pair{&e, std::size_t{576}}, std::pair{&s, std::size_t{100}}}) {
      Outcome out = inst->push(big, 1);
      REQUIRE(out.sent_to(0));
      const Bytes got = out.emits[0].data();
      REQUIRE(got.size() == size);
      CHECK(be16(got, 2) == size);
      CHECK(inet_sum(got.data(), 20) == 0xffff);
      CHECK(inet_sum(got.data() + 20, got.size() - 20) == 0xffff);
      CHECK(Bytes(got.begin() + 28, got.end()) == Bytes(big.begin(), big.begin() + static_cast<long>(size - 28)));
    }
    // A short datagram is quoted whole.
    Bytes short_one(big.begin(), big.begin() + 60);
    put_be16(short_one, 2, 60);
    set_checksum(short_one, 0, 20);
    Outcome whole = e.push(short_one, 1);
    REQUIRE(whole.sent_to(0));
    CHECK(whole.emits[0].data().size() == 88);
    // BADADDRS, as source or as destination: no error.
    CHECK(b.push(big, 1).sent_to(0));
    for (std::size_t at : {std::size_t{12}, std::size_t{16}}) {
      Bytes p = big;
      p[at] = 10, p[at + 1] = 9, p[at + 2] = 9, p[at + 3] = 9;
      set_checksum(p, 0, 20);
      CHECK(b.push(p, 1).dropped_for(ICMPError::kDrops["no error allowed"]));
      CHECK(e.push(p, 1).sent_to(0));  // only the element given them skips them
    }
    CHECK(b.counter("suppressed") == 2);
    Configured tiny("ICMPError(10.1.0.1, timeexceeded, MTU 95)");
    CHECK_FALSE(tiny.front_end_ok());
    CHECK_THAT(tiny.diagnostics(), Catch::Matchers::Contains("smaller than the minimum 96"));
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMPError sends no error about ICMP errors, later fragments or broadcasts", "[kernels][nf]") {
  std::mt19937 rng(7);
  Configured args("ICMPError(SRC 10.1.0.1, TYPE unreachable, CODE net)");
  Instance<ICMPError> e(args, Via::Direct);
  REQUIRE(e.ok());
  auto packet = [&](std::uint8_t proto, std::uint8_t icmp_type, std::uint16_t frag, std::uint8_t dst0) {
    Bytes p = ip_packet(rng, 0, 0, 20);
    p[0] = 0x45;
    p[9] = proto;
    p[20] = icmp_type;
    put_be16(p, 2, static_cast<std::uint16_t>(p.size()));
    put_be16(p, 6, frag);
    p[12] = 10;
    p[16] = dst0;
    set_checksum(p, 0, 20);
    return p;
  };
  CHECK(e.push(packet(1, 8, 0, 10), 1).sent_to(0));    // echo request: yes
  CHECK(e.push(packet(1, 3, 0, 10), 1).dropped_for(ICMPError::kDrops["no error allowed"]));   // an error: no
  CHECK(e.push(packet(1, 11, 0, 10), 1).dropped_for(ICMPError::kDrops["no error allowed"]));
  CHECK(e.push(packet(17, 0, 0x2000, 10), 1).sent_to(0));  // first fragment: yes
  CHECK(e.push(packet(17, 0, 0x0010, 10), 1).dropped_for(ICMPError::kDrops["no error allowed"]));  // later fragment
  CHECK(e.push(packet(17, 0, 0, 239), 1).dropped_for(ICMPError::kDrops["no error allowed"]));      // multicast
  CHECK(e.counter("suppressed") == 4);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMPError rejects unknown types and codes", "[kernels][nf]") {
  Configured bad_type("ICMPError(SRC 10.1.0.1, TYPE nonsense)");
  CHECK_FALSE(Instance<ICMPError>(bad_type, Via::Direct).ok());
  Configured bad_code("ICMPError(SRC 10.1.0.1, TYPE unreachable, CODE transit)");
  CHECK_FALSE(Instance<ICMPError>(bad_code, Via::Direct).ok());
  Configured numeric("ICMPError(SRC 10.1.0.1, TYPE 12, CODE 1)");
  CHECK(Instance<ICMPError>(numeric, Via::Direct).ok());
  // Click's names for every type's codes (fake-iprouter.click writes `redirect, host`).
  const std::pair<const char*, std::uint8_t> named[] = {{"redirect, host", 1},        {"redirect, toshost", 3},
                                                        {"parameterproblem, length", 2}, {"unreachable, isolated", 8},
                                                        {"unreachable, hostprohibited", 10}, {"unreachable, precedencecutoff", 15}};
  for (const auto& [args, code] : named) {
    INFO(args);
    Configured c(std::string("ICMPError(10.1.0.1, ") + args + ")");
    Instance<ICMPError> e(c, Via::Direct);
    REQUIRE(e.ok());
    CHECK(e.config().code == code);
  }
  Configured bad_redirect("ICMPError(10.1.0.1, redirect, needfrag)");
  CHECK_FALSE(Instance<ICMPError>(bad_redirect, Via::Direct).ok());
}

TEST_CASE("LookupIPRoute checks its routes in configure", "[kernels][nf]") {
  Configured good("LookupIPRoute(10.0.0.0/8 0, 0.0.0.0/0 10.0.0.1 1, 10.1.2.3/255.255.0.0 1)", 2);
  Instance<LookupIPRoute> rt(good, Via::Ops);
  REQUIRE(rt.ok());
  CHECK(rt.config().nroutes == 3);
  CHECK(rt.config().routes[1].gateway == 0x0a000001);
  CHECK(rt.config().routes[2].addr == 0x0a010000);  // masked to its prefix
  CHECK(rt.config().routes[2].length == 16);
  // Click's abbreviated prefixes (10.0.0/8, 0/0) are the same routes.
  Configured short_form("LookupIPRoute(10.0.0/8 0, 0/0 10.0.0.1 1)", 2);
  Instance<LookupIPRoute> sr(short_form, Via::Direct);
  REQUIRE(sr.ok());
  CHECK(sr.config().routes[0].addr == 0x0a000000);
  CHECK(sr.config().routes[0].length == 8);
  CHECK(sr.config().routes[1].length == 0);
  for (const char* bad : {"10.0.0.0/33 0", "10.0.0.0/8", "10.0.0.0/8 x 0", "10.0.0.0/8 0 0 0", "10.0/24 0",
                          "10.0.0.0/255.0.255.0 0", "10.0.0.0/8 2"}) {
    INFO(bad);
    Configured args(std::string("LookupIPRoute(") + bad + ")", 2);
    Instance<LookupIPRoute> r(args, Via::Direct);
    CHECK_FALSE(r.ok());
    // The spec's validate hook reports what the front end can see at the argument; configure
    // what needs the output count.
    CHECK((r.error().find("invalid ROUTE of LookupIPRoute") != std::string::npos ||
           r.error().find("route 1") != std::string::npos));
  }
  // Without setup (no EAL) there is no table: every packet is "no route", nothing is read.
  std::mt19937 rng(3);
  CHECK(rt.push(ip_packet(rng), 2).dropped_for(LookupIPRoute::kDrops["no route"]));
  CHECK(rt.push(Bytes(10, 0), 2).dropped_for(LookupIPRoute::kDrops["malformed"]));
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ARPResponder answers requests for its addresses only", "[kernels][nf]") {
  for (Via via : kBothWays) {
    Configured args("ARPResponder(10.1.0.1 10.9.0.0/16 02:00:0a:01:00:01)", 1);
    Instance<ARPResponder> r(args, via);
    REQUIRE(r.ok());
    Outcome out = r.push(arp_frame(1, 0x0a010002, 0x0a010001), 1);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.emits[0].data();
    CHECK(Bytes(got.begin(), got.begin() + 6) == Bytes{0x02, 0, 0, 0, 0, 0x0a});     // to the asker
    CHECK(Bytes(got.begin() + 6, got.begin() + 12) == Bytes{2, 0, 0x0a, 1, 0, 1});  // from us
    CHECK(be16(got, 20) == 2);                                                       // a reply
    CHECK(Bytes(got.begin() + 22, got.begin() + 32) == Bytes{2, 0, 0x0a, 1, 0, 1, 10, 1, 0, 1});
    CHECK(Bytes(got.begin() + 32, got.begin() + 42) == Bytes{2, 0, 0, 0, 0, 0x0a, 10, 1, 0, 2});
    CHECK(r.push(arp_frame(1, 0x0a010002, 0x0a090505), 1).sent_to(0));  // inside the prefix
    CHECK(r.push(arp_frame(1, 0x0a010002, 0x0a010003), 1).dropped_for(ARPResponder::kDrops["not ours"]));
    CHECK(r.push(arp_frame(2, 0x0a010002, 0x0a010001), 1).dropped_for(ARPResponder::kDrops["not a request"]));
    Bytes cut = arp_frame(1, 0x0a010002, 0x0a010001);
    for (std::size_t n = 0; n < cut.size(); ++n)
      CHECK(r.push(Bytes(cut.begin(), cut.begin() + static_cast<long>(n)), 1).dropped_for(ARPResponder::kDrops["malformed"]));
  }
  Configured no_ether("ARPResponder(10.1.0.1)", 1);
  CHECK_FALSE(Instance<ARPResponder>(no_ether, Via::Direct).ok());
  // An entry's Ethernet address reads as an Ethernet address argument does (nb::text::scan_ether).
  Configured short_bytes("ARPResponder(10.1.0.1 2:0:a:1:0:1)", 1);
  CHECK(Instance<ARPResponder>(short_bytes, Via::Direct).ok());
  Configured dashes("ARPResponder(10.1.0.1 02-00-0a-01-00-01)", 1);
  CHECK(Instance<ARPResponder>(dashes, Via::Direct).ok());
  Configured mixed("ARPResponder(10.1.0.1 02:00-0a:01:00:01)", 1);
  CHECK_FALSE(Instance<ARPResponder>(mixed, Via::Direct).ok());
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ARPQuerier queries unknown next hops and encapsulates known ones", "[kernels][nf]") {
  std::mt19937 rng(11);
  for (Via via : kBothWays) {
    Configured args("ARPQuerier(IP 10.2.0.1, ETH 02:00:0a:02:00:01)", 1);
    Instance<ARPQuerier> q(args, via);
    REQUIRE(q.ok());
    q.setup();
    Bytes ip = ip_packet(rng, 0, 0, 20);
    ip[0] = 0x45;
    ip[16] = 10, ip[17] = 2, ip[18] = 0, ip[19] = 2;
    // Unknown: the packet becomes the ARP request for 10.2.0.2.
    Outcome out = q.push(ip, 1);
    REQUIRE(out.sent_to(0));
    Bytes got = out.emits[0].data();
    REQUIRE(got.size() == 60);
    CHECK(be16(got, 12) == 0x0806);
    CHECK(be16(got, 20) == 1);
    CHECK(Bytes(got.begin() + 28, got.begin() + 32) == Bytes{10, 2, 0, 1});
    CHECK(Bytes(got.begin() + 38, got.begin() + 42) == Bytes{10, 2, 0, 2});
    CHECK(std::all_of(got.begin() + 42, got.end(), [](std::uint8_t b) { return b == 0; }));
    // The reply fills the cache (and is consumed); then the packet goes out encapsulated.
    Bytes reply = arp_frame(2, 0x0a020002, 0x0a020001);
    CHECK(q.push(make_mbuf(reply), 1, nullptr, 1).dropped_for(ARPQuerier::kDrops["reply used"]));
    out = q.push(ip, 1);
    REQUIRE(out.sent_to(0));
    got = out.emits[0].data();
    REQUIRE(got.size() == ip.size() + 14);
    CHECK(Bytes(got.begin(), got.begin() + 6) == Bytes{0x02, 0, 0, 0, 0, 0x0a});
    CHECK(Bytes(got.begin() + 14, got.end()) == ip);
    CHECK(q.counter("queries") == 1);
    CHECK(q.counter("encapsulated") == 1);
    // Bad input on either port is dropped, never read beyond its end.
    for (std::size_t n = 0; n < 20; ++n)
      CHECK(q.push(Bytes(ip.begin(), ip.begin() + static_cast<long>(n)), 1).dropped_for(ARPQuerier::kDrops["malformed"]));
    for (std::size_t n = 0; n < reply.size(); ++n)
      CHECK(q.push(make_mbuf(Bytes(reply.begin(), reply.begin() + static_cast<long>(n))), 1, nullptr, 1)
                .dropped_for(ARPQuerier::kDrops["malformed"]));
    // No headroom for the query: dropped.
    CHECK(q.push(make_mbuf(Bytes(ip.begin(), ip.end()), 0), 1).drops.size() == 1);
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("EtherEncap prepends its header or drops for want of headroom", "[kernels][nf]") {
  Configured args("EtherEncap(ETHERTYPE 0x0800, SRC 02:00:00:00:00:01, DST 02:00:00:00:00:02)");
  Instance<EtherEncap> e(args, Via::Ops);
  REQUIRE(e.ok());
  {
    Outcome out = e.push(Bytes{1, 2, 3}, 1);
    REQUIRE(out.sent_to(0));
    CHECK(out.emits[0].data() == Bytes{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, 1, 2, 3});
  }
  CHECK(e.push(make_mbuf(Bytes{1, 2, 3}, 13), 1).dropped_for(EtherEncap::kDrops["no headroom"]));
  CHECK(g_live_mbufs == 0);
}

// ---- parameters whose effect no other test reached (tests/params/coverage.txt) -----------------

namespace {
// A UDP packet of flow `n` (its source address), IP header at 0.
Bytes udp_flow_packet(std::mt19937& rng, std::uint32_t n) {
  Bytes p = ip_packet(rng, 0, 0, 20);
  p[9] = 17;
  p[12] = 10, p[13] = static_cast<std::uint8_t>(n >> 16), p[14] = static_cast<std::uint8_t>(n >> 8),
  p[15] = static_cast<std::uint8_t>(n);
  set_checksum(p, 0, 20);
  put_be16(p, 24, 0);  // no UDP checksum
  return p;
}
}  // namespace

TEST_CASE("ARPQuerier sends its queries from its IP and ETH", "[kernels][nf]") {
  std::mt19937 rng(2);
  Configured args("ARPQuerier(IP 192.0.2.77, ETH 02:aa:bb:cc:dd:ee)", 1);
  Instance<ARPQuerier> q(args, Via::Ops);
  REQUIRE(q.ok());
  q.setup();
  Bytes ip = ip_packet(rng, 0, 0, 20);
  ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = 1;
  const Bytes got = [&] {
    Outcome out = q.push(ip, 1);
    REQUIRE(out.sent_to(0));
    return out.emits[0].data();
  }();
  const Bytes eth{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  CHECK(Bytes(got.begin() + 6, got.begin() + 12) == eth);                    // Ethernet source
  CHECK(Bytes(got.begin() + 22, got.begin() + 28) == eth);                   // ARP sender hardware address
  CHECK(Bytes(got.begin() + 28, got.begin() + 32) == Bytes{192, 0, 2, 77});  // ARP sender IP
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ICMPError writes the TYPE and CODE it is given", "[kernels][nf]") {
  std::mt19937 rng(9);
  struct Case {
    const char* type;
    const char* code;
    std::uint8_t want_type, want_code;
  };
  for (const Case& k : {Case{"unreachable", "port", 3, 3}, Case{"unreachable", "host", 3, 1},
                        Case{"timeexceeded", "reassembly", 11, 1}, Case{"3", "13", 3, 13}}) {
    INFO(k.type << " " << k.code);
    Configured args(std::string("ICMPError(SRC 10.9.8.7, TYPE ") + k.type + ", CODE " + k.code + ")");
    Instance<ICMPError> e(args, Via::Ops);
    INFO(e.error());
    REQUIRE(e.ok());
    Bytes in = ip_packet(rng, 0, 0, 20);
    in[6] = in[7] = 0;  // not a fragment
    in[9] = 17;         // UDP, not an ICMP error
    set_checksum(in, 0, 20);
    Outcome out = e.push(in, 1);
    REQUIRE(out.sent_to(0));
    const Bytes got = out.emits[0].data();
    CHECK(got[20] == k.want_type);
    CHECK(got[21] == k.want_code);
    CHECK(Bytes(got.begin() + 12, got.begin() + 16) == Bytes{10, 9, 8, 7});  // SRC
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("MaglevLB's TABLE_SIZE sizes its lookup table and CACHE_SIZE its flow cache", "[kernels]") {
  std::mt19937 rng(4);
  for (std::uint64_t cache_size : {5u, 65536u}) {
    INFO("CACHE_SIZE " << cache_size);
    Configured args(
        std::string("MaglevLB(10.0.0.1, 10.0.0.2, TABLE_SIZE 7, CACHE_SIZE ") + std::to_string(cache_size) + ")", 1);
    MaglevLB::Config c{};
    std::string error;
    REQUIRE(MaglevLB::configure(args.args(), c, error));
    CHECK(c.table_size == 7);
    // Rounded up to a power of two of 4-way sets: 5 flows need 2 sets.
    CHECK(c.cache_buckets == (cache_size == 5 ? 2u : 16384u));
    // What setup() does, on plain memory.
    std::vector<std::uint16_t> table(c.table_size);
    maglev::populate(c.backends, c.nbackends, c.table_size, table.data());
    const auto first = static_cast<std::size_t>(std::count(table.begin(), table.end(), 0));
    CHECK((first == 3 || first == 4));  // each of 2 backends owns floor or ceil of 7/2 entries
    std::vector<maglev::CacheEntry> cache(std::size_t{c.cache_buckets} * maglev::kWays);
    MaglevLB::State st{};
    st.table = table.data();
    st.cache.entries = cache.data();
    st.cache.bucket_mask = c.cache_buckets - 1;
    for (std::uint32_t f = 0; f < 100; ++f) {
      Context ctx(1, nullptr);
      MaglevLB::push(c, st, ctx, 0, nb::detail::adopt(make_mbuf(udp_flow_packet(rng, f))));
      Outcome out = collect(ctx);
      REQUIRE(out.sent_to(0));
    }
    CHECK(st.new_flows == 100);
    const auto cached = std::count_if(cache.begin(), cache.end(), [](const auto& e) { return e.key.proto != 0; });
    if (cache_size == 5) {
      CHECK(cached == 8);  // 2 sets of 4: every other flow was evicted
      CHECK(st.evictions == 92);
    } else {
      CHECK(cached == 100);
      CHECK(st.evictions == 0);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("FlowMonitor's CAPACITY bounds its flow table", "[kernels]") {
  std::mt19937 rng(6);
  for (std::uint64_t capacity : {20u, 4096u}) {
    INFO("CAPACITY " << capacity);
    Configured args(std::string("FlowMonitor(CAPACITY ") + std::to_string(capacity) + ")", 1);
    FlowMonitor::Config c{};
    std::string error;
    REQUIRE(FlowMonitor::configure(args.args(), c, error));
    CHECK(c.capacity == (capacity == 20 ? 32u : 4096u));  // rounded up to a power of two
    std::vector<FlowMonitor::Entry> table(c.capacity);
    FlowMonitor::State st{};
    st.table = table.data();
    st.mask = c.capacity - 1;
    for (std::uint32_t f = 0; f < 100; ++f) {
      Context ctx(1, nullptr);
      FlowMonitor::push(c, st, ctx, 0, nb::detail::adopt(make_mbuf(udp_flow_packet(rng, f))));
      REQUIRE(collect(ctx).sent_to(0));
    }
    if (capacity == 20) {
      CHECK(st.flows == 32);
      CHECK(st.overflow == 100 - 32);
    } else {
      CHECK(st.flows == 100);
      CHECK(st.overflow == 0);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("FlowMonitor refuses a FILE it could not write at the end of the run", "[kernels]") {
  for (const char* file : {"/nonexistent-nb-dir/flows.txt", "relative-nonexistent-nb-dir/flows.txt"}) {
    INFO(file);
    Configured args(std::string("FlowMonitor(FILE ") + file + ")", 1);
    FlowMonitor::Config c{};
    std::string error;
    REQUIRE(FlowMonitor::configure(args.args(), c, error));  // nbc check opens no files
    FlowMonitor::State st{};
    CHECK_FALSE(FlowMonitor::setup(c, st, error));
    CHECK(error.find("cannot write FILE") != std::string::npos);
    CHECK(st.table == nullptr);
  }
}

// ---- several workers: merged handler reads (HandlerSpec::read_workers) --------------------------
//
// Two States, each filled by pushing packets through the real kernel as two workers would, then
// the handler's read_workers over both: the text nbctl shows for an element on two workers.

namespace {

const HandlerSpec& handler(const ElementSpec& spec, std::string_view name) {
  for (const HandlerSpec& h : spec.handlers)
    if (h.name == name) return h;
  FAIL("no handler named " << std::string(name));
  return spec.handlers[0];
}

std::string read_workers(const ElementSpec& spec, std::string_view name, const void* config,
                         std::vector<const void*> states) {
  const HandlerSpec& h = handler(spec, name);
  REQUIRE(h.read_workers != nullptr);
  std::string out;
  h.read_workers(config, states.data(), static_cast<std::uint32_t>(states.size()), out);
  return out;
}

// A UDP packet of flow f (source 10.x.y.z by f, port 1000 + f) with `payload` bytes of UDP payload.
Bytes udp_packet(std::uint32_t f, std::string_view payload = "xxxxxxxx") {
  Bytes p(28 + payload.size(), 0);
  p[0] = 0x45;
  put_be16(p, 2, static_cast<std::uint16_t>(p.size()));
  p[8] = 64;
  p[9] = 17;
  p[12] = 10, p[13] = static_cast<std::uint8_t>(f >> 16), p[14] = static_cast<std::uint8_t>(f >> 8),
  p[15] = static_cast<std::uint8_t>(f);
  p[16] = 192, p[17] = 0, p[18] = 2, p[19] = 1;
  set_checksum(p, 0, 20);
  put_be16(p, 20, static_cast<std::uint16_t>(1000 + f));
  put_be16(p, 22, 53);
  put_be16(p, 24, static_cast<std::uint16_t>(8 + payload.size()));
  std::memcpy(p.data() + 28, payload.data(), payload.size());
  return p;
}

}  // namespace

TEST_CASE("every built-in kernel element declares its state scope", "[kernels][multicore]") {
  CHECK(Counter::spec.ops->state_scope == StateScope::PerWorker);
  CHECK(DecIPTTL::spec.ops->state_scope == StateScope::PerWorker);
  CHECK(SignatureMatcher::spec.ops->state_scope == StateScope::PerWorker);
  CHECK(ARPQuerier::spec.ops->state_scope == StateScope::SharedReadMostly);
  CHECK(LookupIPRoute::spec.ops->state_scope == StateScope::SharedReadMostly);
  CHECK(FlowMonitor::spec.ops->state_scope == StateScope::PerFlow);
  CHECK(MaglevLB::spec.ops->state_scope == StateScope::PerFlow);
}

TEST_CASE("FlowMonitor's top and flows rank the flows of every worker together", "[kernels][multicore]") {
  Configured args("FlowMonitor(CAPACITY 64, TOP 3)", 1);
  FlowMonitor::Config c{};
  std::string error;
  REQUIRE(FlowMonitor::configure(args.args(), c, error));
  std::vector<FlowMonitor::Entry> table0(c.capacity), table1(c.capacity);
  FlowMonitor::State w0{}, w1{};
  w0.table = table0.data();
  w1.table = table1.data();
  w0.mask = w1.mask = c.capacity - 1;
  auto push = [&](FlowMonitor::State& st, std::uint32_t flow, std::size_t payload, int times) {
    for (int i = 0; i < times; ++i) {
      Context ctx(1, nullptr);
      FlowMonitor::push(c, st, ctx, 0, nb::detail::adopt(make_mbuf(udp_packet(flow, std::string(payload, 'x')))));
      REQUIRE(collect(ctx).sent_to(0));
    }
  };
  // Worker 0: flow 1 (3 x 100 bytes), flow 2 (1 x 40). Worker 1: flow 3 (2 x 128), flow 4 (1 x 30),
  // and flow 2 again (2 x 40), which only the merge puts above flow 4 and flow 1's equal.
  push(w0, 1, 72, 3);
  push(w0, 2, 12, 1);
  push(w1, 3, 100, 2);
  push(w1, 4, 2, 1);
  push(w1, 2, 12, 2);

  std::string out;
  handler(FlowMonitor::spec, "top").read(&c, &w1, out);
  CHECK(out ==
        "17 10.0.0.3 1003 192.0.2.1 53 2 256\n17 10.0.0.2 1002 192.0.2.1 53 2 80\n"
        "17 10.0.0.4 1004 192.0.2.1 53 1 30\n");
  // Flow 1 (300 bytes, worker 0 only) leads; flow 2's two halves are one flow of 120 bytes.
  CHECK(read_workers(FlowMonitor::spec, "top", &c, {&w0, &w1}) ==
        "17 10.0.0.1 1001 192.0.2.1 53 3 300\n17 10.0.0.3 1003 192.0.2.1 53 2 256\n"
        "17 10.0.0.2 1002 192.0.2.1 53 3 120\n");
  CHECK(read_workers(FlowMonitor::spec, "flows", &c, {&w0, &w1}) ==
        "17 10.0.0.1 1001 192.0.2.1 53 3 300\n17 10.0.0.3 1003 192.0.2.1 53 2 256\n"
        "17 10.0.0.2 1002 192.0.2.1 53 3 120\n17 10.0.0.4 1004 192.0.2.1 53 1 30\n");
  // One worker: the same text as read.
  out.clear();
  handler(FlowMonitor::spec, "flows").read(&c, &w0, out);
  CHECK(read_workers(FlowMonitor::spec, "flows", &c, {&w0}) == out);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("Classifier's counts sum each output over the workers", "[kernels][multicore]") {
  Configured args("Classifier(12/0806, 12/0800, -)", 3);
  Instance<Classifier> w0(args, Via::Ops), w1(args, Via::Ops);
  REQUIRE(w0.ok());
  REQUIRE(w1.ok());
  auto frame = [](std::uint16_t type) {
    Bytes f = iota_bytes(60);
    put_be16(f, 12, type);
    return f;
  };
  CHECK(w0.push(frame(0x0806), 3).sent_to(0));
  CHECK(w0.push(frame(0x0800), 3).sent_to(1));
  CHECK(w0.push(frame(0x0800), 3).sent_to(1));
  CHECK(w1.push(frame(0x0800), 3).sent_to(1));
  CHECK(w1.push(frame(0x86dd), 3).sent_to(2));
  CHECK(read_workers(Classifier::spec, "counts", &w0.config(), {w0.state(), w1.state()}) == "0 1\n1 3\n2 1\n");
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("DecIPTTL's active reads once over the workers, per worker when they differ", "[kernels][multicore]") {
  std::mt19937 rng(16);
  Configured args("DecIPTTL", 1);
  Instance<DecIPTTL> w0(args, Via::Ops), w1(args, Via::Ops);
  REQUIRE(w0.ok());
  REQUIRE(w1.ok());
  CHECK(w0.push(ip_packet(rng), 1).sent_to(0));
  CHECK(w1.push(ip_packet(rng), 1).sent_to(0));
  CHECK(read_workers(DecIPTTL::spec, "active", &w0.config(), {w0.state(), w1.state()}) == "true");
  const HandlerSpec& active = handler(DecIPTTL::spec, "active");
  std::string error;
  REQUIRE(active.write(&w0.config(), w0.mutable_state(), "false", error));
  CHECK(read_workers(DecIPTTL::spec, "active", &w0.config(), {w0.state(), w1.state()}) ==
        "worker 0: false\nworker 1: true\n");
  REQUIRE(active.write(&w1.config(), w1.mutable_state(), "false", error));
  CHECK(read_workers(DecIPTTL::spec, "active", &w0.config(), {w0.state(), w1.state()}) == "false");
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("SignatureMatcher's matches sum each signature over the workers", "[kernels][multicore]") {
  char dir[] = "/tmp/nb-sigs-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string rules = std::string(dir) + "/sigs.rules";
  {
    std::FILE* f = std::fopen(rules.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("7 evil literal \"evil\"\n9 worse regex /wor+se/\n", f);
    std::fclose(f);
  }
  Configured args(std::string("SignatureMatcher(RULES ") + rules + ")", 2);
  SignatureMatcher::Config c{};
  std::string error;
  REQUIRE(SignatureMatcher::configure(args.args(), c, error));
  SignatureMatcher::State w0{}, w1{};
  REQUIRE(SignatureMatcher::setup(c, w0, error));
  REQUIRE(SignatureMatcher::setup(c, w1, error));
  auto push = [&](SignatureMatcher::State& st, std::string_view payload) {
    Context ctx(2, nullptr);
    SignatureMatcher::push(c, st, ctx, 0, nb::detail::adopt(make_mbuf(udp_packet(1, payload))));
    return collect(ctx);
  };
  CHECK(push(w0, "an evil packet").sent_to(1));
  CHECK(push(w0, "clean").sent_to(0));
  CHECK(push(w1, "evil and worrrse").sent_to(1));
  CHECK(push(w1, "evil").sent_to(1));
  std::string out;
  handler(SignatureMatcher::spec, "matches").read(&c, &w1, out);
  CHECK(out == "7 evil 2\n9 worse 1");
  CHECK(read_workers(SignatureMatcher::spec, "matches", &c, {&w0, &w1}) == "7 evil 3\n9 worse 1");
  SignatureMatcher::teardown(c, w0);
  SignatureMatcher::teardown(c, w1);
  std::remove(rules.c_str());
  ::rmdir(dir);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("MaglevLB's backends and cache merge the workers' flow caches", "[kernels][multicore]") {
  Configured args("MaglevLB(10.9.0.1, 10.9.0.2, TABLE_SIZE 7, CACHE_SIZE 64)", 1);
  MaglevLB::Config c{};
  std::string error;
  REQUIRE(MaglevLB::configure(args.args(), c, error));
  // What setup() does, on plain memory: each worker its own table (the same) and cache.
  std::vector<std::uint16_t> table0(c.table_size), table1(c.table_size);
  maglev::populate(c.backends, c.nbackends, c.table_size, table0.data());
  maglev::populate(c.backends, c.nbackends, c.table_size, table1.data());
  std::vector<maglev::CacheEntry> cache0(std::size_t{c.cache_buckets} * maglev::kWays), cache1(cache0.size());
  MaglevLB::State w0{}, w1{};
  w0.table = table0.data();
  w1.table = table1.data();
  w0.cache.entries = cache0.data();
  w1.cache.entries = cache1.data();
  w0.cache.bucket_mask = w1.cache.bucket_mask = c.cache_buckets - 1;
  auto push = [&](MaglevLB::State& st, std::uint32_t flow) {
    Context ctx(1, nullptr);
    MaglevLB::push(c, st, ctx, 0, nb::detail::adopt(make_mbuf(udp_packet(flow))));
    REQUIRE(collect(ctx).sent_to(0));
  };
  for (std::uint32_t f = 0; f < 6; ++f) push(f % 2 ? w1 : w0, f);
  push(w0, 0);
  const auto entries0 = static_cast<std::size_t>(std::count(table0.begin(), table0.end(), 0));
  const std::uint64_t to0 = w0.per_backend[0] + w1.per_backend[0];
  CHECK(read_workers(MaglevLB::spec, "backends", &c, {&w0, &w1}) ==
        "10.9.0.1 " + std::to_string(entries0) + " " + std::to_string(to0) + "\n10.9.0.2 " +
            std::to_string(7 - entries0) + " " + std::to_string(7 - to0) + "\n");
  std::string cache_w0, cache_w1;
  handler(MaglevLB::spec, "cache").read(&c, &w0, cache_w0);
  handler(MaglevLB::spec, "cache").read(&c, &w1, cache_w1);
  CHECK(std::count(cache_w0.begin(), cache_w0.end(), '\n') == 3);
  CHECK(std::count(cache_w1.begin(), cache_w1.end(), '\n') == 3);
  CHECK(read_workers(MaglevLB::spec, "cache", &c, {&w0, &w1}) == cache_w0 + cache_w1);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("ARPQuerier's cache is one for every worker: a reply on one resolves the next hop on all",
          "[kernels][nf][multicore]") {
  std::mt19937 rng(12);
  Configured args("ARPQuerier(IP 10.2.0.1, ETH 02:00:0a:02:00:01)", 1);
  ARPQuerier::Config c{};
  std::string error;
  REQUIRE(ARPQuerier::configure(args.args(), c, error));
  // As the runtime does for a shared State: setup on worker 0's block, worker 1's a byte copy.
  ARPQuerier::State w0{};
  REQUIRE(ARPQuerier::setup(c, w0, error));
  ARPQuerier::State w1;
  std::memcpy(static_cast<void*>(&w1), &w0, sizeof w1);
  auto push = [&](ARPQuerier::State& st, const Bytes& data, std::uint32_t in_port) {
    Context ctx(1, nullptr);
    ARPQuerier::push(c, st, ctx, in_port, nb::detail::adopt(make_mbuf(data)));
    return collect(ctx);
  };
  Bytes ip = ip_packet(rng, 0, 0, 20);
  ip[16] = 10, ip[17] = 2, ip[18] = 0, ip[19] = 2;
  CHECK(push(w0, ip, 0).only().data().size() == 60);  // unknown on worker 0: an ARP query
  CHECK(push(w1, arp_frame(2, 0x0a020002, 0x0a020001), 1).dropped_for(ARPQuerier::kDrops["reply used"]));
  const Bytes got = push(w0, ip, 0).only().data();  // learnt on worker 1, known on worker 0
  REQUIRE(got.size() == ip.size() + 14);
  CHECK(Bytes(got.begin(), got.begin() + 6) == Bytes{0x02, 0, 0, 0, 0, 0x0a});
  CHECK(w0.queries == 1);
  CHECK(w0.encapsulated == 1);
  CHECK(w1.learnt == 1);

  // A hot reload with other arguments: the new element's cache starts with the old entries.
  ARPQuerier::State next{};
  REQUIRE(ARPQuerier::setup(c, next, error));
  ARPQuerier::transfer(c, w0, c, next);
  CHECK(next.queries == 1);
  EtherAddress e{};
  CHECK(ARPQuerier::find(next, 0x0a020002, e));
  CHECK(e == EtherAddress{0x02, 0, 0, 0, 0, 0x0a});
  CHECK_FALSE(ARPQuerier::find(next, 0x0a020003, e));
  ARPQuerier::teardown(c, next);
  ARPQuerier::teardown(c, w0);
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("the 20-byte header sum equals the word-by-word sum on every kind of header", "[kernels][checksum]") {
  std::mt19937 rng(20261207);
  std::array<std::uint8_t, 20> h{};
  auto check = [&] {
    const std::uint32_t words = nb::checksum::fold(nb::checksum::add(0, h));
    REQUIRE(nb::checksum::add20_folded(h.data()) == words);
  };
  check();  // all zero: 0, not 0xffff
  h.fill(0xff);
  check();
  for (int i = 0; i < 200000; ++i) {
    for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    if (i % 7 == 0) h[i % 20] = 0xff;  // carries
    check();
    // A correct header's checksum: the sum over it then folds to 0xffff both ways.
    h[10] = h[11] = 0;
    const std::uint16_t c = nb::checksum::finish(nb::checksum::add(0, h));
    h[10] = static_cast<std::uint8_t>(c >> 8);
    h[11] = static_cast<std::uint8_t>(c);
    REQUIRE(nb::checksum::add20_folded(h.data()) == 0xffff);
  }
}
