// IPRewriter: Click's TCP/UDP network address (and port) translator, with its flow table on
// DPDK's rte_hash. Both directions of a flow are keys of the one table.
#pragma once

#include <nb/element.hpp>
#include <nb/flow_hash.hpp>

#include <rte_hash.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nb::elements {

struct IPRewriter {
  static const ElementSpec spec;
  // Per flow: each worker translates the flows the runtime pins to it, in its own table.
  static constexpr StateScope kStateScope = StateScope::PerFlow;

  static constexpr std::uint32_t kMaxSpecs = 8;
  static constexpr std::uint32_t kSweepPerPush = 2;     // flow slots checked for expiry per packet
  static constexpr std::uint32_t kFullRangeTries = 16;  // ports tried when a pattern's range is full

  static constexpr auto kDrops = drop_reasons({
      {"malformed", "no complete IPv4 header, or a TCP/UDP header cut short"},
      {"not TCP/UDP", "not TCP or UDP, or a fragment after the first (no ports)"},
      {"no mapping", "no flow matched and the input's spec is `drop`"},
      {"no free port", "every port of the pattern's range is in use towards that destination"},
      {"table full", "CAPACITY flows already exist"},
      {"no input spec", "arrived on an input that has no INPUTSPEC"},
      {"not TCP", "TCPRewriter: not TCP, or a fragment after the first"},
      {"not ICMP echo", "ICMPPingRewriter: not an ICMP echo request or reply, or a fragment"},
  });

  // Which packets the element translates: IPRewriter TCP and UDP, TCPRewriter TCP only,
  // ICMPPingRewriter ICMP echo requests and replies (the identifier stands for the port).
  enum class Mode : std::uint8_t { TcpUdp, Tcp, Ping };

  enum class SpecKind : std::uint8_t { Pattern, Pass, Drop };
  // How a pattern's source port range is searched (Click's IPRewriterPattern): by default the
  // packet's own source port first, if in the range and free, then from a random port; `L-H#`
  // from the port after the last one given (sequential); `L-H?` from a random port.
  enum class PortChoice : std::uint8_t { SameFirst, Sequential, Random };
  struct InputSpec {
    SpecKind kind;
    bool set_saddr, set_daddr, set_dport;
    std::uint32_t saddr, daddr;        // host byte order
    std::uint16_t sport_lo, sport_hi;  // both 0: keep the source port
    std::uint16_t dport;
    PortChoice choice;
    std::uint32_t foutput, routput;  // pattern: outputs of the two directions; pass: the output
  };

  struct Config {
    std::uint32_t nspecs;
    InputSpec specs[kMaxSpecs];
    std::uint32_t capacity;                                    // flows (each has two keys in the hash)
    std::uint64_t tcp_timeout, tcp_done_timeout, udp_timeout;  // microseconds (ping: udp_timeout)
    Mode mode;
  };

  // A direction of a flow as it arrives: the rte_hash key (16 bytes, padding zero).
  struct FlowKey {
    std::uint32_t saddr, daddr;
    std::uint16_t sport, dport;
    std::uint8_t proto;
    std::uint8_t pad[3];
  };
  static_assert(sizeof(FlowKey) == 16);

  // kSeqDelta: the flow's sequence numbers are shifted (TCPRewriter; State::deltas[slot]).
  enum FlowFlags : std::uint8_t { kUsed = 1, kFinFwd = 2, kFinRev = 4, kRst = 8, kSeqDelta = 16 };
  struct Flow {
    FlowKey fwd;         // the original packet's tuple (input side)
    FlowKey rev;         // the reply's tuple as it arrives (translated addresses swapped)
    std::uint64_t last;  // TSC of the last packet
    std::uint8_t flags;
    std::uint8_t spec;  // the pattern that made it
    std::uint16_t foutput, routput;
  };

  // Click's TCPRewriter sequence-number deltas, which FTPPortMapper asks for when it changes the
  // length of a packet of a flow: per direction (0 the flow's forward direction, 1 its reply), the
  // amount added to the sequence numbers of that direction from a trigger on (the first sequence
  // number after the changed packet), and taken off the acknowledgements the other direction
  // sends. The last kDeltaSteps triggers of each direction are kept, oldest first, so that a
  // retransmission of a segment sent before a change still gets the delta of its time; older ones
  // fold into `base` (Click also forgets a trigger once the flow is 2^30 past it).
  static constexpr std::uint32_t kDeltaSteps = 4;
  struct SeqDelta {
    std::int32_t base[2];
    std::uint32_t trigger[2][kDeltaSteps];
    std::int32_t delta[2][kDeltaSteps];
    std::uint8_t steps[2];
  };

