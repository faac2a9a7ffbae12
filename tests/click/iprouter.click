// iprouter.click -- a two-interface IP router built the way Click's
// make-ip-conf.pl builds one: ARP, IP input checks, routing, TTL, ICMP
// errors, redirects (CheckPaint) and Ethernet encapsulation through ARP.
//
// Interface 0: 10.1.0.1/24, 02:00:00:00:00:01
// Interface 1: 10.2.0.1/24, 02:00:00:00:00:02
//
// Click names devices by interface (eth0); nb names DPDK ports. The defines
// below map them (see docs/language.md, "Click's own configurations").

define($eth0 "net_af_packet0,iface=eth0", $eth1 "net_af_packet1,iface=eth1");

// Shared IP input path and routing table
ip :: Strip(14)
    -> CheckIPHeader(BADSRC 10.1.0.255 10.2.0.255)
    -> rt :: LookupIPRoute(10.1.0.1/32 0, 10.1.0.255/32 0, 10.1.0.0/32 0,
                           10.2.0.1/32 0, 10.2.0.255/32 0, 10.2.0.0/32 0,
                           10.1.0.0/24 1, 10.2.0.0/24 2, 0.0.0.0/0 10.2.0.2 2);

// ARP responses are copied to each ARPQuerier and the host.
arpt :: Tee(3);

// Input and output paths for interface 0
c0 :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
FromDevice($eth0) -> c0;
out0 :: Queue(200) -> todevice0 :: ToDevice($eth0);
c0 [0] -> ar0 :: ARPResponder(10.1.0.1 02:00:00:00:00:01) -> out0;
arpq0 :: ARPQuerier(10.1.0.1, 02:00:00:00:00:01) -> out0;
c0 [1] -> arpt;
arpt [0] -> [1] arpq0;
c0 [2] -> Paint(1) -> ip;
c0 [3] -> Discard;

// Input and output paths for interface 1
c1 :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
FromDevice($eth1) -> c1;
out1 :: Queue(200) -> todevice1 :: ToDevice($eth1);
c1 [0] -> ar1 :: ARPResponder(10.2.0.1 02:00:00:00:00:02) -> out1;
arpq1 :: ARPQuerier(10.2.0.1, 02:00:00:00:00:02) -> out1;
c1 [1] -> arpt;
arpt [1] -> [1] arpq1;
c1 [2] -> Paint(2) -> ip;
c1 [3] -> Discard;

// (Click writes the redirect code as "host"; nb takes its number, 1.)
// ICMP errors go back through the routing table. Click connects them to rt
// directly; nb rejects a push cycle, so a queue breaks it (docs/queues.md).
icmp :: Queue(64) -> Unqueue -> rt;

// Local delivery: a real router hands these to the host (Click's ToHost).
toh :: Discard;
arpt [2] -> toh;
rt [0] -> EtherEncap(0x0800, 00:00:00:00:00:00, 02:00:00:00:00:01) -> toh;

// Forwarding path for interface 0
rt [1] -> DropBroadcasts
    -> cp0 :: CheckPaint(1)
    -> dt0 :: DecIPTTL
    -> [0] arpq0;
cp0 [1] -> ICMPError(10.1.0.1, redirect, 1) -> icmp;
dt0 [1] -> ICMPError(10.1.0.1, timeexceeded) -> icmp;

// Forwarding path for interface 1
rt [2] -> DropBroadcasts
    -> cp1 :: CheckPaint(2)
    -> dt1 :: DecIPTTL
    -> [0] arpq1;
cp1 [1] -> ICMPError(10.2.0.1, redirect, 1) -> icmp;
dt1 [1] -> ICMPError(10.2.0.1, timeexceeded) -> icmp;
