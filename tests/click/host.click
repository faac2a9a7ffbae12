// host.click -- Click's host elements: the kernel's network stack through
// tap interfaces (DPDK's net_tap) that nbrun makes.
//
// fake0: the kernel routes 192.0.2.0/24 to us; we answer its ARP queries
// and send its pings back to it mirrored, so that the kernel answers
// itself. tun0 (KernelTun): IP packets, no Ethernet header; what is not IP
// leaves by its output 1. tap (KernelTap): one element for both directions.

FromHost(fake0, 192.0.2.1/24)
  -> fh_cl :: Classifier(12/0806 20/0001, 12/0800, -);
fh_cl[0] -> ARPResponder(192.0.2.2 02:00:00:00:00:02) -> ToHost(fake0);
fh_cl[1] -> EtherMirror -> Strip(14) -> CheckIPHeader -> IPMirror
         -> Unstrip(14) -> ToHost(fake0);
fh_cl[2] -> Discard;

tun :: KernelTun(198.18.0.1/24, DEVNAME tun0, MTU 1400);
tun -> CheckIPHeader -> ipc :: IPClassifier(icmp type echo, -)
    -> IPMirror -> Queue(64) -> tun;
ipc[1] -> Discard;
tun[1] -> Print(tun-nonip) -> Discard;

tap :: KernelTap(198.19.0.1/24, ETHER 02:00:00:00:00:01)
  -> tap_cl :: Classifier(12/0806, -);
tap_cl[0] -> ARPResponder(198.19.0.0/24 02:00:00:00:00:09) -> tap;
tap_cl[1] -> Print(tap) -> Discard;

// Sampled copies for tcpdump -i sniff0: ToHostSniffers is ToHost in nb.
FromDevice(0) -> t :: Tee;
t[0] -> ToHostSniffers(sniff0);
t[1] -> Discard;
