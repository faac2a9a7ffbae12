// nbctl: talk to a running nbrun over its control socket (docs/control.md).
//   nbctl [--socket PATH] ping | list | stats | read ELEMENT.HANDLER | write ELEMENT.HANDLER [VALUE]
//                         | reload [FILE]
// Exit status: 0 success, 1 any error (nbrun's error text on stderr), 2 usage errors.
#include <nb/runtime/control_protocol.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

namespace {

namespace ctl = nb::control;

int fail(const std::string& message) {
  fmt::print(stderr, "nbctl: error: {}\n", message);
  return 1;
}

int connect_to(const std::string& path, std::string& error) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    error = fmt::format("socket path '{}' is too long", path);
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = fmt::format("cannot create a socket: {}", std::strerror(errno));
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = fmt::format("cannot connect to '{}': {}", path, std::strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

// No --socket: $NB_CONTROL_SOCKET, else the one nbrun serving in the default directory.
bool find_socket(std::string& path, std::string& error) {
  if (const char* env = std::getenv("NB_CONTROL_SOCKET"); env && *env) {
    path = env;
    return true;
  }
  std::string dir = ctl::default_socket_dir();
  std::vector<std::string> live;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("nbrun-", 0) != 0 || !name.ends_with(".sock")) continue;
    std::string why;
    int fd = connect_to(entry.path().string(), why);
    if (fd < 0) continue;  // left over by an nbrun that died
    close(fd);
    live.push_back(entry.path().string());
  }
  if (live.size() == 1) {
    path = live.front();
    return true;
  }
  if (live.empty()) {
    error = fmt::format(
        "no running nbrun found in {}; give its socket with --socket PATH (nbrun prints it at start-up)", dir);
  } else {
    error = fmt::format("{} nbrun processes are running; choose one with --socket PATH:", live.size());
    for (const auto& p : live) error += "\n  " + p;
  }
  return false;
}

// CLI11 answers `nbctl frobnicate` with "A subcommand is required": name the word it did not
// know and the subcommands there are.
bool unknown_subcommand(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--socket" || a == "--timeout") {
      ++i;  // its value
      continue;
    }
    if (a == "--" || (!a.empty() && a[0] == '-')) {
      if (a == "--") return false;
      continue;
    }
    std::string names;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == a) return false;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    fmt::print(
        stderr,
        "nbctl: error: unknown subcommand '{}'\nThe subcommands are: {}\nRun with --help for more information.\n", a,
        names);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "nbctl - control a running nbrun through its control socket (docs/control.md).\n"
      "Exit status: 0 on success, 1 on any error (with its text on stderr), 2 on usage errors.",
      "nbctl"};
  app.set_version_flag("--version", "nbctl " NB_PROJECT_VERSION, "Print nbctl's version and exit");
  app.require_subcommand(1);
  std::string socket_path;
  double timeout = 60;
  app.add_option("--socket", socket_path,
                 "nbrun's control socket (default: $NB_CONTROL_SOCKET, else the only nbrun-PID.sock in "
                 "$XDG_RUNTIME_DIR/nb or /run/nb)");
  app.add_option("--timeout", timeout, "Seconds to wait for the reply")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {  // CLI11's PositiveNumber prints DBL_MAX in 300 digits
            char* end = nullptr;
            double v = std::strtod(s.c_str(), &end);
            return !s.empty() && *end == '\0' && v > 0 && v <= 1e9
                       ? ""
                       : "must be a number of seconds above 0 and at most 1000000000";
          },
          "SECONDS"));

  ctl::Request req;
  std::string target;
  std::vector<std::string> value;
  std::string file;
  auto* ping = app.add_subcommand("ping", "Check that nbrun answers");
  auto* list =
      app.add_subcommand("list", "List the running graph's elements, classes and handlers (r: read, w: write)");
  auto* stats = app.add_subcommand("stats", "Statistics of the running graph, as JSON");
  auto* read = app.add_subcommand("read", "Read a handler, e.g. nbctl read c.count");
  read->add_option("ELEMENT.HANDLER", target, "The element and handler")->required();
  auto* write = app.add_subcommand("write", "Write a handler, e.g. nbctl write ttl.active false");
  write->add_option("ELEMENT.HANDLER", target, "The element and handler")->required();
  write->add_option("VALUE", value, "The value (words are joined with spaces); some handlers take none");
  auto* reload =
      app.add_subcommand("reload",
                         "Replace the running graph with FILE (default: the file it came from) without stopping it; "
                         "on errors the running graph is left as it is and the errors are printed");
  reload->add_option("FILE", file, "The new .nbc file");

  if (unknown_subcommand(app, argc, argv)) return 2;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  std::string error;
  if (ping->parsed()) {
    req.command = ctl::Command::Ping;
  } else if (list->parsed()) {
    req.command = ctl::Command::List;
  } else if (stats->parsed()) {
    req.command = ctl::Command::Stats;
  } else if (read->parsed() || write->parsed()) {
    std::string line = (read->parsed() ? "read " : "write ") + target;
    for (const auto& v : value) line += " " + v;
    if (line.find('\n') != std::string::npos) return fail("values cannot contain newlines");
    auto parsed = ctl::parse_request(line, error);
    if (!parsed) return fail(error);
    req = *parsed;
  } else if (reload->parsed()) {
    req.command = ctl::Command::Reload;
    if (!file.empty()) {
      // nbrun runs elsewhere: send a path it can open.
      std::error_code ec;
      auto abs = std::filesystem::absolute(file, ec);
      req.file = ec ? file : abs.lexically_normal().string();
      if (req.file.find('\n') != std::string::npos) return fail("file names cannot contain newlines");
    }
  }
  std::string line = ctl::format_request(req);
  if (line.size() > ctl::kMaxRequestLength + 1)
    return fail(fmt::format("request longer than {} bytes", ctl::kMaxRequestLength));

  if (socket_path.empty() && !find_socket(socket_path, error)) return fail(error);
  int fd = connect_to(socket_path, error);
  if (fd < 0) return fail(error + " (is nbrun running? it prints its control socket at start-up)");

  for (std::size_t sent = 0; sent < line.size();) {
    ssize_t n = send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return fail(fmt::format("cannot send the request: {}", std::strerror(errno)));
    }
    sent += static_cast<std::size_t>(n);
  }
  ctl::ReplyReader reply;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  ctl::ReplyReader::Status st = ctl::ReplyReader::Status::Incomplete;
  char buf[65536];
  while (st == ctl::ReplyReader::Status::Incomplete) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      close(fd);
      return fail(fmt::format("no reply from nbrun within {} s", timeout));
    }
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return fail(fmt::format("cannot read the reply: {}", std::strerror(errno)));
    }
    if (n == 0) {
      close(fd);
      return fail("nbrun closed the connection before replying in full");
    }
    st = reply.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  close(fd);
  if (st == ctl::ReplyReader::Status::Malformed) return fail("malformed reply: " + reply.error());
  if (reply.ok()) {
    std::cout << reply.body() << std::flush;
    if (!std::cout) return fail(fmt::format("cannot write standard output: {}", std::strerror(errno)));
    return 0;
  }
  // nbrun's diagnostics already say "file:line:col: error:"; anything else gets our prefix.
  const std::string& body = reply.body();
  if (body.find(": error: ") != std::string::npos)
    std::cerr << body;
  else
    std::cerr << "nbctl: error: " << body;
  if (!body.empty() && body.back() != '\n') std::cerr << "\n";
  return 1;
}
