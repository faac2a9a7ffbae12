// Click's host elements: FromHost, ToHost, ToHostSniffers, KernelTap and KernelTun. Each is a
// kernel network interface that DPDK's net_tap (net_tun for KernelTun) makes; nbrun opens it as
// a port (nb/element.hpp, PortOpen::Host*), and elements naming one interface share it.
#pragma once

#include <nb/element.hpp>

#include <string_view>

namespace nb::elements {

// A kernel interface name as nbrun can make it: 1 to 15 bytes (IFNAMSIZ), none of them space,
// '/', ':', ',' or '=' (the last two would split DPDK's device arguments).
bool validate_iface_name(std::string_view text, ParamError& error);

}  // namespace nb::elements

namespace nb::elements {

struct FromHost {
  static const ElementSpec spec;
};
struct ToHost {
  static const ElementSpec spec;
};
struct ToHostSniffers {
  static const ElementSpec spec;
};
struct KernelTap {
  static const ElementSpec spec;
};
struct KernelTun {
  static const ElementSpec spec;
};

}  // namespace nb::elements
