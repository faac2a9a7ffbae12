// IPFragmenter: splits IPv4 packets longer than MTU into fragments (RFC 791).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace nb::elements {

struct IPFragmenter {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  // Fragments are sent one by one: all but the last as copies of the packet.
  static constexpr std::uint32_t kMaxEmitsPerPush = kMaxEmits;
  // What the runtime's mempool gives every copy (RTE_PKTMBUF_HEADROOM).
  static constexpr std::uint32_t kMaxHeadroom = 128;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "longer than MTU without a complete IPv4 header, or a total length past its end"},
      {"dont fragment", "longer than MTU with DF set (or MTU too small for 8 data bytes), output 1 not connected"},
      {"too many fragments", "would need more than 64 fragments"},
  });

  struct Config {
    std::uint32_t mtu;
    bool honor_df;
    bool verbose;
  };
  struct State {
    std::uint64_t fragments;   // fragments sent (Click's `fragments`)
    std::uint64_t df_packets;  // DF packets sent to output 1 or dropped (Click's `drops`)
    std::uint32_t random;      // IP identifications for packets whose DF is ignored
  };

  static bool configure(const Args& args, Config& config, std::string& error);

  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNetworkOffset; }

  // The options a later fragment carries (RFC 791: those with the copied flag), padded with
  // end-of-list bytes to a multiple of 4, as Click copies them; their length.
  static std::uint32_t copy_options(const std::uint8_t* hdr, std::uint32_t hlen, std::uint8_t* out) {
    std::uint32_t n = 0;
    for (std::uint32_t i = 20; i < hlen;) {
      const std::uint8_t type = hdr[i];
      if (type == 1) {  // NOP: not copied
        ++i;
        continue;
      }
      if (type == 0 || i + 1 == hlen || hdr[i + 1] < 2 || i + hdr[i + 1] > hlen) break;
      if (type & 0x80) {
        std::memcpy(out + n, hdr + i, hdr[i + 1]);
        n += hdr[i + 1];
      }
      i += hdr[i + 1];
    }
    while (n % 4) out[n++] = 0;
    return n;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t off = p.network_offset();
    if (p.length() - (off < p.length() ? off : p.length()) <= config.mtu) {
      ctx.send(0, std::move(p));
      return;
    }
    std::uint8_t hdr[60];
    std::uint32_t hlen = 0, in_dlen = 0;
    {
      const IPv4View ip = p.ipv4(off);
      if (!ip || !ip.header_fits() || ip.total_length() < ip.header_length() || ip.total_length() > ip.available()) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      hlen = ip.header_length();
      in_dlen = ip.total_length() - hlen;
      ip.read(0, hdr, hlen);
    }
    if (hlen + in_dlen <= config.mtu) {  // the datagram fits: only padding after it made it long
      ctx.send(0, std::move(p));
      return;
    }
    const bool df = hdr[6] & 0x40;
    const std::int64_t first_dlen = (static_cast<std::int64_t>(config.mtu) - hlen) & ~std::int64_t{7};
    if ((df && config.honor_df) || first_dlen < 8) {
      if (config.verbose || state.df_packets < 5) ctx.log(&state, "packet longer than MTU with DF set");
      ++state.df_packets;
      if (ctx.connected(1))
        ctx.send(1, std::move(p));
      else
        ctx.drop(std::move(p), kDrops["dont fragment"]);
      return;
    }
    std::uint8_t opts[40];
    const std::uint32_t out_hlen = 20 + copy_options(hdr, hlen, opts);
    const std::uint32_t out_dlen = (config.mtu - out_hlen) & ~7u;  // >= first_dlen: out_hlen <= hlen
    const std::uint32_t dlen0 = static_cast<std::uint32_t>(first_dlen);
    if (1 + (in_dlen - dlen0 + out_dlen - 1) / out_dlen > kMaxEmits) {
      ctx.drop(std::move(p), kDrops["too many fragments"]);
      return;
    }
    if (df) {  // DF ignored (HONOR_DF false): the identification cannot be trusted, as Click says
      state.random = state.random * 1103515245u + 12345u;
      hdr[4] = static_cast<std::uint8_t>(state.random >> 24);
      hdr[5] = static_cast<std::uint8_t>(state.random >> 16);
      hdr[6] &= ~0x40;
    }
    const bool had_mf = hdr[6] & 0x20;
    const std::uint16_t word = static_cast<std::uint16_t>((hdr[6] << 8 | hdr[7]) | 0x2000);
    const std::uint32_t length = p.length();

    // The first fragment: the packet's front (whatever precedes the IP header, and the header
    // with all its options), cut after first_dlen data bytes.
    {
      const IPv4View ip = p.ipv4(off);
      if (!ip) {  // cannot happen: it was there above
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      ip.write(0, hdr, hlen);
      ip.set_total_length(static_cast<std::uint16_t>(hlen + dlen0));
      ip.set_fragment_word(word);
      ip.update_checksum();
    }
    p.truncate(off + hlen + dlen0);
    ctx.send_copy(0, p);
    p.put(length - p.length());
    ++state.fragments;

    // The others: each header is written just in front of its data (over bytes already sent).
    std::uint32_t at = 0;  // how far the data start has moved
    std::uint32_t last_length = 0;
    for (std::uint32_t doff = dlen0; doff < in_dlen;) {
      const std::uint32_t dlen = in_dlen - doff < out_dlen ? in_dlen - doff : out_dlen;
      const bool last = doff + dlen >= in_dlen;
      const std::uint32_t start = off + hlen + doff - out_hlen;
      p.pull(start - at);
      at = start;
      p.set_network_offset(0);
      const IPv4View ip = p.ipv4(0);
      if (!ip) break;  // cannot happen: the fragment's bytes are all there
      ip.write(0, hdr, 20);
      ip.write(20, opts, out_hlen - 20);
      ip.set_version_ihl(4, static_cast<std::uint8_t>(out_hlen / 4));
      ip.set_total_length(static_cast<std::uint16_t>(out_hlen + dlen));
      std::uint16_t w = static_cast<std::uint16_t>(word + (doff >> 3));
      if (last && !had_mf) w &= ~0x2000;
      ip.set_fragment_word(w);
      ip.update_checksum();
      ++state.fragments;
      last_length = out_hlen + dlen;
      if (last) break;
      p.truncate(last_length);
      ctx.send_copy(0, p);
      p.put(length - at - p.length());
      doff += dlen;
    }
    p.truncate(last_length);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements
