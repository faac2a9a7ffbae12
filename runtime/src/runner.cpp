// EAL start-up, ports, the run-to-completion worker loop and the final report.
#include <nb/runtime/interp.hpp>
#include <nb/runtime/jit_engine.hpp>
#include <nb/runtime/runner.hpp>

#include <fmt/format.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace nb::runtime {
namespace {

std::atomic<bool> g_stop{false};

constexpr std::uint16_t kNoPort = 0xffff;

struct Source {
  std::uint32_t element;
  std::uint32_t plan_port;
  std::uint16_t port_id;
  std::uint16_t queue;
  bool finite;  // a pcap file read once: ends the run when every source has ended
  bool done = false;
};

// Totals the worker publishes for the progress line (the only data shared while running).
struct Live {
  std::atomic<std::uint64_t> rx{0}, tx{0}, dropped{0};
  std::atomic<bool> finished{false};
};

struct Worker {
  Dataplane* dp;
  Engine* engine;
  std::vector<Source> sources;
  std::uint64_t packet_limit = 0;
  std::uint32_t burst = 32;
  Live* live;
  std::string stop_reason;
  std::uint64_t cycles = 0;       // TSC cycles the worker loop ran
  void (*tick)(void*) = nullptr;  // progress when the worker runs on the main lcore
  void* tick_arg = nullptr;
};

std::uint64_t total_drops(const Dataplane& dp) {
  std::uint64_t n = 0;
  for (const auto& d : dp.drops)
    for (std::uint64_t v : d) n += v;
  for (const auto& p : dp.ports) n += p.tx_dropped;
  return n;
}

int worker_main(void* arg) {
  auto* w = static_cast<Worker*>(arg);
  std::uint64_t tsc_start = rte_rdtsc();
  Dataplane& dp = *w->dp;
  std::vector<rte_mbuf*> pkts(w->burst);
  std::uint64_t received = 0;
  std::uint64_t iterations = 0;
  bool all_finite = !w->sources.empty();
  for (const Source& s : w->sources) all_finite &= s.finite;
  if (w->sources.empty()) w->stop_reason = "the graph has no sources";

  while (!g_stop.load(std::memory_order_relaxed) && !w->sources.empty()) {
    std::size_t ended = 0;
    for (Source& s : w->sources) {
      if (s.done) {
        ++ended;
        continue;
      }
      std::uint16_t n = rte_eth_rx_burst(s.port_id, s.queue, pkts.data(), static_cast<std::uint16_t>(w->burst));
      if (n == 0) {
        // A pcap file at its end returns nothing; so does an empty mempool, which is not the end.
        if (s.finite && rte_mempool_avail_count(dp.pool) >= 2 * w->burst) s.done = true;
        continue;
      }
      if (w->packet_limit && received + n > w->packet_limit) {
        std::uint16_t keep = static_cast<std::uint16_t>(w->packet_limit - received);
        rte_pktmbuf_free_bulk(pkts.data() + keep, n - keep);
        n = keep;
      }
      for (std::uint16_t i = 0; i < n; ++i) {
        // Annotations live in the mbuf's private area, which holds whatever its last user left.
        new (pkts[i] + 1) PacketAnno{};
      }
      received += n;
      dp.ports[s.plan_port].rx += n;
      w->engine->process(s.element, pkts.data(), n);
      dp.flush_all();
      if (w->packet_limit && received >= w->packet_limit) {
        w->stop_reason = fmt::format("--packets {} reached", w->packet_limit);
        g_stop = true;
        break;
      }
    }
    if (all_finite && ended == w->sources.size()) {
      w->stop_reason = "every input file was read to its end";
      break;
    }
    if ((++iterations & 255) == 0) {
      std::uint64_t tx = 0;
      for (const auto& p : dp.ports) tx += p.tx;
      w->live->rx.store(received, std::memory_order_relaxed);
      w->live->tx.store(tx, std::memory_order_relaxed);
      w->live->dropped.store(total_drops(dp), std::memory_order_relaxed);
      if (w->tick) w->tick(w->tick_arg);
    }
  }
  dp.flush_all();
  w->cycles = rte_rdtsc() - tsc_start;
  if (w->stop_reason.empty()) w->stop_reason = "stopped";
  w->live->finished = true;
  return 0;
}

void on_signal(int) { g_stop = true; }

bool is_number(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// DPDK keeps its runtime files under /run/dpdk/<prefix> (often RAM) and leaves them at exit;
// the prefix is nbrun's own unless the user chose one, so nbrun removes them.
std::string g_owned_runtime_dir;

void cleanup_eal() {
  rte_eal_cleanup();
  if (!g_owned_runtime_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(g_owned_runtime_dir, ec);
    g_owned_runtime_dir.clear();
  }
}

bool start_eal(const RunOptions& o, std::string& error) {
  std::vector<std::string> args{"nbrun"};
  bool has_prefix = false;
  for (const std::string& a : o.eal_args) has_prefix |= a.rfind("--file-prefix", 0) == 0;
  if (o.eal_args.empty()) {
    // The embedded default: no NIC, no hugepages, two lcores (main + one worker) when we can.
    unsigned cores = std::thread::hardware_concurrency();
    args.insert(args.end(), {"-l", cores >= 2 ? "0-1" : "0", "--no-huge", "-m", "512", "--no-pci",
                             "--no-telemetry", "--log-level=*:warning"});
  } else {
    args.insert(args.end(), o.eal_args.begin(), o.eal_args.end());
  }
  // Several nbrun at once must not share DPDK's runtime files.
  if (!has_prefix) args.push_back(fmt::format("--file-prefix=nb-{}", getpid()));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = rte_eal_init(static_cast<int>(args.size()), argv.data());
  if (!has_prefix && rte_eal_get_runtime_dir()[0] != '\0') g_owned_runtime_dir = rte_eal_get_runtime_dir();
  if (rc < 0) {
    error = fmt::format("DPDK initialisation failed: {}", rte_strerror(rte_errno));
    if (!has_prefix) {
      std::error_code ec;
      std::filesystem::remove_all(fmt::format("/run/dpdk/nb-{}", getpid()), ec);
    }
    return false;
  }
  return true;
}

std::uint32_t round_pool(std::uint64_t n) {
  std::uint32_t p = 4095;
  while (p < n && p < 262143) p = p * 2 + 1;
  return p;
}

struct OpenPorts {
  std::vector<std::uint16_t> ids;
  std::vector<bool> started;
};

bool check_pcap(const std::string& file, std::string& why) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_open_offline(file.c_str(), err);
  if (!pc) {
    why = err;
    return false;
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  std::uint64_t n = 0;
  int rc;
  while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) ++n;
  if (rc == PCAP_ERROR) why = fmt::format("{} (after {} good packets)", pcap_geterr(pc), n);
  pcap_close(pc);
  return rc != PCAP_ERROR;
}

bool open_ports(compiler::Plan& plan, const RunOptions& o, rte_mempool* pool, OpenPorts& open,
                lang::DiagnosticEngine& diags) {
  open.ids.assign(plan.ports.size(), kNoPort);
  open.started.assign(plan.ports.size(), false);
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    compiler::PlanPort& p = plan.ports[i];
    std::uint16_t id = kNoPort;
    if (p.kind != compiler::PlanPort::Kind::Device) {
      if (p.file.find(',') != std::string::npos) {
        diags.error(p.arg_span, fmt::format("pcap file names cannot contain ',' (DPDK's net_pcap arguments): '{}'", p.file));
        return false;
      }
      if (p.kind == compiler::PlanPort::Kind::PcapIn) {
        FILE* f = std::fopen(p.file.c_str(), "rb");
        if (!f) {
          diags.error(p.arg_span, fmt::format("cannot open '{}': {}", p.file, std::strerror(errno)));
          return false;
        }
        std::fclose(f);
        // net_pcap treats a read error as the end of the file, so a damaged capture would look
        // like a short one. Read it through once with libpcap and say where it breaks.
        std::string why;
        if (!check_pcap(p.file, why)) {
          diags.error(p.arg_span, fmt::format("'{}' is not a readable capture: {}", p.file, why));
          return false;
        }
      }
      std::string name = fmt::format("net_pcap_nb{}", i);
      std::string args = p.kind == compiler::PlanPort::Kind::PcapIn
                             ? fmt::format("rx_pcap={}{}", p.file, p.loop ? ",infinite_rx=1" : "")
                             : fmt::format("tx_pcap={}", p.file);
      if (rte_vdev_init(name.c_str(), args.c_str()) != 0) {
        auto& d = diags.error(p.arg_span, p.kind == compiler::PlanPort::Kind::PcapIn
                                              ? fmt::format("cannot read '{}' as a pcap file", p.file)
                                              : fmt::format("cannot create pcap file '{}'", p.file));
        d.note("DPDK's net_pcap device refused it; is it a readable capture file, and its directory writable?");
        return false;
      }
      if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) id = kNoPort;
    } else if (is_number(p.device)) {
      unsigned long v = std::stoul(p.device);
      if (v >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(static_cast<std::uint16_t>(v))) {
        diags.error(p.arg_span, fmt::format("there is no DPDK port {} ({} ports available)", p.device,
                                            rte_eth_dev_count_avail()))
            .note("pass devices to DPDK after '--', e.g. nbrun cfg.nbc -- -a 0000:01:00.0, or name a vdev such as net_tap0,iface=nb0");
        return false;
      }
      id = static_cast<std::uint16_t>(v);
    } else if (rte_eth_dev_get_port_by_name(p.device.c_str(), &id) != 0) {
      std::string name = p.device.substr(0, p.device.find(','));
      std::string args = p.device.find(',') == std::string::npos ? "" : p.device.substr(p.device.find(',') + 1);
      if (rte_vdev_init(name.c_str(), args.c_str()) != 0 || rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) {
        diags.error(p.arg_span, fmt::format("cannot create DPDK device '{}'", p.device))
            .note("virtual devices look like net_null0, net_ring0, net_tap0,iface=nb0 or net_af_packet0,iface=veth0; "
                  "PCI devices must be passed to DPDK after '--' with -a");
        return false;
      }
    }
    if (id == kNoPort) {
      diags.error(p.arg_span, "the DPDK device was created but has no port");
      return false;
    }
    open.ids[i] = id;
    rte_eth_dev_info info;
    if (rte_eth_dev_info_get(id, &info) != 0) {
      diags.error(p.arg_span, "cannot query the DPDK device");
      return false;
    }
    std::uint16_t nrx = p.rx ? 1 : 0;
    std::uint16_t ntx = p.tx ? 1 : 0;
    // Some drivers want at least one queue of each kind.
    if (nrx == 0 && info.max_rx_queues > 0 && ntx == 0) nrx = 1;
    rte_eth_conf conf{};
    int rc = rte_eth_dev_configure(id, nrx, ntx, &conf);
    if (rc != 0 && (nrx == 0 || ntx == 0)) {
      nrx = info.max_rx_queues ? 1 : 0;
      ntx = info.max_tx_queues ? 1 : 0;
      rc = rte_eth_dev_configure(id, nrx, ntx, &conf);
    }
    if (rc != 0) {
      diags.error(p.arg_span, fmt::format("cannot configure the DPDK device: {}", rte_strerror(-rc)));
      return false;
    }
    std::uint16_t rxd = static_cast<std::uint16_t>(p.rx_desc ? p.rx_desc : o.rx_desc);
    std::uint16_t txd = static_cast<std::uint16_t>(p.tx_desc ? p.tx_desc : o.tx_desc);
    rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
    int socket = rte_eth_dev_socket_id(id);
    if (socket < 0) socket = static_cast<int>(rte_socket_id());
    for (std::uint16_t q = 0; q < nrx; ++q) {
      if ((rc = rte_eth_rx_queue_setup(id, q, rxd, static_cast<unsigned>(socket), nullptr, pool)) != 0) {
        diags.error(p.arg_span, fmt::format("cannot set up the receive queue: {}", rte_strerror(-rc)));
        return false;
      }
    }
    for (std::uint16_t q = 0; q < ntx; ++q) {
      if ((rc = rte_eth_tx_queue_setup(id, q, txd, static_cast<unsigned>(socket), nullptr)) != 0) {
        diags.error(p.arg_span, fmt::format("cannot set up the transmit queue: {}", rte_strerror(-rc)));
        return false;
      }
    }
    if ((rc = rte_eth_dev_start(id)) != 0) {
      diags.error(p.arg_span, fmt::format("cannot start the DPDK device: {}", rte_strerror(-rc)));
      return false;
    }
    open.started[i] = true;
    if (p.promisc) rte_eth_promiscuous_enable(id);
  }
  return true;
}

