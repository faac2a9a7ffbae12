#include <nb/compiler/plugin.hpp>
#include <nb/plugin.hpp>

#include <fmt/format.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace nb::compiler {

namespace fs = std::filesystem;

namespace {

constexpr const char* kVetHelper = "nb-plugin-vet";

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3: executable memfd even where vm.memfd_noexec says otherwise
#endif

std::string fd_path(int fd) {
  return fmt::format("/proc/self/fd/{}", fd);
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::uint64_t fnv1a(std::uint64_t h, const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// The file's bytes, read once into a sealed memfd: what the helper vets is then exactly what this
// process loads, even if the file is rebuilt or cut short meanwhile (a library mapped straight
// from a file that shrinks faults with SIGBUS).
struct Image {
  Fd fd;
  std::uint64_t size = 0;
  std::uint64_t digest = 0;
  std::uint64_t dev = 0, ino = 0;  // of the file it was read from
};

bool read_image(const std::string& path, Image& img, std::string& error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat below refuses it anyway.
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (in.get() < 0) {
    error = fmt::format("cannot open plugin '{}': {}", path, std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) {
    error = fmt::format("cannot open plugin '{}': {}", path, std::strerror(errno));
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = fmt::format("'{}' is not an nb plugin: not a regular file", path);
    return false;
  }
  auto too_large = [&] {
    error = fmt::format("plugin '{}' is too large: {} bytes (the limit is {} MiB)", path, st.st_size,
                        kMaxPluginBytes >> 20);
    return false;
  };
  if (static_cast<std::uint64_t>(st.st_size) > kMaxPluginBytes) return too_large();
  std::string name = "nb-plugin:" + fs::path(path).filename().string();
  name.resize(std::min<std::size_t>(name.size(), 240));  // memfd names are at most 249 bytes
  int mfd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL) mfd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0) {
    error = fmt::format("cannot load plugin '{}': memfd_create: {}", path, std::strerror(errno));
    return false;
  }
  img.fd.reset(mfd);
  std::uint64_t h = 14695981039346656037ull;
  std::uint64_t total = 0;
  unsigned char magic[4] = {};
  std::vector<unsigned char> buf(1 << 16);
  for (;;) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      error = fmt::format("cannot read plugin '{}': {}", path, std::strerror(errno));
      return false;
    }
    if (n == 0) break;
    for (std::uint64_t i = total; i < 4 && i < total + static_cast<std::uint64_t>(n); ++i) magic[i] = buf[i - total];
    total += static_cast<std::uint64_t>(n);
    if (total > kMaxPluginBytes) return too_large();  // it grew while being read
    h = fnv1a(h, buf.data(), static_cast<std::size_t>(n));
    if (!write_all(mfd, reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n))) {
      error = fmt::format("cannot load plugin '{}': cannot copy it into memory: {}", path, std::strerror(errno));
      return false;
    }
  }
  if (total < 4 || std::memcmp(magic,
                               "\x7f"
                               "ELF",
                               4) != 0) {
    error = fmt::format("'{}' is not an nb plugin: not a shared library", path);
    return false;
  }
  if (::fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    error = fmt::format("cannot load plugin '{}': cannot seal its copy in memory: {}", path, std::strerror(errno));
    return false;
  }
  img.size = total;
  img.digest = h;
  img.dev = st.st_dev;
  img.ino = st.st_ino;
  return true;
}

bool same_bytes(int a, int b, std::uint64_t size) {
  std::vector<char> x(1 << 16), y(1 << 16);
  for (std::uint64_t off = 0; off < size;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(x.size(), size - off));
    if (::pread(a, x.data(), n, static_cast<off_t>(off)) != static_cast<ssize_t>(n) ||
        ::pread(b, y.data(), n, static_cast<off_t>(off)) != static_cast<ssize_t>(n) ||
        std::memcmp(x.data(), y.data(), n) != 0) {
      return false;
    }
    off += n;
  }
  return true;
}

// ---- Checks of a loaded library (here, and first in nb-plugin-vet) ---------------------------
//
// A spec table is plugin data that nb reads at once and later (messages, nbc doc, handlers, the
// JIT): read all of it here, so that a garbage table crashes the helper, not nb, and give sizes
// nb allocates a plausible bound.
constexpr std::size_t kMaxSpecs = 4096;
constexpr std::size_t kMaxText = 1 << 20;
constexpr std::size_t kMaxTable = 4096;
constexpr std::size_t kMaxBlock = std::size_t{1} << 30;