  struct State {
    rte_hash* hash;       // made by setup(), freed by teardown()
    Flow* flows;          // capacity slots, indexed by the hash's data
    SeqDelta* deltas;     // TCPRewriter only: capacity slots beside flows (kSeqDelta); else null
    std::uint32_t* free;  // free slot stack
    std::uint32_t nfree;
    std::uint32_t sweep;                                 // next slot the per-packet sweep looks at
    std::uint64_t tcp_ticks, tcp_done_ticks, udp_ticks;  // the timeouts in TSC ticks
    std::uint32_t cursor[kMaxSpecs];                     // sequential position in each pattern's port range
    std::uint64_t draws;                                 // random port choices made (the generator's counter)
    std::uint32_t used[kMaxSpecs];                       // flows each pattern holds
    std::uint64_t flows_active;
    std::uint64_t mapped;   // flows created
    std::uint64_t forward;  // packets translated in the forward direction
    std::uint64_t reply;    // packets translated in the reply direction
    std::uint64_t passed;   // packets sent on by a `pass` spec
    std::uint64_t expired;  // flows removed after their idle timeout
    std::uint64_t no_ports;
    std::uint64_t table_full;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  // Removes a flow's two keys and frees its slot.
  static void remove(State& s, std::uint32_t idx) {
    Flow& f = s.flows[idx];
    rte_hash_del_key(s.hash, &f.fwd);
    rte_hash_del_key(s.hash, &f.rev);
    if (f.spec < kMaxSpecs && s.used[f.spec] > 0) --s.used[f.spec];
    f.flags = 0;
    s.free[s.nfree++] = idx;
    --s.flows_active;
  }

  static bool expired_at(const State& s, const Flow& f, std::uint64_t now) {
    std::uint64_t limit = s.udp_ticks;
    if (f.fwd.proto == 6) {
      const bool done = (f.flags & kRst) || ((f.flags & kFinFwd) && (f.flags & kFinRev));
      limit = done ? s.tcp_done_ticks : s.tcp_ticks;
    }
    return now - f.last > limit;
  }

  // Looks key up; an expired flow is removed and counts as a miss. Returns the hash data
  // (slot << 1 | direction) or -1.
  static std::int64_t find(State& s, const FlowKey& key, std::uint64_t now) {
    void* data = nullptr;
    if (rte_hash_lookup_data(s.hash, &key, &data) < 0) return -1;
    const auto v = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(data));
    if (expired_at(s, s.flows[v >> 1], now)) {
      ++s.expired;
      remove(s, v >> 1);
      return -1;
    }
    return v;
  }

  static void sweep(State& s, std::uint32_t capacity, std::uint64_t now) {
    for (std::uint32_t i = 0; i < kSweepPerPush; ++i) {
      const std::uint32_t idx = s.sweep;
      s.sweep = idx + 1 == capacity ? 0 : idx + 1;
      const Flow& f = s.flows[idx];
      if ((f.flags & kUsed) && expired_at(s, f, now)) {
        ++s.expired;
        remove(s, idx);
      }
    }
  }

