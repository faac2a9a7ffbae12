// unqueue.click -- pull chains that end in a push: Unqueue, RatedUnqueue,
// BandwidthRatedUnqueue and Shaper, each behind its own queue.

src :: FromDump(traffic.pcap, STOP true);
rs :: RoundRobinSwitch;

src -> rs;
rs [0] -> Queue -> Unqueue(8) -> Counter -> Discard;
rs [1] -> Queue(100) -> RatedUnqueue(1000) -> Discard;
rs [2] -> ThreadSafeQueue -> BandwidthRatedUnqueue(125000) -> Discard;
rs [3] -> q :: Queue -> Shaper(500) -> Unqueue -> ToDump(shaped.pcap);
