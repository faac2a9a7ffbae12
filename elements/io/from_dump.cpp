#include "from_dump.hpp"

namespace nb::elements {

namespace {

constexpr ParamSpec kParams[] = {
    {"FILENAME", ParamType::Filename, ParamKind::Positional, true, "", "The pcap (tcpdump) file to read."},
    {"STOP", ParamType::Bool, ParamKind::Keyword, false, "false",
     "Stop the router when the file is exhausted, or its time window's end (END, END_AFTER, "
     "INTERVAL) is reached. Ignored when LOOP is true."},
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
    {"START", ParamType::Duration, ParamKind::Keyword, false, "",
     "Click's START: a time in seconds since the epoch (1700000000.25). Records stamped before "
     "it are skipped, up to the first that is not; from there on every record is read, as in "
     "Click. Not with START_AFTER."},
    {"START_AFTER", ParamType::Duration, ParamKind::Keyword, false, "",
     "Click's START_AFTER: a time after the trace's first record (30, 1.5s, 500ms, 2min, 1h). "
     "Skips the trace's first START_AFTER, as START does with that time. Not with START."},
    {"END", ParamType::Duration, ParamKind::Keyword, false, "",
     "Click's END: a time in seconds since the epoch. FromDump stops at the first record stamped "
     "at or after it, which it does not emit: the file ends there. Must be after START. Not with "
     "END_AFTER or INTERVAL."},
    {"END_AFTER", ParamType::Duration, ParamKind::Keyword, false, "",
     "Click's END_AFTER: like END, at that time after the trace's first record. Must be after "
     "START_AFTER. Not with END or INTERVAL."},
    {"INTERVAL", ParamType::Duration, ParamKind::Keyword, false, "",
     "Click's INTERVAL: like END, at that time after the window's start (START, the point "
     "START_AFTER names, or without either the trace's first record). Not 0; not with END or "
     "END_AFTER."},
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
        "the records' times state), optionally only those of a time window (START, END, ...).\n"
        "\n"
        "When the file ends, FromDump emits nothing more; with STOP true it also stops the "
        "router, so a configuration can process a trace and exit, even while other sources (a "
        "device, a looping file) still run. With LOOP true it rewinds and replays the file forever "
        "instead. Unlike Click, nbrun also stops by itself once every source is a file read to its "
        "end, with or without STOP; to keep it running (say, to read handlers with nbctl), add a "
        "source that does not end, such as FromDump(FILE, LOOP true, ACTIVE false).\n"
        "\n"
        "A time window of the trace (Click's START or START_AFTER, and END, END_AFTER or INTERVAL; "
        "times as Click writes them: 30 or 1.5 (seconds), 500ms, 2min, 1h): records stamped before "
        "the start are read and skipped, up to the first that is not; the first record stamped at "
        "or after the end is not emitted, and the file ends there exactly as at its real end (STOP "
        "true stops the router; without it the run ends once every source has ended). Nothing after "
        "it is read. Skipped records are freed unprocessed and counted as the port's `skipped` in "
        "nbrun --stats (beside rx, and in neither rx, `count` nor --packets): the records before "
        "the start, and the one that ends the window with any DPDK read in the same burst, so the "
        "port's driver ipackets is rx + skipped. With TIMING true the pace starts at the first "
        "record emitted, which leaves at once: skipped records take no time. A window that holds no record (START with "
        "an END_AFTER that comes before "
        "it) emits none. Not with LOOP true. A reload that keeps the element keeps its place and "
        "what it learnt of the trace (its first record's time, whether records were emitted yet): "
        "the new window applies to the records still to come; START skips only before the first "
        "record emitted, and a file that reached its end stays ended.\n"
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
