#include "to_device.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"DEVNAME", ParamType::Device, ParamKind::Positional, true, "",
     "The DPDK port to send on: a port index (0), a PCI address (0000:01:00.0) or a virtual "
     "device spec (net_null0, \"net_tap0,iface=nb0\"), or a Linux interface's name (eth0), which "
     "nbrun opens with DPDK's net_af_packet, as Click's FromDevice(eth0) reads eth0."},
    {"QUEUE", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "The transmit queue to use. Queues 0 to QUEUE are set up; the device must have that many.", 0, 1023},
    {"BURST", ParamType::Unsigned, ParamKind::Keyword, false, "32",
     "The largest number of packets handed to the device at once. Without it, nbrun's --burst (32) applies.", 1, 64},
    {"NDESC", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "The number of transmit descriptors (the driver may round it to what it supports); 0 uses "
     "nbrun's --tx-desc (1024).",
     0, 16384},
};

}  // namespace

constinit const ElementSpec ToDevice::spec{
    .class_name = "ToDevice",
    .ports = "1/0",
    .params = kParams,
    .brief = "sends packets to a DPDK port",
    .description =
        "Transmits every packet that arrives on its input on transmit queue QUEUE of the DPDK "
        "port DEVNAME, handing the device up to BURST packets at a time.\n"
        "\n"
        "DEVNAME is a port index, a PCI address or a virtual device spec. A spec that contains "
        "commas must be quoted, since commas separate arguments: "
        "ToDevice(\"net_tap0,iface=nb0\").\n"
        "\n"
        "Input 0 (push): complete frames to send, each starting at its Ethernet header.",
    .example = "FromDevice(0) -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDevice(1);\n",
    .ops = &kSinkOps,
    .port_open = PortOpen::DeviceTx,
    .port_param = "DEVNAME",
};

NB_REGISTER_ELEMENT(ToDevice::spec);

}  // namespace nb::elements
