// The control socket's line protocol (runtime/include/nb/runtime/control_protocol.hpp): request
// parsing, line splitting with the size limit, and reply framing, without nbrun.
#define CATCH_CONFIG_MAIN
#include <nb/runtime/control_protocol.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace nb::control;

namespace {
std::optional<Request> parse(std::string_view line) {
  std::string error;
  auto r = parse_request(line, error);
  if (!r) CHECK_FALSE(error.empty());
  return r;
}
std::string error_of(std::string_view line) {
  std::string error;
  auto r = parse_request(line, error);
  CHECK_FALSE(r);
  return error;
}
}  // namespace

TEST_CASE("simple commands", "[control]") {
  REQUIRE(parse("ping")->command == Command::Ping);
  REQUIRE(parse("  list  ")->command == Command::List);
  REQUIRE(parse("stats\t")->command == Command::Stats);
  CHECK(error_of("ping pong").find("no arguments") != std::string::npos);
  CHECK(error_of("").find("empty request") != std::string::npos);
  CHECK(error_of("   ").find("empty request") != std::string::npos);
  CHECK(error_of("PING").find("unknown command 'PING'") != std::string::npos);
  CHECK(error_of("frobnicate x y").find("unknown command") != std::string::npos);
}

TEST_CASE("read and write targets", "[control]") {
  auto r = parse("read c.count");
  REQUIRE(r);
  CHECK(r->command == Command::Read);
  CHECK(r->element == "c");
  CHECK(r->handler == "count");
  // Compound element names have '/', anonymous ones '@'; the handler follows the last dot.
  r = parse("read router/ttl@3.drop_reasons");
  REQUIRE(r);
  CHECK(r->element == "router/ttl@3");
  CHECK(r->handler == "drop_reasons");
  CHECK(error_of("read").find("ELEMENT.HANDLER") != std::string::npos);
  CHECK(error_of("read c").find("ELEMENT.HANDLER") != std::string::npos);
  CHECK(error_of("read .count").find("ELEMENT.HANDLER") != std::string::npos);
  CHECK(error_of("read c.").find("ELEMENT.HANDLER") != std::string::npos);
  CHECK(error_of("read c.count now").find("no arguments") != std::string::npos);
  CHECK(error_of("read c-1.count").find("not an element name") != std::string::npos);
  CHECK(error_of("read c.co/unt").find("not a handler name") != std::string::npos);
  CHECK(error_of("read a.b.c").find("not an element name") != std::string::npos);

  auto w = parse("write ttl.active false");
  REQUIRE(w);
  CHECK(w->command == Command::Write);
  CHECK(w->element == "ttl");
  CHECK(w->handler == "active");
  CHECK(w->value == "false");
  w = parse("write c.reset");
  REQUIRE(w);
  CHECK(w->value.empty());
  w = parse("write t.table  10.0.0.0/8 2   ");  // the rest of the line, trimmed at both ends
  REQUIRE(w);
  CHECK(w->value == "10.0.0.0/8 2");
  CHECK(error_of("write").find("ELEMENT.HANDLER") != std::string::npos);
}

TEST_CASE("reload", "[control]") {
  auto r = parse("reload");
  REQUIRE(r);
  CHECK(r->command == Command::Reload);
  CHECK(r->file.empty());
  r = parse("reload /tmp/my router.nbc");  // file names may hold spaces
  REQUIRE(r);
  CHECK(r->file == "/tmp/my router.nbc");
}

TEST_CASE("control bytes and length limits", "[control]") {
  CHECK(error_of(std::string("ping\0", 5)).find("control characters") != std::string::npos);
  CHECK(error_of("read c.count\x1b[A").find("control characters") != std::string::npos);
  CHECK(error_of("ping\x7f").find("control characters") != std::string::npos);
  CHECK(parse("read\tc.count"));  // tabs separate words
  std::string longest = "write c.reset " + std::string(kMaxRequestLength - 14, 'x');
  REQUIRE(longest.size() == kMaxRequestLength);
  CHECK(parse(longest));
  CHECK(error_of(longest + "x").find("longer than") != std::string::npos);
}