void close_ports(OpenPorts& open) {
  for (std::size_t i = 0; i < open.ids.size(); ++i) {
    if (open.ids[i] == kNoPort) continue;
    if (open.started[i]) rte_eth_dev_stop(open.ids[i]);
    rte_eth_dev_close(open.ids[i]);  // closes pcap dumpers, so output files are complete
  }
}

struct ProgressLine {
  Live* live;
  std::chrono::steady_clock::time_point start, last;
  std::uint64_t last_rx = 0;
  bool enabled = false;
  bool printed = false;

  void tick(bool force = false) {
    if (!enabled) return;
    auto now = std::chrono::steady_clock::now();
    double since = std::chrono::duration<double>(now - last).count();
    if (!force && since < 1.0) return;
    std::uint64_t rx = live->rx.load(std::memory_order_relaxed);
    double mpps = since > 0 ? static_cast<double>(rx - last_rx) / since / 1e6 : 0;
    double t = std::chrono::duration<double>(now - start).count();
    std::fprintf(stderr, "\r[nbrun %6.1fs] in %llu  out %llu  dropped %llu  %.3f Mpps   ", t,
                 static_cast<unsigned long long>(rx), static_cast<unsigned long long>(live->tx.load()),
                 static_cast<unsigned long long>(live->dropped.load()), mpps);
    std::fflush(stderr);
    printed = true;
    last = now;
    last_rx = rx;
  }
  void finish() {
    if (printed) std::fprintf(stderr, "\n");
  }
};

