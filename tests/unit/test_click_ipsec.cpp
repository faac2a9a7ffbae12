// Click's IPsec elements (issue 18, ipsec-router.click): RadixIPsecLookup, IPsecESPEncap,
// IPsecAuthHMACSHA1, IPsecAES, IPsecEncap, IPsecESPUnencap, chained as Click's configuration chains
// them and in RFC 4303's order, through the harness's real front end and both ways of calling. The
// packets are checked against OpenSSL's one-shot AES and HMAC (tests/nf/ipsec_check.py checks them
// with tshark and Linux's xfrm).
#include "../../elements/ipsec/ipsec_aes.hpp"
#include "../../elements/ipsec/ipsec_auth_hmac_sha1.hpp"
#include "../../elements/ipsec/ipsec_encap.hpp"
#include "../../elements/ipsec/ipsec_esp_encap.hpp"
#include "../../elements/ipsec/ipsec_esp_unencap.hpp"
#include "../../elements/ipsec/radix_ipsec_lookup.hpp"

#include "../support/element_harness.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

const std::string kEnc = "000102030405060708090a0b0c0d0e0f";
const std::string kAuth = "101112131415161718191a1b1c1d1e1f";
const std::string kSA = "7 " + kEnc + " " + kAuth;

Bytes key(std::uint8_t first) {
  Bytes k(16);
  for (std::size_t i = 0; i < 16; ++i) k[i] = static_cast<std::uint8_t>(first + i);
  return k;
}

// An IPv4 packet from 10.0.0.1 to `dst` with `payload` bytes of protocol `proto`, checksummed.
Bytes ip_packet(std::uint32_t dst, std::uint8_t proto = 17, std::size_t payload = 30) {
  Bytes p(20 + payload, 0);
  for (std::size_t i = 0; i < payload; ++i) p[20 + i] = static_cast<std::uint8_t>(i * 13 + 5);
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>((20 + payload) >> 8);
  p[3] = static_cast<std::uint8_t>(20 + payload);
  p[8] = 64;
  p[9] = proto;
  p[12] = 10, p[15] = 1;
  for (int i = 0; i < 4; ++i) p[16 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
  const std::uint16_t c = checksum::finish(checksum::add(0, std::span<const std::uint8_t>(p.data(), 20)));
  p[10] = static_cast<std::uint8_t>(c >> 8), p[11] = static_cast<std::uint8_t>(c);
  return p;
}

rte_mbuf* roomy(const Bytes& b) {
  return make_mbuf(b, kHeadroom, 64);
}

rte_mbuf* take(Outcome& out, std::uint32_t port = 0) {
  REQUIRE(out.sent_to(port));
  return out.emits[0].m.release();
}

Bytes hmac96(const Bytes& data) {
  const Bytes k = key(0x10);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), k.data(), 16, data.data(), data.size(), md, &len);
  return Bytes(md, md + 12);
}

Bytes aes_cbc(bool encrypt, const Bytes& iv, const Bytes& in) {
  const Bytes k = key(0x00);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  REQUIRE(EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, k.data(), iv.data(), encrypt ? 1 : 0) == 1);
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(in.size() + 16);
  int n = 0, m = 0;
  REQUIRE(EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) == 1);
  REQUIRE(EVP_CipherFinal_ex(ctx.get(), out.data() + n, &m) == 1);
  out.resize(static_cast<std::size_t>(n + m));
  return out;
}

// An ESP packet (no outer header) as a peer would send it: SPI 7, `seq`, `plain` (the inner
// packet, padding and trailer, whole blocks) encrypted with a fixed IV, the ICV appended.
Bytes peer_esp(std::uint32_t seq, const Bytes& plain) {
  Bytes iv(16);
  for (std::size_t i = 0; i < 16; ++i) iv[i] = static_cast<std::uint8_t>(0xa0 + i);
  Bytes p = {0,
             0,
             0,
             7,
             static_cast<std::uint8_t>(seq >> 24),
             static_cast<std::uint8_t>(seq >> 16),
             static_cast<std::uint8_t>(seq >> 8),
             static_cast<std::uint8_t>(seq)};
  p.insert(p.end(), iv.begin(), iv.end());
  const Bytes c = aes_cbc(true, iv, plain);
  p.insert(p.end(), c.begin(), c.end());
  const Bytes icv = hmac96(p);
  p.insert(p.end(), icv.begin(), icv.end());
  return p;
}

