#include "control_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace nb::elements {

namespace {

constexpr std::string_view kGreeting = "Click::ControlSocket/1.3\r\n";

// Click's response codes.
enum Code : int {
  kOk = 200,
  kSyntax = 500,
  kUnimplemented = 501,
  kNoSuchElement = 510,
  kNoSuchHandler = 511,
  kHandlerError = 520,
  kPermission = 530,
  kUnspecified = 590,
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool parse_uint(std::string_view s, std::uint64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// One message line; a message of several lines becomes continuation lines ("520-...").
void message(std::string& out, int code, std::string_view msg, bool continuation = false) {
  std::vector<std::string_view> lines;
  while (true) {
    const std::size_t nl = msg.find('\n');
    lines.push_back(msg.substr(0, nl));
    if (nl == std::string_view::npos) break;
    msg.remove_prefix(nl + 1);
    if (msg.empty()) break;
  }
  for (std::size_t k = 0; k < lines.size(); ++k) {
    out += std::to_string(code);
    out += continuation || k + 1 < lines.size() ? '-' : ' ';
    for (char c : lines[k]) {  // Click's String::printable: control characters as ^X
      const auto u = static_cast<unsigned char>(c);
      if (u < 32 || u == 127) {
        out += '^';
        out += static_cast<char>(u == 127 ? '?' : u + 64);
      } else {
        out += c;
      }
    }
    out += "\r\n";
  }
}

// "summary:" and then the handler's error lines, all under `code` (Click's transfer_messages).
void error_message(std::string& out, int code, const std::string& summary, std::string_view error) {
  if (trim(error).empty()) return message(out, code, summary);
  message(out, code, summary + ":", true);
  message(out, code, trim(error));
}

struct Handler {
  std::string element;  // empty: a global handler
  std::string name;
  bool readable = false, writable = false;
};

// ELEMENT.HANDLER, NUMBER.HANDLER (the configuration's NUMBERth element, from 1), HANDLER or
// .HANDLER (global). False with the reply written when there is no such element or handler.
bool find_handler(ControlContext& ctx, const std::string& full, Handler& h, std::string& out) {
  std::string_view name = full;
  const std::size_t dot = name.find('.');
  std::string element;
  if (dot != std::string_view::npos && !(dot == 0 || (dot == 1 && name[0] == '0'))) {
    element = std::string(name.substr(0, dot));
    std::uint64_t index = 0;
    std::string list, why;
    if (parse_uint(element, index) && index > 0 && ctx.read("", "list", list, why)) {
      std::string_view rest = list;  // Click's list: how many, then one name a line
      for (std::uint64_t k = 0; k <= index && !rest.empty(); ++k) {
        const std::size_t nl = rest.find('\n');
        if (k == index) element = std::string(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      }
    }
  }
  h.element = element;
  h.name = std::string(dot == std::string_view::npos ? name : name.substr(dot + 1));
  std::string list, why;
  if (!ctx.read(h.element, "handlers", list, why)) {
    message(out, kNoSuchElement, "No element named '" + h.element + "'");
    return false;
  }
  std::string_view rest = list;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || line.substr(0, tab) != h.name) continue;
    h.readable = line.find('r', tab) != std::string_view::npos;
    h.writable = line.find('w', tab) != std::string_view::npos;
    return true;
  }
  message(out, kNoSuchHandler, "No handler named '" + full + "'");
  return false;
}

void read_command(const ControlSocket::Config&, ControlContext& ctx, const std::string& name, std::string_view param,
                  std::string& out) {
  Handler h;
  if (!find_handler(ctx, name, h, out)) return;
  if (!h.readable) return message(out, kPermission, "Handler '" + name + "' write-only");
  if (!trim(param).empty())
    return error_message(out, kUnspecified, "Read handler '" + name + "' error",
                         "nb's read handlers take no parameters");
  std::string data, why;
  if (!ctx.read(h.element, h.name, data, why))
    return error_message(out, kUnspecified, "Read handler '" + name + "' error", why);
  // The runtime hands text without its last newline; a text of several lines keeps it (Click's
  // multi-line handlers end with one, its one-word ones have none).
  if (data.find('\n') != std::string::npos) data += '\n';
  message(out, kOk, "Read handler '" + name + "' OK");
  out += "DATA " + std::to_string(data.size()) + "\r\n" + data;
}

void write_command(const ControlSocket::Config& c, ControlContext& ctx, const std::string& name, std::string_view data,
                   std::string& out) {
  Handler h;
  if (!find_handler(ctx, name, h, out)) return;
  if (!h.writable) return message(out, kPermission, "Handler '" + name + "' read-only");
  if (c.read_only) return message(out, kPermission, "Permission denied for '" + name + "'");
  std::string why;
  if (!ctx.write(h.element, h.name, data, why))
    return error_message(out, kHandlerError, "Write handler '" + name + "' error", why);
  message(out, kOk, "Write handler '" + name + "' OK");
}

void check_command(const ControlSocket::Config& c, ControlContext& ctx, const std::string& name, bool write,
                   std::string& out) {
  Handler h;
  if (!find_handler(ctx, name, h, out)) return;
  const bool ok = write ? h.writable : h.readable;
  if (write && c.read_only && ok) return message(out, kPermission, "Permission denied for '" + name + "'");
  if (ok) return message(out, kOk, std::string(write ? "Write" : "Read") + " handler '" + name + "' OK");
  message(out, kNoSuchHandler, "Handler '" + name + (write ? "' not writable" : "' not readable"));
}

enum class Served { Done, NeedMore, Quit };

// One command line (without its end of line); `rest` is what follows it, from which a command
// with data takes its bytes (`used`).
Served command(const ControlSocket::Config& c, ControlContext& ctx, std::string_view line, std::string_view rest,
               bool in_closed, std::size_t& used, std::string& out) {
  std::vector<std::string_view> words;
  {
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      const std::size_t b = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (b < i) words.push_back(line.substr(b, i - b));
    }
  }
  used = 0;
  if (words.empty()) return Served::Done;
  const std::string cmd = upper(words[0]);
  // Everything after the handler's name, as written.
  auto after = [&](std::size_t k) {
    return k < words.size() ? std::string_view(words[k].data(),
                                               static_cast<std::size_t>(line.data() + line.size() - words[k].data()))
                            : std::string_view();
  };
  auto take = [&](std::uint64_t n, std::string_view& data) {
    if (rest.size() < n) {
      if (!in_closed) return Served::NeedMore;
      used = rest.size();
      message(out, kSyntax, "Not enough data");
      return Served::Quit;
    }
    data = rest.substr(0, n);
    used = n;
    return Served::Done;
  };
  if (cmd == "READ" || cmd == "GET" || cmd == "WRITE" || cmd == "SET") {
    if (words.size() < 2) return message(out, kSyntax, "Wrong number of arguments"), Served::Done;
    if (cmd[0] == 'R' || cmd[0] == 'G')
      read_command(c, ctx, std::string(words[1]), after(2), out);
    else
      write_command(c, ctx, std::string(words[1]), after(2), out);
    return Served::Done;
  }
  if (cmd == "READDATA" || cmd == "WRITEDATA" || cmd == "SETDATA") {
    if (words.size() != 3) return message(out, kSyntax, "Wrong number of arguments"), Served::Done;
    std::uint64_t n = 0;
    if (!parse_uint(words[2], n)) return message(out, kSyntax, "Syntax error in '" + cmd + "'"), Served::Done;
    std::string_view data;
    if (Served s = take(n, data); s != Served::Done) return s;
    if (cmd[0] == 'R')
      read_command(c, ctx, std::string(words[1]), data, out);
    else
      write_command(c, ctx, std::string(words[1]), data, out);
    return Served::Done;
  }
  if (cmd == "READUNTIL" || cmd == "WRITEUNTIL") {
    if (words.size() < 2) return message(out, kSyntax, "Wrong number of arguments"), Served::Done;
    const std::string_view until = trim(after(2));
    std::size_t pos = 0;
    while (true) {  // the data ends at the first line equal to `until`, trailing spaces aside
      const std::size_t eol = rest.find_first_of("\r\n", pos);
      if (eol == std::string_view::npos) {
        if (!in_closed) return Served::NeedMore;
        used = rest.size();
        message(out, kSyntax, "Not enough data");
        return Served::Quit;
      }
      std::string_view l = rest.substr(pos, eol - pos);
      while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.remove_suffix(1);
      const std::size_t next = eol + (rest[eol] == '\r' && eol + 1 < rest.size() && rest[eol + 1] == '\n' ? 2 : 1);
      if (l == until) {
        const std::string_view data = rest.substr(0, pos);
        used = next;
        if (cmd[0] == 'R')
          read_command(c, ctx, std::string(words[1]), data, out);
        else
          write_command(c, ctx, std::string(words[1]), data, out);
        return Served::Done;
      }
      pos = next;
    }
  }
  if (cmd == "CHECKREAD" || cmd == "CHECKWRITE") {
    if (words.size() != 2) return message(out, kSyntax, "Wrong number of arguments"), Served::Done;
    check_command(c, ctx, std::string(words[1]), cmd[5] == 'W', out);
    return Served::Done;
  }
  if (cmd == "LLRPC") {
    if (words.size() != 2 && words.size() != 3) return message(out, kSyntax, "Wrong number of arguments"), Served::Done;
    std::uint64_t n = 0;
    if (words.size() == 3 && !parse_uint(words[2], n))
      return message(out, kSyntax, "Syntax error in 'llrpc'"), Served::Done;
    std::string_view data;
    if (Served s = take(n, data); s != Served::Done) return s;
    message(out, kUnimplemented,
            "Cannot call LLRPC '" + std::string(words[1]) + "' remotely: nb's elements have no LLRPCs, use handlers");
    return Served::Done;
  }
  if (cmd == "CLOSE" || cmd == "QUIT") {
    if (words.size() != 1) message(out, kSyntax, "Bad command syntax");
    message(out, kOk, "Goodbye!");
    return Served::Quit;
  }
  if (cmd == "HELP") {
    constexpr std::string_view kHelp[] = {
        "Commands supported:",
        "READ handler            call read handler, return DATA",
        "READDATA handler len    call read handler with len data bytes (0 in nb), return DATA",
        "READUNTIL handler term  call read handler, take data until term, return DATA",
        "WRITE handler [arg...]  call write handler",
        "WRITEDATA handler len   call write handler, pass len data bytes",
        "WRITEUNTIL handler term call write handler, take data until term",
        "CHECKREAD handler       check if read handler is valid",
        "CHECKWRITE handler      check if write handler is valid",
        "QUIT                    close connection",
    };
    for (std::size_t k = 0; k < std::size(kHelp); ++k) message(out, kOk, kHelp[k], k + 1 < std::size(kHelp));
    return Served::Done;
  }
  message(out, kUnimplemented, "Command '" + cmd + "' unimplemented");
  return Served::Done;
}

}  // namespace

