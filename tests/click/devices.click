// devices.click -- Click's FromDevice(eth0)/ToDevice(eth0), mapped to DPDK.
//
// nb names DPDK ports: a port number, a PCI address, or a virtual device
// such as net_af_packet (a Linux interface), net_tap (a new kernel
// interface) or net_pcap. A define maps Click's interface names once; a
// command line may set them another way.

define($eth0 "net_af_packet0,iface=eth0");
define($eth1 "net_tap0,iface=nb1");

FromDevice($eth0, PROMISC true) -> Queue(1024) -> ToDevice($eth1);
FromDevice($eth1) -> Queue(1024) -> ToDevice($eth0);
FromDevice(2) -> EtherMirror -> ToDevice(2);

// Two ToDevices on one device share its transmit queue (Click wants one,
// fed by a Queue); SNIFFER false keeps the kernel from what FromDevice reads.
FromDevice(eth0, SNIFFER false) -> c :: Classifier(12/0806, -);
c[0] -> ARPResponder(0/0 02:00:00:00:00:05) -> ToDevice(3);
c[1] -> Queue -> ToDevice(3);
