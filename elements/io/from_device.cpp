#include "from_device.hpp"

#include <cctype>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Click's capture methods: both of Linux's read the interface through a packet socket, which is
// what DPDK's net_af_packet (nbrun's way to read a Linux interface) does; libpcap on Linux reads
// through one too.
bool validate_method(std::string_view text, ParamError& error) {
  const std::string m = upper(text);
  if (m == "PCAP" || m == "LINUX") return true;
  error = {0, text.size() ? text.size() : 1,
           m == "NETMAP" || m == "DPDK" || m == "NETDEVICE"
               ? "nb reads devices through DPDK: METHOD " + m + " is not taken"
               : "expected PCAP or LINUX",
           "a Linux interface's name is read through a packet socket (DPDK's net_af_packet), as METHOD "
           "LINUX and PCAP read it on Linux; a DPDK port needs no METHOD"};
  return false;
}

constexpr ParamSpec kParams[] = {
    {"DEVNAME", ParamType::Device, ParamKind::Positional, true, "",
     "The DPDK port to receive from: a port index (0), a PCI address (0000:01:00.0) or a virtual "
     "device spec (net_null0, \"net_tap0,iface=nb0\"), or a Linux interface's name (eth0), which "
     "nbrun opens with DPDK's net_af_packet, as Click's FromDevice(eth0) reads eth0."},
    // Second, as in Click's FromDevice(DEVNAME, PROMISC) and PollDevice(DEVNAME, PROMISC).
    {"PROMISC", ParamType::Bool, ParamKind::Positional, false, "false", "Put the device in promiscuous mode."},
    {"QUEUE", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "The receive queue to poll. Queues 0 to QUEUE are set up; the device must have that many.", 0, 1023},
    {"BURST", ParamType::Unsigned, ParamKind::Keyword, false, "32",
     "The largest number of packets taken from the device in one poll. Without it, nbrun's --burst (32) applies.", 1,
     64},
    {"NDESC", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "The number of receive descriptors (the driver may round it to what it supports); 0 uses "
     "nbrun's --rx-desc (1024).",
     0, 16384},
    {"METHOD", ParamType::String, ParamKind::Keyword, false, "PCAP",
     "Click's capture method for a Linux interface: PCAP or LINUX, which nb both reads through a "
     "packet socket (DPDK's net_af_packet), as libpcap does on Linux; Click's other methods are "
     "refused. A DPDK port ignores it.",
     INT64_MIN, UINT64_MAX, &validate_method},
    {"SNIFFER", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Click's sniffer mode. True: the kernel takes the frames too, as it would without nb. False, "
     "for a Linux interface (eth0): nbrun keeps the kernel's stack from every frame arriving on it "
     "(a tc program on its ingress that drops them after packet sockets, nb's and tcpdump's, have "
     "seen them; Click's KernelFilter does it with iptables), and removes the program when it "
     "stops (nbrun killed with SIGKILL leaves it: the next nbrun on the interface replaces it, or "
     "tc filter del dev eth0 ingress removes it). A DPDK port's frames never reach the kernel: "
     "false changes nothing there."},
};

}  // namespace

constinit const ElementSpec FromDevice::spec{
    .class_name = "FromDevice",
    .ports = "0/1",
    .params = kParams,
    .brief = "receives packets from a DPDK port",
    .description =
        "Polls receive queue QUEUE of the DPDK port DEVNAME and pushes out every packet it "
        "receives, up to BURST packets per poll.\n"
        "\n"
        "DEVNAME is a port index, a PCI address or a virtual device spec. A spec that contains "
        "commas must be quoted, since commas separate arguments: "
        "FromDevice(\"net_tap0,iface=nb0\").\n"
        "\n"
        "Output 0 (push): the received frames, each starting at its Ethernet header.",
    .example = "FromDevice(0, BURST 64, PROMISC true) -> EtherMirror -> ToDevice(0);\n",
    .ops = &kSourceOps,
    .port_open = PortOpen::DeviceRx,
    .port_param = "DEVNAME",
};

NB_REGISTER_ELEMENT(FromDevice::spec);

// Click's PollDevice is FromDevice for a device driven by polling: every DPDK port is.
constinit const ElementSpec kPollDevice{
    .class_name = "PollDevice",
    .ports = "0/1",
    .params = kParams,
    .brief = "FromDevice under Click's name for a polled device",
    .description =
        "The same element as FromDevice: DPDK polls every port, so Click's distinction between "
        "PollDevice and FromDevice does not arise. See `nbc doc FromDevice`.\n"
        "\n"
        "Output 0 (push): the received frames, each starting at its Ethernet header.",
    .example = "PollDevice(0, true) -> EtherMirror -> ToDevice(0);\n",
    .ops = &kSourceOps,
    .port_open = PortOpen::DeviceRx,
    .port_param = "DEVNAME",
};

NB_REGISTER_ELEMENT(kPollDevice);

}  // namespace nb::elements
