#include "radix_ipsec_lookup.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <new>

namespace nb::elements {

namespace {

bool validate_route(std::string_view text, ParamError& error) {
  ipsec::Route r{};
  std::string why;
  std::size_t at = 0, len = 1;
  if (ipsec::parse_route(text, r, why, at, len)) return true;
  error.offset = at;
  error.length = len;
  error.message = why;
  return false;
}

constexpr ParamSpec kParams[] = {
    {"ROUTE", ParamType::String, ParamKind::Rest, true, "",
     "Routes in Click's syntax, `ADDR/LEN [GATEWAY] OUTPUT [SPI ENCRYPT_KEY AUTH_KEY REPLAY OOSIZE]`: packets whose "
     "destination matches ADDR/LEN (the longest matching prefix wins) leave on OUTPUT with their destination IP "
     "annotation set to GATEWAY, or to their own destination. A route to output 1 (into the tunnel) names its "
     "security association: SPI (1 to 2^32-1), ENCRYPT_KEY (AES-128) and AUTH_KEY (HMAC-SHA1), each 16 bytes "
     "written as 32 hex digits (Click's \\<...> hex strings are refused), REPLAY (the first sequence number sent, and "
     "where the "
     "replay window starts) and OOSIZE (the replay window, 0 to 64 packets). At most 256 routes and 64 SAs.",
     INT64_MIN, UINT64_MAX, &validate_route},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(RadixIPsecLookup, routed, "packets a route was found for"),
    NB_COUNTER(RadixIPsecLookup, no_route, "packets no route matched"),
    NB_COUNTER(RadixIPsecLookup, tunnelled, "packets sent into the tunnel (output 1) with their SA"),
    NB_COUNTER(RadixIPsecLookup, esp_in, "ESP packets for this host sent to output 0 with their SA"),
    NB_COUNTER(RadixIPsecLookup, local, "packets for this host that are not ESP, sent to output 2"),
};

bool same_sa(const ipsec::SAParams& a, const ipsec::SAParams& b) {
  return a.spi == b.spi && a.replay == b.replay && a.window == b.window &&
         std::equal(a.enc_key, a.enc_key + ipsec::kKeySize, b.enc_key) &&
         std::equal(a.auth_key, a.auth_key + ipsec::kKeySize, b.auth_key);
}

}  // namespace

bool RadixIPsecLookup::configure(const Args& args, Config& config, std::string& error) {
  config.noutputs = args.noutputs();
  const std::size_t n = args.count("ROUTE");
  if (n > kMaxRoutes) {
    error = std::to_string(n) + " routes: RadixIPsecLookup takes at most " + std::to_string(kMaxRoutes);
    return false;
  }
  std::uint8_t lengths[kMaxRoutes] = {};
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = args.get_string_at("ROUTE", i);
    ipsec::Route r{};
    std::string why;
    std::size_t at = 0, len = 0;
    const std::string where = "route " + std::to_string(i + 1) + " '" + text + "': ";
    if (!ipsec::parse_route(text, r, why, at, len)) {
      error = where + why;
      return false;
    }
    if (r.port >= config.noutputs) {
      error = where + "sends to output " + std::to_string(r.port) + ", but the element has " +
              std::to_string(config.noutputs) + (config.noutputs == 1 ? " output" : " outputs");
      return false;
    }
    if (r.port == kTunnel && !r.has_sa) {
      error = where +
              "output 1 leads into the IPsec tunnel: give the route its SA, 'ADDR/LEN [GATEWAY] 1 SPI ENCRYPT_KEY "
              "AUTH_KEY REPLAY OOSIZE'";
      return false;
    }
    for (std::uint32_t k = 0; k < config.nroutes; ++k) {
      if (config.routes[k].addr == r.addr && config.routes[k].mask == r.mask) {
        error = where + "its prefix is route " + std::to_string(k + 1) + "'s too; give each prefix one route";
        return false;
      }
    }
    std::int32_t sa = -1;
    if (r.has_sa) {
      for (std::uint32_t k = 0; k < config.nsas; ++k) {
        if (config.sas[k].spi != r.sa.spi) continue;
        if (!same_sa(config.sas[k], r.sa)) {
          error = where + "SPI " + std::to_string(r.sa.spi) +
                  " is given with other keys, REPLAY or OOSIZE by an earlier route: an SPI names one SA";
          return false;
        }
        sa = static_cast<std::int32_t>(k);
      }
      if (sa < 0) {
        if (config.nsas == kMaxSAs) {
          error = where + "more than " + std::to_string(kMaxSAs) + " SAs";
          return false;
        }
        sa = static_cast<std::int32_t>(config.nsas);
        config.sas[config.nsas++] = r.sa;
      }
    }
    // Insert, keeping longer prefixes first (the first match is then the longest).
    const std::uint8_t plen = static_cast<std::uint8_t>(std::popcount(r.mask));
    std::uint32_t pos = config.nroutes;
    while (pos > 0 && lengths[pos - 1] < plen) {
      config.routes[pos] = config.routes[pos - 1];
      lengths[pos] = lengths[pos - 1];
      --pos;
    }
    config.routes[pos] = {r.addr, r.mask, r.gateway, r.port, sa};
    lengths[pos] = plen;
    ++config.nroutes;
  }
  if (n == 0) {
    error = "no routes: give routes as arguments, 'ADDR/LEN [GATEWAY] OUTPUT [SPI ENCRYPT_KEY AUTH_KEY REPLAY OOSIZE]'";
    return false;
  }
  return true;
}

