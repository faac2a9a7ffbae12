#include "classifier.hpp"

#include <cstddef>
#include <iterator>
#include <string_view>

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {.name = "PATTERN",
     .type = ParamType::BytePattern,
     .kind = ParamKind::Rest,
     .required = true,
     .default_value = "",
     .doc = "One pattern per output: space-separated offset/value[%mask] clauses, or - for every packet.",
     .validate_all = &byte_pattern::validate},
};


// One line per output: "OUTPUT PACKETS".
void read_counts(const Classifier::Config& c, const Classifier::State& st, std::string& out) {
  for (std::uint32_t i = 0; i < c.npatterns && i < Classifier::kMaxPatterns; ++i)
    out += std::to_string(i) + " " + std::to_string(st.matched[i]) + "\n";
}

// Several workers: each output's count summed over them, in the same format.
void read_counts_workers(const Classifier::Config& c, std::span<const Classifier::State* const> states,
                         std::string& out) {
  for (std::uint32_t i = 0; i < c.npatterns && i < Classifier::kMaxPatterns; ++i) {
    std::uint64_t sum = 0;
    for (const Classifier::State* st : states) sum += st->matched[i];
    out += std::to_string(i) + " " + std::to_string(sum) + "\n";
  }
}

constexpr HandlerSpec kHandlers[] = {
    handler<Classifier, &read_counts, nullptr, &read_counts_workers>(
        "counts", "packets sent to each output, one line per output: OUTPUT COUNT"),
};

}  // namespace

// The kernel's C entry for the JIT, and kOps.
NB_ELEMENT_KERNEL(Classifier);

constinit const ElementSpec Classifier::spec{
    .class_name = "Classifier",
    .ports = "1/-",
    .params = kParams,
    .brief = "classifies packets by contents",
    .description =
        "Sends each packet to the output of the first pattern it matches. Each argument is a "
        "pattern, and pattern i belongs to output i, so there are as many outputs as patterns. "
        "Patterns are tried in order and the first match wins, so put specific patterns before "
        "general ones. Packets that match no pattern are dropped.\n"
        "\n"
        "A pattern is one or more clauses separated by spaces, and matches when every clause "
        "does. A clause offset/value compares the packet's bytes starting at byte offset "
        "(decimal) with value (hexadecimal, two digits per byte): 12/0800 matches 08 00 at bytes "
        "12 and 13. A clause offset/value%mask compares only the bits set in mask, which has as "
        "many hex digits as value: 14/40%f0 matches a high nibble of 4. A '?' digit in value "
        "matches any nibble: 14/4? is the same as 14/40%f0. A clause preceded by '!' matches when "
        "the bytes differ: !23/06. A pattern that is just - matches every packet.\n"
        "\n"
        "As in Click, a clause is false when a byte it compares lies past the end of the packet, "
        "so a negated clause is then true: !23/06 matches a 20-byte packet. Bits under a zero "
        "mask are not compared, so 12/08?? needs only 13 bytes.\n"
        "\n"
        "Limits: at most 64 patterns, each of at most 8 clauses of at most 16 compared bytes. A "
        "longer clause counts as one clause per 16 bytes; a negated clause must fit in 16 "
        "bytes.\n"
        "\n"
        "Input 0 (push): any packets, usually starting at their Ethernet header. Output i (push): "
        "the packets whose first matching pattern is pattern i.",
    .example =
        "c :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);\n"
        "FromDevice(0) -> c;\n"
        "c[0] -> ToDump(arp_requests.pcap);\n"
        "c[1] -> ToDump(arp_replies.pcap);\n"
        "c[2] -> Strip(14) -> CheckIPHeader -> DecIPTTL -> Unstrip(14) -> ToDevice(1);\n"
        "c[3] -> Discard;\n",
    .output_count = OutputCount::OnePerRestArg,
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "h/h",  // push only, as in Click
};

NB_REGISTER_ELEMENT(Classifier::spec);

}  // namespace nb::elements