bool ControlSocket::serve(const Config& c, ControlContext& ctx, std::string& in, std::string& out, bool in_closed) {
  while (!in.empty()) {
    std::size_t eol = in.find_first_of("\r\n");
    if (eol == std::string::npos && !in_closed) return true;  // not a whole line yet
    std::size_t next = in.size();
    if (eol == std::string::npos)
      eol = in.size();
    else
      next = eol + (in[eol] == '\r' && eol + 1 < in.size() && in[eol + 1] == '\n' ? 2 : 1);
    std::size_t used = 0;
    const std::string line = in.substr(0, eol);
    const Served s = command(c, ctx, line, std::string_view(in).substr(next), in_closed, used, out);
    if (s == Served::NeedMore) return true;
    in.erase(0, std::min(in.size(), next + used));
    if (s == Served::Quit) {
      in.clear();
      return false;
    }
  }
  return true;
}

// ---- the sockets -------------------------------------------------------------------------

struct ControlSocket::Server {
  int listen_fd = -1;
  std::uint16_t port = 0;         // the port bound (TCP)
  std::uint32_t tries_left = 0;   // RETRIES: attempts after this one
  std::uint64_t next_try_ns = 0;  // 0: as soon as the control thread runs it
  std::string notes;              // what setup has to say, printed by the control thread
  bool bound_path = false;        // UNIX: we made the file, and remove it
  struct Connection {
    int fd = -1;
    std::string in, out;
    bool in_closed = false, quit = false;
  };
  std::vector<Connection> connections;
};