volatile unsigned char g_touched;

bool touch(std::string_view s) {
  if (s.size() > kMaxText) return false;
  unsigned char x = 0;
  for (char c : s) x ^= static_cast<unsigned char>(c);
  g_touched = x;
  return true;
}

std::string check_spec(const Plugin& p, const ElementSpec& s) {
  auto bad = [&](std::string_view what) {
    return fmt::format("plugin '{}': its element spec table is malformed ({})", p.path, what);
  };
  if (!touch(s.class_name) || !touch(s.ports) || !touch(s.brief) || !touch(s.description) || !touch(s.example) ||
      !touch(s.output_count_param) || !touch(s.port_param)) {
    return bad("a text longer than 1 MiB");
  }
  if (s.params.size() > kMaxTable || s.handlers.size() > kMaxTable) return bad("more than 4096 parameters or handlers");
  for (const ParamSpec& ps : s.params) {
    if (!touch(ps.name) || !touch(ps.default_value) || !touch(ps.doc)) return bad("a text longer than 1 MiB");
  }
  for (const HandlerSpec& h : s.handlers) {
    if (!touch(h.name) || !touch(h.doc)) return bad("a text longer than 1 MiB");
  }
  if (const ElementOps* ops = s.ops) {
    auto pow2 = [](std::size_t a) { return a != 0 && a <= 4096 && (a & (a - 1)) == 0; };
    if (ops->config_size > kMaxBlock || ops->state_size > kMaxBlock || !pow2(ops->config_align) ||
        !pow2(ops->state_align)) {
      return bad(fmt::format("element class '{}' has Config/State sizes {}/{} aligned {}/{}", s.class_name,
                             ops->config_size, ops->state_size, ops->config_align, ops->state_align));
    }
    // The runtime lays out and sets up an element's per-worker State by its scope: one it does
    // not know cannot be guessed.
    if (ops->state_scope != StateScope::PerWorker && ops->state_scope != StateScope::PerFlow &&
        ops->state_scope != StateScope::SharedReadMostly) {
      return bad(fmt::format("element class '{}' has an unknown state scope {}", s.class_name,
                             static_cast<unsigned>(ops->state_scope)));
    }
    if (ops->drop_reasons.size() > kMaxTable) return bad("more than 4096 drop reasons");
    for (const DropReason& r : ops->drop_reasons) {
      if (!touch(r.name) || !touch(r.doc)) return bad("a text longer than 1 MiB");
    }
    for (const HandlerSpec& h : s.handlers) {
      const bool uint64 = h.kind == HandlerSpec::Kind::Field || h.kind == HandlerSpec::Kind::Counter ||
                          h.kind == HandlerSpec::Kind::Rate;
      if (uint64 && (h.offset > ops->state_size || ops->state_size - h.offset < sizeof(std::uint64_t)))
        return bad(fmt::format("handler '{}' of '{}' lies outside its State", h.name, s.class_name));
    }
    if (ops->kernel_symbol && ::strnlen(ops->kernel_symbol, kMaxText) == kMaxText) return bad("a kernel symbol");
    if (ops->role == ElementOps::Role::Kernel && ops->push && !ops->kernel_symbol) {
      return fmt::format("plugin '{}': element class '{}' has no kernel entry for the JIT (NB_ELEMENT_KERNEL)", p.path,
                         s.class_name);
    }
  }
  return "";
}

