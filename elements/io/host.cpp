#include "host.hpp"

namespace nb::elements {

bool validate_iface_name(std::string_view text, ParamError& error) {
  if (text.empty()) {
    error = {0, 1, "expected an interface name such as fake0", ""};
    return false;
  }
  if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    // A device named by its whole Ethernet address (or NAME:eth) is the host's interface that has
    // it: the compiler puts that interface's name here first (bind_args.cpp, device_by_ether).
    error = {colon, 1,
             "a Linux interface name has no ':' (a device named by its Ethernet address takes all six "
             "bytes, 00:e0:98:09:ab:af, or an AddressInfo name's NAME:eth)",
             ""};
    return false;
  }
  if (text.size() > 15) {
    error = {15, text.size() - 15, "a Linux interface name has at most 15 characters", ""};
    return false;
  }
  if (text == "." || text == "..") {
    error = {0, text.size(), "'.' and '..' cannot name an interface", ""};
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c <= ' ' || c == '/' || c == ':' || c == ',' || c == '=' || c == 0x7f) {
      error = {i, 1, "an interface name cannot contain spaces, '/', ':', ',' or '='", ""};
      return false;
    }
  }
  return true;
}

namespace {

// Click's arguments nb does not take: declared so that the error says why.
bool refuse_gateway(std::string_view, ParamError& error) {
  error = {0, 1,
           "nb does not change the host's default route; after nbrun has made the interface, add it "
           "yourself: ip route add default via GATEWAY",
           ""};
  return false;
}

bool refuse_tap(std::string_view, ParamError& error) {
  error = {0, 1, "KernelTun(..., TAP true) is KernelTap in nb: write KernelTap", ""};
  return false;
}

bool refuse_dev_name(std::string_view, ParamError& error) {
  error = {0, 1, "DEV_NAME is Click's old spelling of DEVNAME: write DEVNAME", ""};
  return false;
}

bool ether_type_only(std::string_view text, ParamError& error) {
  if (text == "ETHER") return true;
  error = {0, text.size() ? text.size() : 1,
           text == "IP" ? "TYPE IP (raw IP packets) is KernelTun in nb: this element carries Ethernet frames"
                        : "expected ETHER (nb's tap carries Ethernet frames; KernelTun carries IP packets)",
           ""};
  return false;
}

constexpr std::string_view kDevDoc =
    "The kernel interface's name (at most 15 characters). nbrun makes it with DPDK's net_tap; every "
    "FromHost, ToHost, ToHostSniffers and KernelTap naming it shares it.";
constexpr std::string_view kEtherDoc =
    "The interface's Ethernet address, as the kernel sees it: frames handed to the kernel must be "
    "addressed to it (or be broadcasts) for its IP stack to take them.";
constexpr std::string_view kMtuDoc =
    "The interface's MTU, without the link header. Without it, the driver's 1500. nbrun refuses an MTU "
    "whose frames would not fit its packet buffers.";
constexpr std::string_view kHeadroomDoc =
    "Bytes of headroom before each packet from the kernel. nb's packets always have DPDK's headroom "
    "(128 bytes) before them; a HEADROOM up to that is met as it is.";
constexpr std::string_view kBurstDoc =
    "The largest number of packets taken from the kernel in one poll. Without it, nbrun's --burst (32).";

constexpr ParamSpec kFromHostParams[] = {
    {"DEVNAME", ParamType::Device, ParamKind::Positional, true, "", kDevDoc, 0, UINT64_MAX, &validate_iface_name},
    {"PREFIX", ParamType::IPv4Prefix, ParamKind::Positional, false, "",
     "ADDR/MASK: the kernel's address on the interface (ADDR, as written: 192.0.0.1/8 gives it 192.0.0.1) "
     "and the network the kernel then routes through it (192.0.0.0/8). Without it the interface has no "
     "IPv4 address."},
    {"ETHER", ParamType::EtherAddress, ParamKind::Keyword, false, "00:01:02:03:04:05", kEtherDoc},
    {"MTU", ParamType::Unsigned, ParamKind::Keyword, false, "1500", kMtuDoc, 68, 65535},
    {"HEADROOM", ParamType::Unsigned, ParamKind::Keyword, false, "0", kHeadroomDoc, 0, 128},
    {"BURST", ParamType::Unsigned, ParamKind::Keyword, false, "32", kBurstDoc, 1, 64},
    {"TYPE", ParamType::String, ParamKind::Keyword, false, "ETHER",
     "ETHER, the only type: packets carry Ethernet headers (Click's TYPE IP is KernelTun here).", 0, UINT64_MAX,
     &ether_type_only},
    {"GATEWAY", ParamType::IPv4Address, ParamKind::Keyword, false, "",
     "Not taken: Click sets a default route through it; nb leaves the host's routes alone.", 0, UINT64_MAX,
     &refuse_gateway},
};

constexpr ParamSpec kToHostParams[] = {
    {"DEVNAME", ParamType::Device, ParamKind::Positional, false, "",
     "The kernel interface to hand packets to (at most 15 characters): the one a FromHost or KernelTap of "
     "that name makes, else a tap of that name nbrun makes. The name of an existing interface of the "
     "host (eth0) gives the tap nb-eth0 with eth0's Ethernet address. Without it: the configuration's "
     "only FromHost or KernelTap interface, else nbhost.",
     0, UINT64_MAX, &validate_iface_name},
    {"TYPE", ParamType::String, ParamKind::Keyword, false, "ETHER",
     "ETHER, the only type: packets carry Ethernet headers (to hand the kernel raw IP packets, use KernelTun).", 0,
     UINT64_MAX, &ether_type_only},
};

constexpr ParamSpec kKernelParams[] = {
    {"ADDR", ParamType::IPv4Prefix, ParamKind::Positional, true, "",
     "ADDR/MASK: the kernel's address on the interface, as written (1.0.0.1/8 gives it 1.0.0.1), and the "
     "network the kernel routes through it (1.0.0.0/8)."},
    {"GATEWAY", ParamType::IPv4Address, ParamKind::Positional, false, "",
     "Not taken: Click sets a default route through it; nb leaves the host's routes alone.", 0, UINT64_MAX,
     &refuse_gateway},
    {"DEVNAME", ParamType::Device, ParamKind::Keyword, false, "",
     "The interface's name (at most 15 characters). Without it, nbrun takes the first free tapN (KernelTap) "
     "or tunN (KernelTun).",
     0, UINT64_MAX, &validate_iface_name},
    {"ETHER", ParamType::EtherAddress, ParamKind::Keyword, false, "00:01:02:03:04:05", kEtherDoc},
    {"MTU", ParamType::Unsigned, ParamKind::Keyword, false, "1500", kMtuDoc, 68, 65535},
    {"HEADROOM", ParamType::Unsigned, ParamKind::Keyword, false, "0", kHeadroomDoc, 0, 128},
    {"BURST", ParamType::Unsigned, ParamKind::Keyword, false, "32", kBurstDoc, 1, 64},
    {"IGNORE_QUEUE_OVERFLOWS", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Accepted for Click's configurations: nbrun prints nothing per packet to silence; what the interface "
     "cannot take shows in the port's drop counts."},
    {"DEV_NAME", ParamType::String, ParamKind::Keyword, false, "", "Not taken: Click's old spelling of DEVNAME.", 0,
     UINT64_MAX, &refuse_dev_name},
    {"TAP", ParamType::Bool, ParamKind::Keyword, false, "", "Not taken: KernelTap is the tap.", 0, UINT64_MAX,
     &refuse_tap},
};

// KernelTun: the same, without ETHER (a tun has no link layer).
constexpr ParamSpec kKernelTunParams[] = {kKernelParams[0], kKernelParams[1], kKernelParams[2],
                                          kKernelParams[4], kKernelParams[5], kKernelParams[6],
                                          kKernelParams[7], kKernelParams[8], kKernelParams[9]};

}  // namespace

