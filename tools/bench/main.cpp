// nbbench: nb's benchmark harness.
//   nbbench [--quick] [--json] [WORKLOAD...]        (--help for the rest)
//
// Workloads (fwd, ttl, chain5, classify, firewall, lpm, nat, nat-new, ...; see kWorkloads) run under
// three engines: native (nb-bench-native, a hand-written DPDK loop), interp and jit (nbrun). ttl
// also runs under jit-unchecked (nbrun-unchecked: the same kernels built with the packet length
// checks compiled out), so the checks' cost is measured on the same graph. Every run is a fresh child process, so each
// gets its own EAL; runs are interleaved round by round (fwd native, fwd interp, fwd jit, ttl
// native, ...), so that a machine that gets slower or faster over time affects every engine
// alike. Ports: net_pcap with infinite_rx=1 over a generated trace of 64-byte IPv4/UDP packets
// (1024 flows) in, net_null out, one worker core. Mpps is received packets over the worker
// loop's own time (its TSC cycles), so EAL start-up and JIT compilation are not in it.
//
// The io engine is the ports' own limit: dpdk-testpmd (Debian's dpdk-dev) forwarding fwd's ports
// in io mode, interleaved with the rest; it is skipped, with a line saying so, where testpmd is
// missing. --workers 1,2 adds issue 16's scaling table: each workload under the jit with 1 and 2
// workers, over a port with one rx queue per worker and over nbrun's software dispatch from one
// net_pcap queue (skipped, with a line saying so, when nbrun has no --workers).
//
// It also times JIT compilation (compiler::jit_compile, code generation included) of chains of
// 20, 50 and 200 elements, in this process, and start-up for the same chains: the time to JIT
// code (front end and compile), the same from a warm on-disk cache, and nbrun's time from reading
// its file to forwarding its first packet. The JIT cache of this process and of every nbrun it
// runs is a directory of its own (XDG_CACHE_HOME in the working directory), never the user's.
//
// Exit status: 0 success, 1 a run failed, 2 usage errors. Never a timing verdict: targets are
// reported, not enforced.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/jit.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/flow_hash.hpp>

#include "flow_dispatch.hpp"
#include "lpm.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kWorkloads = {"fwd", "ttl", "chain5", "classify", "firewall", "firewall-base", "lpm", "nat", "nat-new", "maglev", "monitor", "ids"};
// io: dpdk-testpmd's io forwarding on fwd's ports, what the ports themselves carry.
const std::vector<std::string> kEngines = {"native", "interp", "jit", "jit-unchecked", "io"};
// The workloads of the scaling table when --workers is given without workloads (issue 16).
const std::vector<std::string> kScalingWorkloads = {"ttl", "chain5", "lpm", "nat", "monitor"};

// jit-unchecked exists to price the length checks on one workload, ttl; io only forwards.
bool applies(const std::string& workload, const std::string& engine) {
  if (engine == "io") return workload == "fwd";
  return engine != "jit-unchecked" || workload == "ttl";
}
const std::vector<int> kCompileSizes = {20, 50, 200};

// The NetBricks TTL function: the four elements chained.
const char* const kTtlClasses[] = {"Strip(14)", "CheckIPHeader", "DecIPTTL", "Unstrip(14)"};
// The same ten rules as tests/diff/classify10.nbc (and nb-bench-native's decision tree).
const char* const kClassifyRules =
    "12/0806 20/0001, 12/0806 20/0002, 12/0800 23/06 36/0050, 12/0800 23/06 34/0050,\n"
    "    12/0800 23/11 36/0035, 12/0800 23/11, 12/0800 23/01, 12/0800 14/4?%f0, 12/86dd, -";

// A chain of `n` processing elements (the TTL function's four classes, over and over) from the
// trace to net_null0. n = 20 is chain5's graph.
std::string chain_config(const std::string& pcap, int n) {
  std::string s = fmt::format("// nbbench: a chain of {} elements.\nFromDump(\"{}\", LOOP true)", n, pcap);
  for (int i = 0; i < n; ++i) s += fmt::format("\n    -> {}", kTtlClasses[i % 4]);
  s += "\n    -> ToDevice(net_null0);\n";
  return s;
}

// firewall: 100 IPFilter rules none of which matches the trace (10.0.0.1 -> 10.1.0.1, UDP to port
// 9), then allow all. The same rules as nb-bench-native's linear-scan ACL.
std::string firewall_rules() {
  std::string s;
  for (int i = 0; i < 100; ++i) {
    switch (i % 4) {
      case 0: s += fmt::format("deny src net 172.16.{}.0/24 and tcp dst port {},\n    ", i, 1000 + i); break;
      case 1: s += fmt::format("deny dst host 192.168.{}.1 and udp,\n    ", i); break;
      case 2: s += fmt::format("deny tcp src net 10.{}.0.0/16 and dst port 22,\n    ", i); break;
      default: s += fmt::format("deny udp dst port {},\n    ", 2000 + i); break;
    }
  }
  return s + "allow all";
}

// nat: source NAT (IPRewriter) over the trace's 1024 UDP flows: after the first 1024 packets every
// packet belongs to an established flow. nat-new: the same with UDP_TIMEOUT 0, so that a flow
// expires once idle and every packet removes its old mapping and makes a new one (port search,
// two rte_hash inserts and two deletes). nb-bench-native does the same by hand on rte_hash.
std::string nat_config(const std::string& pcap, bool every_flow_new) {
  return fmt::format("// nbbench {}: source NAT.\nFromDump(\"{}\", LOOP true)\n"
                     "    -> Strip(14) -> CheckIPHeader(CHECKSUM false)\n"
                     "    -> IPRewriter(pattern 192.0.2.1 1024-65535# - - 0 0, drop{})\n"
                     "    -> Unstrip(14) -> ToDevice(net_null0);\n",
                     every_flow_new ? "nat-new" : "nat", pcap, every_flow_new ? ", UDP_TIMEOUT 0" : "");
}

// maglev: MaglevLB over 8 backends on short flows (10 packets each, in a row; 512 flows in the
// trace, more than the 128-flow cache holds, so each flow's first packet in every pass is a new
// flow: a table lookup and a cache insertion), as in the Maglev paper's evaluation. monitor:
// FlowMonitor counting the trace's 1024 flows. Both with nb-bench-native's hand-written versions.
std::string nf2_config(const std::string& w, const std::string& pcap) {
  if (w == "maglev")
    return fmt::format("// nbbench maglev: short flows through MaglevLB.\nFromDump(\"{}\", LOOP true)\n"
                       "    -> CheckIPHeader(14, CHECKSUM false)\n"
                       "    -> MaglevLB(10.2.0.1, 10.2.0.2, 10.2.0.3, 10.2.0.4, 10.2.0.5, 10.2.0.6, 10.2.0.7, 10.2.0.8,\n"
                       "                CACHE_SIZE 128)\n    -> ToDevice(net_null0);\n",
                       (fs::path(pcap).parent_path() / "short.pcap").string());
  return fmt::format("// nbbench monitor: per-flow counters.\nFromDump(\"{}\", LOOP true)\n"
                     "    -> CheckIPHeader(14, CHECKSUM false) -> FlowMonitor -> ToDevice(net_null0);\n",
                     pcap);
}

// ids: SignatureMatcher over the UDP payloads with 25 signatures none of which matches the trace:
// 20 literals and 5 regexes, the same as nb-bench-native's make_ids(). Written next to the configs.
std::string ids_rules() {
  std::string s = "# nbbench ids: 20 literals, 5 regexes; none matches the trace.\n";
  for (int i = 0; i < 20; ++i) s += fmt::format("{} lit-{:02d} literal \"nb-bench-sig-{:02d}\"\n", i + 1, i, i);
  for (int k = 2; k <= 6; ++k) s += fmt::format("{} re-{} regex /evil[0-9]{{{}}}x/i\n", 100 + k, k, k);
  return s;
}