std::string check_loaded(Plugin& p) {
  auto sym = [&](const char* name) { return dlsym(p.handle, name); };
  auto* abi = static_cast<const std::uint32_t*>(sym("nb_plugin_abi_version"));
  auto specs_fn = reinterpret_cast<const ElementSpec* const* (*)(std::size_t*)>(sym("nb_plugin_specs"));
  if (!abi || !specs_fn) {
    return fmt::format("'{}' is not an nb plugin: it exports no {} (build it with nb_add_element_plugin)", p.path,
                       abi ? "nb_plugin_specs" : "nb_plugin_abi_version");
  }
  auto* built_with = static_cast<const char* const*>(sym("nb_plugin_nb_version"));
  p.nb_version = built_with && *built_with ? std::string(*built_with, ::strnlen(*built_with, 256)) : "unknown";
  if (*abi != plugin_abi_version()) {
    return fmt::format(
        "plugin '{}' was built for nb plugin ABI {:#010x} (nb {}), this nb has ABI {:#010x}: rebuild it against "
        "this nb's SDK",
        p.path, *abi, p.nb_version, plugin_abi_version());
  }
  auto* bc_start = static_cast<const char*>(sym("nb_plugin_bc_start"));
  auto* bc_end = static_cast<const char*>(sym("nb_plugin_bc_end"));
  if (!bc_start || !bc_end || bc_end <= bc_start) {
    return fmt::format(
        "plugin '{}' has no embedded bitcode for the JIT (nb_plugin_bc_start/_end): build it with "
        "nb_add_element_plugin",
        p.path);
  }
  p.bitcode = {bc_start, static_cast<std::size_t>(bc_end - bc_start)};
  std::size_t n = 0;
  const ElementSpec* const* specs = specs_fn(&n);
  if (n == 0) return fmt::format("plugin '{}' registers no element class (NB_REGISTER_ELEMENT)", p.path);
  if (n > kMaxSpecs || !specs) {
    return fmt::format("plugin '{}': its element spec table is malformed ({} entries)", p.path, n);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const ElementSpec* s = specs[i];
    if (!s) return fmt::format("plugin '{}': its element spec table is malformed (a null entry)", p.path);
    if (std::string err = check_spec(p, *s); !err.empty()) return err;
    p.specs.push_back(s);
  }
  return "";
}

// dlopen's messages name the file it opened, /proc/self/fd/N: name the plugin instead.
std::string dl_error(const std::string& loaded_as, const std::string& path) {
  const char* why = dlerror();
  std::string s = why ? why : "unknown error";
  for (std::size_t at; (at = s.find(loaded_as)) != std::string::npos;) s.replace(at, loaded_as.size(), path);
  return s;
}

PluginRef open_here(Fd fd, const std::string& path, std::string& error) {
  auto p = std::make_shared<Plugin>();
  p->path = path;
  std::string name = fd_path(fd.get());
  p->fd = fd.release();  // p's destructor closes it
  dlerror();
  // RTLD_NOW: a missing symbol fails here, not in the middle of a packet. RTLD_LOCAL: the
  // plugin's symbols do not leak into other plugins.
  p->handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!p->handle) {
    error = fmt::format("cannot load plugin '{}': {}", path, dl_error(name, path));
    return nullptr;
  }
  if (std::string err = check_loaded(*p); !err.empty()) {
    error = std::move(err);
    return nullptr;  // p's destructor closes it
  }
  return p;
}

// ---- Vetting in nb-plugin-vet ----------------------------------------------------------------

std::string find_helper(std::string& tried) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(self.parent_path());
#ifdef NB_INSTALL_BINDIR
  dirs.emplace_back(NB_INSTALL_BINDIR);
#endif
  for (const fs::path& d : dirs) {
    fs::path candidate = d / kVetHelper;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

// What a process printed, as one line of a message: printable text only, bounded.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 400) {
      out += "...";
      break;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int fd_at_least(Fd& fd, int min) {
  if (fd.get() >= min) return fd.get();
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, min);
  if (moved < 0) return -1;
  fd.reset(moved);
  return moved;
}

// Has nb-plugin-vet load the image in its own process. "" when it loaded and passed every check;
// otherwise why the plugin is refused.
std::string vet(const Image& img, const std::string& path) {
  std::string tried;
  std::string helper = find_helper(tried);
  if (helper.empty()) {
    return fmt::format(
        "cannot load plugin '{}': nb loads a plugin in a separate process first (the helper {}), and {} is not "
        "installed (looked for {})",
        path, kVetHelper, kVetHelper, tried);
  }
  auto fail = [&](std::string_view what) {
    return fmt::format("cannot load plugin '{}': cannot start {}: {}: {}", path, helper, what, std::strerror(errno));
  };
  // The child's descriptors: 3 the plugin, 4 where it writes its verdict, 0 /dev/null, 1 and 2
  // what it (or ld.so, or the plugin) prints. Passed from numbers above 4, so that no dup2 of
  // the child overwrites a descriptor before it is passed on.
  Fd image(::fcntl(img.fd.get(), F_DUPFD_CLOEXEC, 5));
  int result_pipe[2], output_pipe[2];
  if (image.get() < 0) return fail("dup");
  if (::pipe2(result_pipe, O_CLOEXEC) != 0) return fail("pipe");
  Fd result_r(result_pipe[0]), result_w(result_pipe[1]);
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) return fail("pipe");
  Fd output_r(output_pipe[0]), output_w(output_pipe[1]);
  if (fd_at_least(result_w, 5) < 0 || fd_at_least(output_w, 5) < 0) return fail("dup");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, output_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, output_w.get(), 2);
  posix_spawn_file_actions_adddup2(&fa, image.get(), 3);
  posix_spawn_file_actions_adddup2(&fa, result_w.get(), 4);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&fa, 5);  // nothing else of nb's (sockets, ports)
