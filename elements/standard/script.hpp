// Script: Click's script language for controlling a running router. A control element
// (nb/element.hpp, "Control elements"): nbrun runs it on its control thread, where it reads and
// writes the other elements' handlers as nbctl does.
#pragma once

#include <nb/element.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nb::elements {

struct Script {
  static const ElementSpec spec;
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  static constexpr std::uint32_t kMaxInsns = 128;
  static constexpr std::uint32_t kMaxText = 8192;
  static constexpr std::uint32_t kMaxVars = 32;
  static constexpr std::uint32_t kMaxName = 32;
  static constexpr std::uint32_t kMaxValue = 256;
  static constexpr std::uint32_t kMaxJumps = 1000;  // gotos without blocking: a loop, given up (as Click)

  enum class Type : std::uint8_t { Active, Passive, Proxy, Driver };
  enum class Op : std::uint8_t {
    WaitStep,  // pause [N]: until the step handler was written N times
    WaitTime,  // wait TIME
    Print,
    Read,
    Write,
    Set,
    Init,  // init, export: once, at start
    Label,
    Goto,  // goto LABEL [COND], loop
    End,
    Exit,
    Stop,
    Return,  // sets `_`, ends
    Error,
  };
  static constexpr std::int16_t kToEnd = -1, kToExit = -2, kToStop = -3, kToError = -4;

  struct Insn {
    Op op;
    bool quoted;    // the q form: one layer of quotes removed after substitution
    bool newline;   // print (not printn)
    bool exported;  // export: a handler of the variable's name
    std::uint8_t var;
    std::int16_t target;      // Goto: instruction index, or kTo*
    std::uint16_t text, len;  // the instruction's argument text in Config::pool
    std::uint32_t count;      // WaitStep's N
  };
  struct Config {
    Type type;
    std::uint32_t ninsns;
    std::uint32_t nvars;
    std::uint32_t pool_used;
    Insn insns[kMaxInsns];
    char vars[kMaxVars][kMaxName];
    char pool[kMaxText];
  };
  struct State {
    bool started;
    bool done;  // ended (end, exit, stop, error, fell off)
    std::uint32_t pc;
    std::uint32_t steps;        // step writes not yet used by a pause
    std::uint32_t paused;       // how many steps the current pause has had
    bool timer_fired;           // the wait at pc is over
    bool wait_armed;            // the wait at pc asked for a wake-up (and is over when it comes)
    std::int32_t write_status;  // $?
    std::uint64_t runs;         // how many times it ran (timer or handler)
    char values[kMaxVars][kMaxValue];
  };

  static bool configure(const Args& args, Config& config, std::string& error);
  // TYPE's default is the class's: ACTIVE for Script, DRIVER for DriverManager.
  static bool configure_typed(const Args& args, Config& config, std::string& error, std::string_view default_type);
  static bool control(const Config& config, State& state, ControlContext& ctx, ControlCall& call);
  // A new program starts over; the same program carries on where it was.
  static void transfer(const Config& old_config, const State& old_state, const Config& new_config, State& new_state);

  // Click's $(FUNCTION ARGS...) for the functions nb's Script has (add, sub, lt, if, ...): true
  // with the result, false when `name` is not one of them (`error` says why when it is one
  // given wrong arguments). For tests too.
  static bool function(std::string_view name, std::string_view args, std::string& out, std::string& error);
  // Click's time ("0.5s", "5ms", "2"): nanoseconds, false when it is not one.
  static bool parse_time(std::string_view text, std::uint64_t& ns);
};

// DriverManager: Click's name for a Script whose TYPE is DRIVER by default (the same element
// code): the run's stop events step it, and the run ends when it ends (docs/control.md).
struct DriverManager : Script {
  static const ElementSpec spec;
  static bool configure(const Args& args, Config& config, std::string& error);
};

}  // namespace nb::elements
