// What makes a shared library an nb plugin: a version stamp, the element specs it registers and
// (next to them, from nb_add_element_plugin's assembler stub) its kernels' embedded bitcode.
//
// Element sources of a plugin are written exactly like built-in ones (nb/element.hpp,
// NB_ELEMENT_KERNEL, NB_REGISTER_ELEMENT). nb_add_element_plugin (cmake/NbPlugin.cmake) builds
// them with hidden visibility, so each plugin registers into its own list, and adds one source
// that expands NB_PLUGIN_DEFINE_EXPORTS(). The loader (compiler/src/plugin.cpp) reads:
//   nb_plugin_abi_version   uint32_t    must equal nb::plugin_abi_version() of the loading nb
//   nb_plugin_nb_version    const char* the nb version the plugin was built against (messages)
//   nb_plugin_specs         function    the ElementSpecs the plugin's static constructors registered
//   nb_plugin_bc_start/_end bytes       the LLVM bitcode of the plugin's element sources
#pragma once

#include <nb/element.hpp>

#include <cstddef>
#include <cstdint>

namespace nb {

// Bumped by hand whenever the plugin interface changes in a way the layout fingerprint below
// cannot see (a meaning, an order of calls). 2: packet annotations moved from the mbuf's private
// area into its dynamic fields (kAnnoOffset, packet.hpp). 3: State scopes over worker cores
// (ElementOps::state_scope) and merged handler reads (HandlerSpec::read_workers); facts
// (ElementOps::facts, FactSheet). 4: drop reasons carry docs (DropReason, E::kDrops); counters
// are handlers of kind Counter (ElementOps::counters went); Config is value-initialised before
// configure, which is optional; port elements say how their port is opened
// (ElementSpec::port_open, port_param) instead of the compiler knowing them by class name;
// FactSheet says which annotations an element reads and sets (anno_reads, anno_sets);
// ParamSpec::validate_all reports several errors with hints (ParamError::hint), and the compiler
// no longer parses byte patterns: Args::get_pattern and pattern_matches_all went (a kernel reads
// the PATTERN text with get_string_at). 5: pull processing (ElementOps::pull and held, PullContext,
// ElementSpec::processing, Context::store); PacketAnno::network_behind. 6: ElementSpec::copies_packets
// and flow_code; PacketAnno's network offsets first, the IPv6 next hop (dst_ip6) over its last 16
// bytes; packet timestamps and the wall clock (HostServices::timestamp_offset, timestamp_flag,
// epoch_us), watched queues (ElementSpec::queues_param, HostServices::watched_length),
// PullContext::drop, host and flushing, Args::ninputs, ParamType::Bandwidth; elements without
// ports that run no packet code (NB_ELEMENT_INFO) or run on the control thread
// (ElementOps::control, ControlContext, HandlerSpec::Kind::Control), ElementSpec::warning and
// raw_arguments. 7: ElementSpec::source_split; peers (ElementSpec::peers and family, PeerParam,
// HostServices::peer_state): an element reaches the State of elements its arguments name, on its
// worker. 8: PeerParam::classes, HostServices::peer_config (Context::peer_config): a peer's Config
// too (FTPPortMapper).
inline constexpr std::uint32_t kPluginAbiRevision = 8;

// The revision in the high 16 bits, a fingerprint of the layouts plugins and nb share in the low
// 16: a plugin built against another SDK layout is refused instead of misread.
constexpr std::uint32_t plugin_abi_version() {
  std::uint32_t h = 2166136261u;
  for (std::size_t v :
       {sizeof(ElementSpec), sizeof(ElementOps), sizeof(ParamSpec), sizeof(Context), sizeof(HostServices),
        sizeof(CounterField), sizeof(HandlerSpec), sizeof(DropReason), alignof(Context), sizeof(FactSheet), sizeof(Fact),
        sizeof(PeerParam)}) {
    h = (h ^ static_cast<std::uint32_t>(v)) * 16777619u;
  }
  return kPluginAbiRevision << 16 | ((h ^ (h >> 16)) & 0xffffu);
}

}  // namespace nb

#if defined(NB_PLUGIN_TEST_ABI_VERSION)  // tests only: a plugin that claims another ABI
#define NB_DETAIL_PLUGIN_ABI NB_PLUGIN_TEST_ABI_VERSION
#else
#define NB_DETAIL_PLUGIN_ABI ::nb::plugin_abi_version()
#endif
#ifndef NB_PLUGIN_NB_VERSION
#define NB_PLUGIN_NB_VERSION "unknown"
#endif

// Once per plugin (nb_add_element_plugin adds it): the exported symbols the loader checks.
#define NB_PLUGIN_DEFINE_EXPORTS()                                                                                    \
  extern "C" __attribute__((visibility("default"))) const std::uint32_t nb_plugin_abi_version = NB_DETAIL_PLUGIN_ABI; \
  extern "C" __attribute__((visibility("default"))) const char* const nb_plugin_nb_version = NB_PLUGIN_NB_VERSION;    \
  extern "C" __attribute__((visibility("default"))) const ::nb::ElementSpec* const* nb_plugin_specs(                  \
      std::size_t* count) {                                                                                           \
    *count = ::nb::registered_element_specs().size();                                                                 \
    return ::nb::registered_element_specs().data();                                                                   \
  }