bool RadixIPsecLookup::setup(const Config& config, State& state, std::string& error) {
  state.sas = nullptr;
  if (config.nsas == 0) return true;
  auto* sas = new (std::nothrow) ipsec::SecurityAssociation[config.nsas];
  if (!sas) {
    error = "cannot allocate the SA table";
    return false;
  }
  for (std::uint32_t k = 0; k < config.nsas; ++k) {
    ipsec::SecurityAssociation& sa = sas[k];
    sa.params = config.sas[k];
    // RFC 4303: the first packet carries 1 at the least; Click's REPLAY is the first one sent.
    sa.next_seq.store(sa.params.replay == 0 ? 1 : sa.params.replay);
    sa.top = sa.params.replay == 0 ? 0 : sa.params.replay - 1;
    sa.bitmap = 0;
    sa.live = ipsec::SecurityAssociation::kLive;
  }
  state.sas = sas;
  return true;
}

void RadixIPsecLookup::teardown(const Config& config, State& state) {
  if (!state.sas) return;
  for (std::uint32_t k = 0; k < config.nsas; ++k) {
    state.sas[k].live = 0;
    OPENSSL_cleanse(&state.sas[k].params, sizeof state.sas[k].params);
  }
  delete[] state.sas;
  state.sas = nullptr;
}

NB_ELEMENT_KERNEL(RadixIPsecLookup);

constinit const ElementSpec RadixIPsecLookup::spec{
    .class_name = "RadixIPsecLookup",
    .ports = "1/-",
    .params = kParams,
    .brief = "IP routing lookup whose routes may lead into an IPsec ESP tunnel, with their SAs",
    .description =
        "Click's routing table for IPsec gateways (ipsec-router.click). It looks up each packet's IPv4 destination "
        "(the header CheckIPHeader found, or the packet's start) by longest-prefix match, sets the destination IP "
        "annotation to the route's gateway (or to the destination) and sends the packet to the route's output. "
        "Outputs 0 to 2 mean what Click's IPsecRouteTable says:\n"
        "\n"
        "Output 0: packets for this host that may come out of a tunnel. An ESP packet (protocol 50) leaves here "
        "with the SA its SPI names; a packet that is not ESP goes to output 2 instead (dropped as `not esp` when "
        "output 2 is not connected); an ESP packet whose SPI no route has is dropped (`unknown spi`). Connect it "
        "to StripIPHeader -> IPsecAES(0) -> IPsecAuthHMACSHA1(1) -> IPsecESPUnencap, and the inner packet back to "
        "the table.\n"
        "Output 1: packets into the tunnel, with the route's SA: IPsecESPEncap -> IPsecAuthHMACSHA1(0) -> "
        "IPsecAES(1) -> IPsecEncap(50), and back to the table, which routes the outer packet to the gateway.\n"
        "Output 2: packets for this host that are not ESP (to the host's stack).\n"
        "Outputs 3 and on: ordinary routes.\n"
        "\n"
        "A route to output 1 must give its SA: `SPI ENCRYPT_KEY AUTH_KEY REPLAY OOSIZE` after the output. The "
        "same SA (one SPI, both keys) serves both directions, as in Click: outbound it numbers packets from REPLAY "
        "(from 1 when REPLAY is 0) and stops sending (IPsecESPEncap's `sequence exhausted`) after 2^32 - 1, as "
        "RFC 4303 asks; inbound, IPsecESPUnencap accepts a sequence number above the highest yet seen, or one "
        "less than OOSIZE behind it not seen before, the window starting at REPLAY - 1. The SA travels with the "
        "packet in annotation bytes (user 3 to 11), as Click's IPSEC_SA_DATA_REFERENCE_ANNO does. Routes are "
        "searched longest prefix first (Click's radix trie gives the same answers); two routes for one prefix "
        "are refused, as an SPI given twice with different keys is. The SAs are shared by all workers (the "
        "sequence counter is atomic, the replay window is kept under a lock per SA).\n"
        "\n"
        "Click's handlers that change routes at run time (add, set, remove, ctrl) and its table and lookup "
        "handlers are not here: routes change with a hot reload. The packets nb's ESP elements make are RFC 4303 "
        "ESP in tunnel mode (AES-128-CBC, HMAC-SHA1-96), which Linux and other IPsec stacks read: see `nbc doc "
        "IPsecESPEncap` for how they differ from Click's own.\n"
        "\n"
        "Input 0 (push): IPv4 packets. Output N (push): packets routed to output N.",
    .example = ipsec::kExample,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(RadixIPsecLookup::spec);

}  // namespace nb::elements