constinit const ElementSpec FromHost::spec{
    .class_name = "FromHost",
    .ports = "0/1",
    .params = kFromHostParams,
    .brief = "receives what the kernel sends to a tap interface",
    .description =
        "Makes the kernel network interface DEVNAME (DPDK's net_tap), gives the kernel the address "
        "PREFIX on it, and pushes out every frame the kernel sends through it. The kernel then routes "
        "PREFIX's network through DEVNAME, as Click's FromHost arranges.\n"
        "\n"
        "A ToHost naming the same DEVNAME hands frames back to the kernel on that interface; they "
        "share one port. The interface goes when nbrun stops; a reload keeps it as it is.\n"
        "\n"
        "The kernel sends ARP queries for the addresses it routes through the interface: answer them "
        "(with any Ethernet address) or it sends no IP packets, as in the example.\n"
        "\n"
        "Making an interface needs CAP_NET_ADMIN; nbrun says so when it is missing. `nbc check` makes "
        "nothing.\n"
        "\n"
        "Output 0 (push): the kernel's frames, each starting at its Ethernet header.",
    .example =
        "FromHost(fake0, 192.0.0.1/8) -> c :: Classifier(12/0806, 12/0800);\n"
        "c[0] -> ARPResponder(0.0.0.0/0 1:1:1:1:1:1) -> ToHost(fake0);\n"
        "c[1] -> Discard;\n",
    .ops = &kSourceOps,
    .port_open = PortOpen::HostRx,
    .port_param = "DEVNAME",
};

