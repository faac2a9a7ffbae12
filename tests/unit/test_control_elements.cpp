// Click's DriverManager, SchedOrderTest and ControlSocket (issue 18). DriverManager and
// ControlSocket's protocol run against a ControlContext the test owns (handlers are a table, the
// clock moves only when the test moves it); SchedOrderTest's task is run as a worker's pass runs
// it. The sockets themselves are tested on a running nbrun (integration_control_socket).
#include "../../elements/standard/control_socket.hpp"
#include "../../elements/standard/sched_order_test.hpp"
#include "../../elements/standard/script.hpp"
#include "../support/element_harness.hpp"

#include <nb/compiler/driver.hpp>
#include <nb/compiler/plan.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace nb;
using namespace nb::elements;
using namespace nb::test;

namespace {

// The runtime's side, by hand: handlers are entries of `values` ("element.handler", a global's
// element is empty), with their modes in `modes` (as the generic `handlers` handler lists them).
struct Router final : ControlContext {
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> modes;  // "element.handler" -> "r", "w", "rw"
  std::vector<std::string> writes;
  std::string out, err;
  std::uint64_t now = 1000;
  std::uint64_t wake = kNoWake;
  int stops = 0;

  void add(const std::string& key, const std::string& mode, const std::string& value = "") {
    modes[key] = mode;
    values[key] = value;
  }
  bool read(std::string_view element, std::string_view handler, std::string& o, std::string& error) override {
    const std::string e(element), h(handler);
    if (h == "handlers") {
      bool any = false;
      o.clear();
      for (const auto& [k, m] : modes)
        if (k.substr(0, k.find('.')) == e) any = true, o += k.substr(k.find('.') + 1) + "\t" + m + "\n";
      if (!any) return error = "no element named '" + e + "'", false;
      if (!o.empty()) o.pop_back();  // the runtime hands text without its last newline
      return true;
    }
    auto it = values.find(e + "." + h);
    if (it == values.end()) return error = "no handler " + e + "." + h, false;
    o = it->second;
    return true;
  }
  bool write(std::string_view element, std::string_view handler, std::string_view value, std::string& error) override {
    const std::string key = std::string(element) + "." + std::string(handler);
    if (value == "bad") return error = "'bad' is not a number\nsecond line", false;
    writes.push_back(key + " " + std::string(value));
    values[key] = std::string(value);
    return true;
  }
  void print(std::string_view text, bool to_stderr) override { (to_stderr ? err : out) += text; }
  void stop_router() override { ++stops; }
  std::uint64_t now_ns() const override { return now; }
  void wake_at(std::uint64_t ns) override { wake = ns; }
};

template <class E>
struct ControlRun {
  Configured configured;
  Instance<E> element;
  Router router;

