// The control socket's line protocol (docs/control.md), shared by nbrun's control thread and
// nbctl. No DPDK here: nbctl and the unit tests link only this.
//
// A request is one line of text ending in '\n' (a '\r' before it is ignored):
//   ping | list | stats | read ELEMENT.HANDLER | write ELEMENT.HANDLER [VALUE] | reload [FILE]
// A reply is a header line, "OK LENGTH" or "ERROR LENGTH", followed by exactly LENGTH bytes of
// body (text; JSON for stats and reload).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nb::control {

inline constexpr int kProtocolVersion = 1;
// Longest request line accepted, without its newline; longer ones get an error reply.
inline constexpr std::size_t kMaxRequestLength = 4096;
// Longest reply body a client accepts.
inline constexpr std::size_t kMaxReplyLength = 64u << 20;

enum class Command { Ping, List, Stats, Read, Write, Reload };

struct Request {
  Command command = Command::Ping;
  std::string element;  // Read, Write
  std::string handler;  // Read, Write
  std::string value;    // Write: the rest of the line after the handler (may be empty)
  std::string file;     // Reload: empty = the file the running graph came from
};

// Where nbrun serves its socket unless told otherwise: $XDG_RUNTIME_DIR/nb/nbrun-PID.sock, or
// /run/nb/nbrun-PID.sock when XDG_RUNTIME_DIR is not set.
std::string default_socket_dir();
std::string default_socket_path(long pid);

// Parses one request line (without its '\n'). Returns nullopt with a message in `error` when
// it is not a request: unknown command, missing or malformed ELEMENT.HANDLER, control bytes.
std::optional<Request> parse_request(std::string_view line, std::string& error);

// The request as a line, with its '\n' (what nbctl sends).
std::string format_request(const Request& request);

// "OK 5\npong\n" style framing.
std::string format_reply(bool ok, std::string_view body);

// Splits a byte stream into request lines. A line longer than kMaxRequestLength is reported
// once as oversized and its bytes are skipped up to the next '\n'.
class LineReader {
 public:
  enum class Status { None, Line, Oversized };
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete line (without '\n' and a '\r' before it), if any.
  Status next(std::string& line);
  // Bytes buffered that are not yet a line.
  std::size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
  bool skipping_ = false;  // inside an oversized line, dropping bytes until '\n'
};

// Reads one reply from a byte stream (the client side).
class ReplyReader {
 public:
  enum class Status { Incomplete, Done, Malformed };
  Status feed(std::string_view bytes);
  bool ok() const { return ok_; }
  const std::string& body() const { return body_; }
  const std::string& error() const { return error_; }

 private:
  std::string header_;
  bool have_header_ = false;
  bool ok_ = false;
  std::size_t length_ = 0;
  std::string body_;
  std::string error_;
};

}  // namespace nb::control