NB_REGISTER_ELEMENT(FromHost::spec);

constinit const ElementSpec ToHost::spec{
    .class_name = "ToHost",
    .ports = "1/0",
    .params = kToHostParams,
    .brief = "hands frames to the kernel's network stack through a tap interface",
    .description =
        "Hands every frame that arrives to the kernel as received on the tap interface DEVNAME "
        "(DPDK's net_tap). The kernel's IP stack takes frames addressed to the interface's Ethernet "
        "address, broadcasts and multicasts, and IPv4 packets for its own addresses; sniffers "
        "(tcpdump -i DEVNAME) see every frame.\n"
        "\n"
        "Any number of ToHost and ToHostSniffers elements may name one interface, and a FromHost or "
        "KernelTap naming it shares it. Without DEVNAME, ToHost uses the interface of the "
        "configuration's only FromHost or KernelTap, else a tap named nbhost (Click's kernel ToHost "
        "gives each packet to the device it came in on; nb's packets do not carry one).\n"
        "\n"
        "ToHost(eth0), where eth0 is an interface of the host, hands the frames to a tap of nb's own "
        "named nb-eth0 that has eth0's Ethernet address, so the kernel takes what was addressed to "
        "eth0. When eth0 is also read by FromDevice(eth0) (DPDK's net_af_packet), the kernel has "
        "received those frames already: handing them over again duplicates them.\n"
        "\n"
        "Input 0 (push): complete frames, each starting at its Ethernet header.",
    .example =
        "FromHost(fake0, 192.0.0.1/8) -> c :: Classifier(12/0806, 12/0800);\n"
        "c[0] -> ARPResponder(0.0.0.0/0 1:1:1:1:1:1) -> ToHost(fake0);\n"
        "c[1] -> Discard;\n",
    .ops = &kSinkOps,
    .port_open = PortOpen::HostTx,
    .port_param = "DEVNAME",
};

NB_REGISTER_ELEMENT(ToHost::spec);

constinit const ElementSpec ToHostSniffers::spec{
    .class_name = "ToHostSniffers",
    .ports = "1/0",
    .params = kToHostParams,
    .brief = "hands frames to the kernel's packet sniffers through a tap interface (ToHost in nb)",
    .description =
        "The same element as ToHost (see `nbc doc ToHost`). Click's kernel module can hand a frame to "
        "the sniffers alone; a tap interface cannot: sniffers on DEVNAME (tcpdump -i DEVNAME) see every "
        "frame, and the kernel's IP stack also takes those addressed to the interface (its Ethernet "
        "address, broadcasts, its own IPv4 addresses). Frames addressed to other hosts, which "
        "is what sniffers are usually given, reach the sniffers only.\n"
        "\n"
        "Input 0 (push): complete frames, each starting at its Ethernet header.",
    .example = "FromDump(in.pcap) -> ToHostSniffers(sniff0);\n",
    .ops = &kSinkOps,
    .port_open = PortOpen::HostTx,
    .port_param = "DEVNAME",
};