  explicit ControlRun(const std::string& text) : configured(text, 0), element(configured, Via::Ops) {
    INFO(configured.diagnostics() << element.error());
    REQUIRE(element.ok());
  }
  bool tick() {
    ControlCall call;
    return E::spec.ops->control(&element.config(), element.mutable_state(), router, call);
  }
  ControlCall handler(std::string name, std::string value, bool write) {
    ControlCall call;
    call.handler = name;
    call.value = value;
    call.write = write;
    E::spec.ops->control(&element.config(), element.mutable_state(), router, call);
    return call;
  }
  // What nbrun's control thread does at a stop event while this is the DRIVER script.
  void stop_event() { handler("step", "router", true); }
};

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

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

// ---- DriverManager --------------------------------------------------------------------------

TEST_CASE("DriverManager's wait_stop waits for a stop event, then it runs on and stops the run", "[click][driver]") {
  ControlRun<DriverManager> d("DriverManager(wait_stop, print c.count, stop)");
  d.router.values["c.count"] = "42";
  CHECK(d.tick());
  CHECK(d.router.out == "");
  CHECK(d.router.stops == 0);
  d.stop_event();
  CHECK(d.router.out == "42\n");
  CHECK(d.router.stops >= 1);
}

TEST_CASE("DriverManager keeps the run going while its script blocks, and ends it when the script ends",
          "[click][driver]") {
  ControlRun<DriverManager> d("DriverManager(wait 10s, print \"a\", wait_stop 2, print \"b\")");
  CHECK(d.tick());
  CHECK(d.router.wake == 1000 + 10'000'000'000ull);
  d.stop_event();  // cuts the wait short, as Click's step does
  CHECK(d.router.out == "a\n");
  CHECK(d.router.stops == 0);
  d.stop_event();  // one of the two
  CHECK(d.router.stops == 0);
  d.stop_event();  // falls off the end: a DRIVER script's end stops the run
  CHECK(d.router.out == "a\nb\n");
  CHECK(d.router.stops >= 1);
}

TEST_CASE("an empty DriverManager stops at the first stop event; one that ended stops at the next", "[click][driver]") {
  ControlRun<DriverManager> e("DriverManager()");
  CHECK(e.tick());
  CHECK(e.router.stops == 0);
  e.stop_event();
  CHECK(e.router.stops >= 1);
  ControlRun<DriverManager> x("DriverManager(print \"x\", end)");
  CHECK(x.tick());
  CHECK(x.router.out == "x\n");
  CHECK(x.router.stops == 0);  // `end`: the run goes on (Click's)
  x.stop_event();
  CHECK(x.router.stops == 1);
}

TEST_CASE("the driver handler says which scripts take stop events", "[click][driver]") {
  CHECK(ControlRun<DriverManager>("DriverManager(wait_stop)").handler("driver", "", false).out == "true");
  CHECK(ControlRun<DriverManager>("DriverManager(TYPE ACTIVE, print x)").handler("driver", "", false).out == "false");
  CHECK(ControlRun<Script>("Script(TYPE DRIVER, wait_stop)").handler("driver", "", false).out == "true");
  CHECK(ControlRun<Script>("Script(print x)").handler("driver", "", false).out == "false");
  // A script that is no DRIVER takes `step router` as one step and stops nothing.
  ControlRun<Script> s("Script(pause, print \"y\")");
  CHECK(s.tick());
  s.stop_event();
  CHECK(s.router.out == "y\n");
  CHECK(s.router.stops == 0);
}

TEST_CASE("print >FILE, >>FILE, save and append write files", "[click][driver][script]") {
  const auto dir = std::filesystem::temp_directory_path() / ("nb_script_files_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string a = (dir / "a").string(), b = (dir / "b").string();
  ControlRun<Script> s("Script(print >" + a + " c.count, print >>" + a + " \"more\", save c.count " + b +
                       ", append c.count " + b + ", printn >" + (dir / "c").string() + " \"x\", save c.count)");
  s.router.values["c.count"] = "7";
  CHECK(s.tick());
  CHECK(slurp(a) == "7\nmore\n");
  CHECK(slurp(b) == "7\n7\n");
  CHECK(slurp(dir / "c") == "x");
  CHECK(s.router.out == "7\n");  // save without a FILE: standard output
  ControlRun<Script> bad("Script(print >/nonexistent-dir/f \"x\", print \"after\")");
  CHECK(bad.tick());
  CHECK(bad.router.err.find("/nonexistent-dir/f: No such file or directory") != std::string::npos);
  CHECK(bad.router.out == "after\n");
  std::filesystem::remove_all(dir);
  CHECK(check_errors("Script(save);\n").find("'save' needs a TEXT") != std::string::npos);
  CHECK(check_errors("Script(print > );\n").find("needs a FILE") != std::string::npos);
  CHECK(check_errors("DriverManager(wait_stop, save c.count /tmp/x, stop);\n") == "");
}

// ---- SchedOrderTest ---------------------------------------------------------------------------

namespace {

struct NoPull final : PullContext {
  int stops = 0;
  std::uint32_t pull(std::uint32_t, rte_mbuf**, std::uint32_t) override { return 0; }
  void push_copy(std::uint32_t, rte_mbuf*) override {}
  std::uint32_t ninputs() const override { return 0; }
  std::uint32_t noutputs() const override { return 0; }
  std::uint64_t now_cycles() const override { return 0; }
  std::uint64_t cycles_per_second() const override { return 1; }
  rte_mbuf* new_packet() override { return nullptr; }
  void stop_router() override { ++stops; }
  void drop(rte_mbuf*, std::uint32_t) override {}
};

}  // namespace

TEST_CASE("SchedOrderTest records the order of a worker's passes, LIMIT and STOP as Click's", "[click][schedorder]") {
  // schedorder1.click's three tasks, run as a worker's loop runs them: once each per pass, in
  // the configuration's order.
  Configured c1("SchedOrderTest(1, SIZE 100, STOP true)", 0), c2("SchedOrderTest(2, SIZE 100, LIMIT 10)", 0),
      c3("SchedOrderTest(3, SIZE 100)", 0);
  auto s1 = std::make_unique<Instance<SchedOrderTest>>(c1, Via::Ops);
  auto s2 = std::make_unique<Instance<SchedOrderTest>>(c2, Via::Ops);
  auto s3 = std::make_unique<Instance<SchedOrderTest>>(c3, Via::Ops);
  s1->setup(), s2->setup(), s3->setup();
  NoPull ctx;
  int passes = 0;
  for (; passes < 1000 && ctx.stops == 0; ++passes)
    for (auto* s : {s1.get(), s2.get(), s3.get()}) s->pull(ctx, nullptr, 32);
  std::string want;
  for (int k = 0; k < 10; ++k) want += "1 2 3 ";
  for (int k = 0; k < 35; ++k) want += "1 3 ";
  want.back() = '\n';
  CHECK(SchedOrderTest::order() == want);
  CHECK(passes == 46);  // full after pass 45; s1 asks to stop at its next run
  CHECK(static_cast<const SchedOrderTest::State*>(s2->state())->runs == 10);
  // Without STOP nothing asks; more runs leave the full order as it is.
  for (int k = 0; k < 5; ++k) s3->pull(ctx, nullptr, 32);
  CHECK(ctx.stops == 1);
  CHECK(SchedOrderTest::order() == want);
  // The last one torn down frees the order; the next router starts a new one.
  s1.reset(), s2.reset(), s3.reset();
  Configured c4("SchedOrderTest(4, SIZE 3)", 0);
  Instance<SchedOrderTest> s4(c4, Via::Ops);
  s4.setup();
  CHECK(SchedOrderTest::order() == "\n");
  for (int k = 0; k < 5; ++k) s4.pull(ctx, nullptr, 32);
  CHECK(SchedOrderTest::order() == "4 4 4\n");
  CHECK(ctx.stops == 1);
}

TEST_CASE("SchedOrderTest's arguments are checked, and it is a task of its own", "[click][schedorder]") {
  CHECK(check_errors("SchedOrderTest(1);\n") == "");
  CHECK(check_errors("SchedOrderTest();\n").find("ID") != std::string::npos);
  CHECK(check_errors("SchedOrderTest(1, SIZE 0);\n") != "");
  CHECK(check_errors("SchedOrderTest(1, SIZE 100000);\n") != "");
  CHECK(check_errors("SchedOrderTest(x);\n") != "");
}

// ---- ControlSocket's protocol ------------------------------------------------------------------

namespace {

struct Protocol {
  Configured configured;
  Instance<ControlSocket> cs;
  Router router;
  explicit Protocol(const std::string& text = "ControlSocket(TCP, 41900+)")
      : configured(text, 0), cs(configured, Via::Ops) {
    INFO(configured.diagnostics() << cs.error());
    REQUIRE(cs.ok());
    router.add("c.count", "r", "5");
    router.add("s.rate", "rw", "1000");
    router.add("c.reset", "w");
    router.add("sw.ports", "r", "input 0\noutput 0");
    router.add(".list", "r", "3\nc\ns\nsw\n");
    router.add(".stop", "w");
  }
  std::string send(std::string in, bool closed = false) {
    std::string out;
    ControlSocket::serve(cs.config(), router, in, out, closed);
    return out;
  }
};

}  // namespace

TEST_CASE("ControlSocket reads and writes handlers in Click's protocol", "[click][controlsocket]") {
  Protocol p;
  CHECK(p.send("READ c.count\r\n") == "200 Read handler 'c.count' OK\r\nDATA 1\r\n5");
  CHECK(p.send("read sw.ports\n") == "200 Read handler 'sw.ports' OK\r\nDATA 17\r\ninput 0\noutput 0\n");
  CHECK(p.send("WRITE s.rate 20 30\n") == "200 Write handler 's.rate' OK\r\n");
  CHECK(p.router.values["s.rate"] == "20 30");
  CHECK(p.send("WRITEDATA s.rate 5\r\n12345READ s.rate\r\n") ==
        "200 Write handler 's.rate' OK\r\n200 Read handler 's.rate' OK\r\nDATA 5\r\n12345");
  CHECK(p.send("WRITEUNTIL s.rate END\nab\ncd\nEND  \n") == "200 Write handler 's.rate' OK\r\n");
  CHECK(p.router.values["s.rate"] == "ab\ncd\n");
  CHECK(p.send("READ 1.count\n").starts_with("200 Read handler '1.count' OK"));  // the first element
  CHECK(p.send("WRITE stop\n") == "200 Write handler 'stop' OK\r\n");            // a global handler
  CHECK(p.router.writes.back() == ".stop ");
}

TEST_CASE("ControlSocket answers Click's error codes", "[click][controlsocket]") {
  Protocol p;
  CHECK(p.send("READ x.count\n") == "510 No element named 'x'\r\n");
  CHECK(p.send("READ c.cnt\n") == "511 No handler named 'c.cnt'\r\n");
  CHECK(p.send("READ c.reset\n") == "530 Handler 'c.reset' write-only\r\n");
  CHECK(p.send("WRITE c.count 1\n") == "530 Handler 'c.count' read-only\r\n");
  CHECK(p.send("WRITE s.rate bad\n") ==
        "520-Write handler 's.rate' error:\r\n520-'bad' is not a number\r\n520 second line\r\n");
  CHECK(p.send("READ c.count extra\n").starts_with("590-Read handler 'c.count' error:"));
  CHECK(p.send("READ\n") == "500 Wrong number of arguments\r\n");
  CHECK(p.send("WRITEDATA s.rate x\n") == "500 Syntax error in 'WRITEDATA'\r\n");
  CHECK(p.send("FROB\n") == "501 Command 'FROB' unimplemented\r\n");
  CHECK(p.send("LLRPC s#4004C005\n").starts_with("501 Cannot call LLRPC 's#4004C005' remotely"));
  CHECK(p.send("CHECKREAD c.count\n") == "200 Read handler 'c.count' OK\r\n");
  CHECK(p.send("CHECKWRITE c.count\n") == "511 Handler 'c.count' not writable\r\n");
  CHECK(p.send("CHECKWRITE s.rate\n") == "200 Write handler 's.rate' OK\r\n");
  CHECK(p.send("CHECKREAD nope.x\n") == "510 No element named 'nope'\r\n");
}

TEST_CASE("ControlSocket waits for a whole command and its data, and QUIT ends the connection",
          "[click][controlsocket]") {
  Protocol p;
  std::string in = "WRITEDATA s.rate 4\r\n12", out;
  CHECK(ControlSocket::serve(p.cs.config(), p.router, in, out, false));
  CHECK(out == "");
  CHECK(in == "WRITEDATA s.rate 4\r\n12");  // kept until the rest comes
  in += "34READ c.co";
  CHECK(ControlSocket::serve(p.cs.config(), p.router, in, out, false));
  CHECK(out == "200 Write handler 's.rate' OK\r\n");
  CHECK(in == "READ c.co");
  CHECK(p.send("WRITEDATA s.rate 9\n12", true) == "500 Not enough data\r\n");
  in = "QUIT\nREAD c.count\n";
  out.clear();
  CHECK_FALSE(ControlSocket::serve(p.cs.config(), p.router, in, out, false));
  CHECK(out == "200 Goodbye!\r\n");
}

TEST_CASE("ControlSocket's READONLY refuses writes", "[click][controlsocket]") {
  Protocol p("ControlSocket(UNIX, /tmp/nb-test.sock, READONLY true)");
  CHECK(p.send("WRITE s.rate 1\n") == "530 Permission denied for 's.rate'\r\n");
  CHECK(p.send("CHECKWRITE s.rate\n") == "530 Permission denied for 's.rate'\r\n");
  CHECK(p.router.values["s.rate"] == "1000");
  CHECK(p.send("READ s.rate\n").starts_with("200 "));
}

TEST_CASE("ControlSocket's arguments are checked as Click's, and what nb lacks is refused", "[click][controlsocket]") {
  CHECK(check_errors("ControlSocket(TCP, 41900);\n") == "");
  CHECK(check_errors("ControlSocket(tcp, 41900+, LOCALHOST true, VERBOSE true, RETRIES 3, RETRY_WARNINGS false);\n") ==
        "");
  CHECK(check_errors("ControlSocket(unix, /tmp/clicksocket);\n") == "");
  CHECK(check_errors("ControlSocket(UNIX, FILENAME /tmp/x);\n") == "");
  CHECK(check_errors("ControlSocket(TCP, 70000);\n").find("PORT requires TCP port") != std::string::npos);
  CHECK(check_errors("ControlSocket(TCP);\n").find("needs a PORT") != std::string::npos);
  CHECK(check_errors("ControlSocket(UDP, 1);\n").find("not a ControlSocket TYPE") != std::string::npos);
  CHECK(check_errors("ControlSocket(SOCKET, 3);\n").find("TYPE SOCKET") != std::string::npos);
  CHECK(check_errors("ControlSocket(TCP, 1, PROXY khp);\n").find("PROXY is not in nb") != std::string::npos);
  CHECK(check_errors("ControlSocket(UNIX, /" + std::string(200, 'x') + ");\n").find("filename too long") !=
        std::string::npos);
}

TEST_CASE("ControlSocket's port handler names the port it bound, and RETRIES tries again a second later",
          "[click][controlsocket]") {
  ControlRun<ControlSocket> a("ControlSocket(TCP, 41950+, LOCALHOST true)");
  a.element.setup();
  const std::string port = a.handler("port", "", false).out;
  REQUIRE_FALSE(port.empty());
  CHECK(a.handler("filename", "", false).error.find("TYPE UNIX") != std::string::npos);
  // The same port again, without +: taken. RETRIES 1 makes a warning and a second try.
  Configured busy("ControlSocket(TCP, " + port + ", LOCALHOST true, RETRIES 1)", 0);
  Instance<ControlSocket> b(busy, Via::Ops);
  b.setup();
  Router r;
  ControlCall tick;
  CHECK(ControlSocket::spec.ops->control(&b.config(), b.mutable_state(), r, tick));
  CHECK(r.err.find("bind: Address already in use (1 try left)") != std::string::npos);
  CHECK(r.wake == r.now + 1'000'000'000);
  r.now = r.wake;
  CHECK(ControlSocket::spec.ops->control(&b.config(), b.mutable_state(), r, tick));
  CHECK(r.err.find("ControlSocket: bind: Address already in use\n") != std::string::npos);
  CHECK(r.stops == 1);  // the last try failed: the run stops
  // RETRY_WARNINGS false: only the last failure is said.
  Configured quiet("ControlSocket(TCP, " + port + ", LOCALHOST true, RETRIES 1, RETRY_WARNINGS false)", 0);
  Instance<ControlSocket> q(quiet, Via::Ops);
  q.setup();
  Router rq;
  CHECK(ControlSocket::spec.ops->control(&q.config(), q.mutable_state(), rq, tick));
  CHECK(rq.err == "");
  rq.now = rq.wake;
  CHECK(ControlSocket::spec.ops->control(&q.config(), q.mutable_state(), rq, tick));
  CHECK(rq.err == "ControlSocket: bind: Address already in use\n");
  // RETRIES 0: setup itself fails, with the reason.
  Configured none("ControlSocket(TCP, " + port + ", LOCALHOST true)", 0);
  Instance<ControlSocket> n(none, Via::Ops);
  std::string why;
  CHECK_FALSE(ControlSocket::spec.ops->setup(&n.config(), n.mutable_state(), why));
  CHECK(why == "bind: Address already in use");
}
