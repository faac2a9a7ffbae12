// The control thread: serves the unix socket's line protocol, reads and writes handlers, and
// hot-reloads the graph (on request, on SIGHUP, or when --watch sees the file change).
//
// Reload, in order: parse, check, lower and JIT the new file here (the workers run on); give it
// the ports it shares with the running graph and open the new ones; build its dataplane so that
// elements matched by name and class share their State blocks and counters; publish it; wait
// until every worker reported a quiescent state after the publication (rte_rcu_qsbr: a worker
// reports one after each pass over its sources, when its transmit buffers are flushed), i.e.
// until every worker runs the new graph; then stop the ports only the old graph used and free
// the old graph, its JIT code included. Any failure before the publication leaves the running
// graph untouched.
#include "control.hpp"

#include <nb/compiler/driver.hpp>
#include <nb/runtime/jit_engine.hpp>
#include <nb/runtime/runner.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <rte_cycles.h>
#include <rte_pause.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <sstream>
#include <thread>
#include <unordered_set>

namespace nb::runtime::detail {
namespace {

using Clock = std::chrono::steady_clock;

// SIGHUP: the handler only wakes the control thread.
std::atomic<int> g_wake_fd{-1};
std::atomic<bool> g_hup{false};
std::atomic<bool> g_driver_managed{false};
std::atomic<std::uint64_t> g_stop_events{0};

void on_hup(int) {
  g_hup.store(true);
  int fd = g_wake_fd.load();
  if (fd >= 0) {
    char c = 'h';
    [[maybe_unused]] ssize_t n = write(fd, &c, 1);
  }
}

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The handlers of an element: the ones its class declares, then what every element has: its
// class, its State counters, its drops, and its port's packet count for sources and sinks.
struct Handler {
  std::string_view name;
  HandlerSpec::Kind kind = HandlerSpec::Kind::Field;
  std::string_view doc;
  std::size_t offset = 0;
  void (*read)(const void*, const void*, std::string&) = nullptr;
  bool (*write)(const void*, void*, std::string_view, std::string&) = nullptr;
  bool is_class = false;
  std::uint8_t control_access = 0;  // Kind::Control: kControlRead | kControlWrite
  bool is_active = false;  // a source's `active`: the runtime's, on the port (PortSlot::active)
  // Click's handlers of every element, served from the plan: `name`, `config` (written: a reload
  // with the new configuration), `ports`, `handlers`.
  enum class Generic : std::uint8_t { None, Name, Config, Ports, Handlers } generic = Generic::None;
  bool readable() const {
    if (kind == HandlerSpec::Kind::Control) return (control_access & kControlRead) != 0;
    return is_class || is_active || generic != Generic::None || kind != HandlerSpec::Kind::Custom || read;
  }
  bool writable() const {
    if (kind == HandlerSpec::Kind::Control) return (control_access & kControlWrite) != 0;
    return is_active || generic == Generic::Config || (kind == HandlerSpec::Kind::Custom && write);
  }
};

std::vector<Handler> handlers_of(const compiler::PlanElement& e) {
  std::vector<Handler> hs;
  auto has = [&](std::string_view n) {
    for (const Handler& h : hs)
      if (h.name == n) return true;
    return false;
  };
  // In declared order; a handler of another kind named like a counter takes the name (FlowMonitor's
  // `flows` lists the flows; its counter counts them).
  auto shadowed = [&](const HandlerSpec& c) {
    if (c.kind != HandlerSpec::Kind::Counter) return false;
    for (const HandlerSpec& s : e.spec->handlers)
      if (s.name == c.name && s.kind != HandlerSpec::Kind::Counter) return true;
    return false;
  };
  for (const HandlerSpec& s : e.spec->handlers)
    if (!shadowed(s)) hs.push_back({s.name, s.kind, s.doc, s.offset, s.read, s.write, false, s.control_access});
  if (!has("class")) {
    Handler h;
    h.name = "class";
    h.doc = "the element's class";
    h.is_class = true;
    hs.push_back(h);
  }
  if (e.ops && e.ops->role == ElementOps::Role::Kernel) {
    if (!has("drops")) hs.push_back({"drops", HandlerSpec::Kind::Drops, "packets dropped"});
    if (!e.ops->drop_reasons.empty() && !has("drop_reasons"))
      hs.push_back({"drop_reasons", HandlerSpec::Kind::DropReasons, "packets dropped, per reason"});
  } else if (e.port >= 0 && !has("count")) {
    hs.push_back({"count", HandlerSpec::Kind::PortCount, "packets through the element's port"});
  }
  if (e.ops && (e.ops->role == ElementOps::Role::Source || e.ops->role == ElementOps::Role::SourceSink) && e.port >= 0 &&
      !has("active")) {
    Handler h;
    h.name = "active";
    h.doc = "whether the source reads packets (true/false; false pauses it where it is)";
    h.is_active = true;
    hs.push_back(h);
  }
  auto generic = [&](std::string_view name, std::string_view doc, Handler::Generic g) {
    if (has(name)) return;
    Handler h;
    h.name = name;
    h.doc = doc;
    h.generic = g;
    hs.push_back(h);
  };
  generic("name", "the element's name", Handler::Generic::Name);
  generic("config", "its configuration; written: the element is reconfigured by a hot reload (State kept)",
          Handler::Generic::Config);
  generic("ports", "its ports: how many, push or pull, and what each is connected to", Handler::Generic::Ports);
  generic("handlers", "its handlers, one a line: NAME<TAB>r, w or rw", Handler::Generic::Handlers);
  return hs;
}

// Click's `ports` text: per side, how many, then a line per port: push or pull, and what it is
// connected to ("[0] c" for an output to c's input 0, "src [0]" for an input from src's output 0).
std::string ports_text(const compiler::Plan& plan, std::uint32_t idx) {
  const compiler::PlanElement& e = plan.elements[idx];
  std::vector<std::vector<std::string>> ins(e.ninputs);
  for (std::uint32_t from = 0; from < plan.elements.size(); ++from) {
    const compiler::PlanElement& f = plan.elements[from];
    for (std::uint32_t p = 0; p < f.outputs.size(); ++p) {
      const compiler::Target& t = f.outputs[p];
      const bool here = (t.kind == compiler::Target::Kind::Element && t.index == idx) ||
                        (t.kind == compiler::Target::Kind::Port && e.port >= 0 &&
                         t.index == static_cast<std::uint32_t>(e.port) &&
                         (t.sink >= 0 ? t.sink : plan.ports[t.index].sink_element) == static_cast<std::int32_t>(idx));
      const std::uint32_t in = t.kind == compiler::Target::Kind::Element ? t.in_port : 0;
      if (here && in < ins.size()) ins[in].push_back(fmt::format("{} [{}]", f.name, p));
    }
  }
  auto mode = [](const std::string& modes, std::uint32_t p) { return p < modes.size() && modes[p] == 'l' ? "pull" : "push"; };
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("-") : s;
  };
  std::string out = fmt::format("{} input{}\n", e.ninputs, e.ninputs == 1 ? "" : "s");
  for (std::uint32_t p = 0; p < e.ninputs; ++p) out += fmt::format("{}\t{}\n", mode(e.input_modes, p), join(ins[p]));
  out += fmt::format("{} output{}\n", e.noutputs, e.noutputs == 1 ? "" : "s");
  for (std::uint32_t p = 0; p < e.noutputs; ++p) {
    const compiler::Target& t = p < e.outputs.size() ? e.outputs[p] : compiler::Target{};
    std::string to = "-";
    if (t.kind == compiler::Target::Kind::Element) to = fmt::format("[{}] {}", t.in_port, plan.elements[t.index].name);
    const std::int32_t sink = t.kind != compiler::Target::Kind::Port ? -1
                              : t.sink >= 0                          ? t.sink
                                                                     : plan.ports[t.index].sink_element;
    if (sink >= 0) to = fmt::format("[0] {}", plan.elements[static_cast<std::size_t>(sink)].name);
    out += fmt::format("{}\t{}\n", mode(e.output_modes, p), to);
  }
  return out;
}

const Handler* find_handler(const std::vector<Handler>& hs, std::string_view name) {
  for (const Handler& h : hs)
    if (h.name == name) return &h;
  return nullptr;
}

std::string generic_handler(const compiler::Plan& plan, std::uint32_t idx, Handler::Generic which,
                            const std::vector<Handler>& hs) {
  const compiler::PlanElement& e = plan.elements[idx];
  switch (which) {
    case Handler::Generic::Name: return e.name + "\n";
    case Handler::Generic::Config: {
      std::string s;
      for (std::size_t k = 0; k < e.args.size(); ++k) s += (k ? ", " : "") + e.args[k];
      return s + "\n";
    }
    case Handler::Generic::Ports: return ports_text(plan, idx);
    case Handler::Generic::Handlers: {
      std::string s;
      for (const Handler& h : hs)
        s += fmt::format("{}\t{}{}\n", h.name, h.readable() ? "r" : "", h.writable() ? "w" : "");
      return s;
    }
    case Handler::Generic::None: break;
  }
  return "";
}

std::string drop_reason_name(const compiler::PlanElement& e, std::size_t k, std::size_t slots) {
  if (k < e.ops->drop_reasons.size()) return std::string(e.ops->drop_reasons[k].name);
  return k == slots - 2 ? "no buffers" : "unconnected output";
}

}  // namespace