// The inner packet with RFC 4303's default padding and trailer (next header `next`).
Bytes with_trailer(Bytes inner, std::uint8_t next = 4) {
  const std::size_t pad = (16 - (inner.size() + 2) % 16) % 16;
  for (std::size_t i = 0; i < pad; ++i) inner.push_back(static_cast<std::uint8_t>(i + 1));
  inner.push_back(static_cast<std::uint8_t>(pad));
  inner.push_back(next);
  return inner;
}

// One gateway: a RadixIPsecLookup and the ESP elements, outbound in Click's order or RFC 4303's.
struct Gateway {
  explicit Gateway(Via via, const std::string& replay = "1 64")
      : lookup_args("RadixIPsecLookup(10.0.0.1/32 0, 10.9.0.0/16 10.0.0.2 1 " + kSA + " " + replay +
                        ", 10.0.0.2/32 3, 10.0.0.0/8 4)",
                    5),
        encap_args("IPsecESPEncap"),
        auth0_args("IPsecAuthHMACSHA1(0)"),
        auth1_args("IPsecAuthHMACSHA1(1)", 2),
        aes1_args("IPsecAES(1)"),
        aes0_args("IPsecAES(0)"),
        ipencap_args("IPsecEncap(50)"),
        unencap_args("IPsecESPUnencap"),
        rt(lookup_args, via),
        esp(encap_args, via),
        auth0(auth0_args, via),
        auth1(auth1_args, via),
        aes1(aes1_args, via),
        aes0(aes0_args, via),
        ip(ipencap_args, via),
        unencap(unencap_args, via) {
    REQUIRE(rt.ok());
    rt.setup();
    auth0.setup();
    auth1.setup();
    aes1.setup();
    aes0.setup();
  }
  // Into the tunnel: the ESP packet with its outer header.
  rte_mbuf* send(const Bytes& inner, bool click_order = true) {
    Outcome r = rt.push(roomy(inner), 5);
    rte_mbuf* m = take(r, 1);
    Outcome e = esp.push(m, 1);
    m = take(e);
    if (click_order) {
      Outcome a = auth0.push(m, 1);
      Outcome c = aes1.push(take(a), 1);
      m = take(c);
    } else {
      Outcome c = aes1.push(m, 1);
      Outcome a = auth0.push(take(c), 1);
      m = take(a);
    }
    Outcome o = ip.push(m, 1);
    return take(o);
  }
  // Out of the tunnel: from the outer packet to what IPsecESPUnencap does with it.
  Outcome receive(rte_mbuf* outer, bool click_order = true) {
    Outcome r = rt.push(outer, 5);
    if (!r.sent_to(0)) return r;
    rte_mbuf* m = take(r, 0);
    // StripIPHeader's work: the outer header has no options here.
    m->data_off = static_cast<std::uint16_t>(m->data_off + 20);
    m->data_len = static_cast<std::uint16_t>(m->data_len - 20);
    m->pkt_len -= 20;
    anno_ref(m).network_offset = PacketAnno::kNoNetworkOffset;
    if (click_order) {
      Outcome d = aes0.push(m, 1);
      if (!d.sent_to(0)) return d;
      Outcome v = auth1.push(take(d), 2);
      if (!v.sent_to(0)) return v;
      return unencap.push(take(v), 1);
    }
    Outcome v = auth1.push(m, 2);
    if (!v.sent_to(0)) return v;
    Outcome d = aes0.push(take(v), 1);
    if (!d.sent_to(0)) return d;
    return unencap.push(take(d), 1);
  }
  // An ESP packet (no outer header) handed to the inbound chain as RadixIPsecLookup would.
  Outcome receive_esp(const Bytes& esp_bytes, bool click_order = true) {
    Bytes outer = ip_packet(0x0a000001, ipsec::kProtoESP, esp_bytes.size());
    std::copy(esp_bytes.begin(), esp_bytes.end(), outer.begin() + 20);
    return receive(roomy(outer), click_order);
  }

