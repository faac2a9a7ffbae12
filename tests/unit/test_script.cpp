// Click's Script, ScheduleInfo and ClickyInfo (issue 18): Script's instructions and functions run
// against a ControlContext the test owns, whose clock only moves when the test moves it and
// whose handlers are a table, so that no test depends on time passing.
#include "../../elements/standard/script.hpp"
#include "../support/element_harness.hpp"

#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

// The runtime's side of a Script, by hand: handlers are entries of `values`, the clock is `now`.
struct FakeRouter final : ControlContext {
  std::map<std::string, std::string> values;  // "element.handler" -> value
  std::vector<std::string> writes;            // "element.handler value", in order
  std::string out, err;
  std::uint64_t now = 1000;
  std::uint64_t wake = kNoWake;
  bool stopped = false;

  bool read(std::string_view element, std::string_view handler, std::string& o, std::string& error) override {
    auto it = values.find(std::string(element) + "." + std::string(handler));
    if (it == values.end()) return error = "no handler " + std::string(element) + "." + std::string(handler), false;
    o = it->second;
    return true;
  }
  bool write(std::string_view element, std::string_view handler, std::string_view value, std::string& error) override {
    const std::string key = std::string(element) + "." + std::string(handler);
    if (element == "ro") return error = "read-only", false;
    writes.push_back(key + " " + std::string(value));
    values[key] = std::string(value);
    return true;
  }
  void print(std::string_view text, bool to_stderr) override { (to_stderr ? err : out) += text; }
  void stop_router() override { stopped = true; }
  std::uint64_t now_ns() const override { return now; }
  void wake_at(std::uint64_t ns) override { wake = ns; }
};

// A Script from its configuration text (through the real front end), and the router it runs in.
struct ScriptRun {
  Configured configured;
  Instance<Script> script;
  FakeRouter router;

  explicit ScriptRun(const std::string& element) : configured(element, 0), script(configured, Via::Ops) {
    INFO(configured.diagnostics() << script.error());
    REQUIRE(script.ok());
  }
  Script::State& state() { return *static_cast<Script::State*>(script.mutable_state()); }
  // What the runtime does when the Script's wake-up time came.
  bool tick() {
    ControlCall call;
    return Script::spec.ops->control(&script.config(), script.mutable_state(), router, call);
  }
  // Moves the clock to the wake-up time the Script asked for, and runs it.
  bool advance() {
    REQUIRE(router.wake != kNoWake);
    router.now = router.wake;
    router.wake = kNoWake;
    return tick();
  }
  ControlCall handler(std::string name, std::string value, bool write) {
    ControlCall call;
    call.handler = name;
    call.value = value;
    call.write = write;
    Script::spec.ops->control(&script.config(), script.mutable_state(), router, call);
    return call;
  }
};

std::string fn(std::string_view name, std::string_view args) {
  std::string out, error;
  INFO(name << " " << args);
  REQUIRE(Script::function(name, args, out, error));
  return out;
}

std::string check_errors(const std::string& text) {
  lang::SourceManager sources;
  lang::DiagnosticEngine diags(0);
  const lang::FileId id = sources.add("t.nbc", text);
  auto front = compiler::compile_front_end(sources, id, compiler::Registry::builtin(), diags);
  if (front.graph && !diags.has_errors()) compiler::lower(*front.graph, diags);
  std::ostringstream os;
  diags.render(os, sources, false);
  return os.str();
}

}  // namespace

TEST_CASE("Script's square wave writes RATE and 0 in turn, each after its wait", "[click][script]") {
  ScriptRun s("Script(TYPE ACTIVE, init x 0, wait 0.5s, set x $(sub 1000 $x), write s.rate $x, loop)");
  CHECK(s.tick());
  CHECK(s.router.writes.empty());
  CHECK(s.router.wake == 1000 + 500000000ull);  // blocked in its wait, half a second on
  CHECK(s.advance());
  CHECK(s.router.writes == std::vector<std::string>{"s.rate 1000"});
  CHECK(s.advance());
  CHECK(s.advance());
  CHECK(s.router.writes == std::vector<std::string>{"s.rate 1000", "s.rate 0", "s.rate 1000"});
}

