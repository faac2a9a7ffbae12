// FTPPortMapper: Click's helper for active-mode FTP through a NAT. It watches an FTP control
// connection, upstream of the TCPRewriter that translates it, for PORT commands: it makes the
// data connection's mapping in a rewriter (by one of its input specs), writes the mapped address
// and port into the command, and tells the control TCPRewriter how much longer or shorter the
// packet became, so that the flow's later sequence and acknowledgement numbers are shifted to
// match (IPRewriter::add_seq_delta).
#pragma once

#include "ip_rewriter.hpp"

#include <nb/element.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace nb::elements {

struct FTPPortMapper {
  static const ElementSpec spec;
  // Per flow, as the rewriters whose tables it changes: a control connection and the mappings it
  // makes live on the worker its packets reach.
  static constexpr StateScope kStateScope = StateScope::PerFlow;

  struct Config {
    std::uint32_t data_input;  // DATA_REWRITER_INPUT: the data rewriter's input spec for new mappings
  };
  struct State {
    std::uint64_t rewritten;    // PORT commands rewritten (a data mapping made or found)
    std::uint64_t malformed;    // "PORT " commands left unchanged: not PORT h1,...,p2 ending in CR or LF
    std::uint64_t unmapped;     // PORT commands of a control connection the control rewriter has no mapping for
    std::uint64_t no_data_map;  // PORT commands left unchanged: the data rewriter made no mapping
    std::uint64_t no_room;      // PORT commands left unchanged: the packet could not grow
  };

  // What a payload holds: a PORT command (Click's FTPPortMapper's parse: "PORT", any case, one or
  // more spaces, six decimal numbers of 0 to 255 separated by commas, then CR or LF, all in the
  // payload; nb wants at least one digit per number, where Click took an empty one as 0).
  enum class Parse : std::uint8_t { NotPort, Malformed, Port };
  struct PortCommand {
    std::uint32_t addr;  // host byte order
    std::uint16_t port;
    std::uint32_t arg_begin, arg_end;  // the argument's bytes in the payload: [arg_begin, arg_end)
  };
  static Parse parse(std::span<const std::uint8_t> d, PortCommand& out) {
    if (d.size() < 5) return Parse::NotPort;
    const char want[4] = {'P', 'O', 'R', 'T'};
    for (std::uint32_t i = 0; i < 4; ++i)
      if ((d[i] & 0xdf) != want[i]) return Parse::NotPort;
    if (d[4] != ' ') return Parse::NotPort;
    std::uint32_t pos = 5;
    while (pos < d.size() && d[pos] == ' ') ++pos;
    out.arg_begin = pos;
    std::uint32_t nums[6] = {0, 0, 0, 0, 0, 0};
    for (std::uint32_t n = 0; n < 6; ++n) {
      if (n > 0) {
        if (pos >= d.size() || d[pos] != ',') return Parse::Malformed;
        ++pos;
      }
      std::uint32_t digits = 0;
      while (pos < d.size() && d[pos] >= '0' && d[pos] <= '9') {
        nums[n] = nums[n] * 10 + (d[pos] - '0');
        if (nums[n] > 255) return Parse::Malformed;
        ++pos;
        ++digits;
      }
      if (digits == 0) return Parse::Malformed;
    }
    if (pos >= d.size() || (d[pos] != '\r' && d[pos] != '\n')) return Parse::Malformed;
    out.arg_end = pos;
    out.addr = nums[0] << 24 | nums[1] << 16 | nums[2] << 8 | nums[3];
    out.port = static_cast<std::uint16_t>(nums[4] << 8 | nums[5]);
    return Parse::Port;
  }

