#include "ipsec_aes.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"ENCRYPT", ParamType::Unsigned, ParamKind::Positional, true, "",
     "1: encrypt each packet's payload (into the tunnel); 0: decrypt it (out of the tunnel).", 0, 1},
};

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(IPsecAES, encrypted, "payloads encrypted (ENCRYPT 1)"),
    NB_COUNTER(IPsecAES, decrypted, "payloads decrypted (ENCRYPT 0)"),
};

}  // namespace

bool IPsecAES::configure(const Args& args, Config& config, std::string&) {
  config.encrypt = args.get_unsigned("ENCRYPT") == 1;
  return true;
}

NB_ELEMENT_KERNEL(IPsecAES);

constinit const ElementSpec IPsecAES::spec{
    .class_name = "IPsecAES",
    .ports = "1/1",
    .params = kParams,
    .brief = "encrypts or decrypts an ESP packet's payload, AES-128-CBC (RFC 3602)",
    .description =
        "The confidentiality step of an IPsec ESP tunnel, with the encryption key of the packet's SA "
        "(RadixIPsecLookup's route): AES-128 in CBC mode (RFC 3602) from OpenSSL's libcrypto, the IV the 16 bytes "
        "after the ESP header, which IPsecESPEncap drew at random.\n"
        "\n"
        "IPsecAES(1) encrypts the payload of a packet IPsecESPEncap laid out (the inner packet, the padding and "
        "the trailer). When IPsecAuthHMACSHA1(0) came first (Click's order) and left the ICV to be filled in, it "
        "computes the ICV over the ciphertext too, as RFC 4303 puts it.\n"
        "\n"
        "IPsecAES(0) decrypts the payload of an ESP packet from RadixIPsecLookup's output 0 whose outer IP header "
        "StripIPHeader took off. The ICV covers the ciphertext: when IPsecAuthHMACSHA1(1) comes after (Click's "
        "order) this element checks it before it decrypts, and leaves a packet whose ICV is wrong as it is for "
        "IPsecAuthHMACSHA1(1) to count and drop, so that nothing unauthenticated is ever decrypted. A packet too "
        "short for an ESP header, an IV, one block and the ICV, or whose payload is no whole number of blocks, "
        "is dropped (`malformed`), never read past its end.\n"
        "\n"
        "Click's IPsecAES uses an 8-byte IV and chains only half of each block; nb's is the standard mode, which "
        "other IPsec implementations read (see `nbc doc IPsecESPEncap`).\n"
        "\n"
        "Input 0 (push): ESP packets with an SA. Output 0 (push): the same, payload encrypted or decrypted.",
    .example = ipsec::kExample,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",
};

NB_REGISTER_ELEMENT(IPsecAES::spec);

}  // namespace nb::elements
