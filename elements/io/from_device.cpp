#include "from_device.hpp"

namespace nb::elements {

namespace {

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