TEST_CASE("a Script whose first instruction is a wait waits", "[click][script]") {
  ScriptRun s("Script(wait 1s, write s.rate 5)");
  CHECK(s.tick());  // the first run: the wait starts, it is not over
  CHECK(s.router.writes.empty());
  CHECK(s.router.wake == 1000 + 1000000000ull);
  CHECK(s.advance());
  CHECK(s.router.writes == std::vector<std::string>{"s.rate 5"});
}

TEST_CASE("Script's triangle wave turns at 0 and 1000 through goto, label, in, if and eq", "[click][script]") {
  ScriptRun s(
      "Script(TYPE ACTIVE, init x 1000, init delta -5, wait 0.005s, set x $(add $x $delta), write s.rate $x, "
      "goto l1 $(in $x 0 1000), loop, label l1, set delta $(if $(eq $x 0) 5 -5), loop)");
  CHECK(s.tick());
  std::vector<int> rates;
  for (int k = 0; k < 401; ++k) {
    CHECK(s.advance());
    rates.push_back(std::stoi(s.router.values["s.rate"]));
  }
  CHECK(rates.front() == 995);
  CHECK(rates[198] == 5);
  CHECK(rates[199] == 0);  // the turn
  CHECK(rates[200] == 5);
  CHECK(rates[399] == 1000);  // and back
  CHECK(rates[400] == 995);
}

TEST_CASE("Script's functions compute as Click's", "[click][script]") {
  CHECK(fn("add", "1 2 3") == "6");
  CHECK(fn("sub", "1000 250") == "750");
  CHECK(fn("sub", "10 5 2") == "3");
  CHECK(fn("mul", "-5 3") == "-15");
  CHECK(fn("div", "10 4") == "2.5");
  CHECK(fn("div", "10 5") == "2");
  CHECK(fn("idiv", "10 4") == "2");
  CHECK(fn("mod", "10 4") == "2");
  CHECK(fn("add", "0.5 1") == "1.5");
  CHECK(fn("min", "5 10 2") == "2");
  CHECK(fn("max", "5 10 2") == "10");
  CHECK(fn("neg", "-5") == "5");
  CHECK(fn("abs", "-75") == "75");
  CHECK(fn("lt", "9 10") == "true");  // numbers as numbers, not as text
  CHECK(fn("lt", "b a") == "false");
  CHECK(fn("eq", "0 0") == "true");
  CHECK(fn("ne", "x y") == "true");
  CHECK(fn("ge", "3 3") == "true");
  CHECK(fn("in", "0 0 1000") == "true");
  CHECK(fn("in", "5 0 1000") == "false");
  CHECK(fn("if", "true 5 -5") == "5");
  CHECK(fn("if", "false 5 -5") == "-5");
  CHECK(fn("not", "false") == "true");
  CHECK(fn("and", "true false") == "false");
  CHECK(fn("or", "true false") == "true");
  CHECK(fn("cat", "a b") == "ab");
  std::string out, error;
  CHECK_FALSE(Script::function("div", "1 0", out, error));
  CHECK(error == "division by zero");
  CHECK_FALSE(Script::function("add", "1 x", out, error));
  CHECK(error == "'x' is not a number");
  error.clear();
  CHECK_FALSE(Script::function("c.count", "", out, error));
  CHECK(error.empty());  // not a function: a handler read
}

