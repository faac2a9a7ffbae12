#include "stride_sched.hpp"

#include <charconv>
#include <span>
#include <string>
#include <string_view>

namespace nb::elements {

namespace {

// A number of tickets: a non-negative integer (more than kMaxTickets counts as kMaxTickets).
bool parse_tickets(std::string_view text, std::uint32_t& out) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) return false;
  if (ec == std::errc::result_out_of_range || v > StrideSched::kMaxTickets) v = StrideSched::kMaxTickets;
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool validate_tickets(std::string_view text, ParamError& e) {
  std::uint32_t v = 0;
  if (parse_tickets(text, v)) return true;
  e.offset = 0;
  e.length = text.size() ? text.size() : 1;
  e.message = "expected a number of tickets (0 or more), not '" + std::string(text) + "'";
  return false;
}

constexpr ParamSpec kParams[] = {
    {"TICKETS", ParamType::String, ParamKind::Rest, true, "",
     "One number per input, in input order: its share of what is pulled (0: never pulled). More than 32768 "
     "counts as 32768, as in Click.",
     INT64_MIN, UINT64_MAX, &validate_tickets},
};

void read_tickets(const StrideSched::Config& c, const StrideSched::State& s, std::string& out) {
  for (std::uint32_t i = 0; i < c.n; ++i)
    out += (i ? ", " : "") + std::to_string(s.started ? s.tickets[i] : c.tickets[i]);
}

void read_tickets_workers(const StrideSched::Config& c, std::span<const StrideSched::State* const> states,
                          std::string& out) {
  if (!states.empty()) read_tickets(c, *states[0], out);  // every worker gets each write
}

// "PORT TICKETS": input PORT gets TICKETS from now on (Click's ticketsPORT handler).
bool write_tickets(const StrideSched::Config& c, StrideSched::State& s, std::string_view value, std::string& error) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n'))
    value.remove_suffix(1);
  const std::size_t space = value.find_first_of(" \t");
  std::uint32_t port = 0, tickets = 0;
  const std::string_view port_text = value.substr(0, space);
  std::string_view tickets_text = space == std::string_view::npos ? std::string_view() : value.substr(space);
  while (!tickets_text.empty() && (tickets_text.front() == ' ' || tickets_text.front() == '\t'))
    tickets_text.remove_prefix(1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      !parse_tickets(tickets_text, tickets)) {
    error = "expected 'PORT TICKETS' (e.g. '1 20'), not '" + std::string(value) + "'";
    return false;
  }
  if (port >= c.n) {
    error = "input " + std::to_string(port) + " is out of range: StrideSched has " + std::to_string(c.n) + " inputs";
    return false;
  }
  if (!s.started) StrideSched::start(c, s);
  StrideSched::set_tickets(s, port, tickets);
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    handler<StrideSched, &read_tickets, &write_tickets, &read_tickets_workers>(
        "tickets",
        "read: every input's tickets, in input order (\"10, 20, 30\"); write 'PORT TICKETS': input PORT gets "
        "TICKETS (Click's ticketsPORT handlers)"),
};

}  // namespace

bool StrideSched::configure(const Args& args, Config& config, std::string& error) {
  const std::size_t n = args.count("TICKETS");
  if (n > kMaxInputs) {
    error = "at most " + std::to_string(kMaxInputs) + " inputs";
    return false;
  }
  if (n != args.ninputs()) {
    error = "it has " + std::to_string(args.ninputs()) + " input" + (args.ninputs() == 1 ? "" : "s") + " but " +
            std::to_string(n) + " TICKETS: give one number of tickets per input, as Click asks";
    return false;
  }
  config.n = static_cast<std::uint32_t>(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!parse_tickets(args.get_string_at("TICKETS", i), config.tickets[i])) {
      error = "TICKETS: expected a number";
      return false;
    }
  }
  return true;
}

NB_ELEMENT_PULL(StrideSched);

constinit const ElementSpec StrideSched::spec{
    .class_name = "StrideSched",
    .ports = "1-/1",
    .params = kParams,
    .brief = "pulls from its inputs by stride scheduling, each its share of tickets",
    .description =
        "When pulled, chooses an input by stride scheduling: input I gets a share of the turns proportional to "
        "its TICKETS (input 0 with 10 and input 1 with 30 tickets: one turn in four for input 0, when both have "
        "packets). Each input has a pass that grows by 65536 / TICKETS each time it is tried; the inputs are "
        "tried earliest pass first until one gives a packet, and an input that gives none is not tried again "
        "for that packet. A burst is so many packets chosen one after another; it stops when no input gives "
        "one. An input with 0 tickets is never pulled. The order and passes are per worker.\n"
        "\n"
        "The `tickets` handler reads every input's tickets and changes one input's while the graph runs (Click "
        "has one handler per input, tickets0, tickets1, ...).\n"
        "\n"
        "Inputs 0 to N-1 (pull): packets, usually from Queues, one TICKETS argument each. Output 0 (pull): the "
        "packets.",
    .example =
        "a :: FromDump(a.pcap); b :: FromDump(b.pcap);\n"
        "s :: StrideSched(10, 30);\n"
        "a -> Queue -> [0] s; b -> Queue -> [1] s;\n"
        "s -> ToDump(out.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
    .processing = "l/l",
};

NB_REGISTER_ELEMENT(StrideSched::spec);

}  // namespace nb::elements
