// The annotation byte Paint, CheckPaint, PaintSwitch and PaintTee work on (Click's ANNO):
// 0 is PacketAnno::paint, 1..15 are PacketAnno::user[0..14].
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>

namespace nb::elements::paint_anno {

inline constexpr std::uint64_t kMax = sizeof(PacketAnno::user);

// The element's ANNO argument; false and `error` when it names no byte.
inline bool read(const Args& args, std::uint8_t& anno, std::string& error) {
  const std::uint64_t value = args.get_unsigned("ANNO");
  if (value > kMax) {
    error = "ANNO " + std::to_string(value) + " is not a one-byte annotation: use 0 (paint) to " + std::to_string(kMax);
    return false;
  }
  anno = static_cast<std::uint8_t>(value);
  return true;
}

inline std::uint8_t& byte(PacketAnno& a, std::uint8_t anno) { return anno == 0 ? a.paint : a.user[anno - 1]; }
inline std::uint8_t byte(const PacketAnno& a, std::uint8_t anno) { return anno == 0 ? a.paint : a.user[anno - 1]; }

// Which of FactSheet's annotation fields the byte belongs to.
inline std::uint8_t field(std::uint8_t anno) { return anno == 0 ? anno_field::kPaint : anno_field::kUser; }

}  // namespace nb::elements::paint_anno
