// nbrun: run a .nbc graph on DPDK, with a control socket for nbctl (docs/control.md).
//   nbrun [options] CONFIG [NAME=VALUE...] [-- EAL arguments]
// SIGHUP reloads CONFIG (hot reload: the graph keeps running if the new one has errors).
// Exit status: 0 success, 1 errors (in the config, its files or devices), 2 usage errors.
#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>
#include <nb/runtime/runner.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  // Everything after "--" belongs to DPDK's EAL.
  std::vector<std::string> eal;
  int own_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      own_argc = i;
      for (int k = i + 1; k < argc; ++k) eal.emplace_back(argv[k]);
      break;
    }
  }

  CLI::App app{"nbrun - run an nb packet-processing graph (.nbc) on DPDK.\n"
               "With no EAL arguments it runs without NIC or hugepages (--no-huge --no-pci).\n"
               "Pass EAL arguments after '--', e.g.: nbrun cfg.nbc -- -l 2-3 -a 0000:01:00.0",
               "nbrun"};
  app.set_version_flag("--version", "nbrun " NB_PROJECT_VERSION, "Print the version and exit");
  std::string config;
  nb::runtime::RunOptions opt;
  std::string stats = "text";
  bool quiet = false;
  app.add_option("CONFIG", config, "The .nbc graph to run")->required();
  std::vector<std::string> definition_args;
  app.add_option("NAME=VALUE", definition_args,
                 "Definitions of $NAME for the graph (and its reloads), over a define($NAME ...) of the file, as "
                 "Click's `click cfg.click NAME=VALUE`");
  opt.engine = "tiered";
  app.add_option("--engine", opt.engine,
                 "Execution engine: tiered (default: the interpreter forwards from the first packet while the JIT "
                 "compiles, then the JIT's code takes over without a pause), jit (the graph compiled to one fused "
                 "loop before the first packet) or interp (the reference interpreter)")
      ->check(CLI::IsMember({"interp", "jit", "tiered"}));
  bool no_jit_cache = false;
  app.add_flag("--no-jit-cache", no_jit_cache,
               "Neither read nor write the on-disk cache of JIT code ($XDG_CACHE_HOME/nb/jit): always compile");
  app.add_option("--duration", opt.duration, "Stop after this many seconds")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {  // CLI11's NonNegativeNumber prints DBL_MAX in 300 digits
            char* end = nullptr;
            double v = std::strtod(s.c_str(), &end);
            return !s.empty() && *end == '\0' && v >= 0 && v <= 1e9
                       ? ""
                       : "must be a number of seconds from 0 to 1000000000";
          },
          "SECONDS"));
  app.add_option("--packets", opt.packets, "Stop after this many packets were received");
  app.add_option("--stats", stats, "Final statistics: text (on stderr) or json (on stdout)")
      ->check(CLI::IsMember({"text", "json", "none"}));
  std::string workers = "1";
  app.add_option("--workers", workers,
                 "Worker cores, each running the whole graph (docs/multicore.md): a number from 1 to " +
                     std::to_string(nb::runtime::kMaxWorkers) +
                     ", or auto (every EAL lcore but the main one). Default 1")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            if (s == "auto") return "";
            char* end = nullptr;
            long v = std::strtol(s.c_str(), &end, 10);
            return !s.empty() && *end == '\0' && v >= 1 && v <= static_cast<long>(nb::runtime::kMaxWorkers)
                       ? ""
                       : "must be a number of workers from 1 to " + std::to_string(nb::runtime::kMaxWorkers) +
                             ", or auto";
          },
          "N|auto"));
  app.add_option("--burst", opt.burst, "Packets per rx/tx burst")->check(CLI::Range(1, 64));
  app.add_option("--rx-desc", opt.rx_desc, "Receive descriptors per queue")->check(CLI::Range(32, 16384));
  app.add_option("--tx-desc", opt.tx_desc, "Transmit descriptors per queue")->check(CLI::Range(32, 16384));
  app.add_option("--mempool", opt.mempool, "Packet buffers in the mempool (0: sized from the graph)");
  app.add_flag("-q,--quiet", quiet, "No live progress line");
  bool no_control = false;
  app.add_option("--control", opt.control_path,
                 "Serve the control socket (nbctl, docs/control.md) at this path (default: "
                 "$XDG_RUNTIME_DIR/nb/nbrun-PID.sock, or /run/nb/nbrun-PID.sock)");
  app.add_flag("--no-control", no_control, "Serve no control socket (SIGHUP and --watch still reload)");
  app.add_flag("--watch", opt.watch, "Reload the graph whenever CONFIG changes (as `nbctl reload` does)");
  std::vector<std::string> plugin_paths;
  app.add_option("--plugin", plugin_paths,
                 "Load this element plugin (.so) before the config, as require(plugin \"PATH\") would; may be repeated")
      ->allow_extra_args(false);

  try {
    app.parse(own_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  for (const std::string& a : definition_args) {
    nb::compiler::Definition d;
    std::string error;
    if (!nb::compiler::parse_definition(a, d, error) || !nb::compiler::add_definition(opt.definitions, d, error)) {
      fmt::print(stderr, "nbrun: error: {}\n", error);
      if (nb::compiler::is_definition(config))
        fmt::print(stderr, "note: the configuration file comes first: nbrun [options] CONFIG NAME=VALUE...\n");
      return 2;
    }
  }
  opt.workers = workers == "auto" ? 0u : static_cast<std::uint32_t>(std::stoul(workers));
  opt.jit_cache = !no_jit_cache;
  opt.eal_args = eal;
  opt.progress = !quiet;
  opt.config_path = config;
  opt.control = !no_control;
  if (no_control && !opt.control_path.empty()) {
    fmt::print(stderr, "nbrun: error: --control and --no-control exclude each other\n");
    return 2;
  }

  nb::lang::SourceManager sources;
  nb::lang::DiagnosticEngine diags;
  std::string err;
  auto id = sources.load(config, err);
  if (id == nb::lang::kNoFile) {
    fmt::print(stderr, "nbrun: error: {}\n", err);
    return 1;
  }
  opt.read_at = std::chrono::steady_clock::now();
  bool color = isatty(STDERR_FILENO);
  std::vector<nb::compiler::PluginRef> plugins;
  for (const std::string& path : plugin_paths) {
    auto p = nb::compiler::load_plugin(path, err);
    if (!p) {
      fmt::print(stderr, "nbrun: error: {}\n", err);
      return 1;
    }
    plugins.push_back(std::move(p));
  }
  auto front =
      nb::compiler::compile_front_end(sources, id, nb::compiler::Registry::builtin(), diags, plugins, opt.definitions);
  if (!front.graph) {
    diags.render(std::cerr, sources, color);
    return 1;
  }
  auto plan = nb::compiler::lower(*front.graph, diags);
  if (!plan) {
    diags.render(std::cerr, sources, color);
    return 1;
  }
  opt.plugins = plugins;
  nb::runtime::RunReport report;
  bool ok = false;
  try {
    ok = nb::runtime::run(*plan, opt, diags, report);
  } catch (const std::exception& e) {
    fmt::print(stderr, "nbrun: internal error: {}\n", e.what());
    return 1;
  }
  diags.render(std::cerr, sources, color);
  if (!ok) return 1;
  if (stats == "json") std::cout << nb::runtime::report_json(report) << std::flush;
  else if (stats == "text") std::cerr << nb::runtime::report_text(report);
  // The run went through, but something it wrote is incomplete: say so last, and fail.
  for (const std::string& e : report.errors) fmt::print(stderr, "nbrun: error: {}\n", e);
  return report.errors.empty() ? 0 : 1;
}
