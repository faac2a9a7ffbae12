// ControlSocket: Click's text control protocol (Click::ControlSocket/1.3) over TCP or a UNIX
// socket, served on nbrun's control thread over the running graph's handlers (docs/control.md).
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct ControlSocket {
  static const ElementSpec spec;
  // One listener for the router: setup opens it once (worker 0's block), the control thread
  // serves it from that block.
  static constexpr StateScope kStateScope = StateScope::SharedReadMostly;
  static constexpr std::uint64_t kPollNs = 2'000'000;  // how often the control thread looks at it
  static constexpr std::size_t kMaxPath = 108;         // sockaddr_un's sun_path

  struct Config {
    bool unix_socket;  // TYPE UNIX (else TCP)
    bool port_plus;    // PORT N+: N or one of the next ten
    std::uint16_t port;
    bool read_only, verbose, localhost, retry_warnings;
    std::uint32_t retries;
    char path[kMaxPath];
  };
  struct Server;  // the listener and its connections (control_socket.cpp)
  struct State {
    Server* server;
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  static bool setup(const Config& config, State& state, std::string& error);
  static void teardown(const Config& config, State& state);
  static bool control(const Config& config, State& state, ControlContext& ctx, ControlCall& call);

  // The protocol without sockets, for tests: serves the complete commands at the front of `in`
  // (which loses them) and appends the replies to `out`. False once QUIT was served.
  static bool serve(const Config& config, ControlContext& ctx, std::string& in, std::string& out, bool in_closed);
};

}  // namespace nb::elements
