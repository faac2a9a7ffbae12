// SignatureMatcher: a signature IDS. Scans each IPv4 packet's TCP/UDP payload (or the whole
// packet from its IP header) with Hyperscan against a rules file of literal and regex signatures;
// matching packets leave on output 1 (alerts), the others on output 0.
#pragma once

#include <nb/element.hpp>

#include <hs/hs.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct SignatureMatcher {
  static const ElementSpec spec;
  // Per worker, not shared: a Hyperscan scratch serves one thread at a time, so every worker
  // compiles its own database and scratch in setup(); `matches` sums the workers' counts.
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::size_t kMaxPath = 256;
  static constexpr std::size_t kMaxName = 48;

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "IPv4 or TCP/UDP header not all inside the packet"},
      {"alert", "matched, and output 1 is not connected"},
      {"scan error", "Hyperscan failed (no database or scratch)"},
  });

  // Config is baked into JIT code as constants: no pointers. The rules themselves are read from
  // the file by configure() (to check them, so `nbc check` reports a bad rule with its
  // file:line:col) and again by setup(), which compiles the Hyperscan database; rules_hash lets
  // setup() notice a file edited since it was checked.
  struct Config {
    char rules_file[kMaxPath];
    std::uint64_t rules_hash;  // FNV-1a of the file's bytes
    std::uint32_t nrules;
    std::uint32_t noutputs;
    bool payload_only;
  };
  // One signature as setup() loaded it; `matches` counts packets it matched.
  struct Signature {
    std::uint32_t id;
    char name[kMaxName];
    std::uint64_t matches;
  };
  struct State {
    hs_database_t* db;      // made by setup(), freed by teardown()
    hs_scratch_t* scratch;  // one per State, i.e. per worker core
    Signature* sigs;        // indexed by the Hyperscan expression id (the rule's position)
    std::uint32_t nsigs;
    std::uint64_t scanned;    // packets handed to hs_scan
    std::uint64_t alerts;     // packets at least one signature matched
    std::uint64_t clean;      // packets sent to output 0
    std::uint64_t empty;      // packets with nothing to scan (zero-length payload), sent clean
    std::uint64_t malformed;  // dropped: headers not inside the packet
    std::uint64_t scanned_bytes;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  // Hot reload (the new State's setup() already compiled the rules file as it is now):
  // per-signature counters move to the signature with the same id, element counters carry on.
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  struct MatchContext {
    Signature* sigs;
    std::uint32_t nsigs;
    std::uint32_t hits;
  };
  static int on_match(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/, unsigned int /*flags*/,
                      void* ctx) {
    auto* mc = static_cast<MatchContext*>(ctx);
    if (id < mc->nsigs) ++mc->sigs[id].matches;
    ++mc->hits;
    return 0;  // keep going: every signature that matches the packet is counted (once: SINGLEMATCH)
  }

  // Keeps no packet fact; reads the network offset.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t ip_off = p.network_offset();
    std::uint32_t scan_from = 0, scan_to = 0;  // packet offsets
    {
      const IPv4View ip = p.ipv4(ip_off);
      if (!ip || !ip.header_fits() || ip.version() != 4 || ip.total_length() < ip.header_length()) {
        ++state.malformed;
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      // The datagram ends at the IP total length (Ethernet padding is not scanned) or at the end
      // of the packet's data, whichever comes first (a truncated capture is scanned as far as it goes).
      const std::uint32_t end = ip_off + (ip.total_length() < ip.available() ? ip.total_length() : ip.available());
      const std::uint32_t l4 = ip_off + ip.header_length();
      std::uint32_t payload = l4;
      if (!ip.is_fragment() || ip.fragment_offset() == 0) {
        if (ip.protocol() == 6) {
          const TCPView tcp = p.tcp(l4);
          if (!tcp || !tcp.header_fits() || l4 + tcp.header_length() > end) {
            ++state.malformed;
            ctx.drop(std::move(p), kDrops["malformed"]);
            return;
          }
          payload = l4 + tcp.header_length();
        } else if (ip.protocol() == 17) {
          const UDPView udp = p.udp(l4);
          if (!udp || l4 + 8 > end) {
            ++state.malformed;
            ctx.drop(std::move(p), kDrops["malformed"]);
            return;
          }
          payload = l4 + 8;
        }
      }
      scan_from = config.payload_only ? payload : ip_off;
      scan_to = end;
    }
    const std::uint32_t n = scan_to - scan_from;
    if (n == 0) {
      ++state.empty;
      ++state.clean;
      ctx.send(0, std::move(p));
      return;
    }
    MatchContext mc{state.sigs, state.nsigs, 0};
    bool ok = false;
    {
      const ByteView view = p.bytes_at(scan_from, n);
      const auto bytes = view.bytes(0, n);
      if (state.db && state.scratch && bytes.size() == n) {
        ok = hs_scan(state.db, reinterpret_cast<const char*>(bytes.data()), n, 0, state.scratch, &on_match, &mc) ==
             HS_SUCCESS;
      }
    }
    if (!ok) [[unlikely]] {
      ctx.drop(std::move(p), kDrops["scan error"]);
      return;
    }
    ++state.scanned;
    state.scanned_bytes += n;
    if (mc.hits == 0) {
      ++state.clean;
      ctx.send(0, std::move(p));
      return;
    }
    ++state.alerts;
    if (ctx.connected(1)) {
      ctx.send(1, std::move(p));
    } else {
      ctx.drop(std::move(p), kDrops["alert"]);
    }
  }
};

}  // namespace nb::elements