std::string workload_config(const std::string& w, const std::string& pcap) {
  if (w == "nat" || w == "nat-new") return nat_config(pcap, w == "nat-new");
  if (w == "maglev" || w == "monitor") return nf2_config(w, pcap);
  if (w == "ids")
    return fmt::format("// nbbench ids: every UDP payload scanned with Hyperscan (25 signatures).\n"
                       "ids :: SignatureMatcher(\"{}\");\nu :: Unstrip(14);\n"
                       "FromDump(\"{}\", LOOP true) -> Strip(14) -> ids;\nids [0] -> u;\nids [1] -> u;\n"
                       "u -> ToDevice(net_null0);\n",
                       (fs::path(pcap).parent_path() / "ids.rules").string(), pcap);
  if (w == "fwd") return fmt::format("// nbbench fwd: device to device.\nFromDump(\"{}\", LOOP true) -> ToDevice(net_null0);\n", pcap);
  if (w == "ttl") return chain_config(pcap, 4);
  if (w == "chain5") return chain_config(pcap, 20);
  // firewall-base: the same graph with no rule but `allow all`, so that firewall - firewall-base is
  // what the 100 rules alone cost (nb-bench-native's firewall-base: the same header checks, no scan).
  if (w == "firewall" || w == "firewall-base")
    return fmt::format("// nbbench {}: {}.\nFromDump(\"{}\", LOOP true)\n"
                       "    -> Strip(14) -> CheckIPHeader(CHECKSUM false)\n    -> IPFilter(\n    {})\n"
                       "    -> Unstrip(14) -> ToDevice(net_null0);\n",
                       w, w == "firewall" ? "100 rules that do not match, then allow" : "no rule but allow all", pcap,
                       w == "firewall" ? firewall_rules() : std::string("allow all"));
  if (w == "lpm") {
    // Its own trace and routes (tools/bench/lpm.cpp), next to the shared trace.
    const fs::path dir = fs::path(pcap).parent_path();
    return nbbench::lpm_config((dir / "lpm.pcap").string(), (dir / "routes.txt").string());
  }
  if (w != "classify") throw std::logic_error("nbbench: no configuration for workload " + w);
  // classify: every output goes to the one ToDevice (an output is connected once; an input may
  // take several).
  std::string s = fmt::format("// nbbench classify: a 10-rule Classifier.\nFromDump(\"{}\", LOOP true) -> c :: Classifier(\n    {});\nout :: ToDevice(net_null0);\n",
                              pcap, kClassifyRules);
  for (int i = 0; i < 10; ++i) s += fmt::format("c [{}] -> out;\n", i);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Child processes.

struct ChildResult {
  bool ok = false;
  std::string out;    // stdout
  std::string error;  // why it failed, with its stderr
};

// Where DPDK keeps a process's runtime files (eal_common_options.c: /var/run for root, else
// $XDG_RUNTIME_DIR or /tmp).
fs::path dpdk_runtime_dir() {
  if (getuid() == 0) return "/var/run/dpdk";
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  return fs::path(xdg && *xdg ? xdg : "/tmp") / "dpdk";
}

// For a child that runs until told to stop (dpdk-testpmd): once `marker` has appeared `count`
// times on its stdout, it gets `signal` `seconds` later, and dying of that signal counts as
// success.
struct ChildStop {
  std::string marker;
  int count = 1;
  double seconds = 0;
  int signal = SIGINT;
};

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Runs argv with stdout captured and stderr to `errfile`; killed after `timeout` seconds. A
// DPDK child's runtime directory (`eal_prefix` with its pid, e.g. "nb-" for nbrun's default
// --file-prefix=nb-PID) is removed once it has exited: EAL leaves it behind.
ChildResult run_child(const std::vector<std::string>& argv, const fs::path& errfile, double timeout,
                      const std::string& eal_prefix = "", const ChildStop* stop = nullptr) {
  ChildResult r;
  // Everything the child needs is made before fork: with --quick a compiler thread is running,
  // so the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string exec_failed = fmt::format("cannot run {}\n", argv[0]);
  int pipefd[2];
  if (pipe(pipefd) != 0) {
    r.error = fmt::format("pipe: {}", std::strerror(errno));
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) {
    r.error = fmt::format("fork: {}", std::strerror(errno));
    close(pipefd[0]);
    close(pipefd[1]);
    return r;
  }
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    int fd = open(errfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      dup2(devnull, STDIN_FILENO);
      close(devnull);
    }
    execve(args[0], args.data(), environ);
    ssize_t ignored = write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    (void)ignored;
    _exit(127);
  }
  close(pipefd[1]);
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout);
  bool killed = false;
  std::optional<Clock::time_point> stop_at;
  bool stop_sent = false;
  char buf[4096];
  while (true) {
    if (stop && !stop_sent) {
      if (!stop_at && occurrences(r.out, stop->marker) >= stop->count)
        stop_at =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(stop->seconds));
      if (stop_at && Clock::now() >= *stop_at) {
        kill(pid, stop->signal);
        stop_sent = true;
      }
    }
    double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    if (stop_at && !stop_sent)
      left = std::min(left, std::chrono::duration<double>(*stop_at - Clock::now()).count() + 0.001);
    if (left <= 0 && stop_at && !stop_sent && Clock::now() < deadline) continue;  // time to send the stop
    if (left <= 0 && !killed) {
      kill(pid, SIGTERM);  // nbrun stops cleanly on SIGTERM; SIGKILL below if it does not
      killed = true;
      deadline = Clock::now() + std::chrono::seconds(5);
      continue;
    }
    if (left <= 0 && killed) {
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min(left, 1.0) * 1000) + 1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n > 0) {
      r.out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0 || errno != EINTR) break;
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!eal_prefix.empty()) {
    std::error_code ec;
    fs::remove_all(dpdk_runtime_dir() / (eal_prefix + std::to_string(pid)), ec);
  }
  std::string err;
  {
    std::ifstream f(errfile);
    std::stringstream ss;
    ss << f.rdbuf();
    err = ss.str();
  }
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  if (killed) {
    r.error = fmt::format("`{}` did not finish in {:.0f} s and was killed\n{}", cmd, timeout, err);
  } else if (stop_sent && WIFSIGNALED(status) && WTERMSIG(status) == stop->signal) {
    r.ok = true;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error = WIFEXITED(status) ? fmt::format("`{}` exited with status {}\n{}", cmd, WEXITSTATUS(status), err)
                                : fmt::format("`{}` died of signal {}\n{}", cmd, WTERMSIG(status), err);
  } else {
    r.ok = true;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Measurements.

struct Sample {
  double mpps = 0, cycles_per_packet = 0;
  double cpu_share = -1;  // worker thread CPU time over its loop's wall time; -1 unknown
  std::uint64_t rx = 0, tx = 0, dropped = 0;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Options {
  bool quick = false, json = false, keep = false, verbose = false, no_compile = false, configs_only = false;
  bool no_jit_cache = false;  // passed to nbrun
  int rounds = 0;         // 0: 5, or 2 with --quick
  double duration = 0;    // seconds per run; 0: 3, or 0.5 with --quick
  int compile_reps = 0;   // 0: 5, or 1 with --quick
  double compile_budget = 30;  // seconds per chain size, after the first compile
  std::vector<std::string> workloads, engines;
  std::string testpmd;       // --testpmd; empty: dpdk-testpmd on PATH
  std::vector<int> workers;  // --workers 1,2: the scaling table; empty: none
};

// `name` as execvp would find it; empty if it is not there.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t at = 0;
  while (at <= dirs.size()) {
    std::size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(end > at ? dirs.substr(at, end - at) : ".") / name;
    if (access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate.string();
    at = end + 1;
  }
  return "";
}

// EAL's lcores as nbrun's embedded default has them: main on CPU 0, the one worker on CPU 1 (both
// on CPU 0 on a one-CPU machine, as testpmd needs a forwarding lcore besides the main one).
std::vector<std::string> default_lcores() {
  if (std::thread::hardware_concurrency() >= 2) return {"-l", "0-1"};
  return {"--lcores=0@0,1@0"};
}

// testpmd's periodic reports (--stats-period, testpmd.c print_stats) begin "Port statistics"; in
// each, port 0 (net_pcap0) has "Rx-pps: R", its receive rate since the report before, over
// testpmd's own clock. The first report has no report before it (R is 0). At the stop come the
// accumulated forward statistics: "RX-packets: ... TX-packets: ... TX-dropped: ...".
bool parse_testpmd(const std::string& out, std::vector<double>& rx_pps, std::uint64_t& rx, std::uint64_t& tx,
                   std::uint64_t& tx_dropped) {
  const std::string report = "Port statistics", port0 = "NIC statistics for port 0";
  std::size_t at = out.find(report);
  for (int k = 0; at != std::string::npos; ++k) {
    std::size_t next = out.find(report, at + report.size());
    std::size_t p = out.find(port0, at), r = p == std::string::npos ? p : out.find("Rx-pps:", p);
    if (k > 0 && r != std::string::npos && r < next)
      rx_pps.push_back(std::strtod(out.c_str() + r + std::strlen("Rx-pps:"), nullptr));
    at = next;
  }
  std::size_t acc = out.find("Accumulated forward statistics");
  if (acc == std::string::npos) return false;
  auto field = [&](const char* name) -> std::uint64_t {
    std::size_t f = out.find(name, acc);
    return f == std::string::npos ? 0 : std::strtoull(out.c_str() + f + std::strlen(name), nullptr, 10);
  };
  rx = field("RX-packets:");
  tx = field("TX-packets:");
  tx_dropped = field("TX-dropped:");
  return !rx_pps.empty();
}

// The TSC rate, for testpmd's cycles per packet: nbrun's or nb-bench-native's figure from this
// run where there is one, else measured here against the steady clock.
std::uint64_t measure_tsc_hz() {
#if defined(__x86_64__)
  auto t0 = Clock::now();
  std::uint64_t c0 = __builtin_ia32_rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::uint64_t c1 = __builtin_ia32_rdtsc();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return static_cast<std::uint64_t>(static_cast<double>(c1 - c0) / s);
#else
  return 0;
#endif
}

struct Bench {
  Options opt;
  fs::path bindir, workdir, pcap;
  fs::path lpm_pcap, lpm_routes;  // the lpm workload's own trace and routes (tools/bench/lpm.cpp)
  std::map<std::string, std::map<std::string, std::vector<Sample>>> samples;  // [workload][engine]

  std::string testpmd;  // its path; empty: the io engine is skipped
  int io_runs = 0;

  // testpmd io forwarding on the very ports nbrun opens for fwd: net_pcap (infinite_rx) over the
  // same trace in, net_null out, the same EAL memory and lcores, one forwarding lcore, burst 32,
  // 1024 descriptors and nbrun's 8191 mbufs. testpmd also polls net_null0's (empty: no-rx) queue
  // for the reverse stream of its port pair. It forwards until stopped, with a report every
  // second from the moment forwarding starts; its rate is the mean of the reports' Rx-pps over
  // the --duration seconds (rounded, at least one report) after the first: wall-clock time, as
  // nbrun's worker loop cycles are, so that time the OS gives to other processes counts alike.
  // (Not --record-core-cycles: it counts only the cycles of bursts that received packets, and its
  // two rdtsc per burst cost testpmd time of their own.)
  std::uint64_t tsc_hz = 0;
  std::optional<Sample> run_io(std::string& error) {
    const std::string prefix = fmt::format("nb-io-{}-{}", getpid(), io_runs++);
    std::vector<std::string> argv = {testpmd};
    for (const std::string& a : default_lcores()) argv.push_back(a);
    argv.insert(argv.end(), {"--no-huge",
                             "-m",
                             "512",
                             "--no-pci",
                             "--no-telemetry",
                             "--log-level=*:warning",
                             "--file-prefix=" + prefix,
                             fmt::format("--vdev=net_pcap0,rx_pcap={},infinite_rx=1", pcap.string()),
                             "--vdev=net_null0,no-rx=1",
                             "--",
                             "--forward-mode=io",
                             "--auto-start",
                             "--no-lsc-interrupt",
                             "--stats-period=1",
                             "--nb-cores=1",
                             "--burst=32",
                             "--rxd=1024",
                             "--txd=1024",
                             "--total-num-mbufs=8191",
                             "--no-flush-rx"});
    // After the report that closes the last period, once it is written out (the main thread
    // then sleeps for a second): a signal in the middle of it would cut it.
    const int periods = std::max(1, static_cast<int>(std::lround(opt.duration)));
    ChildStop stop{"Port statistics", periods + 1, 0.2, SIGINT};
    ChildResult c = run_child(argv, workdir / "stderr.txt", opt.duration + 120, "", &stop);
    std::error_code ec;
    fs::remove_all(dpdk_runtime_dir() / prefix, ec);
    if (!c.ok) {
      error = c.error;
      return std::nullopt;
    }
    std::vector<double> rx_pps;
    Sample s;
    if (!parse_testpmd(c.out, rx_pps, s.rx, s.tx, s.dropped)) {
      error = fmt::format("cannot read testpmd's statistics (Rx-pps of port 0, accumulated forward statistics):\n{}",
                          c.out);
      return std::nullopt;
    }
    double pps = 0;
    for (double r : rx_pps) pps += r;
    pps /= static_cast<double>(rx_pps.size());
    if (pps <= 0) {
      error = fmt::format("testpmd forwarded nothing\n{}", c.out);
      return std::nullopt;
    }
    if (!tsc_hz) tsc_hz = measure_tsc_hz();
    s.mpps = pps / 1e6;
    s.cycles_per_packet = static_cast<double>(tsc_hz) / pps;
    return s;
  }

  // Scaling (issue 16): [kind][workload][workers] Mpps; kind "mq" (one rx queue per worker) or
  // "dispatch" (one net_pcap queue, nbrun's software dispatch).
  std::map<std::string, std::map<std::string, std::map<int, std::vector<double>>>> scaling;

  // What a NIC with RSS would deliver to queue q of n: the frames of `trace` whose flow nbrun's
  // rule (nb::worker_of_hash of the symmetric Toeplitz hash) gives worker q. net_pcap has no RSS,
  // so nbrun re-steers what it reads; with these traces every packet is already on its worker's
  // queue and the steering costs only its hash, as behind a NIC that spreads by the same rule.
  std::string rss_queue_trace(const std::string& trace, int q, int n) {
    if (n == 1) return trace;
    fs::path out = workdir / fmt::format("{}.rss{}of{}.pcap", fs::path(trace).stem().string(), q, n);
    if (fs::exists(out)) return out.string();
    std::ifstream in(trace, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() < 24) throw std::runtime_error("nbbench: cannot read " + trace);
    std::string kept = data.substr(0, 24);  // the trace's own byte order (nb-gen-traffic: native)
    for (std::size_t off = 24; off + 16 <= data.size();) {
      std::uint32_t caplen = 0;
      std::memcpy(&caplen, data.data() + off + 8, 4);
      if (off + 16 + caplen > data.size()) break;
      const auto* frame = reinterpret_cast<const std::uint8_t*>(data.data() + off + 16);
      if (nb::worker_of_hash(nb::runtime::detail::symmetric_flow_hash(frame, caplen), static_cast<std::uint32_t>(n)) ==
          static_cast<std::uint32_t>(q))
        kept.append(data, off, 16 + caplen);
      off += 16 + caplen;
    }
    std::ofstream(out, std::ios::binary) << kept;
    return out.string();
  }

  // The workload's graph read from a multi-queue port: its FromDump(TRACE, LOOP true) becomes a
  // net_pcap with one rx_pcap=TRACE (one receive queue) per worker, infinite_rx, which nbrun opens
  // with `workers` queues. Not net_null's rx: its packets are all zeros, which CheckIPHeader drops,
  // so the graphs would measure their drop path. Each queue replays the whole trace, so each
  // worker does what the single worker did.
  fs::path multiqueue_config(const std::string& w, int workers) {
    fs::path path = workdir / fmt::format("{}.mq{}.nbc", w, workers);
    std::ifstream in(workdir / (w + ".nbc"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string from = "FromDump(\"";
    std::size_t at = text.find(from);
    std::size_t end = at == std::string::npos ? at : text.find("\", LOOP true)", at);
    if (end == std::string::npos) throw std::logic_error("nbbench: no FromDump in " + w + ".nbc");
    std::string trace = text.substr(at + from.size(), end - at - from.size());
    std::string dev = "net_pcap9";
    for (int i = 0; i < workers; ++i) dev += ",rx_pcap=" + rss_queue_trace(trace, i, workers);
    dev += ",infinite_rx=1";
    text.replace(at, end + std::strlen("\", LOOP true)") - at, fmt::format("FromDevice(\"{}\")", dev));
    std::ofstream(path) << text;
    return path;
  }

  // One jit run of `w` with `workers` workers; nbrun's embedded EAL default maps the worker lcores
  // onto the CPUs. Mpps: received packets over the longest worker's loop time.
  std::optional<double> run_scaling(const std::string& w, const std::string& kind, int workers, std::string& error) {
    fs::path config = kind == "mq" ? multiqueue_config(w, workers) : workdir / (w + ".nbc");
    std::vector<std::string> argv = {(bindir / "nbrun").string(),
                                     config.string(),
                                     "--engine",
                                     "jit",
                                     "--workers",
                                     std::to_string(workers),
                                     "--duration",
                                     fmt::format("{}", opt.duration),
                                     "--stats",
                                     "json",
                                     "--quiet"};
    ChildResult c = run_child(argv, workdir / "stderr.txt", opt.duration + 120, "nb-");
    if (!c.ok) {
      error = c.error;
      return std::nullopt;
    }
    try {
      auto j = nlohmann::json::parse(c.out);
      std::uint64_t rx = j.at("totals").at("rx").get<std::uint64_t>();
      std::uint64_t cycles = j.at("worker").at("cycles").get<std::uint64_t>();
      std::uint64_t hz = j.at("worker").at("tsc_hz").get<std::uint64_t>();
      // Per-worker figures, where nbrun gives them: the longest loop is the run's time.
      if (j.contains("workers") && j["workers"].is_array()) {
        std::uint64_t longest = 0;
        for (const auto& x : j["workers"])
          if (x.is_object() && x.contains("cycles")) longest = std::max(longest, x["cycles"].get<std::uint64_t>());
        if (longest) cycles = longest;
      }
      if (rx == 0 || cycles == 0 || hz == 0) {
        error = fmt::format("{} with {} workers ({}) received no packets\n{}", w, workers, kind, c.out);
        return std::nullopt;
      }
      return static_cast<double>(rx) / (static_cast<double>(cycles) / static_cast<double>(hz)) / 1e6;
    } catch (const std::exception& ex) {
      error = fmt::format("cannot read the statistics of {} with {} workers ({}): {}\n{}", w, workers, kind, ex.what(),
                          c.out);
      return std::nullopt;
    }
  }

  std::optional<Sample> run_once(const std::string& w, const std::string& e, std::string& error) {
    if (e == "io") return run_io(error);
    std::vector<std::string> argv;
    std::string dur = fmt::format("{}", opt.duration);
    if (e == "native") {
      const fs::path trace = w == "lpm" ? lpm_pcap : w == "maglev" ? workdir / "short.pcap" : pcap;
      argv = {(bindir / "nb-bench-native").string(), w, "--pcap", trace.string(), "--duration", dur};
      if (w == "lpm") argv.insert(argv.end(), {"--routes", lpm_routes.string()});
    } else if (e == "jit-unchecked") {
      argv = {(bindir / "nbrun-unchecked").string(), (workdir / (w + ".nbc")).string(), "--engine", "jit",
              "--duration", dur, "--stats", "json", "--quiet"};
    } else {
      argv = {(bindir / "nbrun").string(), (workdir / (w + ".nbc")).string(), "--engine", e, "--duration", dur,
              "--stats", "json", "--quiet"};
    }
    if (e != "native" && opt.no_jit_cache) argv.push_back("--no-jit-cache");
    ChildResult c = run_child(argv, workdir / "stderr.txt", opt.duration + 120, e == "native" ? "nb-native-" : "nb-");
    if (!c.ok) {
      error = c.error;
      return std::nullopt;
    }
    Sample s;
    std::uint64_t cycles = 0, hz = 0;
    try {
      auto j = nlohmann::json::parse(c.out);
      if (e == "native") {
        s.rx = j.at("packets").get<std::uint64_t>();
        s.tx = j.at("tx").get<std::uint64_t>();
        s.dropped = j.at("dropped").get<std::uint64_t>();
        cycles = j.at("cycles").get<std::uint64_t>();
        hz = j.at("tsc_hz").get<std::uint64_t>();
        if (j.contains("cpu_seconds")) s.cpu_share = j["cpu_seconds"].get<double>();
      } else {
        s.rx = j.at("totals").at("rx").get<std::uint64_t>();
        s.tx = j.at("totals").at("tx").get<std::uint64_t>();
        s.dropped = j.at("totals").at("dropped").get<std::uint64_t>();
        cycles = j.at("worker").at("cycles").get<std::uint64_t>();
        hz = j.at("worker").at("tsc_hz").get<std::uint64_t>();
        // Not reported by nbrun today; used when it is.
        if (j["worker"].contains("cpu_seconds")) s.cpu_share = j["worker"]["cpu_seconds"].get<double>();
      }
    } catch (const std::exception& ex) {
      error = fmt::format("cannot read the statistics of {} {}: {}\n{}", w, e, ex.what(), c.out);
      return std::nullopt;
    }
    if (s.rx == 0 || cycles == 0 || hz == 0) {
      error = fmt::format("{} {} received no packets (or reported no cycles)\n{}", w, e, c.out);
      return std::nullopt;
    }
    if (!tsc_hz) tsc_hz = hz;  // for the io engine's cycles per packet
    double seconds = static_cast<double>(cycles) / static_cast<double>(hz);
    if (s.cpu_share >= 0) s.cpu_share /= seconds;
    s.mpps = static_cast<double>(s.rx) / seconds / 1e6;
    s.cycles_per_packet = static_cast<double>(cycles) / static_cast<double>(s.rx);
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// JIT compile time, in this process. The generated code never runs, so the host functions it
// would call are stubs, and states and transmit buffers are plain memory (as `nbc ir` does).

extern "C" void bench_stub_drop(void*, std::uint32_t, rte_mbuf*, std::uint32_t) {}
extern "C" void bench_stub_count_drop(void*, std::uint32_t, std::uint32_t) {}
extern "C" void bench_stub_flush(void*, std::uint32_t) {}

struct CompileTiming {
  double front_ms = 0;  // parse, elaborate, check, lower
  double jit_ms = 0;    // jit_compile with code generation
  nb::compiler::JitStats stats;
};

// The memory a compiled graph addresses, kept across compiles (the code names it by symbols
// bound at load time, so the on-disk cache would find it for other memory too).
struct CompileMemory {
  std::vector<nb::compiler::AlignedBlock> states;
  std::vector<nb::jit_abi::TxBuffer> tx;
  nb::HostServices host;
  int dataplane_stub = 0;
};

// `mem`: null for memory of this compile alone; `cache`: use the on-disk cache.
std::optional<CompileTiming> time_compile(const std::string& text, std::string& error, CompileMemory* mem = nullptr,
                                          bool cache = false) {
  using namespace nb;
  CompileTiming t;
  CompileMemory own;
  if (!mem) mem = &own;
  auto t0 = Clock::now();
  lang::SourceManager sources;
  lang::DiagnosticEngine diags;
  lang::FileId id = sources.add("chain.nbc", text);
  auto front = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  std::optional<compiler::Plan> plan;
  if (front.graph) plan = compiler::lower(*front.graph, diags);
  if (!plan) {
    std::ostringstream os;
    diags.render(os, sources, false);
    error = os.str();
    return std::nullopt;
  }
  t.front_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

  auto& states = mem->states;
  if (states.empty()) {
    states.resize(plan->elements.size());
    mem->tx.resize(plan->ports.size());
    for (std::size_t i = 0; i < plan->elements.size(); ++i) {
      const auto& e = plan->elements[i];
      if (e.ops && e.ops->role == ElementOps::Role::Kernel)
        states[i] = compiler::AlignedBlock(e.ops->state_size, e.ops->state_align);
    }
  }
  compiler::JitLayout layout;
  for (std::size_t i = 0; i < plan->elements.size(); ++i) layout.states.push_back(states[i].data());
  for (auto& b : mem->tx) layout.tx.push_back(&b);
  layout.host = &mem->host;
  layout.dataplane = &mem->dataplane_stub;
  layout.host_symbols = {{"nb_host_drop", reinterpret_cast<void*>(&bench_stub_drop)},
                         {"nb_host_count_drop", reinterpret_cast<void*>(&bench_stub_count_drop)},
                         {"nb_host_flush", reinterpret_cast<void*>(&bench_stub_flush)}};
  compiler::JitOptions jo;  // as nbrun: O3, materialised
  jo.cache = cache;
  t0 = Clock::now();
  auto g = compiler::jit_compile(*plan, layout, jo, error);
  t.jit_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!g || !g->entry) {
    if (error.empty()) error = "no entry point";
    return std::nullopt;
  }
  t.stats = g->stats;
  return t;
}

struct CompileSize {
  double jit_ms = 0, front_ms = 0;  // medians
  double build_ms = 0, parse_ms = 0, link_ms = 0, optimize_ms = 0, codegen_ms = 0;  // of the median run
  int samples = 0;
};

// Start-up of a chain of N elements, ms (medians; -1 unknown).
struct StartSize {
  double first_packet = -1;  // nbrun: from reading its file to the first burst forwarded
  double jit_ready = -1;     // front end and JIT compile, cache off (this process, LLVM set up)
  double cached = -1;        // the same, the code loaded from a warm on-disk cache
  std::string cache_state;   // what the cached compile reported (hit, unless the cache is unusable)
};

struct CompileResults {
  double init_ms = 0;  // the process's first compile: a 1-element graph, LLVM and LLJIT set-up included
  std::map<int, CompileSize> sizes;
  std::map<int, StartSize> start;
  bool concurrent = false;  // ran alongside the throughput runs (--quick)
};

// Each size is compiled `reps` times, or fewer once `budget_s` seconds went into it (at least once).
bool compile_benchmark(int reps, double budget_s, const fs::path& pcap, CompileResults& r, std::string& error) {
  // Pays for LLVM's and the LLJIT's one-time set-up, as nbrun's first (only) compile does.
  auto warm = time_compile(chain_config(pcap.string(), 1), error);
  if (!warm) return false;
  r.init_ms = warm->jit_ms;
  for (int n : kCompileSizes) {
    std::string text = chain_config(pcap.string(), n);
    std::vector<CompileTiming> runs;
    auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) {
      auto t = time_compile(text, error);
      if (!t) return false;
      runs.push_back(*t);
      if (std::chrono::duration<double>(Clock::now() - t0).count() > budget_s) break;
    }
    // The median run (the lower one of an even count), so that its phases add up to its total.
    std::sort(runs.begin(), runs.end(), [](const CompileTiming& a, const CompileTiming& b) { return a.jit_ms < b.jit_ms; });
    const CompileTiming& mid = runs[(runs.size() - 1) / 2];
    CompileSize& c = r.sizes[n];
    c.jit_ms = mid.jit_ms;
    c.front_ms = mid.front_ms;
    c.samples = static_cast<int>(runs.size());
    const nb::compiler::JitStats& st = mid.stats;
    c.build_ms = st.build_ms;
    c.parse_ms = st.parse_ms;
    c.link_ms = st.link_ms;
    c.optimize_ms = st.optimize_ms;
    c.codegen_ms = st.codegen_ms;
    StartSize& s = r.start[n];
    s.jit_ready = mid.front_ms + mid.jit_ms;
    // Warm: one compile stores the code, then every compile of the same graph with the same
    // memory loads it.
    CompileMemory mem;
    auto fill = time_compile(text, error, &mem, true);
    if (!fill) return false;
    std::vector<double> cached;
    for (int i = 0; i < std::max(reps, 3); ++i) {
      auto t = time_compile(text, error, &mem, true);
      if (!t) return false;
      s.cache_state = t->stats.cache;
      cached.push_back(t->front_ms + t->jit_ms);
    }
    s.cached = median(cached);
  }
  return true;
}

// nbrun's time to its first packet: a chain of n elements over the trace (read once), stopped
// after one packet, with nbrun's default engine (tiered); jit.cache as it comes (the first run
// compiles, later ones load what it stored: the interpreter forwards the first packet either way).
bool first_packet_benchmark(const fs::path& bindir, const fs::path& workdir, const fs::path& pcap, int reps,
                            bool no_jit_cache, CompileResults& r, std::string& error) {
  for (int n : kCompileSizes) {
    std::string text = chain_config(pcap.string(), n);
    // Not LOOP: nbrun stops at --packets 1 anyway.
    const std::string loop = ", LOOP true";
    if (auto at = text.find(loop); at != std::string::npos) text.erase(at, loop.size());
    const fs::path cfg = workdir / fmt::format("start{}.nbc", n);
    std::ofstream(cfg) << text;
    std::vector<double> v;
    for (int i = 0; i < reps; ++i) {
      // tiered: the interpreter forwards while the JIT compiles (the default engine).
      std::vector<std::string> argv = {(bindir / "nbrun").string(),
                                       cfg.string(),
                                       "--engine",
                                       "tiered",
                                       "--packets",
                                       "1",
                                       "--stats",
                                       "json",
                                       "--quiet",
                                       "--no-control"};
      if (no_jit_cache) argv.push_back("--no-jit-cache");
      ChildResult c = run_child(argv, workdir / "stderr.txt", 600, "nb-");
      if (!c.ok) {
        error = c.error;
        return false;
      }
      try {
        auto j = nlohmann::json::parse(c.out);
        double ms = j.at("start").at("first_packet_ms").get<double>();
        if (ms >= 0) v.push_back(ms);
      } catch (const std::exception& ex) {
        error = fmt::format("cannot read nbrun's start-up times: {}\n{}", ex.what(), c.out);
        return false;
      }
    }
    if (!v.empty()) r.start[n].first_packet = median(v);
  }
  return true;
}

// The CPU for compiling alongside the runs: one outside nbrun's default lcores 0-1 if there is
// one, else CPU 0 (the main lcore, which only sleeps while the worker on CPU 1 measures).
int compile_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  for (int c = CPU_SETSIZE - 1; c >= 2; --c)
    if (CPU_ISSET(c, &set)) return c;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Output.

std::string ratio(double a, double b) { return b > 0 && a > 0 ? fmt::format("{:.2f}", a / b) : "-"; }

struct Med {
  double mpps = 0, cpp = 0, lo = 0, hi = 0;
  bool present = false;
};

Med med(const std::vector<Sample>& v) {
  Med m;
  if (v.empty()) return m;
  std::vector<double> mpps, cpp;
  for (const Sample& s : v) {
    mpps.push_back(s.mpps);
    cpp.push_back(s.cycles_per_packet);
  }
  m.mpps = median(mpps);
  m.cpp = median(cpp);
  m.lo = *std::min_element(mpps.begin(), mpps.end());
  m.hi = *std::max_element(mpps.begin(), mpps.end());
  m.present = true;
  return m;
}

void print_target(const char* what, double value, double target, bool at_least, const char* unit) {
  if (value <= 0) return;
  static bool header = false;
  if (!header) fmt::print("\nTargets (benchmarks, not pass/fail tests):\n");
  header = true;
  bool met = at_least ? value >= target : value <= target;
  fmt::print("  {:<34} {:>12}   target {:<10}  {}", what, fmt::format("{:.2f}{}", value, unit),
             fmt::format("{} {}{}", at_least ? ">=" : "<=", target, unit), met ? "met" : "MISSED");
  if (!met && at_least) fmt::print(" by {:.0f}%", (1 - value / target) * 100);
  if (!met && !at_least) fmt::print(" ({:.1f}x the limit)", value / target);
  fmt::print("\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "nbbench - nb's benchmarks (see WORKLOAD) under the native DPDK baseline,\n"
      "the interpreter and the JIT (net_pcap infinite_rx -> net_null, one worker core), beside\n"
      "dpdk-testpmd's io forwarding on the same ports (io, the ports' limit), plus JIT compile\n"
      "times of 20-, 50- and 200-element chains. Runs are interleaved.",
      "nbbench"};
  app.set_version_flag("--version", "nbbench " NB_PROJECT_VERSION, "Print the version and exit");
  Options opt;
  app.add_option("WORKLOAD", opt.workloads, "Workloads to run (default: all): " + fmt::format("{}", fmt::join(kWorkloads, ", ")))
      ->check(CLI::IsMember(kWorkloads));
  app.add_flag("--quick", opt.quick,
               "Two short rounds, one compile of each chain (alongside the runs, on another CPU than the worker's)");
  app.add_flag("--json", opt.json,
               "Print {\"workloads\": {W: {ENGINE: {\"mpps\", \"cycles_per_packet\"}}}, \"compile_ms\": {...}}, with "
               "--workers also \"scaling\" and \"scaling_dispatch\": {W: {N: mpps}}");
  app.add_option("--rounds", opt.rounds, "Runs of each workload and engine (default 5; 2 with --quick)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--duration", opt.duration, "Seconds per run (default 3; 0.5 with --quick)")
      ->check(CLI::Range(0.05, 3600.0));
  app.add_option("--engines", opt.engines,
                 "Engines to run, comma-separated (default: native,interp,jit,jit-unchecked,io; jit-unchecked runs ttl "
                 "only, io (dpdk-testpmd io forwarding, the ports' limit) fwd only)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(CLI::IsMember(kEngines));
  app.add_option("--compile-reps", opt.compile_reps, "Compiles of each chain size (default 5; 1 with --quick)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--compile-budget", opt.compile_budget,
                 "Stop repeating a chain size's compile after this many seconds (default 30)")
      ->check(CLI::Range(0.0, 36000.0));
  app.add_flag("--no-compile", opt.no_compile, "Skip the JIT compile and start-up timing");
  app.add_flag("--no-jit-cache", opt.no_jit_cache,
               "Run nbrun with --no-jit-cache (its cache is nbbench's own, in the working directory, either way)");
  app.add_flag("--keep", opt.keep, "Keep the working directory (trace, configs) and print its name");
  app.add_flag("--configs-only", opt.configs_only,
               "Write the traces and every workload's configuration (WORKLOAD.nbc), print the directory, run nothing");
  app.add_flag("-v,--verbose", opt.verbose, "Print every run as it ends (on stderr)");
  app.add_option("--testpmd", opt.testpmd,
                 "The dpdk-testpmd of the io engine (default: dpdk-testpmd on PATH, from Debian's dpdk-dev)");
  app.add_option("--workers", opt.workers,
                 "Also the scaling table: each workload (default: ttl, chain5, lpm, nat, monitor) under the jit with "
                 "this many workers, comma-separated (e.g. 1,2), over multi-queue ports and over software dispatch")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(CLI::Range(1, 128));
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
  // The scaling table's workloads: those named, else issue 16's five.
  std::vector<std::string> scaling_workloads = opt.workloads.empty() ? kScalingWorkloads : opt.workloads;
  if (opt.workloads.empty()) opt.workloads = kWorkloads;
  if (opt.engines.empty()) opt.engines = kEngines;
  std::sort(opt.workers.begin(), opt.workers.end());
  opt.workers.erase(std::unique(opt.workers.begin(), opt.workers.end()), opt.workers.end());
  // Keep the canonical order (interleaving and tables), whatever order they were given in.
  auto canon = [](std::vector<std::string>& v, const std::vector<std::string>& order) {
    std::vector<std::string> out;
    for (const std::string& x : order)
      if (std::find(v.begin(), v.end(), x) != v.end()) out.push_back(x);
    v = out;
  };
  canon(opt.workloads, kWorkloads);
  canon(opt.engines, kEngines);
  if (opt.rounds == 0) opt.rounds = opt.quick ? 2 : 5;
  if (opt.duration == 0) opt.duration = opt.quick ? 0.5 : 3;
  if (opt.compile_reps == 0) opt.compile_reps = opt.quick ? 1 : 5;

  Bench b;
  b.opt = opt;
  std::error_code ec;
  b.bindir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) {
    fmt::print(stderr, "nbbench: error: cannot find my own executable: {}\n", ec.message());
    return 1;
  }
  for (const char* tool : {"nbrun", "nbrun-unchecked", "nb-gen-traffic", "nb-bench-native"}) {
    if (access((b.bindir / tool).c_str(), X_OK) != 0) {
      fmt::print(stderr, "nbbench: error: {} is not next to nbbench in {}\n", tool, b.bindir.string());
      return 1;
    }
  }
  // The io reference is optional: without testpmd the rest still runs.
  if (std::find(opt.engines.begin(), opt.engines.end(), "io") != opt.engines.end() &&
      std::find(opt.workloads.begin(), opt.workloads.end(), "fwd") != opt.workloads.end() && !opt.configs_only) {
    b.testpmd = find_program(opt.testpmd.empty() ? "dpdk-testpmd" : opt.testpmd);
    if (b.testpmd.empty()) {
      fmt::print(stderr, "nbbench: io reference skipped: {} not found (apt-get install dpdk-dev)\n",
                 opt.testpmd.empty() ? "dpdk-testpmd" : opt.testpmd);
      opt.engines.erase(std::find(opt.engines.begin(), opt.engines.end(), "io"));
      b.opt.engines = opt.engines;
    }
  }
  // Scaling needs an nbrun with --workers (issue 16); without it the rest still runs.
  bool scaling = !opt.workers.empty() && !opt.configs_only;
  if (scaling) {
    ChildResult help = run_child({(b.bindir / "nbrun").string(), "--help"}, "/dev/null", 60);
    if (!help.ok || help.out.find("--workers") == std::string::npos) {
      fmt::print(opt.json ? stderr : stdout, "scaling skipped: this nbrun has no --workers\n");
      std::fflush(stdout);
      scaling = false;
    }
  }
  std::string tmpl = (fs::temp_directory_path() / "nbbench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    fmt::print(stderr, "nbbench: error: cannot create a working directory: {}\n", std::strerror(errno));
    return 1;
  }
  b.workdir = tmpl;
  // Before any thread starts (setenv is not thread-safe): this process's JIT cache and its
  // children's live here, and go with the working directory.
  setenv("XDG_CACHE_HOME", (b.workdir / "cache").c_str(), 1);
  b.pcap = b.workdir / "gen.pcap";
  int status = 0;
  auto cleanup = [&] {
    if (opt.keep) fmt::print(stderr, "nbbench: kept {}\n", b.workdir.string());
    else fs::remove_all(b.workdir, ec);
  };

  // 64-byte frames on the wire: 60 bytes and the FCS the pcap does not hold.
  ChildResult gen = run_child({(b.bindir / "nb-gen-traffic").string(), "--profile", "udp-seq", "--size", "60",
                               "--flows", "1024", "--count", "1024", "-o", b.pcap.string()},
                              b.workdir / "stderr.txt", 60);
  if (!gen.ok) {
    fmt::print(stderr, "nbbench: error: {}\n", gen.error);
    cleanup();
    return 1;
  }
  b.lpm_pcap = b.workdir / "lpm.pcap";
  b.lpm_routes = b.workdir / "routes.txt";
  if (std::find(opt.workloads.begin(), opt.workloads.end(), "lpm") != opt.workloads.end()) {
    std::string lpm_error;
    if (!nbbench::write_lpm_inputs(b.lpm_routes, b.lpm_pcap, lpm_error)) {
      fmt::print(stderr, "nbbench: error: {}\n", lpm_error);
      cleanup();
      return 1;
    }
  }
  // maglev's short flows: 512 flows of 10 packets in a row (nb-bench-native's 8191 mbufs hold the trace).
  ChildResult gen_short = run_child({(b.bindir / "nb-gen-traffic").string(), "--profile", "udp-seq", "--size", "60",
                                     "--flows", "512", "--run", "10", "--count", "5120", "-o",
                                     (b.workdir / "short.pcap").string()},
                                    b.workdir / "stderr.txt", 60);
  if (!gen_short.ok) {
    fmt::print(stderr, "nbbench: error: {}\n", gen_short.error);
    cleanup();
    return 1;
  }
  std::ofstream(b.workdir / "ids.rules") << ids_rules();
  // One configuration per workload, written once (a second pass once overwrote lpm.nbc with the
  // classify graph, so "lpm" measured a Classifier over the lpm trace).
  for (const std::string& w : opt.workloads) std::ofstream(b.workdir / (w + ".nbc")) << workload_config(w, b.pcap.string());
  if (opt.configs_only) {
    // What would run, for inspection and for bench_smoke (which checks every graph): no runs.
    fmt::print("{}\n", b.workdir.string());
    return 0;
  }

  // --quick: compile alongside the runs, pinned away from the worker's CPU; otherwise after them,
  // on a quiet machine.
  CompileResults comp;
  bool comp_ok = true;
  std::string comp_error;
  std::thread compiler_thread;
  if (!opt.no_compile && opt.quick) {
    comp.concurrent = true;
    compiler_thread = std::thread([&] {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(compile_cpu(), &set);
      pthread_setaffinity_np(pthread_self(), sizeof set, &set);
      comp_ok = compile_benchmark(opt.compile_reps, opt.compile_budget, b.pcap, comp, comp_error);
    });
  }

  bool progress = opt.verbose || isatty(STDERR_FILENO);
  if (std::ifstream la("/proc/loadavg"); la) {
    double load = 0;
    la >> load;
    unsigned cpus = std::thread::hardware_concurrency();
    if (cpus && load > 0.5 * cpus)
      fmt::print(stderr, "nbbench: warning: load average {:.1f} on {} CPUs: other work will disturb the runs\n", load, cpus);
  }
  auto scales = [&](const std::string& w) {
    return scaling && std::find(scaling_workloads.begin(), scaling_workloads.end(), w) != scaling_workloads.end();
  };
  std::size_t pairs = 0;
  for (const std::string& w : opt.workloads) {
    for (const std::string& e : opt.engines) pairs += applies(w, e);
    if (scales(w)) pairs += 2 * opt.workers.size();
  }
  const std::size_t total = pairs * static_cast<std::size_t>(opt.rounds);
  std::size_t done = 0;
  auto t_start = Clock::now();
  for (int round = 0; round < opt.rounds && status == 0; ++round) {
    for (const std::string& w : opt.workloads) {
      for (const std::string& e : opt.engines) {
        if (!applies(w, e)) continue;
        std::string error;
        auto s = b.run_once(w, e, error);
        if (!s) {
          fmt::print(stderr, "nbbench: error: {}\n", error);
          status = 1;
          break;
        }
        ++done;
        if (s->tx != s->rx || s->dropped != 0) {
          fmt::print(stderr, "nbbench: warning: {} {}: {} packets in, {} out, {} dropped (every packet should pass)\n", w,
                     e, s->rx, s->tx, s->dropped);
        }
        if (opt.verbose) {
          fmt::print(stderr, "[{:>3}/{}] round {} {:<13} {:<6} {:>7.3f} Mpps {:>7.1f} cycles/packet{}\n", done, total,
                     round + 1, w, e, s->mpps, s->cycles_per_packet,
                     s->cpu_share >= 0 ? fmt::format("  (worker had {:.0f}% of its core)", std::min(s->cpu_share, 1.0) * 100)
                                       : "");
        } else if (progress) {
          fmt::print(stderr, "\rnbbench: run {}/{} ({:.0f} s)   ", done, total,
                     std::chrono::duration<double>(Clock::now() - t_start).count());
        }
        b.samples[w][e].push_back(*s);
      }
      if (status) break;
      // The scaling runs of this workload, interleaved with its engines' runs like them.
      for (const char* kind : {"mq", "dispatch"}) {
        for (int n : scales(w) ? opt.workers : std::vector<int>{}) {
          std::string error;
          auto mpps = b.run_scaling(w, kind, n, error);
          if (!mpps) {
            fmt::print(stderr, "nbbench: error: scaling: {}\n", error);
            status = 1;
            break;
          }
          ++done;
          if (opt.verbose)
            fmt::print(stderr, "[{:>3}/{}] round {} {:<13} {} worker(s), {:<11} {:>7.3f} Mpps\n", done, total,
                       round + 1, w, n, std::string(kind) == "mq" ? "multi-queue" : "dispatch", *mpps);
          else if (progress)
            fmt::print(stderr, "\rnbbench: run {}/{} ({:.0f} s)   ", done, total,
                       std::chrono::duration<double>(Clock::now() - t_start).count());
          b.scaling[kind][w][n].push_back(*mpps);
        }
        if (status) break;
      }
      if (status) break;
    }
  }
  if (progress && !opt.verbose) fmt::print(stderr, "\n");
  if (compiler_thread.joinable()) {
    if (progress) fmt::print(stderr, "nbbench: waiting for the JIT compile timing\n");
    compiler_thread.join();
  } else if (!opt.no_compile && status == 0) {
    if (progress) fmt::print(stderr, "nbbench: timing JIT compilation\n");
    comp_ok = compile_benchmark(opt.compile_reps, opt.compile_budget, b.pcap, comp, comp_error);
  }
  if (!opt.no_compile && status == 0 && comp_ok) {
    if (progress) fmt::print(stderr, "nbbench: timing nbrun's start-up\n");
    comp_ok = first_packet_benchmark(b.bindir, b.workdir, b.pcap, std::min(opt.compile_reps, 3), opt.no_jit_cache, comp,
                                     comp_error);
  }
  if (status) {
    cleanup();
    return status;
  }
  if (!comp_ok) {
    fmt::print(stderr, "nbbench: error: the JIT cannot compile a chain: {}\n", comp_error);
    cleanup();
    return 1;
  }
  const bool have_comp = !opt.no_compile;
  // The worker's cycles are wall-clock TSC cycles: if another process shared its core, every
  // number above is inflated by it. Say so. (On a quiet virtual machine a worker thread is
  // credited with 88-96% of the wall time, the rest being interrupts and the hypervisor's; a
  // busy machine gives it 40-60%.)
  double min_share = 2;
  for (const auto& [w, by_engine] : b.samples)
    for (const auto& [e, v] : by_engine)
      for (const Sample& x : v)
        if (x.cpu_share >= 0) min_share = std::min(min_share, x.cpu_share);
  if (min_share < 0.8) {
    fmt::print(stderr,
               "nbbench: warning: a worker thread got only {:.0f}% of its core's time: other processes ran on it, so "
               "absolute numbers are inflated and ratios noisy; run on a quiet machine\n",
               min_share * 100);
  }
  cleanup();

  if (opt.json) {
    nlohmann::ordered_json j;
    j["workloads"] = nlohmann::ordered_json::object();
    for (const std::string& w : opt.workloads) {
      nlohmann::ordered_json jw = nlohmann::ordered_json::object();
      for (const std::string& e : opt.engines) {
        if (!applies(w, e)) continue;
        Med m = med(b.samples[w][e]);
        jw[e] = {{"mpps", m.mpps}, {"cycles_per_packet", m.cpp}};
      }
      j["workloads"][w] = jw;
    }
    j["compile_ms"] = nlohmann::ordered_json::object();
    if (have_comp) {
      for (int n : kCompileSizes) j["compile_ms"][std::to_string(n)] = comp.sizes[n].jit_ms;
    }
    j["start_ms"] = nlohmann::ordered_json::object();
    if (have_comp) {
      for (int n : kCompileSizes) {
        const StartSize& s = comp.start[n];
        j["start_ms"][std::to_string(n)] = {
            {"first_packet", s.first_packet}, {"jit_ready", s.jit_ready}, {"cached", s.cached}};
      }
    }
    if (scaling) {
      // "scaling": multi-queue ports; "scaling_dispatch": one net_pcap queue, software dispatch.
      for (const auto& [kind, key] :
           {std::pair<std::string, std::string>{"mq", "scaling"}, {"dispatch", "scaling_dispatch"}}) {
        nlohmann::ordered_json js = nlohmann::ordered_json::object();
        for (const std::string& w : opt.workloads) {
          if (!scales(w)) continue;
          nlohmann::ordered_json jw = nlohmann::ordered_json::object();
          for (int n : opt.workers) jw[std::to_string(n)] = median(b.scaling[kind][w][n]);
          js[w] = jw;
        }
        j[key] = js;
      }
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }

  fmt::print("nbbench: {} round(s) of {} s per run, interleaved; 64-byte IPv4/UDP, 1024 flows;\n", opt.rounds,
             opt.duration);
  fmt::print("net_pcap (infinite_rx) -> net_null, one worker core. Medians; Mpps over the worker loop's time.\n");
  // What the ports carry: testpmd's io forwarding on fwd's ports. Every engine of every workload
  // is shown as a fraction of it ("of io").
  const double io = med(b.samples["fwd"]["io"]).mpps;
  if (io > 0) fmt::print("io: dpdk-testpmd --forward-mode=io on the same ports (fwd): what the ports carry.\n");
  fmt::print("\n{:<13} {:<13} {:>9} {:>11} {:>17}{}\n", "workload", "engine", "Mpps", "cycles/pkt", "Mpps min..max",
             io > 0 ? fmt::format(" {:>7}", "of io") : "");
  for (const std::string& w : opt.workloads) {
    for (const std::string& e : opt.engines) {
      if (!applies(w, e)) continue;
      Med m = med(b.samples[w][e]);
      fmt::print("{:<13} {:<13} {:>9.2f} {:>11.1f} {:>8.2f}..{:<8.2f}{}\n", w, e, m.mpps, m.cpp, m.lo, m.hi,
                 io > 0 ? fmt::format(" {:>7}", ratio(m.mpps, io)) : "");
    }
  }
  auto mpps = [&](const std::string& w, const std::string& e) { return med(b.samples[w][e]).mpps; };
  fmt::print("\n{:<13} {:>10} {:>10}{}\n", "workload", "jit/native", "jit/interp",
             io > 0 ? fmt::format(" {:>7} {:>10}", "jit/io", "native/io") : "");
  for (const std::string& w : opt.workloads)
    fmt::print("{:<13} {:>10} {:>10}{}\n", w, ratio(mpps(w, "jit"), mpps(w, "native")),
               ratio(mpps(w, "jit"), mpps(w, "interp")),
               io > 0 ? fmt::format(" {:>7} {:>10}", ratio(mpps(w, "jit"), io), ratio(mpps(w, "native"), io)) : "");
  if (io > 0) fmt::print("(io: fwd under testpmd, the ports' limit, for every workload)\n");
  bool have_chain = std::find(opt.workloads.begin(), opt.workloads.end(), "chain5") != opt.workloads.end() &&
                    std::find(opt.workloads.begin(), opt.workloads.end(), "ttl") != opt.workloads.end();
  if (have_chain) {
    fmt::print("\nchain5/ttl:");
    for (const std::string& e : opt.engines)
      if (applies("chain5", e)) fmt::print("  {} {}", e, ratio(mpps("chain5", e), mpps("ttl", e)));
    fmt::print("\n");
  }
  // Where the cycles go: a fixed part (ports and runtime loop: fwd) and what each function adds.
  auto cpp = [&](const std::string& w, const std::string& e) { return med(b.samples[w][e]).cpp; };
  auto listed = [&](const std::string& w) {
    return std::find(opt.workloads.begin(), opt.workloads.end(), w) != opt.workloads.end();
  };
  if (listed("fwd") || have_chain) {
    fmt::print("\ncycles per packet: {:<7} {:>12} {:>18} {:>22}\n", "engine", "fixed (fwd)", "per TTL function",
               "per Classifier");
    fmt::print("                   {:<7} {:>12} {:>18} {:>22}\n", "", "", "(chain5 - ttl) / 4", "(classify - fwd)");
    for (const std::string& e : opt.engines) {
      if (!applies("fwd", e)) continue;
      auto num = [](bool ok, double v) { return ok ? fmt::format("{:.1f}", v) : std::string("-"); };
      fmt::print("                   {:<7} {:>12} {:>18} {:>22}\n", e, num(listed("fwd"), cpp("fwd", e)),
                 num(have_chain && e != "io", (cpp("chain5", e) - cpp("ttl", e)) / 4),
                 num(listed("fwd") && listed("classify") && e != "io", cpp("classify", e) - cpp("fwd", e)));
    }
  }
  if (have_comp) {
    fmt::print("\nJIT compile of a chain of N elements (jit_compile, code generation included; medians{}):\n",
               comp.concurrent ? "; alongside the runs" : "");
    fmt::print("  {:>3}  {:>9}  {:>7}  {:>7}  {:>7}  {:>9}  {:>8}  {:>9}  {}\n", "N", "total ms", "build", "parse",
               "link", "optimize", "codegen", "front end", "runs");
    for (int n : kCompileSizes) {
      const CompileSize& c = comp.sizes[n];
      fmt::print("  {:>3}  {:>9.1f}  {:>7.1f}  {:>7.1f}  {:>7.1f}  {:>9.1f}  {:>8.1f}  {:>9.1f}  {}\n", n, c.jit_ms,
                 c.build_ms, c.parse_ms, c.link_ms, c.optimize_ms, c.codegen_ms, c.front_ms, c.samples);
    }
    fmt::print("  a process's first compile (1 element; LLVM and LLJIT set-up included): {:.1f} ms\n", comp.init_ms);
    fmt::print("\nStart-up of a chain of N elements, ms (medians):\n");
    fmt::print("  {:>3}  {:>12}  {:>9}  {:>7}  {}\n", "N", "first packet", "JIT ready", "cached", "cache");
    for (int n : kCompileSizes) {
      const StartSize& s = comp.start[n];
      fmt::print("  {:>3}  {:>12.1f}  {:>9.1f}  {:>7.1f}  {}\n", n, s.first_packet, s.jit_ready, s.cached,
                 s.cache_state);
    }
    fmt::print(
        "  first packet: nbrun, from reading the file to its first burst forwarded (DPDK start-up and the\n"
        "  JIT compile included: nbrun forwards on JIT code only). JIT ready: front end and compile in this\n"
        "  process; cached: the same with the code in the on-disk cache.\n");
  }
  auto has = [&](const std::string& w, const std::string& e) { return !b.samples[w][e].empty(); };
  if (has("firewall", "jit") && has("firewall", "native")) {
    // The native firewall is a linear scan of the rules (the naive baseline), not nb's structure.
    // The target is on the rules (below): the whole graph's rate also carries the port I/O, which
    // caps its ratio at (linear scan's cycles) / (jit fwd's cycles) however fast the rules are.
    fmt::print("\nfirewall, whole graph with its port I/O: jit / linear scan = {:.2f}x in Mpps",
               mpps("firewall", "jit") / mpps("firewall", "native"));
    if (has("fwd", "jit"))
      fmt::print(" (at most {:.2f}x with this I/O: linear scan {:.1f} cycles/packet, jit fwd alone {:.1f})",
                 cpp("firewall", "native") / cpp("fwd", "jit"), cpp("firewall", "native"), cpp("fwd", "jit"));
    fmt::print("\n");
    if (has("fwd", "jit") && has("fwd", "native"))
      fmt::print("  firewall cycles per packet beyond fwd: jit {:.1f}, linear scan {:.1f} ({:.1f}x)\n",
                 cpp("firewall", "jit") - cpp("fwd", "jit"), cpp("firewall", "native") - cpp("fwd", "native"),
                 (cpp("firewall", "native") - cpp("fwd", "native")) / (cpp("firewall", "jit") - cpp("fwd", "jit")));
    // The rules alone: the same graph without them (firewall-base) taken away, in both engines.
    if (has("firewall-base", "jit") && has("firewall-base", "native")) {
      const double jit_rules = cpp("firewall", "jit") - cpp("firewall-base", "jit");
      const double scan_rules = cpp("firewall", "native") - cpp("firewall-base", "native");
      fmt::print("  the 100 rules alone (firewall - firewall-base), cycles per packet: jit {:.1f}, linear scan {:.1f}\n",
                 jit_rules, scan_rules);
      print_target("firewall rules: linear scan / jit", scan_rules / jit_rules, 5, true, "x");
    }
  }
  // What the packet length checks cost: the same ttl graph, the same kernels, built with and
  // without the checks (docs/ownership.md, "Bounds-checked access").
  if (has("ttl", "jit") && has("ttl", "jit-unchecked")) {
    fmt::print("\nlength checks on ttl: jit (checked) / jit-unchecked = {} in Mpps; {:+.1f} cycles/packet for the checks\n",
               ratio(mpps("ttl", "jit"), mpps("ttl", "jit-unchecked")), cpp("ttl", "jit") - cpp("ttl", "jit-unchecked"));
  }
  // Item 2 of issue 17: what nb's runtime adds per packet to the ports' own cost.
  if (has("fwd", "io")) {
    fmt::print("\nfwd, cycles per packet over testpmd io ({:.1f}):", cpp("fwd", "io"));
    for (const std::string& e : opt.engines)
      if (e != "io" && has("fwd", e)) fmt::print("  {} {:+.1f}", e, cpp("fwd", e) - cpp("fwd", "io"));
    fmt::print("\n");
  }
  if (has("fwd", "jit") && has("fwd", "io"))
    print_target("fwd jit / testpmd io", mpps("fwd", "jit") / mpps("fwd", "io"), 0.9, true, "x");
  // Issue 17's targets: the JIT, knowing the whole graph, at least as fast as per-element code.
  if (has("ttl", "jit") && has("ttl", "native"))
    print_target("ttl jit / native", mpps("ttl", "jit") / mpps("ttl", "native"), 1.0, true, "x");
  if (has("chain5", "jit") && has("chain5", "native"))
    print_target("chain5 jit / native", mpps("chain5", "jit") / mpps("chain5", "native"), 1.5, true, "x");
  if (has("chain5", "jit") && has("chain5", "interp"))
    print_target("chain5 jit / interp", mpps("chain5", "jit") / mpps("chain5", "interp"), 2, true, "x");
  if (has("chain5", "jit") && has("ttl", "jit"))
    print_target("chain5 / ttl (jit)", mpps("chain5", "jit") / mpps("ttl", "jit"), 0.8, true, "x");
  for (const char* w : {"firewall", "lpm", "nat", "maglev", "monitor", "ids"})
    if (has(w, "jit") && has(w, "native"))
      print_target(fmt::format("{} jit / native", w).c_str(), mpps(w, "jit") / mpps(w, "native"), 1.0, true, "x");
  if (have_comp) {
    print_target("compile 20 elements", comp.sizes[20].jit_ms, 60, false, "ms");
    print_target("compile 200 elements", comp.sizes[200].jit_ms, 600, false, "ms");
    print_target("start: first packet, 20 elements", comp.start[20].first_packet, 20, false, "ms");
    print_target("start: JIT ready, 20 elements", comp.start[20].jit_ready, 60, false, "ms");
    print_target("start: JIT ready, 200 elements", comp.start[200].jit_ready, 600, false, "ms");
    print_target("start: cached, 20 elements", comp.start[20].cached, 5, false, "ms");
  }
  if (scaling) {
    // Issue 16: how throughput grows with workers, each on its own CPU where there are enough.
    fmt::print("\nScaling (jit, Mpps; ratio: {} workers over {}):\n", opt.workers.back(), opt.workers.front());
    std::string head;
    for (const char* kind : {"multi-queue", "dispatch"}) {
      head += fmt::format("  |{:>12}", kind);
      for (int n : opt.workers) head += fmt::format(" {:>7}", fmt::format("{}w", n));
      head += fmt::format(" {:>6}", "ratio");
    }
    fmt::print("{:<13}{}\n", "workload", head);
    for (const std::string& w : opt.workloads) {
      if (!scales(w)) continue;
      std::string row;
      for (const char* kind : {"mq", "dispatch"}) {
        row += fmt::format("  |{:>12}", "");
        for (int n : opt.workers) row += fmt::format(" {:>7.2f}", median(b.scaling[kind][w][n]));
        row += fmt::format(" {:>6}", ratio(median(b.scaling[kind][w][opt.workers.back()]),
                                           median(b.scaling[kind][w][opt.workers.front()])));
      }
      fmt::print("{:<13}{}\n", w, row);
    }
    fmt::print(
        "multi-queue: a net_pcap with one rx queue per worker; dispatch: one net_pcap queue, nbrun's software "
        "dispatch.\n");
    if (opt.workers.size() >= 2 && opt.workers.front() == 1 && opt.workers.back() == 2) {
      for (const std::string& w : opt.workloads)
        if (scales(w))
          print_target(fmt::format("{} 2 workers / 1 (multi-queue)", w).c_str(),
                       median(b.scaling["mq"][w][2]) / median(b.scaling["mq"][w][1]), 1.8, true, "x");
    }
  }
  return 0;
}
