#include "ipsec_esp_unencap.hpp"

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPsecESPUnencap, decapsulated, "inner packets taken out of ESP packets"),
};

}  // namespace

NB_ELEMENT_KERNEL(IPsecESPUnencap);

constinit const ElementSpec IPsecESPUnencap::spec{
    .class_name = "IPsecESPUnencap",
    .ports = "1/1",
    .params = {},
    .brief = "checks an ESP packet's sequence number and padding and leaves the inner IP packet",
    .description =
        "The last step out of an IPsec ESP tunnel, after IPsecAES(0) and IPsecAuthHMACSHA1(1) (a packet they did "
        "not both pass is dropped: `no sa`). It checks the sequence number against the SA's replay window (RFC "
        "4303 3.4.3, which Click's README says its elements lack): a number above the highest yet received moves "
        "the window, one at most OOSIZE - 1 behind it is accepted once, anything older, seen before, or 0 is "
        "dropped (`replay`). The window is the SA's, shared by every worker under a lock of its own, and moves "
        "only for packets whose ICV verified. Then it checks the padding (the pad length must fit, the padding "
        "must be 1, 2, 3, ..., as IPsecESPEncap and RFC 4303 write it: else `bad padding`) and the next header "
        "(4, IPv4, or 41, IPv6: else `not ip`), and takes off the ESP header, the IV and the trailer. The inner "
        "packet is marked as the IP header; CheckIPHeader should check it before it is routed.\n"
        "\n"
        "Input 0 (push): decrypted, verified ESP packets. Output 0 (push): the inner IP packets.",
    .example = ipsec::kExample,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPsecESPUnencap::spec);

}  // namespace nb::elements
