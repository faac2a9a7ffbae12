// Print: writes a line per packet to stderr, its length and leading bytes (Click's Print).
#pragma once

#include "print_line.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements {

struct Print {
  static const ElementSpec spec;
  // Per worker: each worker prints the packets it runs; `active` reaches every worker.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  struct Config {
    print_line::Label label;
    std::int32_t maxlength;  // negative: the whole packet
    std::uint8_t contents;   // print_line::Contents
    bool headroom;
    bool print_anno;
    bool active;
  };
  struct State {
    print_line::Active active;
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    if (!print_line::configure_label(args, config.label, error)) return false;
    config.maxlength = static_cast<std::int32_t>(args.get_integer("MAXLENGTH"));
    print_line::parse_contents(args.get_string("CONTENTS"), config.contents);  // validated
    if (args.get_bool("TIMESTAMP")) {
      error = "nb keeps no arrival timestamp with its packets: TIMESTAMP must be false";
      return false;
    }
    config.headroom = args.get_bool("HEADROOM");
    config.print_anno = args.get_bool("PRINTANNO");
    config.active = args.get_bool("ACTIVE");
    return true;
  }

  static void facts(const Config& config, FactSheet& sheet) {
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    // The annotations matter only to what it prints with PRINTANNO.
    sheet.anno_reads = config.print_anno ? anno_field::kEvery : anno_field::kNone;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    if (state.active.get(config.active)) print(config, state, ctx, p);
    ctx.send(0, std::move(p));
  }

  // "LABEL:   LENGTH | 45000054 00004000 ..." as Click's Print writes it.
  static void print(const Config& config, const State& state, const Context& ctx, const Packet& p NB_PARAM_OWNED) {
    const std::uint32_t length = p.length();
    std::uint32_t bytes = 0;
    if (config.contents != print_line::kNone)
      bytes = config.maxlength < 0 || length < static_cast<std::uint32_t>(config.maxlength)
                  ? length
                  : static_cast<std::uint32_t>(config.maxlength);
    print_line::Line line(ctx, &state);
    if (config.label.size) {
      line.put(config.label.view());
      line.put(": ");
    }
    line.dec_width4(length);
    if (config.headroom) {
      line.put(" (h");
      line.dec(p.headroom());
      line.put(" t");
      line.dec(p.tailroom());
      line.put(')');
    }
    if (config.print_anno) {
      line.put(" | ");
      const auto* anno = reinterpret_cast<const std::uint8_t*>(&p.anno());
      for (std::size_t i = 0; i < sizeof(PacketAnno); ++i) line.hex2(anno[i]);
    }
    if (bytes) {
      line.put(" | ");
      ByteView data = p.bytes_from(0);
      print_line::dump(line, data, 0, bytes, config.contents, 0);
    }
    line.end();
  }
};

}  // namespace nb::elements
