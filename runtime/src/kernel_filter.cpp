#include "kernel_filter.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace nb::runtime::detail {

namespace {

// nb's place among the interface's ingress filters: a fixed handle and priority, so that a later
// nbrun finds (and replaces) what a killed one left, and a user's own filters are never touched.
constexpr __u32 kHandle = 0x6e62;  // "nb"
constexpr __u32 kPriority = 0x6e62;

bpf_tc_hook ingress_hook(int ifindex) {
  bpf_tc_hook hook;
  std::memset(&hook, 0, sizeof hook);
  hook.sz = sizeof hook;
  hook.ifindex = ifindex;
  hook.attach_point = BPF_TC_INGRESS;
  return hook;
}

bpf_tc_opts filter_opts(int prog_fd, __u32 flags) {
  bpf_tc_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.prog_fd = prog_fd;
  opts.flags = flags;
  opts.handle = kHandle;
  opts.priority = kPriority;
  return opts;
}

}  // namespace

bool KernelFilter::install(const std::string& iface, std::string& error) {
  remove();
  const unsigned ifindex = if_nametoindex(iface.c_str());
  if (ifindex == 0) {
    error = fmt::format("there is no interface '{}'", iface);
    return false;
  }
  // r0 = TC_ACT_SHOT; exit: drop the frame (a direct-action classifier's return value is the
  // verdict, so no tc action module is needed).
  const bpf_insn prog[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TC_ACT_SHOT},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "nb_sniffer_off", "GPL", prog, 2, nullptr);
  if (fd < 0) {
    error = fmt::format("cannot load the tc program that keeps frames from the kernel: {}", std::strerror(-fd));
    return false;
  }
  bpf_tc_hook hook = ingress_hook(static_cast<int>(ifindex));
  const int made = bpf_tc_hook_create(&hook);
  if (made < 0 && made != -EEXIST) {
    ::close(fd);
    error = fmt::format("cannot add a clsact qdisc to '{}': {}", iface, std::strerror(-made));
    return false;
  }
  bpf_tc_opts opts = filter_opts(fd, BPF_TC_F_REPLACE);
  const int attached = bpf_tc_attach(&hook, &opts);
  if (attached < 0) {
    if (made == 0) bpf_tc_hook_destroy(&hook);
    ::close(fd);
    error = fmt::format("cannot attach the tc program to '{}' ingress: {}", iface, std::strerror(-attached));
    return false;
  }
  iface_ = iface;
  ifindex_ = static_cast<int>(ifindex);
  prog_fd_ = fd;
  return true;
}

void KernelFilter::remove() {
  if (prog_fd_ < 0) return;
  bpf_tc_hook hook = ingress_hook(ifindex_);
  const bpf_tc_opts opts = filter_opts(0, 0);
  bpf_tc_detach(&hook, &opts);
  ::close(prog_fd_);
  prog_fd_ = -1;
}

}  // namespace nb::runtime::detail
