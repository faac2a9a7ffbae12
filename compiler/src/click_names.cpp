// The table is built from the element classes Click's own configurations (conf/*.click) use
// that nb lacks (tools/click_conf_report.py lists them), where nb has something close. A class
// nb later gains is simply never looked up here: the note is only for unknown classes.
#include <nb/compiler/click_names.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace nb::compiler {
namespace {

constexpr std::string_view kLookup = "LookupIPRoute, which reads the same routes (`ADDR/LEN [GATEWAY] OUTPUT`)";
constexpr std::string_view kRewriter = "IPRewriter (TCP and UDP address and port translation)";
constexpr std::string_view kQueue = "Queue, which drops at the tail when full";
constexpr std::string_view kDump = "ToDump(FILE), then read it with `tcpdump -n -r FILE`";
constexpr std::string_view kGenerate =
    "FromDump(FILE, LOOP true) over a capture nb-gen-traffic writes, which replays it forever";
constexpr std::string_view kScheduler =
    "nothing: it only tunes Click's task scheduler; every nb worker runs each task in its loop "
    "(docs/queues.md)";
constexpr std::string_view kControl = "nbctl, which reads and writes any running nbrun's handlers (docs/control.md)";

// Sorted by Click's name, byte by byte (find_click_replacement searches it).
constexpr std::array kTable = {
    ClickReplacement{"ARPPrint", kDump, "ToDump"},
    ClickReplacement{"BalancedThreadSched", kScheduler, ""},
    ClickReplacement{"ChatterSocket", kControl, ""},
    ClickReplacement{"DiscardNoFree", "Discard", "Discard"},
    ClickReplacement{"FastTCPSource", kGenerate, "FromDump"},
    ClickReplacement{"FrontDropQueue", "Queue, which drops at the tail (not the front) when full", "Queue"},
    ClickReplacement{"IPAddrRewriter", kRewriter, "IPRewriter"},
    ClickReplacement{"IPRateMonitor", "FlowMonitor, which counts packets and bytes per flow (not per prefix)",
                     "FlowMonitor"},
    ClickReplacement{"IPRouteTable", kLookup, "LookupIPRoute"},
    ClickReplacement{"MixedQueue", kQueue, "Queue"},
    ClickReplacement{"NotifierQueue", "Queue", "Queue"},
    ClickReplacement{"Null", "a direct connection; `elementclass Null { input -> output }` keeps the name", ""},
    ClickReplacement{"RangeIPLookup", kLookup, "LookupIPRoute"},
    ClickReplacement{"UDPRewriter", kRewriter, "IPRewriter"},
};

constexpr bool sorted_by_name() {
  for (std::size_t i = 1; i < kTable.size(); ++i) {
    if (!(kTable[i - 1].click < kTable[i].click)) return false;
  }
  return true;
}
static_assert(sorted_by_name(), "kTable must be sorted by Click's name");

}  // namespace

std::span<const ClickReplacement> click_replacements() {
  return kTable;
}

const ClickReplacement* find_click_replacement(std::string_view name) {
  auto it = std::lower_bound(kTable.begin(), kTable.end(), name,
                             [](const ClickReplacement& r, std::string_view n) { return r.click < n; });
  return it != kTable.end() && it->click == name ? &*it : nullptr;
}

std::string click_replacement_note(const ClickReplacement& r) {
  return fmt::format("Click's {} is not in nb (yet): use {}", r.click, r.use);
}

}  // namespace nb::compiler