  Configured lookup_args, encap_args, auth0_args, auth1_args, aes1_args, aes0_args, ipencap_args, unencap_args;
  Instance<RadixIPsecLookup> rt;
  Instance<IPsecESPEncap> esp;
  Instance<IPsecAuthHMACSHA1> auth0, auth1;
  Instance<IPsecAES> aes1, aes0;
  Instance<IPsecEncap> ip;
  Instance<IPsecESPUnencap> unencap;
};

template <class E>
std::uint32_t reason(const char* name) {
  for (std::uint32_t i = 0; i < E::kDrops.size(); ++i)
    if (E::kDrops.reasons[i].name == name) return i;
  FAIL("no drop reason " << name);
  return 0;
}

}  // namespace

TEST_CASE("RadixIPsecLookup reads Click's routes with their SAs and refuses bad ones", "[kernels][click][ipsec]") {
  Configured ok("RadixIPsecLookup(10.0.0.1/32 0, 10.9.0.0/16 10.0.0.2 1 " + kSA + " 300 64, 0.0.0.0/0 - 2)", 3);
  Instance<RadixIPsecLookup> e(ok, Via::Ops);
  REQUIRE(e.ok());
  CHECK(e.config().nroutes == 3);
  CHECK(e.config().nsas == 1);
  CHECK(e.config().sas[0].spi == 7);
  CHECK(e.config().sas[0].replay == 300);
  CHECK(e.config().sas[0].window == 64);
  CHECK(e.config().sas[0].enc_key[15] == 0x0f);
  CHECK(e.config().sas[0].auth_key[0] == 0x10);
  // Click's hex string arrives as its bytes, which a route cannot hold: refused, never misread.
  Configured click_hex("RadixIPsecLookup(10.9.0.0/16 10.0.0.2 1 7 \\<00010203 04050607 08090a0b 0c0d0e0f> " + kAuth +
                           " 1 64, 0.0.0.0/0 0)",
                       2);
  Instance<RadixIPsecLookup> h(click_hex, Via::Direct);
  CHECK(!h.ok());
  CHECK_THAT(h.error(), Catch::Contains("32 hex digits"));

  struct Bad {
    std::string routes;
    std::string says;
  };
  const Bad bad[] = {
      {"10.9.0.0/16 1", "give the route its SA"},
      {"10.9.0.0/16 1 7 0001 " + kAuth + " 1 64", "ENCRYPT_KEY"},
      {"10.9.0.0/16 1 " + kSA + " 1 65", "OOSIZE"},
      {"10.9.0.0/16 1 0 " + kEnc + " " + kAuth + " 1 64", "SPI"},
      {"10.9.0.0/16 1 " + kSA + " 1 64, 10.9.0.0/16 0", "prefix"},
      {"10.9.0.0/16 1 " + kSA + " 1 64, 10.8.0.0/16 1 7 " + kAuth + " " + kEnc + " 1 64", "SPI 7"},
      {"10.9.0.0/16 3", "output 3"},
      {"10.9.0.0/16 1 " + kSA + " 1", "expected a route"},
  };
  for (const Bad& b : bad) {
    INFO(b.routes);
    Configured c("RadixIPsecLookup(" + b.routes + ")", 2);
    Instance<RadixIPsecLookup> i(c, Via::Ops);
    CHECK(!i.ok());
    CHECK_THAT(i.error(), Catch::Contains(b.says));
  }
}