#endif
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string shown = path;
  // The ABI this nb expects: a helper of another nb (an older install earlier on the search
  // list) would judge plugins by its own.
  std::string abi = fmt::format("{:#010x}", plugin_abi_version());
  char* argv[] = {
      const_cast<char*>(kVetHelper), const_cast<char*>("3"), const_cast<char*>("4"), shown.data(), abi.data(), nullptr};
  pid_t pid = -1;
  // posix_spawn, not fork: nbrun is multi-threaded (DPDK), and a forked copy of it could stop
  // on a lock another thread held.
  int rc = posix_spawn(&pid, helper.c_str(), &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    return fail("posix_spawn");
  }
  result_w.reset();
  output_w.reset();
  image.reset();

  using Clock = std::chrono::steady_clock;
  const double limit = detail::vet_timeout_seconds();
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
  std::string verdict, output;
  bool timed_out = false;
  char buf[4096];
  while (result_r.get() >= 0 || output_r.get() >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{result_r.get(), POLLIN, 0}, {output_r.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Fd& from = i == 0 ? result_r : output_r;
      std::string& into = i == 0 ? verdict : output;
      ssize_t got = ::read(from.get(), buf, sizeof buf);
      if (got > 0) {
        if (into.size() < 65536) into.append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        from.reset();
      }
    }
  }
  // Both pipes are closed once the helper ended (or something it started still holds them).
  int status = 0;
  bool ended = false;
  while (!timed_out) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      ended = true;
      break;
    }
    if (w < 0 && errno != EINTR) break;
    if (Clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!ended) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  std::string said = one_line(output);
  std::string refused = fmt::format("plugin '{}' was refused: ", path);
  if (timed_out) {
    return refused + fmt::format(
                         "loading it in a separate process did not finish within {} s (a static constructor that "
                         "never returns?); set NB_PLUGIN_VET_TIMEOUT to wait longer",
                         limit);
  }
  if (ended && WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return refused + fmt::format("loading it in a separate process crashed it ({}{}){}", abbrev ? "SIG" : "signal ",
                                 abbrev ? abbrev : std::to_string(sig), said.empty() ? "" : "; it printed: " + said);
  }
  if (ended && WIFEXITED(status)) {
    if (verdict == "ok\n" && WEXITSTATUS(status) == 0) return "";
    if (verdict.starts_with("refused\n")) return verdict.substr(8);
    if (verdict.starts_with("other-nb\n")) {
      return fmt::format("cannot load plugin '{}': the helper {} belongs to another nb (plugin ABI {}, this nb has {})",
                         path, helper, one_line(verdict.substr(9)), abi);
    }
    if (said.find("ld.so") != std::string::npos) return refused + "ld.so reported: " + said;
    return refused + fmt::format("loading it in a separate process ended it (exit status {}) before it was checked{}",
                                 WEXITSTATUS(status), said.empty() ? "" : "; it printed: " + said);
  }
  return refused + fmt::format("cannot wait for {}: {}", kVetHelper, std::strerror(errno));
}

}  // namespace

Plugin::~Plugin() {
  if (handle) {
    dlclose(handle);
    // A library that cannot be unloaded (DF_1_NODELETE, unique symbols) stays known to ld.so by
    // its name /proc/self/fd/N: keep N open so that it never names another plugin.
    std::string name = fd_path(fd);
    if (void* still = dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD)) {
      dlclose(still);
      return;
    }
  }
  if (fd >= 0) ::close(fd);
}

bool same_plugin(const Plugin& a, const Plugin& b) {
  if (&a == &b) return true;
  return a.size == b.size && a.digest == b.digest && a.fd >= 0 && b.fd >= 0 && same_bytes(a.fd, b.fd, a.size);
}

PluginRef load_plugin(const std::string& path, std::string& error) {
  return load_plugin(path, error, {});
}