TEST_CASE("format_request round-trips through parse_request", "[control]") {
  for (const char* line : {"ping", "list", "stats", "read c.count", "write ttl.active false", "write c.reset", "reload",
                           "reload /x/y.nbc"}) {
    auto r = parse(line);
    REQUIRE(r);
    std::string text = format_request(*r);
    REQUIRE(text.back() == '\n');
    CHECK(text == std::string(line) + "\n");
  }
}

TEST_CASE("LineReader splits lines and skips oversized ones", "[control]") {
  LineReader in;
  std::string line;
  in.feed("ping\nread c.co");
  REQUIRE(in.next(line) == LineReader::Status::Line);
  CHECK(line == "ping");
  REQUIRE(in.next(line) == LineReader::Status::None);
  in.feed("unt\r\n\n");
  REQUIRE(in.next(line) == LineReader::Status::Line);
  CHECK(line == "read c.count");  // the '\r' of a CRLF line is dropped
  REQUIRE(in.next(line) == LineReader::Status::Line);
  CHECK(line.empty());
  REQUIRE(in.next(line) == LineReader::Status::None);

  // An oversized line arriving in pieces: reported once, its bytes dropped (memory stays
  // bounded), and the next line is read normally.
  for (int i = 0; i < 100; ++i) in.feed(std::string(1000, 'x'));
  REQUIRE(in.next(line) == LineReader::Status::Oversized);
  CHECK(in.pending() == 0);
  in.feed(std::string(5000, 'y'));
  REQUIRE(in.next(line) == LineReader::Status::None);
  CHECK(in.pending() == 0);
  in.feed("zzz\nping\n");
  REQUIRE(in.next(line) == LineReader::Status::Line);
  CHECK(line == "ping");
  // An oversized line that arrives whole.
  in.feed(std::string(kMaxRequestLength + 1, 'q') + "\nstats\n");
  REQUIRE(in.next(line) == LineReader::Status::Oversized);
  REQUIRE(in.next(line) == LineReader::Status::Line);
  CHECK(line == "stats");
  // Exactly the limit, with CRLF, is accepted.
  in.feed(std::string(kMaxRequestLength, 'a') + "\r\n");
  REQUIRE(in.next(line) == LineReader::Status::Line);
  CHECK(line.size() == kMaxRequestLength);
}

TEST_CASE("ReplyReader reads framed replies byte by byte", "[control]") {
  std::string wire = format_reply(true, "pong\n");
  CHECK(wire == "OK 5\npong\n");
  ReplyReader r;
  ReplyReader::Status st = ReplyReader::Status::Incomplete;
  for (char c : wire) {
    REQUIRE(st == ReplyReader::Status::Incomplete);
    st = r.feed(std::string_view(&c, 1));
  }
  REQUIRE(st == ReplyReader::Status::Done);
  CHECK(r.ok());
  CHECK(r.body() == "pong\n");

  ReplyReader e;
  REQUIRE(e.feed(format_reply(false, "x.nbc:1:2: error: oops\n")) == ReplyReader::Status::Done);
  CHECK_FALSE(e.ok());
  CHECK(e.body() == "x.nbc:1:2: error: oops\n");

  ReplyReader empty;
  REQUIRE(empty.feed("OK 0\n") == ReplyReader::Status::Done);
  CHECK(empty.body().empty());

  for (const char* bad : {"HELLO 3\nabc", "OK x\n", "OK -1\n", "OK 99999999999999999999\n", "OK 1\nab"}) {
    ReplyReader m;
    CHECK(m.feed(bad) == ReplyReader::Status::Malformed);
    CHECK_FALSE(m.error().empty());
  }
  ReplyReader longhead;
  CHECK(longhead.feed(std::string(100, 'O')) == ReplyReader::Status::Malformed);
}