NB_REGISTER_ELEMENT(ToHostSniffers::spec);

constinit const ElementSpec KernelTap::spec{
    .class_name = "KernelTap",
    .ports = "0-1/1",
    .params = kKernelParams,
    .brief = "a kernel tap interface: frames to and from the kernel's network stack",
    .description =
        "Makes a kernel tap interface (DPDK's net_tap) with the kernel's address ADDR/MASK on it, "
        "pushes out every frame the kernel sends through it, and hands the kernel every frame that "
        "arrives on its input. The kernel routes MASK's network through the interface.\n"
        "\n"
        "Frames for the kernel must be addressed to ETHER (or be broadcasts) for its IP stack to take "
        "them. "
        "Making an interface needs CAP_NET_ADMIN; `nbc check` makes nothing. The interface goes when "
        "nbrun stops; a reload keeps it as it is.\n"
        "\n"
        "Input 0 (push or pull, optional): frames for the kernel, each starting at its Ethernet header.\n"
        "Output 0 (push): the kernel's frames, each starting at its Ethernet header.",
    .example =
        "tap :: KernelTap(192.0.0.1/8, ETHER 00:01:02:03:04:05) -> c :: Classifier(12/0806, 12/0800);\n"
        "c[0] -> ARPResponder(0.0.0.0/0 1:1:1:1:1:1) -> tap;\n"
        "c[1] -> Discard;\n",
    .ops = &kSourceSinkOps,
    .port_open = PortOpen::HostTap,
    .port_param = "DEVNAME",
    .flow_code = "x/y",  // what enters goes to the kernel, not out: a loop through it is no cycle
};

NB_REGISTER_ELEMENT(KernelTap::spec);

constinit const ElementSpec KernelTun::spec{
    .class_name = "KernelTun",
    .ports = "0-1/1-2",
    .params = kKernelTunParams,
    .brief = "a kernel tun interface: IP packets to and from the kernel's network stack",
    .description =
        "Makes a kernel tun interface (DPDK's net_tun) with the kernel's address ADDR/MASK on it, "
        "pushes out every packet the kernel routes through it, and hands the kernel every packet that "
        "arrives on its input. Packets carry no link header: each starts at its IP header.\n"
        "\n"
        "Packets for ADDR itself the kernel answers without nb; the kernel sends what it routes to "
        "the rest of MASK's network (ping 1.0.0.2 for KernelTun(1.0.0.1/8)) to nb.\n"
        "\n"
        "As Click's, KernelTun has one or two outputs. With two, what is not IP (its first byte's "
        "version is neither 4 nor 6) comes out of output 1; with one, every packet comes out of "
        "output 0 (Click drops the non-IP ones there), for a CheckIPHeader or Classifier to sort. "
        "The compiler sorts them with a Classifier(0/40%d0, -) named NAME/split after the element.\n"
        "\n"
        "Making an interface needs CAP_NET_ADMIN; `nbc check` makes nothing. The interface goes when "
        "nbrun stops; a reload keeps it as it is.\n"
        "\n"
        "Input 0 (push or pull, optional): IP packets for the kernel, each starting at its IP header.\n"
        "Output 0 (push): the kernel's packets, each starting at its IP header.\n"
        "Output 1 (push, optional): what the kernel sends that is not IP.",
    .example = "tun :: KernelTun(1.0.0.1/8) -> CheckIPHeader -> IPMirror -> tun;\ntun[1] -> Discard;\n",
    .ops = &kSourceSinkOps,
    .port_open = PortOpen::HostTun,
    .port_param = "DEVNAME",
    .flow_code = "x/y",
    .source_split = "0/40%d0, -",  // IPv4 and IPv6 (version 4: 0100, 6: 0110), then the rest
};

NB_REGISTER_ELEMENT(KernelTun::spec);

}  // namespace nb::elements