TEST_CASE("RadixIPsecLookup routes by longest prefix and finds inbound SAs by SPI", "[kernels][click][ipsec][bounds]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Gateway g(via);
    // Ordinary routes: the longest prefix wins, the gateway or the destination is the next hop.
    Outcome o = g.rt.push(roomy(ip_packet(0x0a000002)), 5);
    REQUIRE(o.sent_to(3));
    CHECK(anno_ref(o.only().m.get()).dst_ip == 0x0a000002);
    Outcome o4 = g.rt.push(roomy(ip_packet(0x0a050505)), 5);
    REQUIRE(o4.sent_to(4));
    // Into the tunnel: the SA and the gateway go with it.
    Outcome t = g.rt.push(roomy(ip_packet(0x0a090001)), 5);
    REQUIRE(t.sent_to(1));
    PacketAnno& ta = anno_ref(t.only().m.get());
    CHECK(ta.dst_ip == 0x0a000002);
    REQUIRE(ipsec::sa_of(ta) != nullptr);
    CHECK(ipsec::sa_of(ta)->params.spi == 7);
    // For this host: not ESP goes to output 2, ESP with SPI 7 to output 0 with the SA.
    Outcome local = g.rt.push(roomy(ip_packet(0x0a000001, 6)), 5);
    REQUIRE(local.sent_to(2));
    Bytes esp = ip_packet(0x0a000001, ipsec::kProtoESP, 8);
    esp[20] = esp[21] = esp[22] = 0, esp[23] = 7;
    Outcome in = g.rt.push(roomy(esp), 5);
    REQUIRE(in.sent_to(0));
    CHECK(ipsec::sa_of(anno_ref(in.only().m.get())) != nullptr);
    esp[23] = 8;
    CHECK(g.rt.push(roomy(esp), 5).dropped_for(reason<RadixIPsecLookup>("unknown spi")));
    // Too short for its SPI, or for an IP header: counted, never read past the end.
    Bytes short_esp = ip_packet(0x0a000001, ipsec::kProtoESP, 3);
    CHECK(g.rt.push(roomy(short_esp), 5).dropped_for(reason<RadixIPsecLookup>("malformed")));
    CHECK(g.rt.push(roomy(Bytes(19, 0x45)), 5).dropped_for(reason<RadixIPsecLookup>("malformed")));
    CHECK(g.rt.counter("esp_in") == 1);
    CHECK(g.rt.counter("local") == 1);
    CHECK(g.rt.counter("tunnelled") == 1);
  }
  // Output 2 not connected: a packet for this host that is not ESP has nowhere to go.
  Configured two("RadixIPsecLookup(10.0.0.1/32 0, 10.9.0.0/16 1 " + kSA + " 1 64)", 2);
  Instance<RadixIPsecLookup> t(two, Via::Ops);
  REQUIRE(t.ok());
  t.setup();
  CHECK(t.push(roomy(ip_packet(0x0a000001, 6)), 2).dropped_for(reason<RadixIPsecLookup>("not esp")));
  // No route.
  CHECK(t.push(roomy(ip_packet(0x0b000001)), 2).dropped_for(reason<RadixIPsecLookup>("no route")));
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("The outbound chain makes RFC 4303 ESP in Click's order and in the RFC's", "[kernels][click][ipsec]") {
  for (Via via : kBothWays) {
    for (bool click_order : {true, false}) {
      INFO(name_of(via) << (click_order ? ", Click's order" : ", RFC 4303's order"));
      Gateway g(via, "300 64");
      for (std::size_t size : {30, 14, 0, 1000}) {
        INFO("payload " << size);
        const Bytes inner = ip_packet(0x0a090001, 17, size);
        MbufPtr out(g.send(inner, click_order));
        const Bytes p = data_of(out.get());
        const PacketAnno& a = anno_ref(out.get());
        // The outer header: ESP to the gateway, source 0 until FixIPSrc, TTL 250.
        REQUIRE(p.size() == 20 + 8 + 16 + with_trailer(inner).size() + 12);
        CHECK(p[0] == 0x45);
        CHECK(p[9] == ipsec::kProtoESP);
        CHECK(p[8] == 250);
        CHECK(Bytes(p.begin() + 12, p.begin() + 20) == Bytes{0, 0, 0, 0, 10, 0, 0, 2});
        CHECK((p[2] << 8 | p[3]) == static_cast<int>(p.size()));
        CHECK(checksum::fold(checksum::add(0, std::span<const std::uint8_t>(p.data(), 20))) == 0xffff);
        CHECK(a.user[2] == 1);  // FIX_IP_SRC
        CHECK(a.network_offset == 0);
        // SPI 7, sequence numbers from REPLAY.
        CHECK(Bytes(p.begin() + 20, p.begin() + 24) == Bytes{0, 0, 0, 7});
        // The ICV is over the ciphertext; decrypted, the payload is the inner packet and its trailer.
        const Bytes esp(p.begin() + 20, p.end() - 12);
        CHECK(Bytes(p.end() - 12, p.end()) == hmac96(esp));
        const Bytes iv(esp.begin() + 8, esp.begin() + 24);
        CHECK(aes_cbc(false, iv, Bytes(esp.begin() + 24, esp.end())) == with_trailer(inner));
      }
      CHECK(g.esp.counter("encapsulated") == 4);
    }
  }
  // Sequence numbers count up from REPLAY, one per packet.
  Gateway g(Via::Ops, "300 64");
  MbufPtr a(g.send(ip_packet(0x0a090001))), b(g.send(ip_packet(0x0a090002)));
  CHECK(data_of(a.get())[27] == (300 & 0xff));
  CHECK(data_of(b.get())[27] == (301 & 0xff));
  CHECK(g_live_mbufs == 2);
}

