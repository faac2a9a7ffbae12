#include "host_iface.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace nb::runtime::detail {

namespace {

// Click's default for its fake devices (FromHost, KernelTap: 00:01:02:03:04:05).
constexpr std::array<std::uint8_t, 6> kClickDefaultEther = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05};

std::string format_mac(const std::array<std::uint8_t, 6>& m) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

// An AF_INET datagram socket for the interface ioctls, closed when it goes.
struct IoctlSocket {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~IoctlSocket() {
    if (fd >= 0) close(fd);
  }
};

bool set_ipv4(int fd, const std::string& iface, unsigned long request, std::uint32_t addr) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, iface.c_str(), IFNAMSIZ - 1);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(addr);
  std::memcpy(&ifr.ifr_addr, &sin, sizeof sin);
  return ioctl(fd, request, &ifr) == 0;
}

}  // namespace

bool host_vdev(const compiler::PlanPort& p, std::uint64_t serial, HostVdev& out, std::string& error) {
  const char* kind = p.tun ? "tun" : "tap";
  std::array<std::uint8_t, 6> mac = p.host_ether_given ? p.host_ether : kClickDefaultEther;
  out.iface = p.device;
  if (out.iface.empty()) {
    // KernelTap/KernelTun without DEVNAME: the first free tapN/tunN, as the kernel would pick.
    for (unsigned n = 0; n < 1000 && out.iface.empty(); ++n) {
      std::string name = fmt::format("{}{}", kind, n);
      if (if_nametoindex(name.c_str()) == 0) out.iface = name;
    }
  } else if (if_nametoindex(out.iface.c_str()) != 0) {
    // An interface of the host (eth0). ToHost(eth0) is Click's "as if eth0 received it": a tap of
    // nb's own beside eth0, with eth0's Ethernet address, so that the kernel takes frames
    // addressed to eth0 as its own. An element that reads or addresses the interface would need
    // eth0 itself: refused.
    if (p.rx || p.host_addr) {
      error = fmt::format("an interface named '{}' exists already: {} makes an interface of its own", out.iface,
                          p.name.substr(0, p.name.find(',')));
      return false;
    }
    std::string own = "nb-" + out.iface;
    if (own.size() >= IFNAMSIZ) {
      error = fmt::format(
          "'{}' is an interface of the host, and '{}', the tap nb would hand its packets to, is too "
          "long for an interface name",
          out.iface, own);
      return false;
    }
    if (!p.host_ether_given) {
      IoctlSocket s;
      ifreq ifr{};
      std::strncpy(ifr.ifr_name, out.iface.c_str(), IFNAMSIZ - 1);
      if (s.fd >= 0 && ioctl(s.fd, SIOCGIFHWADDR, &ifr) == 0) std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, 6);
    }
    out.iface = own;
    if (if_nametoindex(own.c_str()) != 0) {
      error =
          fmt::format("an interface named '{}' exists already (another nbrun handing packets to '{}'?)", own, p.device);
      return false;
    }
  }
  if (out.iface.empty()) {
    error = fmt::format("no free {}N interface name", kind);
    return false;
  }
  out.name = fmt::format("net_{}_nb{}", kind, serial);
  out.args = "iface=" + out.iface;
  if (!p.tun) out.args += ",mac=" + format_mac(mac);
  return true;
}

bool configure_host_iface(const compiler::PlanPort& p, const std::string& iface, std::string& error) {
  if (!p.host_addr) return true;
  IoctlSocket s;
  const std::uint32_t mask = p.host_len ? ~0u << (32 - p.host_len) : 0;
  if (s.fd < 0 || !set_ipv4(s.fd, iface, SIOCSIFADDR, p.host_ip) || !set_ipv4(s.fd, iface, SIOCSIFNETMASK, mask)) {
    error = fmt::format("cannot give interface '{}' its address {}.{}.{}.{}/{}: {}", iface, p.host_ip >> 24,
                        (p.host_ip >> 16) & 0xff, (p.host_ip >> 8) & 0xff, p.host_ip & 0xff, p.host_len,
                        std::strerror(errno));
    return false;
  }
  return true;
}

std::string host_settings(const compiler::PlanPort& p) {
  return fmt::format("{} {}/{} {} {}", p.tun ? "tun" : "tap", p.host_addr ? p.host_ip : 0, p.host_len,
                     p.host_ether_given ? format_mac(p.host_ether) : "-", p.host_mtu);
}

}  // namespace nb::runtime::detail
