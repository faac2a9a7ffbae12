// push_cycle.click -- push cycles as Click's own configurations write them: ICMP errors sent
// straight back to the routing table (fake-iprouter.click), and packets turned round through a
// rewriter (urewrite.click). nb puts a queue on the connection that closes each cycle, with a
// warning (docs/queues.md, "Push cycles").

rt :: LookupIPRoute(10.0.0.0/8 0, 0.0.0.0/0 1);
FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> rt;
rt[0] -> Unstrip(14) -> ToDump(out.pcap);
rt[1] -> dt :: DecIPTTL -> ToDump(far.pcap);
dt[1] -> ICMPError(10.0.0.1, timeexceeded) -> rt;

rw :: IPRewriter(pattern 8.0.0.2 1000-2000 - - 0 1);
InfiniteSource(\<00000000111111112222222233333333444444445555>, 3)
   -> UDPIPEncap(1.0.0.2, 50, 2.0.0.2, 100, 1)
   -> IPPrint(is1)
   -> [0]rw;
rw[0] -> IPPrint(rw0) -> IPMirror -> IPPrint(isR) -> [0]rw;
rw[1] -> IPPrint(rw1) -> Discard;
