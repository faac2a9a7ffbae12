// What Print and IPPrint share: a line formatted in the kernel into a fixed buffer (JIT code
// cannot use stdio or allocate) and handed to the runtime (Context::print), their LABEL and
// CONTENTS arguments, and the `active` handler.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements::print_line {

// A label is baked into the element's Config.
inline constexpr std::size_t kMaxLabel = 256;

struct Label {
  char text[kMaxLabel];
  std::uint32_t size;
  std::string_view view() const { return {text, size}; }
};

inline bool configure_label(const Args& args, Label& label, std::string& error) {
  const std::string s = args.get_string("LABEL");
  if (s.size() > kMaxLabel) {
    error = "LABEL is " + std::to_string(s.size()) + " characters long; nb takes at most " + std::to_string(kMaxLabel);
    return false;
  }
  std::memcpy(label.text, s.data(), s.size());
  label.size = static_cast<std::uint32_t>(s.size());
  return true;
}

enum Contents : std::uint8_t { kNone = 0, kHex = 1, kAscii = 2 };

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// CONTENTS as Click reads it: a boolean (true is HEX), NONE, HEX or ASCII, in any case.
inline bool parse_contents(std::string_view text, std::uint8_t& out) {
  bool b = false;
  if (parse_handler_bool(text, b)) return out = b ? kHex : kNone, true;
  const std::string u = upper(text);
  if (u == "NONE") return out = kNone, true;
  if (u == "HEX") return out = kHex, true;
  if (u == "ASCII") return out = kAscii, true;
  return false;
}

inline bool validate_contents(std::string_view text, ParamError& error) {
  std::uint8_t c = 0;
  if (parse_contents(text, c)) return true;
  error = {0, text.size() ? text.size() : 1, "should be NONE, HEX or ASCII (or true/false)", ""};
  return false;
}

// A line under construction. Bytes beyond the buffer are written out first, so a long line (a
// whole jumbo frame in hex) comes in several Context::print calls.
class Line {
 public:
  static constexpr std::uint32_t kCapacity = 1024;

  Line(const Context& ctx, const void* state) : ctx_(ctx), state_(state) {}

  void put(char c) {
    if (n_ == kCapacity) flush();
    buf_[n_++] = c;
  }
  void put(std::string_view s) {
    for (char c : s) put(c);
  }
  void dec(std::uint64_t v) {
    char tmp[20];
    int k = 0;
    do tmp[k++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    while (k > 0) put(tmp[--k]);
  }
  void dec_signed(std::int64_t v) {
    if (v < 0) {
      put('-');
      dec(static_cast<std::uint64_t>(-(v + 1)) + 1);
    } else {
      dec(static_cast<std::uint64_t>(v));
    }
  }
  // printf's %4d: right-aligned in four columns.
  void dec_width4(std::uint64_t v) {
    int digits = 1;
    for (std::uint64_t t = v; t >= 10; t /= 10) ++digits;
    for (; digits < 4; ++digits) put(' ');
    dec(v);
  }
  void hex2(std::uint8_t b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    put(kDigits[b >> 4]);
    put(kDigits[b & 15]);
  }
  // A dotted quad (host order).
  void ipv4(std::uint32_t a) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      dec((a >> shift) & 0xff);
      if (shift) put('.');
    }
  }
  // Ends the line and hands it over.
  void end() {
    put('\n');
    flush();
  }

 private:
  void flush() {
    if (n_) ctx_.print(state_, buf_, n_);
    n_ = 0;
  }
  const Context& ctx_;
  const void* state_;
  std::uint32_t n_ = 0;
  char buf_[kCapacity];
};

// n bytes of `bytes` from `offset` as Click prints them: HEX in groups of four bytes, ASCII in
// groups of eight characters ('.' for what is not printable), each group after the first behind a
// space (ASCII's first too). With `wrap`, a new line indented by two spaces starts every `wrap`
// bytes of HEX and 2 x `wrap` characters of ASCII (IPPrint), the first included.
inline void dump(Line& line, const ByteView& bytes, std::uint32_t offset, std::uint32_t n, std::uint8_t contents,
                 std::uint32_t wrap) {
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint8_t b = bytes.byte(offset + i);
    if (contents == kHex) {
      if (wrap && i % wrap == 0)
        line.put("\n  ");
      else if (i && i % 4 == 0)
        line.put(' ');
      line.hex2(b);
    } else {
      if (wrap && i % (2 * wrap) == 0)
        line.put("\n  ");
      else if (i % 8 == 0)
        line.put(' ');
      line.put(b < 32 || b > 126 ? '.' : static_cast<char>(b));
    }
  }
}

// Click's `active` handler over ACTIVE: State holds what was written, if anything.
struct Active {
  bool written;
  bool value;
  bool get(bool configured) const { return written ? value : configured; }
};

template <typename E>
void read_active(const typename E::Config& config, const typename E::State& state, std::string& out) {
  out = state.active.get(config.active) ? "true" : "false";
}

template <typename E>
void read_active_workers(const typename E::Config& config, std::span<const typename E::State* const> states,
                         std::string& out) {
  bool same = true;
  for (const auto* s : states) same &= s->active.get(config.active) == states[0]->active.get(config.active);
  if (same) {
    if (!states.empty()) read_active<E>(config, *states[0], out);
    return;
  }
  for (std::size_t w = 0; w < states.size(); ++w)
    out += "worker " + std::to_string(w) + ": " + (states[w]->active.get(config.active) ? "true" : "false") + "\n";
}

template <typename E>
bool write_active(const typename E::Config&, typename E::State& state, std::string_view value, std::string& error) {
  bool v = false;
  if (!parse_handler_bool(value, v)) {
    error = "expected true or false, not '" + std::string(value) + "'";
    return false;
  }
  state.active = {true, v};
  return true;
}

template <typename E>
constexpr HandlerSpec active_handler() {
  return handler<E, &read_active<E>, &write_active<E>, &read_active_workers<E>>(
      "active", "read/write: false stops printing (packets still pass)");
}

}  // namespace nb::elements::print_line
