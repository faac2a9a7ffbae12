#include <nb/runtime/control_protocol.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace nb::control {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '@' || c == '/';
}

// ELEMENT.HANDLER: element names are the language's identifiers (letters, digits, '_', '@' and
// '/' between compound levels), handler names are letters, digits and '_'.
bool split_target(std::string_view word, Request& r, std::string& error) {
  std::size_t dot = word.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == word.size()) {
    error = "expected ELEMENT.HANDLER, e.g. c.count, not '" + std::string(word) + "'";
    return false;
  }
  std::string_view element = word.substr(0, dot), handler = word.substr(dot + 1);
  for (char c : element) {
    if (!is_name_char(c)) {
      error = "'" + std::string(element) + "' is not an element name";
      return false;
    }
  }
  for (char c : handler) {
    if (!is_name_char(c) || c == '/' || c == '@') {
      error = "'" + std::string(handler) + "' is not a handler name";
      return false;
    }
  }
  r.element = element;
  r.handler = handler;
  return true;
}

}  // namespace

std::string default_socket_dir() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg) return std::string(xdg) + "/nb";
  return "/run/nb";
}

std::string default_socket_path(long pid) {
  return default_socket_dir() + "/nbrun-" + std::to_string(pid) + ".sock";
}

std::optional<Request> parse_request(std::string_view line, std::string& error) {
  if (line.size() > kMaxRequestLength) {
    error = "request longer than " + std::to_string(kMaxRequestLength) + " bytes";
    return std::nullopt;
  }
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      error = "request contains control characters";
      return std::nullopt;
    }
  }
  auto skip_blanks = [](std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  };
  auto word = [&](std::string_view& s) {
    skip_blanks(s);
    std::size_t end = 0;
    while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
    std::string_view w = s.substr(0, end);
    s.remove_prefix(end);
    return w;
  };
  auto trim_end = [](std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  std::string_view rest = line;
  std::string_view cmd = word(rest);
  Request r;
  if (cmd.empty()) {
    error = "empty request; commands: ping, list, stats, read, write, reload";
    return std::nullopt;
  }
  auto no_more = [&](std::string_view name) {
    skip_blanks(rest);
    if (!rest.empty()) {
      error = std::string(name) + " takes no arguments";
      return false;
    }
    return true;
  };
  if (cmd == "ping" || cmd == "list" || cmd == "stats") {
    if (!no_more(cmd)) return std::nullopt;
    r.command = cmd == "ping" ? Command::Ping : cmd == "list" ? Command::List : Command::Stats;
    return r;
  }
  if (cmd == "read") {
    std::string_view target = word(rest);
    if (target.empty()) {
      error = "read needs ELEMENT.HANDLER";
      return std::nullopt;
    }
    if (!split_target(target, r, error) || !no_more("read ELEMENT.HANDLER")) return std::nullopt;
    r.command = Command::Read;
    return r;
  }
  if (cmd == "write") {
    std::string_view target = word(rest);
    if (target.empty()) {
      error = "write needs ELEMENT.HANDLER [VALUE]";
      return std::nullopt;
    }
    if (!split_target(target, r, error)) return std::nullopt;
    skip_blanks(rest);
    r.value = trim_end(rest);
    r.command = Command::Write;
    return r;
  }
  if (cmd == "reload") {
    skip_blanks(rest);
    r.file = trim_end(rest);
    r.command = Command::Reload;
    return r;
  }
  error = "unknown command '" + std::string(cmd.substr(0, 64)) + "'; commands: ping, list, stats, read, write, reload";
  return std::nullopt;
}

std::string format_request(const Request& r) {
  switch (r.command) {
    case Command::Ping:
      return "ping\n";
    case Command::List:
      return "list\n";
    case Command::Stats:
      return "stats\n";
    case Command::Read:
      return "read " + r.element + "." + r.handler + "\n";
    case Command::Write:
      return "write " + r.element + "." + r.handler + (r.value.empty() ? "" : " " + r.value) + "\n";
    case Command::Reload:
      return r.file.empty() ? "reload\n" : "reload " + r.file + "\n";
  }
  return "\n";
}

std::string format_reply(bool ok, std::string_view body) {
  std::string out = ok ? "OK " : "ERROR ";
  out += std::to_string(body.size());
  out += '\n';
  out += body;
  return out;
}

LineReader::Status LineReader::next(std::string& line) {
  while (true) {
    std::size_t nl = buffer_.find('\n');
    if (skipping_) {
      if (nl == std::string::npos) {
        buffer_.clear();
        return Status::None;
      }
      buffer_.erase(0, nl + 1);
      skipping_ = false;
      continue;
    }
    if (nl == std::string::npos) {
      // +1: room for the '\r' of a line of exactly the maximum length.
      if (buffer_.size() > kMaxRequestLength + 1) {
        buffer_.clear();
        skipping_ = true;
        return Status::Oversized;
      }
      return Status::None;
    }
    std::size_t len = nl;
    if (len > 0 && buffer_[len - 1] == '\r') --len;
    if (len > kMaxRequestLength) {
      buffer_.erase(0, nl + 1);
      return Status::Oversized;
    }
    line.assign(buffer_, 0, len);
    buffer_.erase(0, nl + 1);
    return Status::Line;
  }
}

ReplyReader::Status ReplyReader::feed(std::string_view bytes) {
  while (!have_header_) {
    if (bytes.empty()) return Status::Incomplete;
    char c = bytes.front();
    bytes.remove_prefix(1);
    if (c != '\n') {
      header_ += c;
      if (header_.size() > 64) {
        error_ = "the reply's header line is too long";
        return Status::Malformed;
      }
      continue;
    }
    std::string_view h = header_;
    if (h.rfind("OK ", 0) == 0) {
      ok_ = true;
      h.remove_prefix(3);
    } else if (h.rfind("ERROR ", 0) == 0) {
      ok_ = false;
      h.remove_prefix(6);
    } else {
      error_ = "not a reply header: '" + header_ + "'";
      return Status::Malformed;
    }
    auto [end, ec] = std::from_chars(h.data(), h.data() + h.size(), length_);
    if (ec != std::errc{} || end != h.data() + h.size() || length_ > kMaxReplyLength) {
      error_ = "bad reply length in '" + header_ + "'";
      return Status::Malformed;
    }
    have_header_ = true;
  }
  std::size_t take = std::min(bytes.size(), length_ - body_.size());
  body_.append(bytes.substr(0, take));
  if (body_.size() < length_) return Status::Incomplete;
  if (take < bytes.size()) {
    error_ = "bytes after the reply";
    return Status::Malformed;
  }
  return Status::Done;
}

}  // namespace nb::control