namespace {

// Opens the listener; false with `error` ("bind: Address already in use").
bool open_listener(const ControlSocket::Config& c, ControlSocket::Server& sv, std::string& error) {
  const int fd = socket(c.unix_socket ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return error = std::string("socket: ") + std::strerror(errno), false;
  auto fail = [&](const char* call) {
    error = std::string(call) + ": " + std::strerror(errno);
    close(fd);
    return false;
  };
  if (c.unix_socket) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, c.path, std::strlen(c.path) + 1);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return fail("bind");
    sv.bound_path = true;
  } else {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(c.localhost ? INADDR_LOOPBACK : INADDR_ANY);
    std::uint32_t port = c.port;
    for (int tries = 0;; ++tries, ++port) {  // PORT N+: N or one of the next ten
      sa.sin_port = htons(static_cast<std::uint16_t>(port));
      if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) break;
      if (!c.port_plus || tries >= 10 || port >= 65534) return fail("bind");
    }
    sv.port = static_cast<std::uint16_t>(port);
  }
  if (listen(fd, 16) != 0) {
    if (sv.bound_path) unlink(c.path), sv.bound_path = false;
    return fail("listen");
  }
  sv.listen_fd = fd;
  return true;
}

// One failed attempt: a warning with the tries left (RETRY_WARNINGS), or, at the last, the error.
bool retry_or_fail(const ControlSocket::Config& c, ControlSocket::Server& sv, const std::string& error,
                   std::uint64_t now, std::string& said) {
  if (sv.tries_left == 0) {
    said += "ControlSocket: " + error + "\n";
    return false;
  }
  if (c.retry_warnings)
    said += "ControlSocket: warning: " + error + " (" + std::to_string(sv.tries_left) +
            (sv.tries_left == 1 ? " try" : " tries") + " left)\n";
  --sv.tries_left;
  sv.next_try_ns = now + 1'000'000'000;  // Click tries once a second
  return true;
}