// ---- socket and thread ---------------------------------------------------------------------

bool ControlServer::open_socket(std::string& error) {
  std::string path =
      rt_.options.control_path.empty() ? control::default_socket_path(getpid()) : rt_.options.control_path;
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    error = fmt::format("control socket path '{}' is too long (at most {} bytes)", path, sizeof addr.sun_path - 1);
    return false;
  }
  if (rt_.options.control_path.empty()) {
    // Our own directory under the runtime dir: owner only.
    std::string dir = control::default_socket_dir();
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      error = fmt::format("cannot create '{}' for the control socket: {}", dir, std::strerror(errno));
      return false;
    }
    // Sockets of nbrun processes that were killed (they could not remove theirs).
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("nbrun-", 0) != 0 || !name.ends_with(".sock")) continue;
      char* end = nullptr;
      long pid = std::strtol(name.c_str() + 6, &end, 10);
      if (pid <= 0 || std::string_view(end) != ".sock") continue;
      if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) unlink(entry.path().c_str());
    }
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = fmt::format("cannot create the control socket: {}", std::strerror(errno));
    return false;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      close(fd);
      error = fmt::format("control socket path '{}' exists and is not a socket", path);
      return false;
    }
    // A socket someone still serves is in use; one nobody answers is left over: replace it.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live = probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (probe >= 0) close(probe);
    if (live) {
      close(fd);
      error = fmt::format("control socket '{}' is in use by another process", path);
      return false;
    }
    unlink(path.c_str());
  }
  // Mode 0600 from the start: the umask applies to the socket file bind creates.
  mode_t old_mask = umask(0177);
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  umask(old_mask);
  if (rc != 0) {
    close(fd);
    error = fmt::format("cannot bind the control socket '{}': {}", path, std::strerror(bind_errno));
    return false;
  }
  chmod(path.c_str(), 0600);
  if (listen(fd, 16) != 0 || !set_nonblocking(fd)) {
    close(fd);
    unlink(path.c_str());
    error = fmt::format("cannot listen on the control socket '{}': {}", path, std::strerror(errno));
    return false;
  }
  listen_fd_ = fd;
  path_ = path;
  return true;
}

bool ControlServer::start(std::string& error, std::string& note) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    error = fmt::format("cannot create the control thread's pipe: {}", std::strerror(errno));
    return false;
  }
  bool ok = true;
  if (rt_.options.control) ok = open_socket(error);
  g_wake_fd.store(wake_[1]);
  g_hup.store(false);
  struct sigaction sa {};
  sa.sa_handler = on_hup;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &sa, nullptr);
  if (rt_.options.watch) {
    watched_file_ = rt_.current->file;
    watched_ = stamp_of(watched_file_);
    note = fmt::format("watching {} for changes", watched_file_);
  }
  find_driver();  // before any worker runs: its stop events go to the script from the first
  running_ = true;
  thread_ = std::thread([this] { loop(); });
  return ok;
}

void ControlServer::stop() {
  if (!running_) return;
  running_ = false;
  quit_.store(true);
  char c = 'q';
  [[maybe_unused]] ssize_t n = write(wake_[1], &c, 1);
  thread_.join();
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGHUP, &sa, nullptr);
  g_wake_fd.store(-1);
  for (Client& cl : clients_) close(cl.fd);
  clients_.clear();
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(path_.c_str());
    listen_fd_ = -1;
  }
  close(wake_[0]);
  close(wake_[1]);
  wake_[0] = wake_[1] = -1;
}

ControlServer::Stamp ControlServer::stamp_of(const std::string& file) const {
  Stamp s;
  struct stat st {};
  if (stat(file.c_str(), &st) != 0) return s;
  s.exists = true;
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.size = st.st_size;
  s.ino = st.st_ino;
  return s;
}