PluginRef load_plugin(const std::string& path, std::string& error, std::span<const PluginRef> loaded) {
  Image img;
  if (!read_image(path, img, error)) return nullptr;
  auto same = [&](const Plugin& p) {
    return p.size == img.size && p.digest == img.digest && p.fd >= 0 && same_bytes(p.fd, img.fd.get(), img.size);
  };
  for (const PluginRef& p : loaded) {
    if (p && same(*p)) return p;
  }
  // The same file, unchanged, as a plugin still loaded (by the graph a reload replaces): that
  // library, as dlopen of one file twice gives, so that the reload carries its elements' state
  // over (same ElementSpec). A file rebuilt in place is new bytes, and loaded anew.
  static std::mutex mu;
  static std::vector<std::weak_ptr<const Plugin>> live;
  std::lock_guard<std::mutex> lock(mu);
  std::erase_if(live, [](const std::weak_ptr<const Plugin>& w) { return w.expired(); });
  for (const auto& w : live) {
    PluginRef p = w.lock();
    if (p && p->dev == img.dev && p->ino == img.ino && same(*p)) return p;
  }
  if (std::string why = vet(img, path); !why.empty()) {
    error = std::move(why);
    return nullptr;
  }
  const Image id{Fd(), img.size, img.digest, img.dev, img.ino};
  PluginRef p = open_here(std::move(img.fd), path, error);
  if (!p) return nullptr;
  auto* mp = const_cast<Plugin*>(p.get());
  mp->size = id.size;
  mp->digest = id.digest;
  mp->dev = id.dev;
  mp->ino = id.ino;
  live.push_back(p);
  return p;
}

namespace detail {

PluginRef open_plugin_here(int fd, const std::string& path, std::string& error) {
  return open_here(Fd(fd), path, error);
}

double vet_timeout_seconds() {
  if (const char* env = std::getenv("NB_PLUGIN_VET_TIMEOUT")) {
    char* end = nullptr;
    double v = std::strtod(env, &end);
    if (end != env && *end == '\0' && v > 0 && v <= 3600) return v;
  }
  return 10;
}

}  // namespace detail

std::string resolve_plugin_path(std::string_view name, std::string_view config_file, std::string& tried) {
  fs::path n{std::string(name)};
  std::error_code ec;
  // A name that exists in any form (a dangling link, a link loop, a FIFO) is found, so that
  // load_plugin says what is wrong with it instead of "not found".
  auto exists = [&](const fs::path& p) { return fs::exists(fs::symlink_status(p, ec)); };
  if (n.is_absolute()) {
    tried = n.string();
    return exists(n) ? n.string() : "";
  }
  std::vector<fs::path> dirs;
  fs::path cfg{std::string(config_file)};
  dirs.push_back(cfg.has_parent_path() ? cfg.parent_path() : fs::path("."));
  if (const char* env = std::getenv("NB_PLUGIN_PATH")) {
    std::string_view rest = env;
    while (!rest.empty()) {
      std::size_t colon = rest.find(':');
      std::string_view d = rest.substr(0, colon);
      if (!d.empty()) dirs.emplace_back(std::string(d));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  tried.clear();
  for (const fs::path& d : dirs) {
    fs::path candidate = d / n;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
    if (exists(candidate)) return candidate.string();
  }
  return "";
}

std::optional<std::string> add_plugin_classes(Registry& registry, const PluginRef& plugin) {
  // The same bytes again (nbrun --plugin x and require(plugin "./x")): already there.
  if (!plugin->specs.empty()) {
    const ElementClass* first = registry.find(plugin->specs.front()->class_name);
    if (first && first->plugin && same_plugin(*first->plugin, *plugin)) return std::nullopt;
  }
  Registry next = registry;
  for (const ElementSpec* s : plugin->specs) {
    if (const ElementClass* prev = next.find(s->class_name)) {
      return fmt::format("plugin '{}' defines element class '{}', which {}", plugin->path, s->class_name,
                         prev->plugin ? fmt::format("plugin '{}' already defines", prev->plugin->path)
                                      : std::string("is already a built-in element class"));
    }
    if (auto err = next.add(*s)) return fmt::format("plugin '{}': {}", plugin->path, *err);
    next.set_origin(s->class_name, plugin.get());
  }
  registry = std::move(next);
  return std::nullopt;
}

}  // namespace nb::compiler