TEST_CASE("Script reads handlers, prints, pauses for steps and stops the router", "[click][script]") {
  ScriptRun s(
      "Script(set n $(c.count), print \"n is $n\", print c.count, read c.count, pause 2, write c.reset, "
      "goto done $(gt $n 3), print small, label done, stop)");
  s.router.values["c.count"] = "7";
  CHECK(s.tick());
  CHECK(s.router.out == "n is 7\n7\n");
  CHECK(s.router.err == "c.count:\n7\n");
  CHECK(s.router.wake == kNoWake);  // paused: no timer
  CHECK(s.handler("step", "", true).error.empty());
  CHECK(s.router.writes.empty());  // one step of two
  CHECK_FALSE(s.router.stopped);
  CHECK(s.handler("step", "1", true).error.empty());
  CHECK(s.router.writes == std::vector<std::string>{"c.reset "});
  CHECK(s.router.out == "n is 7\n7\n");  // `print small` jumped over
  CHECK(s.router.stopped);
}

TEST_CASE("Script's PASSIVE run returns a value, exports read as handlers, errors are reported", "[click][script]") {
  ScriptRun s("Script(TYPE PASSIVE, export total 0, set total $(add $(a.count) $(b.count)), return $total)");
  s.router.values["a.count"] = "3";
  s.router.values["b.count"] = "4";
  CHECK(s.tick());  // the start: init only, a passive script waits to be run
  CHECK(s.handler("total", "", false).out == "0");
  ControlCall run = s.handler("run", "", false);
  CHECK(run.error.empty());
  CHECK(run.out == "7");
  CHECK(s.handler("total", "", false).out == "7");
  CHECK(s.handler("nope", "", false).unknown);

  ScriptRun e("Script(TYPE PASSIVE, goto ok $(eq $1 yes), error bad argument $1, label ok, return fine)");
  CHECK(e.tick());
  CHECK(e.handler("run", "yes", true).error == "");
  CHECK(e.handler("run", "no", true).error == "bad argument no");

  ScriptRun w("Script(write ro.x 1, print $?, write c.x 1, print $?)");
  CHECK(w.tick());
  CHECK(w.router.out == "-1\n0\n");
  CHECK(w.router.err == "Script: write ro.x: read-only\n");
}

TEST_CASE("Script's PROXY runs for any handler name with $0 and $write", "[click][script]") {
  ScriptRun s("Script(TYPE PROXY, goto nota $(ne $0 a), returnq \"you called a\", label nota, error bad handler $0)");
  CHECK(s.tick());
  CHECK(s.handler("a", "", false).out == "you called a");
  CHECK(s.handler("b", "", false).error == "bad handler b");
  CHECK(s.handler("b", "", false).out == "");
}

TEST_CASE("a Script that jumps without waiting is given up, and a DRIVER script stops at its end", "[click][script]") {
  ScriptRun s("Script(label a, goto a)");
  CHECK_FALSE(s.tick());
  CHECK(s.router.err == "Script: too many jumps without waiting, giving up\n");
  ScriptRun d("Script(TYPE DRIVER, print x)");
  CHECK(d.tick());
  CHECK(d.router.stopped);
  ScriptRun a("Script(print x)");
  CHECK(a.tick());
  CHECK_FALSE(a.router.stopped);
}

TEST_CASE("Script's times read Click's units", "[click][script]") {
  std::uint64_t ns = 0;
  CHECK((Script::parse_time("0.5s", ns) && ns == 500000000));
  CHECK((Script::parse_time("0.005s", ns) && ns == 5000000));
  CHECK((Script::parse_time("5ms", ns) && ns == 5000000));
  CHECK((Script::parse_time("2", ns) && ns == 2000000000));
  CHECK((Script::parse_time("1min", ns) && ns == 60000000000ull));
  CHECK_FALSE(Script::parse_time("soon", ns));
  CHECK_FALSE(Script::parse_time("1parsec", ns));
}

TEST_CASE("undefined $variables are Script's own; elsewhere they stay errors", "[click][script]") {
  CHECK(check_errors("Script(set x 1, print $x $y ${z});\n") == "");
  // A defined variable is substituted first, as in Click.
  CHECK(check_errors("define($x hello);\nScript(print $x);\n") == "");
  const std::string bad = check_errors("Idle -> Strip($n) -> Discard;\n");
  CHECK(bad.find("undefined variable '$n'") != std::string::npos);
  // A compound named Script is not the built-in: its arguments are substituted as always.
  CHECK(check_errors("elementclass Script { $a | Idle -> Strip($a) -> Discard }\nScript($b);\n")
            .find("undefined variable '$b'") != std::string::npos);
}

