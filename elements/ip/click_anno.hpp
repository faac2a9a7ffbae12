// Click's one-byte IP annotations, at Click's places: Click keeps them in its annotation area
// after the paint byte (offset 16), so Click's offset 17 (ICMP_PARAMPROB_ANNO) is nb's
// PacketAnno::user[0] and 19 (FIX_IP_SRC_ANNO) is user[2] - the bytes Paint(ANNO 1) and
// Paint(ANNO 3) reach, as Click's Paint(ANNO 17) and Paint(ANNO 19) reach them.
#pragma once

#include <nb/packet.hpp>

#include <cstdint>

namespace nb::elements::click_anno {

// IPGWOptions: the offset in the IP header of the option byte that is wrong; ICMPError's
// parameter-problem pointer.
inline std::uint8_t& param_prob(PacketAnno& a) {
  return a.user[0];
}
// ICMPError: the error's source address is to be the outgoing interface's (FixIPSrc).
inline std::uint8_t& fix_ip_src(PacketAnno& a) {
  return a.user[2];
}

}  // namespace nb::elements::click_anno
