// The kernel interfaces of Click's host elements (FromHost, ToHost, KernelTap, KernelTun):
// DPDK's net_tap (or net_tun) makes them; this names them and gives them their address.
#pragma once

#include <nb/compiler/plan.hpp>

#include <string>

namespace nb::runtime::detail {

// What the net_tap/net_tun device for `p` is created with.
struct HostVdev {
  std::string iface;  // the kernel interface's name
  std::string name;   // the DPDK device's name (net_tap_nbN, net_tun_nbN)
  std::string args;   // its arguments: iface=...,mac=...
};

// Picks the interface's name and the device's arguments; false with `error` when the name
// cannot be had (an interface of that name exists and the port receives or has an address).
bool host_vdev(const compiler::PlanPort& p, std::uint64_t serial, HostVdev& out, std::string& error);

// Gives the interface its address (PREFIX/ADDR) once the device is up.
bool configure_host_iface(const compiler::PlanPort& p, const std::string& iface, std::string& error);

// The settings a running tap keeps across a reload (address, Ethernet address, MTU, tun).
std::string host_settings(const compiler::PlanPort& p);

}  // namespace nb::runtime::detail
