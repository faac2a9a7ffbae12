#include "lpm.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <vector>

namespace nbbench {

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}

}  // namespace

bool write_lpm_inputs(const std::filesystem::path& routes, const std::filesystem::path& pcap, std::string& error) {
  std::mt19937 rng(16000);
  {
    std::ofstream f(routes);
    if (!f) return error = "cannot write " + routes.string(), false;
    f << "# nbbench lpm: " << kLpmRoutes << " random routes and a default route\n";
    // Prefix lengths roughly as in an Internet table: mostly /16../24, some longer and shorter.
    const int lengths[] = {8, 12, 16, 16, 18, 20, 20, 22, 22, 24, 24, 24, 24, 24, 26, 28, 32};
    for (int i = 0; i < kLpmRoutes; ++i) {
      const int len = lengths[rng() % std::size(lengths)];
      const std::uint32_t addr = static_cast<std::uint32_t>(rng()) & (~std::uint32_t{0} << (32 - len));
      f << fmt::format("{}.{}.{}.{}/{} {}\n", addr >> 24, addr >> 16 & 255, addr >> 8 & 255, addr & 255, len,
                       rng() % kLpmOutputs);
    }
    f << "0.0.0.0/0 0\n";
  }
  std::FILE* f = std::fopen(pcap.c_str(), "wb");
  if (!f) return error = "cannot write " + pcap.string(), false;
  const std::uint32_t header[6] = {0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1};
  std::fwrite(header, sizeof header, 1, f);
  for (int i = 0; i < kLpmPackets; ++i) {
    std::vector<std::uint8_t> p(60, 0);
    const std::uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0};
    std::copy(std::begin(eth), std::end(eth), p.begin());
    p[14] = 0x45;
    put16(p, 16, 46);
    put16(p, 18, static_cast<std::uint16_t>(i));
    p[22] = 64;
    p[23] = 17;
    put32(p, 26, 0x0a000001);
    put32(p, 30, static_cast<std::uint32_t>(rng()));  // a random destination
    std::uint32_t sum = 0;
    for (int k = 14; k < 34; k += 2) sum += std::uint32_t{p[k]} << 8 | p[k + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    put16(p, 24, static_cast<std::uint16_t>(~sum));
    put16(p, 34, 1000);
    put16(p, 36, 2000);
    put16(p, 38, 26);
    const std::uint32_t rec[4] = {static_cast<std::uint32_t>(i), 0, 60, 60};
    std::fwrite(rec, sizeof rec, 1, f);
    std::fwrite(p.data(), p.size(), 1, f);
  }
  if (std::fclose(f) != 0) return error = "cannot write " + pcap.string(), false;
  return true;
}

std::string lpm_config(const std::string& pcap, const std::string& routes) {
  std::string s = fmt::format(
      "// nbbench lpm: {} random routes on rte_lpm, random destinations.\n"
      "FromDump(\"{}\", LOOP true) -> Strip(14) -> rt :: LookupIPRoute(ROUTES \"{}\");\n"
      "out :: Unstrip(14) -> ToDevice(net_null0);\n",
      kLpmRoutes, pcap, routes);
  for (int i = 0; i < kLpmOutputs; ++i) s += fmt::format("rt [{}] -> out;\n", i);
  return s;
}

}  // namespace nbbench