void close_connection(const ControlSocket::Config& c, ControlContext& ctx, ControlSocket::Server::Connection& conn) {
  if (c.verbose) ctx.print("ControlSocket: closed connection " + std::to_string(conn.fd) + "\n", true);
  close(conn.fd);
  conn.fd = -1;
}

void serve_connections(const ControlSocket::Config& c, ControlSocket::Server& sv, ControlContext& ctx) {
  while (true) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int fd = accept4(sv.listen_fd, c.unix_socket ? nullptr : reinterpret_cast<sockaddr*>(&peer),
                           c.unix_socket ? nullptr : &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    if (c.verbose) {
      std::string from;
      if (!c.unix_socket) {
        char ip[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
        from = std::string(" from ") + ip + "." + std::to_string(ntohs(peer.sin_port));
      }
      ctx.print("ControlSocket: opened connection " + std::to_string(fd) + from + "\n", true);
    }
    ControlSocket::Server::Connection conn;
    conn.fd = fd;
    conn.out = kGreeting;
    sv.connections.push_back(std::move(conn));
  }
  for (auto& conn : sv.connections) {
    char buf[4096];
    while (!conn.in_closed && !conn.quit && conn.in.size() < (1u << 20)) {
      const ssize_t n = read(conn.fd, buf, sizeof buf);
      if (n > 0) {
        conn.in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) conn.in_closed = true;
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    if (!conn.quit && !ControlSocket::serve(c, ctx, conn.in, conn.out, conn.in_closed)) conn.quit = true;
    while (!conn.out.empty()) {
      const ssize_t n = send(conn.fd, conn.out.data(), conn.out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        conn.out.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      conn.quit = true, conn.out.clear();  // the peer went away
      break;
    }
    const bool finished = conn.in_closed && conn.in.empty();
    if ((conn.quit || finished) && conn.out.empty()) close_connection(c, ctx, conn);
    // A client that sends and never reads: stop serving it rather than buffer without end.
    if (conn.fd >= 0 && conn.out.size() > (16u << 20)) close_connection(c, ctx, conn);
  }
  std::erase_if(sv.connections, [](const auto& conn) { return conn.fd < 0; });
}

}  // namespace

bool ControlSocket::setup(const Config& c, State& s, std::string& error) {
  auto* sv = new Server;
  sv->tries_left = c.retries;
  std::string why;
  if (!open_listener(c, *sv, why)) {
    std::string said;
    if (!retry_or_fail(c, *sv, why, 0, said)) {
      delete sv;
      error = why;
      return false;
    }
    sv->notes = said;
    sv->next_try_ns = 1;  // setup has no clock: the control thread's first run sets the time
  }
  s.server = sv;
  return true;
}

void ControlSocket::teardown(const Config& c, State& s) {
  Server* sv = s.server;
  if (!sv) return;
  for (auto& conn : sv->connections)
    if (conn.fd >= 0) close(conn.fd);
  if (sv->listen_fd >= 0) close(sv->listen_fd);
  if (sv->bound_path) unlink(c.path);
  delete sv;
  s.server = nullptr;
}

bool ControlSocket::control(const Config& c, State& s, ControlContext& ctx, ControlCall& call) {
  Server* sv = s.server;
  if (call.handler == "port" || call.handler == "filename") {
    if (call.write) return call.error = std::string(call.handler) + " is read-only", false;
    if ((call.handler == "port") == c.unix_socket)
      return call.error = std::string(call.handler) + " is a handler of TYPE " + (c.unix_socket ? "TCP" : "UNIX") +
                          " ControlSockets",
             false;
    if (c.unix_socket)
      call.out = c.path;
    else if (sv && sv->listen_fd >= 0)
      call.out = std::to_string(sv->port);
    else
      return call.error = "the socket is not open (yet)", false;
    return true;
  }
  if (!call.handler.empty()) {
    call.unknown = true;
    return false;
  }
  if (!sv) return true;
  const std::uint64_t now = ctx.now_ns();
  if (!sv->notes.empty()) {
    ctx.print(sv->notes, true);
    sv->notes.clear();
  }
  if (sv->listen_fd < 0) {
    if (sv->next_try_ns == 1) sv->next_try_ns = now + 1'000'000'000;  // setup's try failed: a second from now
    if (now < sv->next_try_ns) {
      ctx.wake_at(sv->next_try_ns);
      return true;
    }
    std::string why, said;
    if (!open_listener(c, *sv, why)) {
      const bool again = retry_or_fail(c, *sv, why, now, said);
      ctx.print(said, true);
      if (!again) {
        ctx.stop_router();  // Click: the router stops after the last failed try
        sv->next_try_ns = UINT64_MAX;
        return true;
      }
      ctx.wake_at(sv->next_try_ns);
      return true;
    }
  }
  serve_connections(c, *sv, ctx);
  ctx.wake_at(now + kPollNs);
  return true;
}

// ---- configure ---------------------------------------------------------------------------------

bool ControlSocket::configure(const Args& args, Config& c, std::string& error) {
  const std::string type = upper(trim(args.get_string("TYPE")));
  c.unix_socket = type == "UNIX";
  std::string where = args.given("PORT") ? std::string(trim(args.get_string("PORT"))) : std::string();
  if (args.given("FILENAME")) {
    if (!where.empty() || !c.unix_socket) {
      error = c.unix_socket ? "give the socket's file name once (PORT or FILENAME)" : "FILENAME is for TYPE UNIX";
      return false;
    }
    where = args.get_string("FILENAME");
  }
  if (where.empty()) {
    error = c.unix_socket ? "TYPE UNIX needs the socket's file name" : "TYPE TCP needs a PORT";
    return false;
  }
  if (c.unix_socket) {
    if (where.size() >= kMaxPath) {
      error = "filename too long (a UNIX socket's path has at most " + std::to_string(kMaxPath - 1) + " bytes)";
      return false;
    }
    std::memcpy(c.path, where.data(), where.size());
    c.path[where.size()] = 0;
  } else {
    c.port_plus = where.back() == '+';
    if (c.port_plus) where.pop_back();
    std::uint64_t port = 0;
    if (!parse_uint(where, port) || port > 65535 || (c.port_plus && port == 0)) {
      error = "PORT requires TCP port (a number up to 65535, or N+ for N or one of the next ten)";
      return false;
    }
    c.port = static_cast<std::uint16_t>(port);
  }
  c.read_only = args.get_bool("READONLY");
  c.verbose = args.get_bool("VERBOSE");
  c.localhost = args.get_bool("LOCALHOST");
  c.retry_warnings = args.get_bool("RETRY_WARNINGS");
  c.retries = static_cast<std::uint32_t>(args.get_unsigned("RETRIES"));
  return true;
}

namespace {

bool validate_type(std::string_view text, ParamError& error) {
  const std::string t = upper(trim(text));
  if (t == "TCP" || t == "UNIX") return true;
  error = {0,
           text.size(),
           t == "SOCKET" ? "TYPE SOCKET (a file descriptor nbrun inherits) is not in nb: use TCP or UNIX"
                         : "'" + std::string(trim(text)) + "' is not a ControlSocket TYPE (TCP or UNIX)",
           {}};
  return false;
}

bool validate_proxy(std::string_view text, ParamError& error) {
  if (trim(text).empty()) return true;
  error = {0,
           text.size(),
           "PROXY is not in nb: there is no kernel driver or handler proxy element to forward to; leave it out "
           "and name the handlers themselves",
           {}};
  return false;
}

constexpr ParamSpec kParams[] = {
    {.name = "TYPE",
     .type = ParamType::String,
     .kind = ParamKind::Positional,
     .required = true,
     .default_value = "",
     .doc = "TCP or UNIX (any case). Click's SOCKET (an inherited descriptor) is refused.",
     .validate = validate_type},
    {.name = "PORT",
     .type = ParamType::String,
     .kind = ParamKind::Positional,
     .required = false,
     .default_value = "",
     .doc = "TCP: the port to listen on; N+ means N or, when that is taken, one of the ten after it (the `port` "
            "handler says which). UNIX: the socket's file name (as FILENAME)."},
    {.name = "FILENAME",  // a socket to make, not a file to read: a String, which nbc check leaves alone
     .type = ParamType::String,
     .kind = ParamKind::Keyword,
     .required = false,
     .default_value = "",
     .doc = "TYPE UNIX: the socket's file name (made when the router starts, removed when it ends; an existing "
            "file is an error, as in Click)."},
    {"READONLY", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Refuses every write (530 Permission denied), CHECKWRITE included."},
    {.name = "PROXY",
     .type = ParamType::String,
     .kind = ParamKind::Keyword,
     .required = false,
     .default_value = "",
     .doc = "Not in nb (refused when given): Click forwards every handler to a proxy element "
            "(KernelHandlerProxy), which nb has none of.",
     .validate = validate_proxy},
    {"VERBOSE", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Says on standard error when a connection opens (with the peer's address.port for TCP) and closes."},
    {"LOCALHOST", ParamType::Bool, ParamKind::Keyword, false, "false",
     "TCP: listens on 127.0.0.1 only, so only local programs can connect."},
    {"RETRIES", ParamType::Unsigned, ParamKind::Keyword, false, "0",
     "When the socket cannot be opened: 0 fails the start of nbrun; N tries again once a second, N more "
     "times, and stops the run after the last failure."},
    {"RETRY_WARNINGS", ParamType::Bool, ParamKind::Keyword, false, "true",
     "With RETRIES: a warning on standard error at each failed try (false: only the last failure is said)."},
};

constexpr HandlerSpec kHandlers[] = {
    {.name = "port",
     .kind = HandlerSpec::Kind::Control,
     .doc = "read (TYPE TCP): the port it listens on",
     .control_access = kControlRead},
    {.name = "filename",
     .kind = HandlerSpec::Kind::Control,
     .doc = "read (TYPE UNIX): the socket's file name",
     .control_access = kControlRead},
};

}  // namespace

NB_ELEMENT_CONTROL(ControlSocket);

constinit const ElementSpec ControlSocket::spec{
    .class_name = "ControlSocket",
    .ports = "0/0",
    .params = kParams,
    .brief = "serves Click's control protocol (ControlSocket/1.3) over TCP or a UNIX socket",
    .description =
        "Opens a listener, in addition to nbrun's own control socket (`nbctl`), that speaks "
        "Click's line protocol, so Click's tools (clicky, telnet, nc, scripts written for "
        "Click) can read and write the running graph's handlers. nbrun's control thread serves "
        "it (never a worker core): a READ or WRITE does exactly what `nbctl read`/`nbctl "
        "write` does. The control thread looks at the socket every 2 ms.\n"
        "\n"
        "On connecting, the client gets `Click::ControlSocket/1.3`. Commands, one a line (CR, "
        "LF or CRLF), replies ending in CRLF, each a three-digit code (200 OK, 500 syntax "
        "error, 501 unimplemented, 510 no such element, 511 no such handler, 520 handler "
        "error, 530 permission denied, 590 read handler error; `CODE-` on all but a reply's "
        "last line): `READ HANDLER` (200, then `DATA N` and N bytes), `WRITE HANDLER "
        "[VALUE...]`, `READDATA`/`WRITEDATA HANDLER N` (N bytes follow the line), "
        "`READUNTIL`/`WRITEUNTIL HANDLER [TERM]` (the lines up to TERM, or an empty line), "
        "`CHECKREAD`/`CHECKWRITE HANDLER`, `HELP`, `QUIT` (`CLOSE`). HANDLER is ELEMENT.NAME, "
        "N.NAME (the Nth element, from 1) or a global handler: `version`, `list` (how many "
        "elements, then their names), `classes` (the running graph's), `config` and "
        "`flatconfig` (both the flattened configuration), `packages`, `requirements`, "
        "`handlers`, and `stop` (write: a stop event; the run stops unless a DriverManager "
        "decides otherwise). A handler's text comes without its last newline unless it has "
        "several lines (as Click's).\n"
        "\n"
        "Differences from Click: `LLRPC` answers 501 (nb's elements have no LLRPCs); read "
        "handlers take no parameters (a READ with some answers 590); PROXY and TYPE SOCKET "
        "are refused; a hot reload keeps a ControlSocket whose arguments did not change (its "
        "connections too), and one whose arguments changed opens anew, which fails for the "
        "same port or file while the old one holds it.",
    .example = "c :: Counter;\nFromDump(in.pcap) -> c -> Discard;\nControlSocket(TCP, 41900+, LOCALHOST true);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(ControlSocket::spec);

}  // namespace nb::elements