  // "h1,h2,h3,h4,p1,p2" for addr and port into buf (at least 24 bytes): its length.
  static std::uint32_t format(std::uint32_t addr, std::uint16_t port, char* buf) {
    const std::uint32_t v[6] = {addr >> 24,  (addr >> 16) & 0xff,      (addr >> 8) & 0xff,
                                addr & 0xff, std::uint32_t{port} >> 8, std::uint32_t{port} & 0xffu};
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < 6; ++i) {
      if (i > 0) buf[n++] = ',';
      if (v[i] >= 100) buf[n++] = static_cast<char>('0' + v[i] / 100);
      if (v[i] >= 10) buf[n++] = static_cast<char>('0' + v[i] / 10 % 10);
      buf[n++] = static_cast<char>('0' + v[i] % 10);
    }
    return n;
  }

  // Moves the n bytes at `from` to `to` inside the packet (they may overlap), through a buffer.
  static void move_bytes(const Packet& p NB_PARAM_OWNED, std::uint32_t from, std::uint32_t to, std::uint32_t n) {
    constexpr std::uint32_t kChunk = 64;
    std::uint8_t buf[kChunk];
    if (to < from) {
      for (std::uint32_t i = 0; i < n; i += kChunk) {
        const std::uint32_t k = n - i < kChunk ? n - i : kChunk;
        if (!p.read(from + i, buf, k)) return;
        p.bytes_at(to + i, k).write(0, buf, k);
      }
    } else if (to > from) {
      for (std::uint32_t i = n; i > 0;) {
        const std::uint32_t k = i < kChunk ? i : kChunk;
        i -= k;
        if (!p.read(from + i, buf, k)) return;
        p.bytes_at(to + i, k).write(0, buf, k);
      }
    }
  }

  static bool configure(const Args& args, Config& config, std::string& error);

  // Rewrites PORT commands' payload and length (no packet fact kept).
  static void facts(const Config&, FactSheet& sheet) { sheet.anno_reads = anno_field::kNetworkOffset; }

  // Rewrites the PORT command of p, when it holds one that can be rewritten; counts why not.
  static void rewrite(const Config& c, State& s, Context& ctx, Packet& p NB_PARAM_OWNED NB_RETURNS_OWNED) {
    const std::uint32_t off = p.network_offset();
    const IPv4View ip = p.ipv4(off);
    if (!ip || !ip.header_fits() || ip.protocol() != ip_proto::kTCP || ip.is_fragment()) return;
    const std::uint32_t l4 = off + ip.header_length();
    const std::uint32_t ip_end = off + ip.total_length();
    const TCPView t = p.tcp(l4);
    if (!t || !t.header_fits() || ip_end > p.length() || ip_end < l4 + t.header_length()) return;
    const std::uint32_t data = l4 + t.header_length();
    const std::uint32_t len = ip_end - data;
    PortCommand cmd{};
    const Parse parsed = parse(p.bytes_at(data, len).bytes(0, len), cmd);
    if (parsed == Parse::NotPort) return;
    if (parsed == Parse::Malformed) {
      ++s.malformed;
      return;
    }
    // The control connection's mapping (Click: CONTROL_REWRITER's, looked up, never made here).
    auto* ctl = static_cast<IPRewriter::State*>(ctx.peer_state(0));
    const std::uint64_t now = __builtin_readcyclecounter();
    const IPRewriter::FlowKey ckey =
        IPRewriter::make_key(ip.src(), t.src_port(), ip.dst(), t.dst_port(), ip_proto::kTCP);
    const std::int64_t chit = ctl && ctl->hash ? IPRewriter::find(*ctl, ckey, now) : -1;
    if (chit < 0 || !ctl->deltas) {
      ++s.unmapped;
      return;
    }
    // The data connection: from the PORT address to the server's data port (its control port
    // less one, as Click assumes), mapped by the data rewriter's input spec DATA_REWRITER_INPUT.
    auto* drw = static_cast<IPRewriter::State*>(ctx.peer_state(1));
    const auto* dcfg = static_cast<const IPRewriter::Config*>(ctx.peer_config(1));
    if (!drw || !drw->hash || !dcfg || c.data_input >= dcfg->nspecs ||
        dcfg->specs[c.data_input].kind != IPRewriter::SpecKind::Pattern) {
      ++s.no_data_map;
      return;
    }
    const IPRewriter::FlowKey dkey = IPRewriter::make_key(cmd.addr, cmd.port, ip.dst(),
                                                          static_cast<std::uint16_t>(t.dst_port() - 1), ip_proto::kTCP);
    std::int64_t dhit = IPRewriter::find(*drw, dkey, now);
    if (dhit < 0) dhit = IPRewriter::create(*dcfg, *drw, c.data_input, dkey, now, ctx.worker(), ctx.nworkers());
    if (dhit < 0) {
      ++s.no_data_map;
      return;
    }
    const IPRewriter::Flow& df = drw->flows[dhit >> 1];
    const IPRewriter::FlowKey& to = (dhit & 1) ? df.fwd : df.rev;
    char text[24];
    const std::uint32_t new_len = format(to.daddr, to.dport, text);
    const std::uint32_t old_len = cmd.arg_end - cmd.arg_begin;
    const std::uint32_t tail_at = data + cmd.arg_end, tail_len = ip_end - tail_at;
    const std::uint32_t seq = t.seq();
    if (ip.total_length() + new_len - old_len > 0xffff) {
      ++s.no_room;
      return;
    }
    // Link-layer padding after the IP packet goes: the payload ends the packet from here on.
    p.truncate(ip_end);
    if (new_len > old_len) {
      if (!p.put(new_len - old_len)) {
        ++s.no_room;
        return;
      }
      move_bytes(p, tail_at, tail_at + (new_len - old_len), tail_len);
    } else if (new_len < old_len) {
      move_bytes(p, tail_at, tail_at - (old_len - new_len), tail_len);
      p.truncate(ip_end - (old_len - new_len));
    }
    p.write(data + cmd.arg_begin, text, new_len);
    const IPv4View nip = p.ipv4(off);
    if (!nip) return;
    const std::uint32_t total = ip_end + new_len - old_len - off;
    nip.set_total_length(static_cast<std::uint16_t>(total));
    nip.update_checksum();
    // The TCP checksum anew over the changed segment.
    const std::uint32_t seg = total - nip.header_length();
    const TCPView nt = p.tcp(l4);
    if (!nt) return;
    nt.set_checksum(0);
    nt.set_checksum(checksum::finish(
        checksum::add(nip.pseudo_header_sum(static_cast<std::uint16_t>(seg)), p.bytes_at(l4, seg).bytes(0, seg))));
    // Segments after this one, in this direction, are shifted by the change; the other direction's
    // acknowledgements shifted back.
    if (new_len != old_len || (ctl->flows[chit >> 1].flags & IPRewriter::kSeqDelta))
      IPRewriter::add_seq_delta(*ctl, static_cast<std::uint32_t>(chit >> 1), static_cast<std::uint32_t>(chit & 1),
                                seq + len, static_cast<std::int32_t>(new_len) - static_cast<std::int32_t>(old_len));
    ++s.rewritten;
  }

  static void push(const Config& c, State& s, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    rewrite(c, s, ctx, p);
    ctx.send(0, std::move(p));
  }
};

}  // namespace nb::elements