TEST_CASE("The outbound chain refuses packets it cannot protect", "[kernels][click][ipsec][bounds]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Gateway g(via);
    // No SA (not from RadixIPsecLookup's output 1).
    CHECK(g.esp.push(roomy(ip_packet(0x0a090001)), 1).dropped_for(reason<IPsecESPEncap>("no sa")));
    // Not IP, or no tailroom for the trailer.
    {
      Outcome r = g.rt.push(roomy(ip_packet(0x0a090001)), 5);
      rte_mbuf* m = take(r, 1);
      buffer_of(m)[m->data_off] = 0x25;  // version 2
      CHECK(g.esp.push(m, 1).dropped_for(reason<IPsecESPEncap>("not ip")));
    }
    {
      Outcome r = g.rt.push(make_mbuf(ip_packet(0x0a090001), kHeadroom, 0), 5);
      CHECK(g.esp.push(take(r, 1), 1).dropped_for(reason<IPsecESPEncap>("no room")));
    }
    // Laid out but not encrypted, or without its ICV: IPsecEncap sends nothing in the clear.
    {
      Outcome r = g.rt.push(roomy(ip_packet(0x0a090001)), 5);
      Outcome e = g.esp.push(take(r, 1), 1);
      Outcome a = g.auth0.push(take(e), 1);
      CHECK(g.ip.push(take(a), 1).dropped_for(reason<IPsecEncap>("unfinished esp")));
    }
    {
      Outcome r = g.rt.push(roomy(ip_packet(0x0a090001)), 5);
      Outcome e = g.esp.push(take(r, 1), 1);
      Outcome c = g.aes1.push(take(e), 1);
      CHECK(g.ip.push(take(c), 1).dropped_for(reason<IPsecEncap>("unfinished esp")));
    }
    // Twice through the cipher: the second refuses.
    {
      Outcome r = g.rt.push(roomy(ip_packet(0x0a090001)), 5);
      Outcome e = g.esp.push(take(r, 1), 1);
      Outcome c = g.aes1.push(take(e), 1);
      CHECK(g.aes1.push(take(c), 1).dropped_for(reason<IPsecAES>("no sa")));
    }
    // IPsecEncap alone encapsulates any packet, as Click's.
    Outcome po = g.ip.push(roomy(Bytes(10, 1)), 1);
    MbufPtr plain(take(po));
    CHECK(data_of(plain.get()).size() == 30);
  }
  // The SA's last sequence number, then no more (RFC 4303 3.3.3).
  Gateway g(Via::Ops, "4294967295 64");
  MbufPtr last(g.send(ip_packet(0x0a090001)));
  const Bytes lastp = data_of(last.get());
  CHECK(Bytes(lastp.begin() + 24, lastp.begin() + 28) == Bytes{0xff, 0xff, 0xff, 0xff});
  Outcome r = g.rt.push(roomy(ip_packet(0x0a090001)), 5);
  CHECK(g.esp.push(take(r, 1), 1).dropped_for(reason<IPsecESPEncap>("sequence exhausted")));
  last.reset();
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("The inbound chain takes a peer's ESP packets apart in either order", "[kernels][click][ipsec]") {
  for (Via via : kBothWays) {
    for (bool click_order : {true, false}) {
      INFO(name_of(via) << (click_order ? ", Click's order" : ", RFC 4303's order"));
      Gateway g(via);
      const Bytes inner = ip_packet(0x0a090001, 6, 40);
      Outcome o = g.receive_esp(peer_esp(1, with_trailer(inner)), click_order);
      REQUIRE(o.sent_to(0));
      CHECK(o.only().data() == inner);
      CHECK(anno_ref(o.only().m.get()).network_offset == 0);
      // A round trip through the same SA (both directions are one SA, as in Click).
      Gateway peer(via, "100 64");  // numbers from 100: g has seen the peer's 1 above
      const Bytes inner2 = ip_packet(0x0a090009, 17, 100);
      rte_mbuf* tunnelled = peer.send(inner2);
      buffer_of(tunnelled)[tunnelled->data_off + 19] = 1;  // to 10.0.0.1, g's own address
      Outcome back = g.receive(tunnelled, click_order);
      REQUIRE(back.sent_to(0));
      CHECK(back.only().data() == inner2);
      CHECK(g.unencap.counter("decapsulated") == 2);
    }
  }
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("The inbound chain drops and counts malformed, forged and replayed packets",
          "[kernels][click][ipsec][bounds]") {
  for (Via via : kBothWays) {
    for (bool click_order : {true, false}) {
      INFO(name_of(via) << (click_order ? ", Click's order" : ", RFC 4303's order"));
      Gateway g(via, "1 4");
      const Bytes inner = ip_packet(0x0a090001, 6, 40);
      const Bytes good = peer_esp(2, with_trailer(inner));
      // A wrong ICV, or a changed ciphertext: output 1 of IPsecAuthHMACSHA1(1), counted.
      Bytes forged = good;
      forged[30] ^= 1;
      Outcome f = g.receive_esp(forged, click_order);
      REQUIRE(f.sent_to(1));
      Bytes bad_icv = good;
      bad_icv.back() ^= 0x80;
      REQUIRE(g.receive_esp(bad_icv, click_order).sent_to(1));
      CHECK(g.auth1.counter("bad_icv") == 2);
      // Truncated: shorter than header, IV, one block and ICV; or cut inside a block (whose ICV
      // then fails, when it is checked first).
      for (std::size_t cut : {std::size_t{0}, std::size_t{8}, std::size_t{30}, std::size_t{51}, good.size() - 5}) {
        INFO("cut to " << cut);
        Outcome o = g.receive_esp(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)), click_order);
        CHECK((o.drops.size() == 1 || o.sent_to(1)));
        CHECK((o.emits.empty() || o.emits[0].port == 1));
      }
      // Authentic but with a pad length longer than the payload, or padding that is not 1, 2, 3...
      Bytes long_pad = with_trailer(inner);
      long_pad[long_pad.size() - 2] = 200;
      CHECK(g.receive_esp(peer_esp(3, long_pad), click_order).dropped_for(reason<IPsecESPUnencap>("bad padding")));
      Bytes wrong_pad = with_trailer(inner);
      REQUIRE(wrong_pad[wrong_pad.size() - 2] > 0);
      wrong_pad[wrong_pad.size() - 3] ^= 0x40;
      CHECK(g.receive_esp(peer_esp(4, wrong_pad), click_order).dropped_for(reason<IPsecESPUnencap>("bad padding")));
      // Next header 59 (a dummy packet), not IP.
      CHECK(g.receive_esp(peer_esp(5, with_trailer(inner, 59)), click_order)
                .dropped_for(reason<IPsecESPUnencap>("not ip")));
      // Replays: the same packet twice, one older than the window (4), sequence number 0.
      REQUIRE(g.receive_esp(good, click_order).sent_to(0));
      CHECK(g.receive_esp(good, click_order).dropped_for(reason<IPsecESPUnencap>("replay")));
      REQUIRE(g.receive_esp(peer_esp(20, with_trailer(inner)), click_order).sent_to(0));
      CHECK(
          g.receive_esp(peer_esp(16, with_trailer(inner)), click_order).dropped_for(reason<IPsecESPUnencap>("replay")));
      REQUIRE(g.receive_esp(peer_esp(17, with_trailer(inner)), click_order).sent_to(0));
      CHECK(
          g.receive_esp(peer_esp(0, with_trailer(inner)), click_order).dropped_for(reason<IPsecESPUnencap>("replay")));
      // A forged packet never moved the window: sequence 30 forged, then the real 30 passes.
      Bytes forged30 = peer_esp(30, with_trailer(inner));
      forged30[40] ^= 4;
      REQUIRE(g.receive_esp(forged30, click_order).sent_to(1));
      REQUIRE(g.receive_esp(peer_esp(30, with_trailer(inner)), click_order).sent_to(0));
      // Without output 1, a bad ICV is dropped.
      Configured one("IPsecAuthHMACSHA1(1)");
      Instance<IPsecAuthHMACSHA1> v(one, via);
      v.setup();
      Outcome r = g.rt.push(roomy([&] {
                              Bytes outer = ip_packet(0x0a000001, ipsec::kProtoESP, bad_icv.size());
                              std::copy(bad_icv.begin(), bad_icv.end(), outer.begin() + 20);
                              return outer;
                            }()),
                            5);
      rte_mbuf* m = take(r, 0);
      m->data_off = static_cast<std::uint16_t>(m->data_off + 20);
      m->data_len = static_cast<std::uint16_t>(m->data_len - 20);
      CHECK(v.push(m, 1).dropped_for(reason<IPsecAuthHMACSHA1>("bad icv")));
    }
  }
  // Elements out of place: no SA annotation anywhere.
  Gateway g(Via::Ops);
  CHECK(g.aes0.push(roomy(Bytes(64, 0)), 1).dropped_for(reason<IPsecAES>("no sa")));
  CHECK(g.auth1.push(roomy(Bytes(64, 0)), 2).dropped_for(reason<IPsecAuthHMACSHA1>("no sa")));
  CHECK(g.unencap.push(roomy(Bytes(64, 0)), 1).dropped_for(reason<IPsecESPUnencap>("no sa")));
  CHECK(g_live_mbufs == 0);
}

TEST_CASE("IPsecEncap puts a PROTO header to the destination annotation and marks FIX_IP_SRC",
          "[kernels][click][ipsec]") {
  for (Via via : kBothWays) {
    INFO(name_of(via));
    Configured args("IPsecEncap(ipip)");
    Instance<IPsecEncap> e(args, via);
    REQUIRE(e.ok());
    rte_mbuf* m = roomy(ip_packet(0x0a090001));
    anno_ref(m).dst_ip = 0xc0000202;
    Outcome o = e.push(m, 1);
    REQUIRE(o.sent_to(0));
    const Bytes p = o.only().data();
    REQUIRE(p.size() == 70);
    CHECK(p[9] == 4);
    CHECK(Bytes(p.begin() + 12, p.begin() + 20) == Bytes{0, 0, 0, 0, 192, 0, 2, 2});
    CHECK(anno_ref(o.only().m.get()).user[2] == 1);
    CHECK(e.push(make_mbuf(Bytes(8, 0), 10), 1).dropped_for(reason<IPsecEncap>("no headroom")));
  }
  Configured bad("IPsecEncap(esp)");
  Instance<IPsecEncap> b(bad, Via::Ops);
  CHECK(!b.ok());
  CHECK(g_live_mbufs == 0);
}
