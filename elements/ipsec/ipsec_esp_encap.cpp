#include "ipsec_esp_encap.hpp"

namespace nb::elements {

namespace {

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPsecESPEncap, encapsulated, "packets laid out as ESP payloads"),
};

}  // namespace

NB_ELEMENT_KERNEL(IPsecESPEncap);

constinit const ElementSpec IPsecESPEncap::spec{
    .class_name = "IPsecESPEncap",
    .ports = "1/1",
    .params = {},
    .brief = "lays an IP packet out as an ESP payload: SPI, sequence number, IV, padding, trailer",
    .description =
        "The first step into an IPsec ESP tunnel (RFC 4303, tunnel mode), after RadixIPsecLookup's output 1, "
        "which gave the packet its SA. It puts the SA's SPI, the SA's next sequence number and a random 16-byte IV "
        "(OpenSSL's generator) in front of the IP packet, and behind it the padding 1, 2, 3, ... that makes the "
        "payload a whole number of AES blocks, the pad length and the next header (4 for an IPv4 packet, 41 for "
        "IPv6). IPsecAuthHMACSHA1(0) and IPsecAES(1) then protect it, IPsecEncap(50) puts the outer header on.\n"
        "\n"
        "Sequence numbers count from the SA's REPLAY; they are the SA's, shared by all workers (an atomic "
        "counter), so packets of one SA on several workers never share one. After 2^32 - 1 packets the SA sends "
        "no more (`sequence exhausted`): RFC 4303 forbids cycling, the SA must be rekeyed (a reload with new "
        "keys).\n"
        "\n"
        "Differences from Click: nb's ESP elements make standard packets, which Linux's xfrm, strongSwan or "
        "tshark read given the SA: AES-128-CBC with a 16-byte IV (RFC 3602), the ICV HMAC-SHA1-96 (RFC 2404) "
        "over the encrypted packet. Click's make a format of their own (an 8-byte IV, AES chaining only half of "
        "each block, the ICV over the plaintext and partly encrypted, the next header the inner protocol) that "
        "only Click reads. The elements keep Click's order in a configuration: the ICV that IPsecAuthHMACSHA1(0) "
        "reserves before IPsecAES(1) is filled in once the payload is encrypted (docs/ipsec.md).\n"
        "\n"
        "Input 0 (push): IP packets with an SA (RadixIPsecLookup's output 1). Output 0 (push): ESP packets "
        "before encryption, without their outer IP header.",
    .example = ipsec::kExample,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPsecESPEncap::spec);

}  // namespace nb::elements