void ControlServer::loop() {
  constexpr std::size_t kMaxClients = 32;
  if (rt_.tier_up_pending) {  // before any request: they then meet the JIT's generation
    rt_.tier_up_pending = false;
    tier_up();
  }
  while (!quit_.load()) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    if (listen_fd_ >= 0) fds.push_back({listen_fd_, POLLIN, 0});
    std::size_t first_client = fds.size();
    for (const Client& c : clients_) {
      short ev = POLLIN;
      if (!c.out.empty()) ev |= POLLOUT;
      fds.push_back({c.fd, ev, 0});
    }
    int n = poll(fds.data(), fds.size(), std::min(100, run_control_elements()));
    if (quit_.load()) break;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      char buf[64];
      while (read(wake_[0], buf, sizeof buf) > 0) {
      }
    }
    serve_stop_events();
    if (g_hup.exchange(false)) {
      std::string body;
      if (!reload("", "SIGHUP", body)) log_failed_reload("", "SIGHUP", body);
    }
    if (n > 0) {
      for (std::size_t i = first_client; i < fds.size(); ++i) {
        Client& c = clients_[i - first_client];
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_client(c);
        if (!c.out.empty()) write_client(c);
      }
      if (listen_fd_ >= 0 && (fds[1].revents & POLLIN)) accept_clients();
    }
    std::erase_if(clients_, [](const Client& c) {
      if (c.fd >= 0 && !(c.closing && c.out.empty())) return false;
      if (c.fd >= 0) close(c.fd);
      return true;
    });
    while (clients_.size() > kMaxClients) {
      close(clients_.front().fd);
      clients_.erase(clients_.begin());
    }
    auto now = Clock::now();
    if (now >= next_sample_) {
      sample_rates();
      next_sample_ = now + std::chrono::milliseconds(100);
    }
    if (rt_.options.watch && now >= next_watch_) {
      next_watch_ = now + std::chrono::milliseconds(200);
      if (watched_file_ != rt_.current->file) {
        watched_file_ = rt_.current->file;
        watched_ = stamp_of(watched_file_);
      }
      Stamp s = stamp_of(watched_file_);
      if (s.exists && !(s == watched_)) {
        // Wait until it stops changing (an editor may still be writing it).
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (stamp_of(watched_file_) == s) {
          watched_ = s;
          std::string body;
          if (!reload("", "--watch", body)) log_failed_reload("", "--watch", body);
        }
      }
    }
  }
}

void ControlServer::accept_clients() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    Client c;
    c.fd = fd;
    clients_.push_back(std::move(c));
  }
}

void ControlServer::read_client(Client& c) {
  char buf[4096];
  while (true) {
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n > 0) {
      c.in.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      std::string line;
      while (true) {
        auto st = c.in.next(line);
        if (st == control::LineReader::Status::None) break;
        if (st == control::LineReader::Status::Oversized) {
          c.out +=
              control::format_reply(false, fmt::format("request longer than {} bytes\n", control::kMaxRequestLength));
          continue;
        }
        bool ok = false;
        std::string body = handle(line, ok);
        c.out += control::format_reply(ok, body);
      }
      // A client that sends and never reads: stop serving it rather than buffer without end.
      if (c.out.size() > (16u << 20)) {
        close(c.fd);
        c.fd = -1;
        return;
      }
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      c.closing = true;  // peer closed: send what is left, then close
      if (c.out.empty()) {
        close(c.fd);
        c.fd = -1;
      }
      return;
    }
    if (errno == EINTR) continue;
    return;
  }
}

void ControlServer::write_client(Client& c) {
  if (c.fd < 0) return;
  while (!c.out.empty()) {
    ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close(c.fd);  // the peer went away
    c.fd = -1;
    return;
  }
}

// ---- requests --------------------------------------------------------------------------------

std::string ControlServer::handle(std::string_view line, bool& ok) {
  std::string error;
  auto req = control::parse_request(line, error);
  if (!req) {
    ok = false;
    return error + "\n";
  }
  std::string out;
  switch (req->command) {
    case control::Command::Ping:
      ok = true;
      return fmt::format("pong nbrun {} generation {}\n", getpid(), rt_.current->number);
    case control::Command::List:
      ok = true;
      return list();
    case control::Command::Stats: {
      RunReport r;
      fill_report(rt_, *rt_.current, seconds_since(rt_.start), r);
      r.stop_reason = live_.finished.load() ? "finished" : "running";
      ok = true;
      return report_json(r);
    }
    case control::Command::Read:
      ok = read_handler(req->element, req->handler, out);
      return out;
    case control::Command::Write:
      ok = write_handler(req->element, req->handler, req->value, out);
      return out;
    case control::Command::Reload:
      ok = reload(req->file, "control socket", out);
      // On nbrun's stderr too, as SIGHUP and --watch failures are: whoever watches the router
      // sees the attempt, not only the client that made it.
      if (!ok) log_failed_reload(req->file, "control socket", out);
      return out;
  }
  ok = false;
  return "unhandled request\n";
}

std::string ControlServer::list() {
  const Generation& g = *rt_.current;
  std::string out;
  for (const compiler::PlanElement& e : g.plan->elements) {
    out += fmt::format("{} {}", e.name, e.spec->class_name);
    for (const Handler& h : handlers_of(e)) {
      out += fmt::format(" {}:{}{}", h.name, h.readable() ? "r" : "", h.writable() ? "w" : "");
    }
    out += "\n";
  }
  return out;
}

