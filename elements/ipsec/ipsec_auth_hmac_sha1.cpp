#include "ipsec_auth_hmac_sha1.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"VERIFY", ParamType::Unsigned, ParamKind::Positional, true, "",
     "0: compute each packet's ICV and append it (into the tunnel); 1: verify it and take it off (out of the "
     "tunnel).",
     0, 1},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPsecAuthHMACSHA1, computed, "ICVs appended (VERIFY 0)"),
    NB_COUNTER(IPsecAuthHMACSHA1, verified, "packets whose ICV verified (VERIFY 1)"),
    NB_COUNTER(IPsecAuthHMACSHA1, bad_icv,
               "packets whose ICV did not verify (VERIFY 1), sent to output 1 or dropped: Click's `drops`"),
};

}  // namespace

bool IPsecAuthHMACSHA1::configure(const Args& args, Config& config, std::string&) {
  config.verify = args.get_unsigned("VERIFY") == 1;
  return true;
}

NB_ELEMENT_KERNEL(IPsecAuthHMACSHA1);

constinit const ElementSpec IPsecAuthHMACSHA1::spec{
    .class_name = "IPsecAuthHMACSHA1",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "computes or verifies an ESP packet's ICV, HMAC-SHA1-96 (RFC 2404)",
    .description =
        "The integrity step of an IPsec ESP tunnel, with the authentication key of the packet's SA "
        "(RadixIPsecLookup's route). The ICV is HMAC-SHA1 truncated to 96 bits (RFC 2404) over the ESP header, the "
        "IV and the encrypted payload (RFC 4303), computed by OpenSSL's libcrypto.\n"
        "\n"
        "IPsecAuthHMACSHA1(0) appends the ICV to a packet IPsecESPEncap laid out. After IPsecAES(1) it computes it "
        "at once; before it (Click's order, as ipsec-router.click writes it) it appends 12 bytes that IPsecAES(1) "
        "fills in once the payload is encrypted, so that either order makes the same standard packet.\n"
        "\n"
        "IPsecAuthHMACSHA1(1) verifies the ICV of an ESP packet from RadixIPsecLookup's output 0 (its outer IP "
        "header stripped) and takes it off; the comparison takes constant time. Before IPsecAES(0) it checks it "
        "itself; after it (Click's order) IPsecAES(0) has already checked it over the ciphertext and left a "
        "packet whose ICV is wrong undecrypted, which this element then counts. A packet whose ICV is wrong goes "
        "to output 1 when it is connected, as in Click, else it is dropped (`bad icv`); the `bad_icv` counter "
        "counts both, as Click's `drops` handler does. A packet too short for an ESP header, an IV, one AES block "
        "and an ICV is dropped (`malformed`), never read past its end.\n"
        "\n"
        "Input 0 (push): ESP packets with an SA. Output 0 (push): the same, ICV appended or verified and taken "
        "off. Output 1 (push, optional): packets whose ICV is wrong.",
    .example = ipsec::kExample,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPsecAuthHMACSHA1::spec);

}  // namespace nb::elements