void tick_trampoline(void* p) { static_cast<ProgressLine*>(p)->tick(); }

void fill_report(const compiler::Plan& plan, const Dataplane& dp, const OpenPorts& open, double seconds,
                 RunReport& r) {
  r.seconds = seconds;
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    const compiler::PlanPort& p = plan.ports[i];
    PortReport pr;
    pr.name = p.name.substr(0, p.name.find(','));
    pr.device = p.kind == compiler::PlanPort::Kind::Device ? p.device : p.file;
    pr.rx = dp.ports[i].rx;
    pr.tx = dp.ports[i].tx;
    pr.dropped = dp.ports[i].tx_dropped;
    rte_eth_stats st{};
    if (open.ids[i] != kNoPort && rte_eth_stats_get(open.ids[i], &st) == 0) pr.dropped += st.imissed;
    r.rx += pr.rx;
    r.tx += pr.tx;
    r.dropped += pr.dropped;
    r.ports.push_back(std::move(pr));
  }
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const compiler::PlanElement& e = plan.elements[i];
    ElementReport er;
    er.name = e.name;
    er.cls = std::string(e.spec->class_name);
    if (e.ops && e.ops->role == ElementOps::Role::Kernel) {
      auto* base = static_cast<const unsigned char*>(dp.states[i].data());
      for (const CounterField& c : e.ops->counters) {
        std::uint64_t v;
        std::memcpy(&v, base + c.offset, sizeof v);
        er.counters.emplace_back(std::string(c.name), v);
        if (c.name == "count" && seconds > 0) er.rate = static_cast<double>(v) / seconds;
      }
      const auto& d = dp.drops[i];
      for (std::size_t k = 0; k < d.size(); ++k) {
        std::string reason = k < e.ops->drop_reasons.size() ? std::string(e.ops->drop_reasons[k])
                             : k == d.size() - 2             ? "no buffers"
                                                             : "unconnected output";
        if (d[k] || k < e.ops->drop_reasons.size()) er.drop_reasons.emplace_back(reason, d[k]);
        er.drops += d[k];
      }
    }
    r.dropped += er.drops;
    r.elements.push_back(std::move(er));
  }
}

}  // namespace