  // splitmix64's finaliser: a well-spread value for each draw count.
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }

  static FlowKey make_key(std::uint32_t saddr, std::uint16_t sport, std::uint32_t daddr, std::uint16_t dport,
                          std::uint8_t proto) {
    FlowKey k{};
    k.saddr = saddr;
    k.daddr = daddr;
    k.sport = sport;
    k.dport = dport;
    k.proto = proto;
    return k;
  }

  // Creates a flow for key by pattern `si`: the slot index, or a drop reason (as ~reason).
  // With several workers, a new mapping takes only a public port whose replies the runtime
  // steers back to this worker (nb::worker_of_hash), which holds the mapping; the workers' port
  // sets are thus disjoint, and no two workers hand out the same port.
  static bool replies_here(std::uint32_t ns, std::uint32_t nd, std::uint16_t port, std::uint16_t ndp,
                           std::uint32_t worker, std::uint32_t nworkers) {
    return nworkers <= 1 || worker_of_hash(flow_hash_v4(ns, nd, port, ndp), nworkers) == worker;
  }

  static std::int64_t create(const Config& c, State& s, std::uint32_t si, const FlowKey& key, std::uint64_t now,
                             std::uint32_t worker = 0, std::uint32_t nworkers = 1) {
    const InputSpec& sp = c.specs[si];
    if (s.nfree == 0) {
      ++s.table_full;
      return ~std::int64_t{kDrops["table full"]};
    }
    const std::uint32_t ns = sp.set_saddr ? sp.saddr : key.saddr;
    const std::uint32_t nd = sp.set_daddr ? sp.daddr : key.daddr;
    const std::uint16_t ndp = sp.set_dport ? sp.dport : key.dport;
    FlowKey rev = make_key(nd, ndp, ns, key.sport, key.proto);
    bool found = false;
    const bool keep_port = sp.sport_lo == 0 && sp.sport_hi == 0;
    // No range: the packet's own source port. Click's default for a range: that port first, when
    // it is in the range and free (rev's port is still the packet's own here).
    if (keep_port || (sp.choice == PortChoice::SameFirst && key.sport >= sp.sport_lo && key.sport <= sp.sport_hi))
      found = replies_here(ns, nd, key.sport, ndp, worker, nworkers) && find(s, rev, now) < 0;
    if (!found && !keep_port) {
      const std::uint32_t n = std::uint32_t{sp.sport_hi} - sp.sport_lo + 1;
      // Click's default and `?` start from a random port (a fixed generator, so that a run is
      // repeatable and every engine picks alike), `#` from the port after the last one given.
      if (sp.choice != PortChoice::Sequential) s.cursor[si] = static_cast<std::uint32_t>(mix(++s.draws) % n);
      // Every port in use: look at a few from the cursor only, for mappings that expired (the
      // lookup removes them), rather than at the whole range for every packet.
      std::uint32_t tries = s.used[si] < n ? n : (n < kFullRangeTries ? n : kFullRangeTries);
      if (nworkers > 1 && tries < n) tries = tries * nworkers < n ? tries * nworkers : n;  // 1 in N is ours
      {
        std::uint32_t pos = s.cursor[si] % n;
        for (std::uint32_t i = 0; i < tries && !found; ++i) {
          rev.dport = static_cast<std::uint16_t>(sp.sport_lo + pos);
          pos = pos + 1 == n ? 0 : pos + 1;
          found = replies_here(ns, nd, rev.dport, ndp, worker, nworkers) && find(s, rev, now) < 0;
        }
        s.cursor[si] = pos;
      }
    }
    if (!found) {
      ++s.no_ports;
      return ~std::int64_t{kDrops["no free port"]};
    }
    const std::uint32_t idx = s.free[--s.nfree];
    Flow& f = s.flows[idx];
    f = Flow{};
    f.fwd = key;
    f.rev = rev;
    f.last = now;
    f.flags = kUsed;
    f.spec = static_cast<std::uint8_t>(si);
    f.foutput = static_cast<std::uint16_t>(sp.foutput);
    f.routput = static_cast<std::uint16_t>(sp.routput);
    if (rte_hash_add_key_data(s.hash, &f.fwd, reinterpret_cast<void*>(std::uintptr_t{idx} << 1)) < 0) {
      f.flags = 0;
      s.free[s.nfree++] = idx;
      ++s.table_full;
      return ~std::int64_t{kDrops["table full"]};
    }
    if (rte_hash_add_key_data(s.hash, &f.rev, reinterpret_cast<void*>(std::uintptr_t{idx} << 1 | 1)) < 0) {
      rte_hash_del_key(s.hash, &f.fwd);
      f.flags = 0;
      s.free[s.nfree++] = idx;
      ++s.table_full;
      return ~std::int64_t{kDrops["table full"]};
    }
    ++s.used[si];
    ++s.mapped;
    ++s.flows_active;
    return std::int64_t{idx} << 1;
  }

  static bool seq_geq(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) >= 0; }

  // The delta of direction d for a segment that starts at `seq`.
  static std::int32_t seq_delta(const SeqDelta& sd, std::uint32_t d, std::uint32_t seq) {
    for (std::uint32_t i = sd.steps[d]; i-- > 0;)
      if (seq_geq(seq, sd.trigger[d][i])) return sd.delta[d][i];
    return sd.base[d];
  }
  // An acknowledgement (or SACK edge) sent in direction d, for the other direction's (shifted)
  // sequence numbers, taken back to the numbers that direction's sender used.
  static std::uint32_t unshift_ack(const SeqDelta& sd, std::uint32_t d, std::uint32_t ack) {
    const std::uint32_t o = d ^ 1;
    for (std::uint32_t i = sd.steps[o]; i-- > 0;)
      if (seq_geq(ack - static_cast<std::uint32_t>(sd.delta[o][i]), sd.trigger[o][i]))
        return ack - static_cast<std::uint32_t>(sd.delta[o][i]);
    return ack - static_cast<std::uint32_t>(sd.base[o]);
  }
  // Forgets direction d's oldest trigger (its delta then holds for everything before it too).
  static void drop_oldest(SeqDelta& sd, std::uint32_t d) {
    sd.base[d] = sd.delta[d][0];
    for (std::uint32_t i = 1; i < sd.steps[d]; ++i) {
      sd.trigger[d][i - 1] = sd.trigger[d][i];
      sd.delta[d][i - 1] = sd.delta[d][i];
    }
    --sd.steps[d];
  }

  // Adds `change` to the delta of direction d of flow slot idx from sequence number `trigger`
  // on (Click's update_seqno_delta). False: no delta table (not a TCPRewriter), or a trigger
  // before the last one (a change must come in sequence order; the same trigger again, a
  // retransmission rewritten alike, replaces the last change).
  static bool add_seq_delta(State& s, std::uint32_t idx, std::uint32_t d, std::uint32_t trigger, std::int32_t change) {
    if (!s.deltas) return false;
    Flow& f = s.flows[idx];
    SeqDelta& sd = s.deltas[idx];
    if (!(f.flags & kSeqDelta)) {
      sd = SeqDelta{};
      f.flags |= kSeqDelta;
    }
    std::uint32_t n = sd.steps[d];
    if (n > 0 && trigger == sd.trigger[d][n - 1]) {
      sd.delta[d][n - 1] = (n > 1 ? sd.delta[d][n - 2] : sd.base[d]) + change;
      return true;
    }
    if (n > 0 && !seq_geq(trigger, sd.trigger[d][n - 1])) return false;
    while (sd.steps[d] > 0 && seq_geq(trigger, sd.trigger[d][0] + (1u << 30))) drop_oldest(sd, d);
    if (sd.steps[d] == kDeltaSteps) drop_oldest(sd, d);
    n = sd.steps[d];
    const std::int32_t last = n > 0 ? sd.delta[d][n - 1] : sd.base[d];
    sd.trigger[d][n] = trigger;
    sd.delta[d][n] = last + change;
    sd.steps[d] = static_cast<std::uint8_t>(n + 1);
    return true;
  }

  // Shifts a TCP segment's sequence number, acknowledgement and SACK blocks by its flow's deltas
  // (direction d), folding each change into the checksum `check`.
  static void apply_seq_delta(const Packet& p NB_PARAM_OWNED, std::uint32_t l4, SeqDelta& sd, std::uint32_t d,
                              std::uint16_t& check) {
    const TCPView t = p.tcp(l4);
    if (!t || !t.header_fits()) return;
    const std::uint32_t seq = t.seq(), ack = t.ack();
    while (sd.steps[d] > 0 && seq_geq(seq, sd.trigger[d][0] + (1u << 30))) drop_oldest(sd, d);
    const std::uint32_t new_seq = seq + static_cast<std::uint32_t>(seq_delta(sd, d, seq));
    const std::uint32_t new_ack = unshift_ack(sd, d, ack);
    check = checksum::adjust32(check, seq, new_seq);
    check = checksum::adjust32(check, ack, new_ack);
    t.set_seq(new_seq);
    t.set_ack(new_ack);
    // SACK blocks (kind 5): edges of the other direction's sequence space, as the ack.
    const std::uint32_t end = l4 + t.header_length();
    for (std::uint32_t o = l4 + TCPView::kSize; o < end;) {
      std::uint8_t kind = 0, len = 0;
      if (!p.read_u8(o, kind) || kind == 0) break;
      if (kind == 1) {
        ++o;
        continue;
      }
      if (!p.read_u8(o + 1, len) || len < 2 || o + len > end) break;
      if (kind == 5 && len % 8 == 2) {
        for (std::uint32_t e = o + 2; e + 4 <= o + len; e += 4) {
          std::uint32_t v = 0;
          p.read_be32(e, v);
          const std::uint32_t nv = unshift_ack(sd, d, v);
          check = checksum::adjust32(check, v, nv);
          const std::uint8_t b[4] = {static_cast<std::uint8_t>(nv >> 24), static_cast<std::uint8_t>(nv >> 16),
                                     static_cast<std::uint8_t>(nv >> 8), static_cast<std::uint8_t>(nv)};
          p.bytes_at(e, 4).write(0, b, 4);
        }
      }
      o += len;
    }
  }

  // Rewrites addresses and ports (no packet fact kept).
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNetworkOffset;
  }

  static void push(const Config& c, State& s, Context& ctx, std::uint32_t in_port, Packet p NB_OWNED) {
    if (in_port >= c.nspecs || !s.hash) [[unlikely]] {
      ctx.drop(std::move(p), kDrops["no input spec"]);
      return;
    }
    // The TSC (rdtsc on x86, as rte_rdtsc) without rte_rdtsc's inline assembly, which the JIT's
    // code generator does not take.
    const std::uint64_t now = __builtin_readcyclecounter();
    sweep(s, c.capacity, now);
    const std::uint32_t off = p.network_offset();
    const IPv4View ip = p.ipv4(off);
    if (!ip || !ip.header_fits()) {
      ctx.drop(std::move(p), kDrops["malformed"]);
      return;
    }
    const InputSpec& spec = c.specs[in_port];
    const std::uint8_t proto = ip.protocol();
    const bool wanted = c.mode == Mode::Ping  ? proto == 1
                        : c.mode == Mode::Tcp ? proto == 6
                                              : (proto == 6 || proto == 17);
    if (!wanted || ip.fragment_offset() != 0) {
      if (spec.kind == SpecKind::Pass) {
        ++s.passed;
        ctx.send(spec.foutput, std::move(p));
      } else {
        ctx.drop(std::move(p), c.mode == Mode::Ping  ? kDrops["not ICMP echo"]
                               : c.mode == Mode::Tcp ? kDrops["not TCP"]
                                                     : kDrops["not TCP/UDP"]);
      }
      return;
    }
    const std::uint32_t l4 = off + ip.header_length();
    // Ports and checksum: bytes 0-3 and 6-7 (UDP) or 16-17 (TCP) of the L4 header. An echo's
    // identifier is a request's source port and a reply's destination port, so that a reply's
    // key is the reverse of its request's.
    std::uint16_t sport = 0, dport = 0, check = 0;
    std::uint8_t tcp_flags = 0;
    bool echo_reply = false;
    if (proto == 1) {
      const ICMPView icmp = p.icmp(l4);
      if (!icmp || (icmp.type() != 8 && icmp.type() != 0) || icmp.code() != 0) {
        if (spec.kind == SpecKind::Pass) {
          ++s.passed;
          ctx.send(spec.foutput, std::move(p));
        } else {
          ctx.drop(std::move(p), icmp ? kDrops["not ICMP echo"] : kDrops["malformed"]);
        }
        return;
      }
      echo_reply = icmp.type() == 0;
      const auto ident = static_cast<std::uint16_t>(icmp.rest() >> 16);
      (echo_reply ? dport : sport) = ident;
      check = icmp.checksum();
    } else if (proto == 6) {
      const TCPView t = p.tcp(l4);
      if (!t) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      sport = t.src_port();
      dport = t.dst_port();
      check = t.checksum();
      tcp_flags = t.flags();
    } else {
      const UDPView u = p.udp(l4);
      if (!u) {
        ctx.drop(std::move(p), kDrops["malformed"]);
        return;
      }
      sport = u.src_port();
      dport = u.dst_port();
      check = u.checksum();
    }
    const FlowKey key = make_key(ip.src(), sport, ip.dst(), dport, proto);
    std::int64_t hit = find(s, key, now);
    if (hit < 0) {
      // A reply no request made a mapping for is not a new flow (Click drops it too).
      if (echo_reply && spec.kind != SpecKind::Pass) {
        ctx.drop(std::move(p), kDrops["no mapping"]);
        return;
      }
      if (spec.kind == SpecKind::Pass) {
        ++s.passed;
        ctx.send(spec.foutput, std::move(p));
        return;
      }
      if (spec.kind == SpecKind::Drop) {
        ctx.drop(std::move(p), kDrops["no mapping"]);
        return;
      }
      hit = create(c, s, in_port, key, now, ctx.worker(), ctx.nworkers());
      if (hit < 0) {
        ctx.drop(std::move(p), static_cast<std::uint32_t>(~hit));
        return;
      }
    }
    Flow& f = s.flows[hit >> 1];
    const bool reply = hit & 1;
    f.last = now;
    if (proto == 6) {
      if (tcp_flags & TCPView::kRST) f.flags |= kRst;
      if (tcp_flags & TCPView::kFIN) f.flags |= reply ? kFinRev : kFinFwd;
    }
    // The packet's new tuple: forward -> the reply key reversed; reply -> the forward key reversed.
    const FlowKey& to = reply ? f.fwd : f.rev;
    const std::uint32_t new_src = to.daddr, new_dst = to.saddr;
    const std::uint16_t new_sport = to.dport, new_dport = to.sport;
    const std::uint32_t old_src = key.saddr, old_dst = key.daddr;
    std::uint16_t ipc = ip.checksum();
    ipc = checksum::adjust32(ipc, old_src, new_src);
    ipc = checksum::adjust32(ipc, old_dst, new_dst);
    ip.set_src(new_src);
    ip.set_dst(new_dst);
    ip.set_checksum(ipc);
    if (proto == 1) {
      // ICMP's checksum covers no pseudo header: only the identifier changes it.
      const std::uint16_t old_id = echo_reply ? dport : sport;
      const std::uint16_t new_id = echo_reply ? new_dport : new_sport;
      const ICMPView icmp = p.icmp(l4);
      if (icmp) {
        icmp.set_checksum(checksum::adjust16(check, old_id, new_id));
        icmp.set_rest((std::uint32_t{new_id} << 16) | (icmp.rest() & 0xffffu));
      }
    } else if (proto != 17 || check != 0) {
      // The L4 checksum covers the pseudo header (addresses) and the ports; UDP's 0 means none.
      check = checksum::adjust32(check, old_src, new_src);
      check = checksum::adjust32(check, old_dst, new_dst);
      check = checksum::adjust16(check, sport, new_sport);
      check = checksum::adjust16(check, dport, new_dport);
      if (proto == 17 && check == 0) check = 0xffff;
    }
    if (proto == 6 && (f.flags & kSeqDelta) && s.deltas) [[unlikely]]
      apply_seq_delta(p, l4, s.deltas[hit >> 1], reply ? 1u : 0u, check);
    if (proto == 1) {
    } else if (proto == 6) {
      const TCPView t = p.tcp(l4);
      if (t) {
        t.set_src_port(new_sport);
        t.set_dst_port(new_dport);
        t.set_checksum(check);
      }
    } else {
      const UDPView u = p.udp(l4);
      if (u) {
        u.set_src_port(new_sport);
        u.set_dst_port(new_dport);
        u.set_checksum(check);
      }
    }
    if (reply) {
      ++s.reply;
      ctx.send(f.routput, std::move(p));
    } else {
      ++s.forward;
      ctx.send(f.foutput, std::move(p));
    }
  }
};

// Click's TCPRewriter: IPRewriter's mappings for TCP alone (ip_rewriter.cpp documents it).
struct TCPRewriter : IPRewriter {
  static const ElementSpec spec;
  static bool configure(const Args& args, Config& config, std::string& error);
};

// Click's ICMPPingRewriter: IPRewriter's mappings for ICMP echo, the identifier as the port.
struct ICMPPingRewriter : IPRewriter {
  static const ElementSpec spec;
  static bool configure(const Args& args, Config& config, std::string& error);
};

// Click's IPRewriterPatterns: names patterns for the rewriters' `pattern NAME FOUTPUT ROUTPUT`.
// The compiler spells a named pattern out where arguments are bound (compiler/src/address_info.cpp),
// as it does AddressInfo's names; the element itself does nothing.
struct IPRewriterPatterns {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;
  struct Config {};
  struct State {};
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
    sheet.reads_packet = false;
  }
  // No ports: nothing ever reaches it. A kernel only so that a configuration with it runs.
  static void push(const Config&, State&, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements
