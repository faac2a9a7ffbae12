// IP6Print: writes a line per IPv6 packet to stderr (Click's IP6Print).
#pragma once

#include "../standard/print_line.hpp"

#include <nb/element.hpp>

#include <arpa/inet.h>

#include <cstdint>
#include <string>

namespace nb::elements {

struct IP6Print {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    print_line::Label label;
    std::uint32_t nbytes;
    bool contents;
  };
  struct State {};

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (!print_line::configure_label(args, config.label, error)) return false;
    config.nbytes = static_cast<std::uint32_t>(args.get_unsigned("NBYTES"));
    config.contents = args.get_bool("CONTENTS");
    return true;
  }

  static void facts(const Config&, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.anno_reads = anno_field::kNetworkOffset;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    print(config, state, ctx, p);
    ctx.send(0, std::move(p));
  }

  static void address(print_line::Line& line, const ByteView& ip, std::uint32_t at) {
    std::uint8_t a[16];
    ip.read(at, a, 16);
    char buf[INET6_ADDRSTRLEN];
    line.put(::inet_ntop(AF_INET6, a, buf, sizeof buf) ? std::string_view(buf) : std::string_view("?"));
  }

  // Click's line: "LABEL: SRC -> DST plen N, next N, hlim N", then with CONTENTS the packet's
  // first NBYTES bytes in hex, from its start: groups of four, 24 bytes a line, each line
  // indented by two spaces (after every 24th byte too, as Click does).
  static void print(const Config& config, const State& state, const Context& ctx, const Packet& p NB_PARAM_OWNED) {
    print_line::Line line(ctx, &state);
    if (config.label.size) {
      line.put(config.label.view());
      line.put(": ");
    }
    const ByteView ip = p.bytes_at(p.network_offset(), 40);
    if (!ip) {
      line.put("truncated-ip6");
    } else {
      address(line, ip, 8);
      line.put(" -> ");
      address(line, ip, 24);
      line.put(" plen ");
      line.dec(static_cast<std::uint32_t>(ip.byte(4) << 8 | ip.byte(5)));
      line.put(", next ");
      line.dec(ip.byte(6));
      line.put(", hlim ");
      line.dec(ip.byte(7));
    }
    if (config.contents) {
      const ByteView all = p.bytes_from(0);
      line.put("\n  ");
      for (std::uint32_t i = 0; i < config.nbytes && i < all.size(); ++i) {
        line.hex2(all.byte(i));
        if (i % 24 == 23)
          line.put("\n  ");
        else if (i % 4 == 3)
          line.put(' ');
      }
    }
    line.end();
  }
};

}  // namespace nb::elements