namespace {

// Posts `call` to worker w's mailbox and waits until it ran, or withdraws it after 2 s. True when
// it ran (on the worker, or here because the worker had stopped).
bool post_and_wait(Worker& w, WorkerCall& call, std::string& error) {
  if (w.finished.load(std::memory_order_acquire)) {
    call.fn();
    return true;
  }
  w.mailbox.store(&call, std::memory_order_release);
  auto start = Clock::now();
  while (!call.done.load(std::memory_order_acquire)) {
    bool finished = w.finished.load(std::memory_order_acquire);
    if (finished || Clock::now() - start > std::chrono::seconds(2)) {
      WorkerCall* expected = &call;
      if (w.mailbox.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) {
        // Withdrawn before the worker took it.
        if (finished) {
          call.fn();
          return true;
        }
        error = fmt::format("worker {} did not reach a burst boundary within 2 s\n", w.index);
        return false;
      }
      // The worker took it: it finishes it.
    }
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  return true;
}

}  // namespace

bool ControlServer::on_each_worker(const std::function<void(std::uint32_t)>& fn, std::string& error) {
  for (Worker* w : rt_.workers) {
    WorkerCall call;
    std::uint32_t index = w->index;
    call.fn = [&fn, index] { fn(index); };
    if (!post_and_wait(*w, call, error)) return false;
  }
  return true;
}

bool ControlServer::with_workers_parked(const std::function<void()>& fn, std::string& error) {
  if (rt_.workers.size() == 1) {
    WorkerCall call;
    call.fn = fn;
    return post_and_wait(*rt_.workers.front(), call, error);
  }
  // Each worker, at its burst boundary, says it is parked and waits for the release; a worker
  // that has stopped touches nothing any more and counts as parked.
  std::atomic<std::uint32_t> parked{0};
  std::atomic<bool> release{false};
  std::vector<std::unique_ptr<WorkerCall>> calls;
  for (Worker* w : rt_.workers) {
    auto call = std::make_unique<WorkerCall>();
    call->fn = [&] {
      parked.fetch_add(1, std::memory_order_acq_rel);
      while (!release.load(std::memory_order_acquire)) rte_pause();
    };
    if (w->finished.load(std::memory_order_acquire)) {
      parked.fetch_add(1);
      call->done = true;
    } else {
      w->mailbox.store(call.get(), std::memory_order_release);
    }
    calls.push_back(std::move(call));
  }
  auto start = Clock::now();
  bool all = false;
  while (true) {
    std::uint32_t n = parked.load(std::memory_order_acquire);
    std::uint32_t gone = 0;  // stopped before taking their call
    for (std::size_t k = 0; k < rt_.workers.size(); ++k) {
      Worker& w = *rt_.workers[k];
      if (calls[k]->done.load() || !w.finished.load(std::memory_order_acquire)) continue;
      WorkerCall* expected = calls[k].get();
      if (w.mailbox.compare_exchange_strong(expected, nullptr)) {
        calls[k]->done = true;
        parked.fetch_add(1);
        ++gone;
      }
    }
    if (n + gone == rt_.workers.size() || parked.load() == rt_.workers.size()) {
      all = true;
      break;
    }
    if (Clock::now() - start > std::chrono::seconds(2)) break;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  if (all) fn();
  release.store(true, std::memory_order_release);
  // Calls not taken are withdrawn; taken ones finish (they were released).
  for (std::size_t k = 0; k < rt_.workers.size(); ++k) {
    Worker& w = *rt_.workers[k];
    WorkerCall* expected = calls[k].get();
    if (w.mailbox.compare_exchange_strong(expected, nullptr)) continue;
    while (!calls[k]->done.load(std::memory_order_acquire) && !w.finished.load(std::memory_order_acquire))
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    // A worker finishing while it holds the call has run it: wait for that too.
    while (!calls[k]->done.load(std::memory_order_acquire) && w.mailbox.load() == nullptr &&
           !w.finished.load(std::memory_order_acquire))
      std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  if (!all) error = "the workers did not all reach a burst boundary within 2 s\n";
  return all;
}

namespace {

// Click's global handlers (a handler name without an element: ControlSocket's `READ list`).
constexpr std::pair<std::string_view, std::string_view> kGlobalHandlers[] = {
    {"version", "r"},  {"list", "r"},         {"classes", "r"},  {"config", "r"}, {"flatconfig", "r"},
    {"packages", "r"}, {"requirements", "r"}, {"handlers", "r"}, {"stop", "w"},
};

}  // namespace

bool ControlServer::read_global(const std::string& handler, std::string& out) {
  const Generation& g = *rt_.current;
  if (handler == "version") {
    out = NB_PROJECT_VERSION "\n";
  } else if (handler == "list") {  // Click's: how many, then each name
    out = fmt::format("{}\n", g.plan->elements.size());
    for (const compiler::PlanElement& e : g.plan->elements) out += e.name + "\n";
  } else if (handler == "classes") {  // the running graph's (Click lists every class it has)
    std::vector<std::string> names;
    for (const compiler::PlanElement& e : g.plan->elements) names.emplace_back(e.spec->class_name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    out.clear();
    for (const std::string& n : names) out += n + "\n";
  } else if (handler == "config" || handler == "flatconfig") {
    out = compiler::to_flat_config(*g.plan);
  } else if (handler == "packages" || handler == "requirements") {
    out = "";
  } else if (handler == "handlers") {
    out.clear();
    for (const auto& [name, mode] : kGlobalHandlers) out += fmt::format("{}\t{}\n", name, mode);
  } else if (handler == "stop") {
    out = "stop is write-only\n";
    return false;
  } else {
    out = fmt::format("no global handler '{}'\n", handler);
    return false;
  }
  return true;
}

bool ControlServer::read_handler(const std::string& element, const std::string& handler, std::string& out) {
  if (element.empty()) return read_global(handler, out);
  const Generation& g = *rt_.current;
  auto it = g.by_name.find(element);
  if (it == g.by_name.end()) {
    std::vector<std::string> names;
    for (const auto& e : g.plan->elements) names.push_back(e.name);
    std::string hint = lang::closest_match(element, names);
    out = fmt::format("no element named '{}' in the running graph{}\n", element,
                      hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
    return false;
  }
  std::uint32_t idx = it->second;
  const compiler::PlanElement& e = g.plan->elements[idx];
  auto hs = handlers_of(e);
  const Handler* h = find_handler(hs, handler);
  // A control element serves its own handlers, and may take names it does not declare (a PROXY
  // Script's): its control function says whether it knows them.
  if (e.ops && e.ops->control && (!h || h->kind == HandlerSpec::Kind::Control)) {
    ControlCall call;
    call.handler = handler;
    if (h && !h->readable()) {
      out = fmt::format("{}.{} is write-only\n", element, handler);
      return false;
    }
    if (call_control(idx, call)) {
      out = call.out;
      if (out.empty() || out.back() != '\n') out += "\n";
      return true;
    }
    if (!call.unknown) {
      out = fmt::format("{}.{}: {}\n", element, handler, call.error.empty() ? "failed" : call.error);
      return false;
    }
  }
  if (!h) {
    std::vector<std::string> names;
    for (const Handler& x : hs) names.emplace_back(x.name);
    std::string hint = lang::closest_match(handler, names);
    out = fmt::format("{} ({}) has no handler '{}'{}\n", element, e.spec->class_name, handler,
                      hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
    return false;
  }
  if (!h->readable()) {
    out = fmt::format("{}.{} is write-only\n", element, handler);
    return false;
  }
  const Dataplane& dp = *g.dps[0];
  const auto* state = static_cast<const unsigned char*>(dp.state(idx));
  // A counter over every worker.
  auto field_sum = [&](std::size_t offset) {
    std::uint64_t v = 0;
    for (const void* st : distinct_states(g, idx))
      v += load_counter(*reinterpret_cast<const std::uint64_t*>(static_cast<const unsigned char*>(st) + offset));
    return v;
  };
  if (h->is_class) {
    out = std::string(e.spec->class_name) + "\n";
    return true;
  }
  if (h->generic != Handler::Generic::None) {
    out = generic_handler(*g.plan, idx, h->generic, hs);
    return true;
  }
  if (h->is_active) {
    bool on = g.ports[static_cast<std::size_t>(e.port)]->active.load(std::memory_order_relaxed);
    out = on ? "true\n" : "false\n";
    return true;
  }
  switch (h->kind) {
    case HandlerSpec::Kind::Field:
    case HandlerSpec::Kind::Counter:
    case HandlerSpec::Kind::Rate: {
      if (!state || h->offset + sizeof(std::uint64_t) > dp.states[idx]->size()) {
        out = fmt::format("{}.{}: the handler's counter lies outside the element's state\n", element, handler);
        return false;
      }
      const auto* c = reinterpret_cast<const std::uint64_t*>(state + h->offset);
      if (h->kind != HandlerSpec::Kind::Rate)
        out = fmt::format("{}\n", field_sum(h->offset));
      else
        out = fmt::format("{:.1f}\n", rate_of(c, field_sum(h->offset)));
      return true;
    }
    case HandlerSpec::Kind::Drops: {
      std::uint64_t n = 0;
      for (const auto& d : g.dps)
        for (const std::uint64_t& v : *d->drops[idx]) n += load_counter(v);
      out = fmt::format("{}\n", n);
      return true;
    }
    case HandlerSpec::Kind::DropReasons: {
      const auto& d = *dp.drops[idx];
      for (std::size_t k = 0; k < d.size(); ++k) {
        std::uint64_t v = 0;
        for (const auto& x : g.dps) v += k < x->drops[idx]->size() ? load_counter((*x->drops[idx])[k]) : 0;
        if (e.ops && (k < e.ops->drop_reasons.size() || v))
          out += fmt::format("{} {}\n", drop_reason_name(e, k, d.size()), v);
      }
      return true;
    }
    case HandlerSpec::Kind::PortCount: {
      if (e.port < 0) {
        out = fmt::format("{} has no port\n", element);
        return false;
      }
      PortCounters pc = port_totals(*g.ports[static_cast<std::size_t>(e.port)]);
      // KernelTap and KernelTun (both): what they received, as a source's count.
      bool source = e.ops && (e.ops->role == ElementOps::Role::Source || e.ops->role == ElementOps::Role::SourceSink);
      out = fmt::format("{}\n", source ? pc.rx : pc.tx);
      return true;
    }
    case HandlerSpec::Kind::Custom: {
      std::string text, error;
      const void* cfg = e.config.data();
      const HandlerSpec* spec = nullptr;
      for (const HandlerSpec& hs : e.spec->handlers)
        if (hs.name == h->name && hs.kind == HandlerSpec::Kind::Custom) spec = &hs;
      if (!spec) {
        out = fmt::format("{}.{}: no such handler\n", element, handler);
        return false;
      }
      if (!with_workers_parked([&] { text = read_custom(*spec, cfg, g, idx); }, error)) {
        out = error;
        return false;
      }
      out = text;
      if (out.empty() || out.back() != '\n') out += "\n";
      return true;
    }
    case HandlerSpec::Kind::Control: break;  // served above
  }
  out = "unknown handler kind\n";
  return false;
}

bool ControlServer::write_handler(const std::string& element, const std::string& handler, const std::string& value,
                                  std::string& out) {
  if (element.empty()) {
    if (handler == "stop") {  // Click's: asks the driver to stop (a stop event under a DRIVER script)
      if (driver_managed())
        post_stop_event();
      else
        stop_from_control();
      out = "";
      return true;
    }
    bool known = false;
    for (const auto& [name, mode] : kGlobalHandlers) known |= name == handler;
    out = known ? fmt::format("{} is read-only\n", handler) : fmt::format("no global handler '{}'\n", handler);
    return false;
  }
  const Generation& g = *rt_.current;
  auto it = g.by_name.find(element);
  if (it == g.by_name.end()) {
    out = fmt::format("no element named '{}' in the running graph\n", element);
    return false;
  }
  std::uint32_t idx = it->second;
  const compiler::PlanElement& e = g.plan->elements[idx];
  auto hs = handlers_of(e);
  const Handler* h = find_handler(hs, handler);
  if (e.ops && e.ops->control && (!h || h->kind == HandlerSpec::Kind::Control)) {
    ControlCall call;
    call.handler = handler;
    call.value = value;
    call.write = true;
    if (h && !h->writable()) {
      out = fmt::format("{}.{} is read-only\n", element, handler);
      return false;
    }
    if (call_control(idx, call)) {
      out = "";
      return true;
    }
    if (!call.unknown) {
      out = fmt::format("{}.{}: {}\n", element, handler, call.error.empty() ? "failed" : call.error);
      return false;
    }
  }
  if (!h) {
    out = fmt::format("{} ({}) has no handler '{}'\n", element, e.spec->class_name, handler);
    return false;
  }
  if (!h->writable()) {
    out = fmt::format("{}.{} is read-only\n", element, handler);
    return false;
  }
  if (h->generic == Handler::Generic::Config) {
    // Click reconfigures the element in place; nb compiles the graph with the new configuration
    // and switches to it as a reload does: the State of every element is kept, and a
    // configuration the element refuses leaves the running graph as it is.
    const std::string text = compiler::to_flat_config(*g.plan, static_cast<int>(idx), value);
    if (!reload(g.file, "config handler", out, &text)) return false;
    out = "";
    return true;
  }
  if (h->is_active) {
    bool on = false;
    if (!parse_handler_bool(value, on)) {
      out = fmt::format("{}.{}: '{}' is not a boolean (true/false, yes/no, 1/0, on/off)\n", element, handler, value);
      return false;
    }
    // The worker reads it once per pass: no call on the worker needed.
    g.ports[static_cast<std::size_t>(e.port)]->active.store(on, std::memory_order_relaxed);
    out = "";
    return true;
  }
  const void* cfg = e.config.data();
  auto fn = h->write;
  // Applied to every worker's State, each on its own core; the value is checked by the first,
  // and a value one worker refuses is refused by all (the same function on the same Config).
  bool ok = true;
  std::string error, call_error;
  if (!on_each_worker(
          [&](std::uint32_t w) {
            if (!ok) return;
            void* st = g.dps[w]->state(idx);
            for (std::uint32_t k = 0; k < w; ++k)
              if (g.dps[k]->state(idx) == st) return;  // one block serving two workers: written once
            ok = fn(cfg, st, value, error);
          },
          call_error)) {
    out = call_error;
    return false;
  }
  if (!ok) {
    out = fmt::format("{}.{}: {}\n", element, handler, error.empty() ? "bad value" : error);
    return false;
  }
  out = "";
  return true;
}

// ---- control elements -----------------------------------------------------------------------

namespace {

std::uint64_t steady_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

// What a control element reaches: the handlers of the running graph, through the control
// thread's own read_handler and write_handler (so a Custom handler runs on each worker between
// two bursts, as for nbctl), and the clock.
class ServerControlContext final : public ControlContext {
 public:
  std::function<bool(const std::string&, const std::string&, std::string&)> read_fn;
  std::function<bool(const std::string&, const std::string&, const std::string&, std::string&)> write_fn;
  std::function<bool(const std::string&)> exists;
  std::function<void()> stop_fn;
  std::string caller;  // the control element's name: names are looked up in its compound first
  std::uint64_t wake = kNoWake;
  bool woken = false;

  // Click looks a name up in the caller's compound, then in each enclosing one.
  std::string resolve(std::string_view element) const {
    std::string prefix = caller;
    while (true) {
      const std::size_t slash = prefix.rfind('/');
      if (slash == std::string::npos) break;
      prefix.resize(slash);
      std::string name = prefix + "/" + std::string(element);
      if (exists(name)) return name;
    }
    return std::string(element);
  }
  static void chomp(std::string& s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
  }
  bool read(std::string_view element, std::string_view handler, std::string& out, std::string& error) override {
    std::string text;
    if (!read_fn(resolve(element), std::string(handler), text)) {
      chomp(text);
      error = text;
      return false;
    }
    chomp(text);
    out = text;
    return true;
  }
  bool write(std::string_view element, std::string_view handler, std::string_view value,
             std::string& error) override {
    std::string text;
    if (!write_fn(resolve(element), std::string(handler), std::string(value), text)) {
      chomp(text);
      error = text;
      return false;
    }
    return true;
  }
  void print(std::string_view text, bool to_stderr) override {
    std::fwrite(text.data(), 1, text.size(), to_stderr ? stderr : stdout);
    std::fflush(to_stderr ? stderr : stdout);
  }
  void stop_router() override { stop_fn(); }
  std::uint64_t now_ns() const override { return steady_ns(); }
  void wake_at(std::uint64_t ns) override {
    wake = ns;
    woken = true;
  }
};

}  // namespace

bool driver_managed() {
  return g_driver_managed.load(std::memory_order_relaxed);
}

void post_stop_event() {
  g_stop_events.fetch_add(1, std::memory_order_relaxed);
  int fd = g_wake_fd.load();
  if (fd >= 0) {
    char c = 's';
    [[maybe_unused]] ssize_t n = write(fd, &c, 1);
  }
}

void ControlServer::stop_from_control() { request_stop(); }

void ControlServer::find_driver() {
  const Generation& g = *rt_.current;
  driver_.clear();
  for (std::uint32_t i = 0; i < g.plan->elements.size() && driver_.empty(); ++i) {
    const compiler::PlanElement& e = g.plan->elements[i];
    if (!e.ops || !e.ops->control || g.dps.empty() || !g.dps[0]->states[i]) continue;
    bool declared = false;
    for (const HandlerSpec& h : e.spec->handlers)
      declared |= h.name == "driver" && h.kind == HandlerSpec::Kind::Control;
    if (!declared) continue;
    // Answered from the Config alone: nothing else of the element runs.
    ServerControlContext ctx;
    ctx.caller = e.name;
    ctx.read_fn = [](const std::string&, const std::string&, std::string&) { return false; };
    ctx.write_fn = [](const std::string&, const std::string&, const std::string&, std::string&) { return false; };
    ctx.exists = [](const std::string&) { return false; };
    ctx.stop_fn = [] {};
    ControlCall call;
    call.handler = "driver";
    if (e.ops->control(e.config.data(), g.dps[0]->states[i]->data(), ctx, call) && call.out == "true") driver_ = e.name;
  }
  g_driver_managed.store(!driver_.empty(), std::memory_order_relaxed);
}

void ControlServer::serve_stop_events() {
  std::uint64_t n = g_stop_events.exchange(0, std::memory_order_relaxed);
  if (n == 0) return;
  const Generation& g = *rt_.current;
  auto it = driver_.empty() ? g.by_name.end() : g.by_name.find(driver_);
  if (it == g.by_name.end()) {  // a reload took the script away: the event ends the run
    request_stop();
    return;
  }
  // Click's driver steps its script while the router's run count stays down, at most 1000 times.
  for (n = std::min<std::uint64_t>(n, 1000); n > 0; --n) {
    ControlCall call;
    call.handler = "step";
    call.value = "router";
    call.write = true;
    if (!call_control(it->second, call) && !call.error.empty())
      fmt::print(stderr, "nbrun: {}: {}\n", driver_, call.error);
    if (rt_.current.get() != &g) break;
  }
}

bool ControlServer::call_control(std::uint32_t idx, ControlCall& call) {
  const Generation& g = *rt_.current;
  const compiler::PlanElement& e = g.plan->elements[idx];
  // Held for the call: a handler the element writes may reload the graph (`config`), which may
  // give the element a new State block.
  std::shared_ptr<compiler::AlignedBlock> state = g.dps[0]->states[idx];
  if (!state) return false;
  const std::string name = e.name;
  ServerControlContext ctx;
  ctx.caller = name;
  ctx.read_fn = [this](const std::string& el, const std::string& h, std::string& out) {
    return read_handler(el, h, out);
  };
  ctx.write_fn = [this](const std::string& el, const std::string& h, const std::string& v, std::string& out) {
    return write_handler(el, h, v, out);
  };
  ctx.exists = [this](const std::string& el) { return rt_.current->by_name.count(el) != 0; };
  // The DRIVER script's own stop ends the run; anyone else's is a stop event it is stepped by.
  ctx.stop_fn = [this, name] {
    if (driver_managed() && name != driver_)
      post_stop_event();
    else
      stop_from_control();
  };
  // The Config stays the plan's: copy it, as a reload may free that plan during the call.
  compiler::AlignedBlock config(e.config.size(), 64);
  if (e.config.size()) std::memcpy(config.data(), e.config.data(), e.config.size());
  const auto control = e.ops->control;
  const bool ok = control(config.data(), state->data(), ctx, call);
  if (ctx.woken) {
    for (ControlWake& w : control_wakes_)
      if (w.state == state) w.at = ctx.wake;
  }
  return ok;
}

int ControlServer::run_control_elements() {
  const Generation* g = rt_.current.get();
  if (!g || g->dps.empty()) return 100;
  // The control elements of the running graph: a block not seen before starts now.
  std::vector<ControlWake> next;
  for (std::uint32_t i = 0; i < g->plan->elements.size(); ++i) {
    const compiler::PlanElement& e = g->plan->elements[i];
    if (!e.ops || !e.ops->control || !g->dps[0]->states[i]) continue;
    ControlWake w{g->dps[0]->states[i], 0};
    for (const ControlWake& old : control_wakes_)
      if (old.state == w.state) w.at = old.at;
    next.push_back(std::move(w));
  }
  control_wakes_.swap(next);
  if (control_wakes_.empty()) return 100;
  const std::uint64_t now = steady_ns();
  for (std::size_t k = 0; k < control_wakes_.size() && !quit_.load(); ++k) {
    if (control_wakes_[k].at > now) continue;
    std::uint32_t idx = 0;
    const Generation& cur = *rt_.current;
    bool found = false;
    for (std::uint32_t i = 0; i < cur.plan->elements.size() && !found; ++i)
      if (cur.dps[0]->states[i] == control_wakes_[k].state) idx = i, found = true;
    if (!found) continue;
    control_wakes_[k].at = kNoWake;  // unless the element asks again
    ControlCall call;
    const std::shared_ptr<compiler::AlignedBlock> keep = control_wakes_[k].state;
    if (!call_control(idx, call) && !call.error.empty())
      fmt::print(stderr, "nbrun: {}: {}\n", cur.plan->elements[idx].name, call.error);
    if (rt_.current.get() != &cur) break;  // the element reloaded the graph: start over next time
  }
  std::uint64_t soonest = kNoWake;
  for (const ControlWake& w : control_wakes_) soonest = std::min(soonest, w.at);
  const std::uint64_t after = steady_ns();
  if (soonest == kNoWake) return 100;
  if (soonest <= after) return 0;
  return static_cast<int>(std::min<std::uint64_t>(100, (soonest - after + 999999) / 1000000));
}

void ControlServer::sample_rates() {
  const Generation& g = *rt_.current;
  double now = seconds_since(rt_.start);
  std::map<const std::uint64_t*, std::deque<std::pair<double, std::uint64_t>>> next;
  for (std::uint32_t i = 0; i < g.plan->elements.size(); ++i) {
    const compiler::PlanElement& e = g.plan->elements[i];
    for (const HandlerSpec& h : e.spec->handlers) {
      if (h.kind != HandlerSpec::Kind::Rate || !g.dps[0]->states[i]) continue;
      if (h.offset + sizeof(std::uint64_t) > g.dps[0]->states[i]->size()) continue;
      // Keyed by worker 0's counter; the value is every worker's.
      const auto* c =
          reinterpret_cast<const std::uint64_t*>(static_cast<const unsigned char*>(g.dps[0]->state(i)) + h.offset);
      auto& q = next[c];
      auto old = samples_.find(c);
      if (old != samples_.end()) q = std::move(old->second);
      std::uint64_t v = 0;
      for (const void* st : distinct_states(g, i))
        v += load_counter(*reinterpret_cast<const std::uint64_t*>(static_cast<const unsigned char*>(st) + h.offset));
      if (!q.empty() && v < q.back().second) q.clear();  // reset
      q.emplace_back(now, v);
      while (q.size() > 2 && now - q[1].first >= 1.0) q.pop_front();
    }
  }
  samples_.swap(next);
}

double ControlServer::rate_of(const std::uint64_t* key, std::uint64_t v) {
  auto it = samples_.find(key);
  if (it == samples_.end() || it->second.empty()) return 0;
  double now = seconds_since(rt_.start);
  const auto& [t0, v0] = it->second.front();
  if (now - t0 <= 0 || v < v0) return 0;
  return static_cast<double>(v - v0) / (now - t0);
}

// ---- hot reload ----------------------------------------------------------------------------

void ControlServer::log_failed_reload(const std::string& file, const char* why, const std::string& body) const {
  fmt::print(stderr, "nbrun: reload of {} ({}) failed; generation {} runs on:\n{}",
             file.empty() ? rt_.current->file : file, why, rt_.current->number, body);
}

void ControlServer::publish_and_wait(Generation& gen) {
  for (Worker* w : rt_.workers) w->published.store(&gen, std::memory_order_release);
  std::uint64_t token = rte_rcu_qsbr_start(rt_.qsv);
  for (std::uint64_t spins = 0; !rte_rcu_qsbr_check(rt_.qsv, token, false); ++spins) {
    if (spins < 100000)
      rte_pause();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void ControlServer::tier_up() {
  Generation& old = *rt_.current;
  auto gen = std::make_unique<Generation>();
  gen->id = rt_.next_generation++;
  gen->number = old.number;  // the same graph: not a reload
  gen->file = old.file;
  gen->plan = old.plan;  // the first graph's plan belongs to nbrun's caller and outlives both
  gen->engine = "jit";
  lang::DiagnosticEngine diags;
  std::string error;
  // The same plan: every port keeps its slot and every element its State block.
  if (!attach_ports(rt_, *gen, &old, diags) || !build_dataplane(rt_, *gen, &old, error)) {
    std::ostringstream os;
    lang::SourceManager none;
    diags.render(os, none, false);
    fmt::print(stderr, "nbrun: error: the JIT cannot take over from the interpreter, which runs on: {}{}\n", error,
               os.str());
    return;
  }
  publish_and_wait(*gen);
  if (rt_.options.read_at != Clock::time_point{})
    rt_.jit_ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - rt_.options.read_at).count();
  rt_.current = std::move(gen);  // frees the interpreter's generation (its States live on)
  find_driver();
}

namespace {

// Whether generation `gen` uses port slot `slot` (a reload keeps a port whose device and
// settings stay the same: both generations then hold the same slot).
bool uses_slot(const Generation& gen, const std::shared_ptr<PortSlot>& slot) {
  return std::find(gen.ports.begin(), gen.ports.end(), slot) != gen.ports.end();
}

// What the workers' own clocks say of a switch to `gen` (published at tsc_publish, every
// worker quiescent at tsc_all_quiescent), all in TSC cycles.
struct SwitchTiming {
  std::uint64_t last_switch = 0;  // when the last worker switched
  std::uint64_t max_gap = 0;      // the longest gap between two passes since the request
  std::uint64_t switch_gap = 0;   // around the switch: last pass on the old graph to first on the new
};

SwitchTiming measure_switch(const Runtime& rt, const Generation& gen, std::uint64_t tsc_publish,
                            std::uint64_t tsc_all_quiescent) {
  SwitchTiming t;
  t.last_switch = tsc_publish;
  bool measured = false;
  for (Worker* w : rt.workers) {
    if (w->finished.load()) continue;
    auto until = Clock::now() + std::chrono::milliseconds(200);
    while (w->first_done_gen.load(std::memory_order_acquire) != gen.id && Clock::now() < until && !w->finished.load())
      std::this_thread::yield();
    if (w->switched_gen.load(std::memory_order_acquire) == gen.id) {
      t.last_switch = std::max(t.last_switch, w->switch_tsc.load(std::memory_order_relaxed));
      measured = true;
    }
    if (w->first_done_gen.load(std::memory_order_acquire) == gen.id) {
      t.max_gap = std::max(t.max_gap, w->max_gap_tsc.load(std::memory_order_relaxed));
      t.switch_gap = std::max(t.switch_gap, w->switch_gap_tsc.load(std::memory_order_relaxed));
    }
  }
  if (!measured) t.last_switch = tsc_all_quiescent;
  return t;
}

struct Retirement {
  std::size_t kept_elements = 0, kept_ports = 0, started_ports = 0, stopped_ports = 0;
};

// After the switch: adds what only the old graph had (its elements' drops and generated
// packets, its ports' counters) to rt.retired, so that totals still add up, and closes the
// ports the new graph does not use.
Retirement retire(Runtime& rt, Generation& old, const Generation& gen) {
  Retirement r;
  std::unordered_set<const void*> shared_drops;
  for (const auto& dp : gen.dps)
    for (const auto& d : dp->drops) shared_drops.insert(d.get());
  for (std::uint32_t i = 0; i < old.plan->elements.size(); ++i) {
    if (shared_drops.contains(old.dps[0]->drops[i].get())) ++r.kept_elements;
    for (const auto& dp : old.dps) {
      if (shared_drops.contains(dp->drops[i].get())) continue;
      for (const std::uint64_t& v : *dp->drops[i]) rt.retired.element_drops += load_counter(v);
    }
  }
  std::unordered_set<const void*> shared_generated;
  for (const auto& dp : gen.dps)
    for (const auto& g : dp->generated) shared_generated.insert(g.get());
  for (const auto& dp : old.dps) {
    for (const auto& g : dp->generated) {
      if (!shared_generated.contains(g.get())) rt.retired.generated += load_counter(*g);
    }
  }
  for (auto it = old.ports.begin(); it != old.ports.end(); ++it) {
    auto& s = *it;
    if (uses_slot(gen, s)) continue;
    if (std::find(old.ports.begin(), it, s) != it) continue;  // one slot may serve several plan ports
    settle_slot(*s);  // a ToDump writes what it holds first: its counts become final
    if (!s->write_failure.empty())
      rt.retired.errors.push_back(fmt::format("a ToDump removed by a reload ({}) could not write its file: {}", s->key,
                                              s->write_failure));
    PortCounters totals = port_totals(*s);
    rt.retired.rx += totals.rx;
    rt.retired.tx += totals.tx;
    rt.retired.port_dropped += totals.tx_dropped + totals.dispatch_dropped;
    rte_eth_stats st{};
    if (s->id != kNoPort && rte_eth_stats_get(s->id, &st) == 0) rt.retired.missed += missed_of(st);
    close_slot(*s);
    ++r.stopped_ports;
  }
  for (const auto& s : gen.ports) (uses_slot(old, s) ? r.kept_ports : r.started_ports)++;
  return r;
}

}  // namespace

bool ControlServer::reload(std::string file, const char* why, std::string& body, const std::string* text) {
  // All durations in TSC cycles, the clock the workers stamp their switch with.
  std::uint64_t tsc_request = rte_rdtsc();
  double hz = static_cast<double>(rte_get_tsc_hz());
  auto ms_since = [hz](std::uint64_t tsc) { return static_cast<double>(rte_rdtsc() - tsc) / hz * 1e3; };
  Generation& old = *rt_.current;
  if (file.empty()) file = old.file;
  auto fail = [&](std::string text) {
    ++rt_.failed_reloads;
    body = text;
    if (!body.empty() && body.back() != '\n') body += '\n';
    return false;
  };
  if (file.empty()) return fail("the running graph has no file to reload; name one");

  // Start measuring the data path's longest pause (odd epoch: measuring).
  for (Worker* w : rt_.workers) w->measure_epoch.fetch_add(1);
  struct StopMeasuring {
    Runtime& rt;
    ~StopMeasuring() {
      for (Worker* w : rt.workers) w->measure_epoch.fetch_add(1);
    }
  } stop_measuring{rt_};

  // ---- the new generation: checked, its ports attached, its dataplane and code built ----
  auto gen = std::make_unique<Generation>();
  gen->id = rt_.next_generation;
  gen->number = old.number + 1;
  gen->file = file;
  gen->source_files = std::make_unique<lang::SourceManager>();
  lang::DiagnosticEngine diags;
  auto render = [&] {
    std::ostringstream os;
    diags.render(os, *gen->source_files, false);
    return os.str();
  };
  std::string load_error;
  // A written `config` reloads the running graph's own text with one element's configuration
  // changed, under the file's name (its require(plugin) paths resolve as before; a later reload
  // reads the file again).
  lang::FileId id = text ? gen->source_files->add(file, *text) : gen->source_files->load(file, load_error);
  if (id == lang::kNoFile) return fail(fmt::format("nbrun: reload: {}", load_error));
  auto front = compiler::compile_front_end(*gen->source_files, id, *rt_.registry, diags, rt_.options.plugins,
                                           rt_.options.definitions);
  if (!front.graph) return fail(render());
  auto plan = compiler::lower(*front.graph, diags);
  if (!plan || diags.has_errors()) return fail(render());
  gen->owned_plan = std::make_unique<compiler::Plan>(std::move(*plan));
  gen->plan = gen->owned_plan.get();
  if (gen->plan->sources.empty() && gen->plan->tasks.empty()) {
    return fail(
        fmt::format("{}: error: the new graph has no sources (FromDump, FromDevice, InfiniteSource...); the running graph "
                    "keeps running",
                    file));
  }
  double front_ms = ms_since(tsc_request);

  if (!attach_ports(rt_, *gen, &old, diags)) return fail(render());
  std::uint64_t tsc_jit = rte_rdtsc();
  std::string jit_error;
  if (!build_dataplane(rt_, *gen, &old, jit_error)) {
    for (auto& s : gen->ports)
      if (s && !uses_slot(old, s)) close_slot(*s);
    return fail(fmt::format("{}: error: {}", file, jit_error));
  }
  double jit_ms = ms_since(tsc_jit);
  double compile_ms = ms_since(tsc_request);

  // ---- the switch: publish, then wait for every worker's quiescent state ----
  std::uint64_t tsc_publish = rte_rdtsc();
  publish_and_wait(*gen);
  const SwitchTiming timing = measure_switch(rt_, *gen, tsc_publish, rte_rdtsc());

  // ---- from then on no worker uses `old`: retire what only it had, then free it ----
  const Retirement r = retire(rt_, old, *gen);
  std::uint64_t old_id = old.number;
  rt_.current = std::move(gen);  // frees the old generation: its dataplane and JIT code
  find_driver();
  ++rt_.next_generation;
  ++rt_.reloads;
  const Generation& now = *rt_.current;

  // ---- the report ----
  double switch_us = static_cast<double>(timing.last_switch - tsc_publish) / hz * 1e6;
  double latency_ms = static_cast<double>(timing.last_switch - tsc_request) / hz * 1e3;
  double pause_us = static_cast<double>(timing.switch_gap) / hz * 1e6;
  double max_gap_us = static_cast<double>(timing.max_gap) / hz * 1e6;
  nlohmann::ordered_json j;
  j["generation"] = now.number;
  j["previous"] = old_id;
  j["file"] = now.file;
  j["front_end_ms"] = front_ms;
  j["jit_ms"] = jit_ms;
  j["compile_ms"] = compile_ms;
  j["switch_us"] = switch_us;
  j["latency_ms"] = latency_ms;
  j["pause_us"] = pause_us;
  j["max_gap_us"] = max_gap_us;
  if (const auto* jit = dynamic_cast<const JitEngine*>(now.engines[0].get())) {
    const compiler::JitStats& js = jit->graph().stats;
    j["jit"] = {{"parse_ms", js.parse_ms},
                {"build_ms", js.build_ms},
                {"link_ms", js.link_ms},
                {"optimize_ms", js.optimize_ms},
                {"codegen_ms", js.codegen_ms},
                {"cache", js.cache},
                {"cache_ms", js.cache_ms}};
  }
  j["workers"] = rt_.workers.size();
  j["elements"] = {{"total", now.plan->elements.size()}, {"kept", r.kept_elements}};
  j["ports"] = {{"kept", r.kept_ports}, {"started", r.started_ports}, {"stopped", r.stopped_ports}};
  body = j.dump() + "\n";
  fmt::print(stderr,
             "nbrun: reloaded {} ({}): generation {}, compiled in {:.1f} ms, every core switched {:.1f} us later, data "
             "path paused {:.1f} us\n",
             now.file, why, now.number, compile_ms, switch_us, pause_us);
  return true;
}

}  // namespace nb::runtime::detail
