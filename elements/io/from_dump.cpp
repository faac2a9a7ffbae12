#include "from_dump.hpp"

#include <string_view>

namespace nb::elements {

namespace {

// Click's options that pick a window of the trace are refused rather than accepted and ignored:
// nbrun replays every record of the file.
bool refuse_window(std::string_view text, ParamError& error) {
  error.offset = 0;
  error.length = text.size();
  error.message =
      "a time window of the trace (Click's START, END, INTERVAL) is not in nb: nbrun replays every record; cut the "
      "trace first, e.g. editcap -A '2024-01-01 10:00:00' -B '2024-01-01 10:05:00' in.pcap part.pcap";
  return false;
}

constexpr ParamSpec kParams[] = {
    {"FILENAME", ParamType::Filename, ParamKind::Positional, true, "", "The pcap (tcpdump) file to read."},
    {"STOP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Stop the router when the file is exhausted. Ignored when LOOP is true."},
    {"ACTIVE", ParamType::Bool, ParamKind::Keyword, false, "true",
     "Start emitting packets at once. When false, the element starts paused: it reads nothing "
     "until its `active` handler is set to true (nbctl write NAME.active true)."},
    {"LOOP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Start over at the beginning of the file when it ends, forever. Turns a small trace into an "
     "endless benchmark workload. An nb extension; Click's FromDump has no LOOP."},
    {"TIMING", ParamType::Bool, ParamKind::Positional, false, "false",
     "Click's TIMING. false (the default): packets leave as fast as the router takes them. true: "
     "at the pace the file states - each record leaves when as much time has passed since the "
     "first record left as the trace says passed between them (a record stamped earlier than the "
     "one before it leaves at once). The clock keeps running while the element is paused, and a "
     "hot reload keeps it. When the run ends, a record already read leaves at once rather than "
     "being lost. Not with LOOP true (a looping file keeps no record times)."},
    {"START", ParamType::String, ParamKind::Keyword, false, "",
     "Click's START (begin at a time in the trace) is refused with a hint: nbrun replays every "
     "record of the file; cut the trace first (editcap -A).",
     INT64_MIN, UINT64_MAX, &refuse_window},
    {"END", ParamType::String, ParamKind::Keyword, false, "",
     "Click's END (stop at a time in the trace) is refused with a hint: cut the trace first (editcap -B).", INT64_MIN,
     UINT64_MAX, &refuse_window},
    {"INTERVAL", ParamType::String, ParamKind::Keyword, false, "",
     "Click's INTERVAL (stop that long after START) is refused with a hint: cut the trace first "
     "(editcap -A and -B).",
     INT64_MIN, UINT64_MAX, &refuse_window},
};

}  // namespace

constinit const ElementSpec FromDump::spec{
    .class_name = "FromDump",
    .ports = "0/1",
    .params = kParams,
    .brief = "reads packets from a pcap file",
    .description =
        "Reads the packets recorded in FILENAME, a pcap (tcpdump) file, and pushes them out one "
        "record at a time, as fast as the rest of the router accepts them (TIMING true: at the pace "
        "the records' times state).\n"
        "\n"
        "When the file ends, FromDump emits nothing more; with STOP true it also stops the "
        "router, so a configuration can process a trace and exit, even while other sources (a "
        "device, a looping file) still run. With LOOP true it rewinds and replays the file forever "
        "instead. Unlike Click, nbrun also stops by itself once every source is a file read to its "
        "end, with or without STOP; to keep it running (say, to read handlers with nbctl), add a "
        "source that does not end, such as FromDump(FILE, LOOP true, ACTIVE false).\n"
        "\n"
        "Handlers: `active` (read and write, as in Click) pauses and resumes the element; a paused "
        "FromDump keeps its place in the file, and a paused file does not end the run. A reload "
        "that keeps the element keeps its `active` state and its place.\n"
        "\n"
        "FILENAME must be a regular file holding an Ethernet capture (link type EN10MB) or a raw IP "
        "one (LINKTYPE_RAW, whose packets start at their IP header, as ToDump(ENCAP IP) writes) in pcap "
        "format; nbrun reads it through once before it starts and refuses, at the argument, a "
        "file that is damaged, of another link type, or that holds a frame longer than 65,535 "
        "bytes (DPDK's net_pcap driver, which reads it, cannot carry one). Frames longer than a "
        "packet buffer (2,048 bytes) travel as chained buffers; with LOOP true every frame must "
        "fit one buffer. Each packet carries its record's timestamp (see ToDump).\n"
        "\n"
        "Output 0 (push): the packets read from the file, each starting at the link-layer header "
        "the file records (usually Ethernet).",
    .example = "FromDump(in.pcap, STOP true) -> Counter -> ToDump(out.pcap);\n",
    .ops = &kSourceOps,
    .port_open = PortOpen::PcapRead,
    .port_param = "FILENAME",
};

NB_REGISTER_ELEMENT(FromDump::spec);

}  // namespace nb::elements
