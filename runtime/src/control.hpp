// nbrun's control thread: the unix socket (docs/control.md), handlers, hot reload, SIGHUP and
// --watch. It never runs on a worker core.
#pragma once

#include "engine_room.hpp"

#include <nb/runtime/control_protocol.hpp>

#include <sys/types.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace nb::runtime::detail {

class ControlServer {
 public:
  ControlServer(Runtime& rt, Live& live) : rt_(rt), live_(live) {}
  ~ControlServer() { stop(); }
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Opens the socket (unless disabled), installs the SIGHUP handler and starts the thread.
  // Returns false with `error` when the socket cannot be served (the thread still runs, for
  // SIGHUP and --watch); `note` says anything else worth knowing.
  bool start(std::string& error, std::string& note);
  // Finishes the request in progress, stops the thread and removes the socket.
  void stop();
  const std::string& socket_path() const { return path_; }

 private:
  struct Client {
    int fd = -1;
    control::LineReader in;
    std::string out;
    bool closing = false;  // close once `out` is written
  };
  struct Stamp {
    bool exists = false;
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;
    std::uint64_t ino = 0;
    bool operator==(const Stamp&) const = default;
  };

  bool open_socket(std::string& error);
  void loop();
  void accept_clients();
  void read_client(Client& c);
  void write_client(Client& c);
  std::string handle(std::string_view line, bool& ok);

  // Handlers.
  std::string list();
  bool read_handler(const std::string& element, const std::string& handler, std::string& out);
  // Click's global handlers (element empty): version, list, classes, config, flatconfig, ...
  bool read_global(const std::string& handler, std::string& out);
  bool write_handler(const std::string& element, const std::string& handler, const std::string& value,
                     std::string& out);
  // Runs fn on the worker core between two bursts (or here when no worker runs).
  // Runs fn(w) on every worker w, each between two of its bursts (a worker that has stopped:
  // here). False with `error` if a worker did not reach a burst boundary in time.
  bool on_each_worker(const std::function<void(std::uint32_t)>& fn, std::string& error);
  // Runs fn here while every worker is parked between two bursts.
  bool with_workers_parked(const std::function<void()>& fn, std::string& error);
  void sample_rates();
  // Control elements (ElementOps::control, Script): runs those whose wake-up time came, and
  // starts those of a new graph. Returns how long poll may sleep until the next one is due.
  int run_control_elements();
  // Calls element idx's control function with `call` (a timer, or one of its handlers).
  bool call_control(std::uint32_t idx, ControlCall& call);
  void stop_from_control();
  // The running graph's DRIVER script (its control function answers `driver` with true): sets
  // driver_managed(). The first one, when there are several.
  void find_driver();
  // Steps the DRIVER script once per stop event posted since the last call (at most 1000).
  void serve_stop_events();
  double rate_of(const std::uint64_t* key, std::uint64_t now_value);

  // Hot reload. Returns true and a JSON body, or false and the error text (diagnostics with
  // file:line:col).
  // `text`: compile this instead of reading `file` (a written `config` handler).
  bool reload(std::string file, const char* why, std::string& body, const std::string* text = nullptr);
  // --engine tiered: compiles the running (first) graph's JIT code and switches the workers to
  // it as a reload does, every State, counter and port kept. Runs once, first thing.
  void tier_up();
  // Publishes `gen` to every worker and waits until none uses the generation before.
  void publish_and_wait(Generation& gen);
  // A failed reload on nbrun's stderr: which file, who asked, and the diagnostics.
  void log_failed_reload(const std::string& file, const char* why, const std::string& body) const;
  Stamp stamp_of(const std::string& file) const;

  Runtime& rt_;
  Live& live_;
  std::string path_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<bool> quit_{false};
  bool running_ = false;
  std::vector<Client> clients_;
  Stamp watched_;
  std::string watched_file_;
  std::chrono::steady_clock::time_point next_watch_{}, next_sample_{};
  // Rate handlers: recent (time, value) samples of each counter, keyed by its address (State
  // blocks kept by a reload keep their address, so rates run on across reloads).
  std::map<const std::uint64_t*, std::deque<std::pair<double, std::uint64_t>>> samples_;
  // Each control element's State block (kept alive here: a reload that keeps the block keeps
  // the element's place, a new block is a new start) and when it runs next (ns, steady clock).
  struct ControlWake {
    std::shared_ptr<compiler::AlignedBlock> state;
    std::uint64_t at = 0;
  };
  std::vector<ControlWake> control_wakes_;
  std::string driver_;  // the DRIVER script's name, or empty
};

}  // namespace nb::runtime::detail
