// ip6router.click -- an IPv6 router in the style of Click's ip601.click: neighbor
// discovery (IP6NDAdvertiser answers solicitations for the router's addresses,
// IP6NDSolicitor resolves next hops), IPv6 input checks, routing, hop limits and
// ICMPv6 errors.
//
// Interface 0: 2001:db8:1::1/64, 02:00:00:00:00:01
// Interface 1: 2001:db8:2::1/64, 02:00:00:00:00:02

define($eth0 "net_af_packet0,iface=eth0", $eth1 "net_af_packet1,iface=eth1");

rt :: LookupIP6Route(2001:db8:1::1/128 ::0 0,
                     2001:db8:2::1/128 ::0 0,
                     2001:db8:1::/64 ::0 1,
                     2001:db8:2::/64 ::0 2,
                     ::0/0 2001:db8:2::fe 2);

out0 :: Queue(200) -> ToDevice($eth0);
out1 :: Queue(200) -> ToDevice($eth1);

nds0 :: IP6NDSolicitor(2001:db8:1::1, 02:00:00:00:00:01);
nds1 :: IP6NDSolicitor(2001:db8:2::1, 02:00:00:00:00:02);
nds0 -> out0;
nds1 -> out1;

c0 :: Classifier(12/86dd 20/3aff 54/87, 12/86dd 20/3aff 54/88, 12/86dd, -);
FromDevice($eth0) -> c0;
c0 [0] -> IP6NDAdvertiser(2001:db8:1::1/128 fe80::1/128 02:00:00:00:00:01) -> out0;
c0 [1] -> [1] nds0;
c0 [2] -> Strip(14)
       -> CheckIP6Header(2001:db8:1::ffff)
       -> IP6Print(in0)
       -> GetIP6Address(24)
       -> rt;
c0 [3] -> Discard;

c1 :: Classifier(12/86dd 20/3aff 54/87, 12/86dd 20/3aff 54/88, 12/86dd, -);
FromDevice($eth1) -> c1;
c1 [0] -> IP6NDAdvertiser(2001:db8:2::1/128 02:00:00:00:00:02) -> out1;
c1 [1] -> [1] nds1;
c1 [2] -> Strip(14) -> CheckIP6Header -> GetIP6Address(24) -> rt;
c1 [3] -> Discard;

// Local delivery
rt [0] -> IP6Print(local, NBYTES 64, CONTENTS true) -> Discard;

// Forwarding: hop limit, then the next hop's Ethernet address
rt [1] -> dh1 :: DecIP6HLIM -> [0] nds0;
rt [2] -> dh2 :: DecIP6HLIM -> [0] nds1;
// ICMPv6 errors go back through the routing table; a queue breaks the push
// cycle Click's ip601.click has (docs/queues.md).
icmp :: Queue(64) -> Unqueue -> GetIP6Address(24) -> rt;
dh1 [1] -> ICMP6Error(2001:db8:1::1, 3, 0) -> icmp;
dh2 [1] -> ICMP6Error(2001:db8:2::1, 3, 0) -> icmp;