TEST_CASE("Script's instructions are checked where they are written", "[click][script]") {
  CHECK(check_errors("Script(prnt x);\n").find("unknown Script instruction 'prnt'") != std::string::npos);
  CHECK(check_errors("Script(goto nowhere);\n").find("no such label 'nowhere'") != std::string::npos);
  CHECK(check_errors("Script(wait soon);\n").find("'soon' is not a time") != std::string::npos);
  CHECK(check_errors("Script(save x f);\n") == "");  // Click's save and append write files
  CHECK(check_errors("Script(TYPE PACKET, end);\n").find("no ports") != std::string::npos);
  CHECK(check_errors("Script(TYPE SIGNAL INT, end);\n").find("PASSIVE") != std::string::npos);
  CHECK(check_errors("Script(set x);\n").find("'set' needs VAR TEXT") != std::string::npos);
  CHECK(check_errors("Script(loop 3);\n").find("'loop' takes no arguments") != std::string::npos);
}

TEST_CASE("ScheduleInfo gives tasks their shares, warns for names that weigh no task, and ClickyInfo takes anything",
          "[click][scheduleinfo][clickyinfo]") {
  // A task named gets no warning; names that weigh no task do (as in Click, no error).
  CHECK(check_errors("src :: InfiniteSource(LIMIT 1) -> Discard;\nScheduleInfo(src .1);\n") == "");
  const std::string warn = check_errors(
      "src :: InfiniteSource(LIMIT 1) -> c :: Counter -> Discard;\n"
      "ScheduleInfo(to 1, c 2);\n");
  CHECK(warn.find("warning: ScheduleInfo: no element or compound named 'to'") != std::string::npos);
  CHECK(warn.find("warning: ScheduleInfo: 'c' has no task") != std::string::npos);
  CHECK(warn.find("error") == std::string::npos);
  CHECK(check_errors("InfiniteSource(LIMIT 1) -> td :: ToDump(/dev/null);\nScheduleInfo(td 2);\n")
            .find("warning: ScheduleInfo: 'td' is an input or output port, not a task") != std::string::npos);
  // A compound's name weighs the tasks inside it.
  CHECK(check_errors("elementclass Pump { input -> Queue -> u :: Unqueue -> output }\n"
                     "InfiniteSource(LIMIT 1) -> p :: Pump -> Discard;\nScheduleInfo(p 2);\n") == "");
  CHECK(check_errors("src :: InfiniteSource(LIMIT 1) -> Discard;\nScheduleInfo(src 1);\nScheduleInfo(src 2);\n")
            .find("error: ScheduleInfo: 'src' is given a share already") != std::string::npos);
  CHECK(check_errors("ScheduleInfo(src fast);\n").find("'fast' is not a scheduling parameter") != std::string::npos);
  CHECK(check_errors("ScheduleInfo(src);\n").find("expected ELEMENT PARAM") != std::string::npos);
  CHECK(check_errors("i :: Idle -> c :: Counter -> Discard;\n"
                     "ClickyInfo(STYLE #c { decorations: activity } activity { decay: 0 });\n"
                     "ClickyInfo(STYLE @import test-clicky.ccss);\n") == "");
  // No kernel runs for them, and none is needed to run: AddressInfo is one of them.
  for (const char* cls : {"AddressInfo", "ScheduleInfo", "ClickyInfo", "Script"}) {
    const compiler::ElementClass* ec = compiler::Registry::builtin().find(cls);
    REQUIRE(ec);
    CHECK(ec->spec->ops);
    CHECK(ec->spec->ops->push == nullptr);
    CHECK(ec->spec->ops->pull == nullptr);
  }
  CHECK(compiler::Registry::builtin().find("Script")->spec->ops->control != nullptr);
}