void request_stop() { g_stop = true; }

bool run(compiler::Plan& plan, const RunOptions& o, lang::DiagnosticEngine& diags, RunReport& report) {
  std::string error;
  if (!start_eal(o, error)) {
    diags.error(lang::Span{}, error)
        .note("with no EAL arguments nbrun uses --no-huge -m 512 --no-pci; pass your own after '--'");
    return false;
  }
  // Every port's descriptors, bursts in flight, and copies made by Tee.
  std::uint64_t need = 2048;
  for (const auto& p : plan.ports) {
    if (p.rx) need += (p.rx_desc ? p.rx_desc : o.rx_desc) + 2 * o.burst;
    if (p.tx) need += (p.tx_desc ? p.tx_desc : o.tx_desc) + 2 * o.burst;
  }
  std::uint32_t npool = o.mempool ? o.mempool : round_pool(need);
  rte_mempool* pool = rte_pktmbuf_pool_create("nb_mbufs", npool, 256, 32, RTE_MBUF_DEFAULT_BUF_SIZE,
                                              static_cast<int>(rte_socket_id()));
  if (!pool) {
    diags.error(lang::Span{}, fmt::format("cannot allocate a mempool of {} packet buffers: {}", npool,
                                          rte_strerror(rte_errno)))
        .note("give DPDK more memory after '--' (e.g. -- -m 1024 --no-huge), or fewer buffers with --mempool");
    cleanup_eal();
    return false;
  }
  OpenPorts open;
  if (!open_ports(plan, o, pool, open, diags)) {
    close_ports(open);
    cleanup_eal();
    return false;
  }

  auto dp = std::make_unique<Dataplane>(plan, pool, o.burst);
  for (std::size_t i = 0; i < plan.ports.size(); ++i) dp->tx[i].port_id = open.ids[i];
  if (std::string setup_error; !dp->setup_elements(setup_error)) {
    diags.error(lang::Span{}, fmt::format("cannot set up element {}", setup_error));
    dp.reset();
    close_ports(open);
    rte_mempool_free(pool);
    cleanup_eal();
    return false;
  }
  std::unique_ptr<Engine> engine;
  if (o.engine == "jit") {
    std::string jit_error;
    engine = JitEngine::create(*dp, jit_error);
    if (!engine) {
      // No silent fallback to the interpreter: say why and stop.
      diags.error(lang::Span{}, fmt::format("the JIT cannot compile this graph: {}", jit_error))
          .note("run with --engine=interp to use the reference interpreter instead");
      dp.reset();
      close_ports(open);
      rte_mempool_free(pool);
      cleanup_eal();
      return false;
    }
  } else {
    engine = std::make_unique<InterpEngine>(*dp);
  }

  Live live;
  Worker w;
  w.dp = dp.get();
  w.engine = engine.get();
  w.burst = o.burst;
  w.packet_limit = o.packets;
  w.live = &live;
  for (std::uint32_t src : plan.sources) {
    const compiler::PlanElement& e = plan.elements[src];
    const compiler::PlanPort& p = plan.ports[static_cast<std::size_t>(e.port)];
    w.sources.push_back(Source{src, static_cast<std::uint32_t>(e.port), open.ids[static_cast<std::size_t>(e.port)],
                               0, p.kind == compiler::PlanPort::Kind::PcapIn && !p.loop});
  }

  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  ProgressLine progress;
  progress.live = &live;
  progress.start = progress.last = std::chrono::steady_clock::now();
  progress.enabled = o.progress && isatty(STDERR_FILENO);

  std::atomic<bool> duration_hit{false};
  unsigned worker_lcore = rte_get_next_lcore(-1, 1, 0);
  auto start = std::chrono::steady_clock::now();
  if (worker_lcore < RTE_MAX_LCORE) {
    rte_eal_remote_launch(worker_main, &w, worker_lcore);
    while (!live.finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      progress.tick();
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (o.duration > 0 && t >= o.duration && !g_stop) {
        duration_hit = true;
        g_stop = true;
      }
    }
    rte_eal_wait_lcore(worker_lcore);
  } else {
    w.tick = tick_trampoline;
    w.tick_arg = &progress;
    std::thread timer;
    if (o.duration > 0) {
      timer = std::thread([&] {
        while (!live.finished.load()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          if (t >= o.duration) {
            duration_hit = true;
            g_stop = true;
            break;
          }
        }
      });
    }
    worker_main(&w);
    if (timer.joinable()) timer.join();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.tick(true);
  progress.finish();
  if (duration_hit) w.stop_reason = fmt::format("--duration {} reached", o.duration);
  else if (g_stop && w.stop_reason == "stopped") w.stop_reason = "stopped by a signal";
  report.stop_reason = w.stop_reason;
  report.worker_cycles = w.cycles;
  report.tsc_hz = rte_get_tsc_hz();
  fill_report(plan, *dp, open, seconds, report);
  close_ports(open);
  engine.reset();
  dp.reset();
  rte_mempool_free(pool);
  cleanup_eal();
  return true;
}

}  // namespace nb::runtime
