// Click's FromDevice(eth0, SNIFFER false): the frames nbrun reads from a Linux interface through
// a packet socket (DPDK's net_af_packet) are kept from the kernel's own stack. Click installs
// iptables rules (its KernelFilter); nb attaches a two-instruction tc program to the interface's
// ingress that drops every frame. Packet sockets see a frame before tc's ingress hook, so
// net_af_packet (and tcpdump) still get it; the kernel's IP stack, ARP and bridges do not.
#pragma once

#include <string>

namespace nb::runtime::detail {

class KernelFilter {
 public:
  KernelFilter() = default;
  KernelFilter(const KernelFilter&) = delete;
  KernelFilter& operator=(const KernelFilter&) = delete;
  ~KernelFilter() { remove(); }

  // Attaches the program to `iface`'s ingress (making its clsact qdisc when it has none). A
  // filter an earlier nbrun left behind (killed with SIGKILL) is replaced. False with `error`
  // (no privilege, no such interface, a kernel without eBPF tc programs).
  bool install(const std::string& iface, std::string& error);
  // Detaches it. The clsact qdisc stays (empty, it changes nothing): removing it would remove
  // any filter someone added to it meanwhile. Idempotent.
  void remove();
  bool installed() const { return prog_fd_ >= 0; }
  const std::string& iface() const { return iface_; }

 private:
  std::string iface_;
  int ifindex_ = 0;
  int prog_fd_ = -1;
};

}  // namespace nb::runtime::detail
