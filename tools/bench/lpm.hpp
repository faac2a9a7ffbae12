// nbbench's lpm workload: 16,000 random routes (a ROUTES file for LookupIPRoute, read by
// nb-bench-native too) and a trace of 64-byte IPv4/UDP frames to random destinations.
#pragma once

#include <filesystem>
#include <string>

namespace nbbench {

inline constexpr int kLpmRoutes = 16000;
inline constexpr int kLpmOutputs = 4;
inline constexpr int kLpmPackets = 4096;  // net_pcap infinite_rx keeps them all in mbufs

// Writes `routes.txt` (kLpmRoutes random prefixes, /8../32 shaped like a BGP table, each to one
// of kLpmOutputs outputs, plus a default route) and `lpm.pcap`. False with a message on error.
bool write_lpm_inputs(const std::filesystem::path& routes, const std::filesystem::path& pcap, std::string& error);

// The workload's graph: Strip(14) -> LookupIPRoute(ROUTES routes) -> Unstrip(14) -> net_null0.
std::string lpm_config(const std::string& pcap, const std::string& routes);

}  // namespace nbbench
