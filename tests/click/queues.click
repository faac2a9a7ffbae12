// queues.click -- queues and schedulers, in Click's style.
//
// Two classes of traffic share one outgoing link: ARP and ICMP go first
// (PrioSched), the rest is shared fairly between two queues (RoundRobinSched)
// and shaped to 1 MB/s. A copy of every packet sent is recorded.

define($IN traffic.pcap, $OUT out.pcap);

src :: FromDump($IN, STOP true);
c :: Classifier(12/0806, 12/0800 23/01, 12/0800, -);

hi :: Queue(64);
lo_a :: SimpleQueue(256);
lo_b :: Queue(256);

src -> c;
c [0] -> hi;
c [1] -> hi;
c [2] -> lo_a;
c [3] -> lo_b;

rr :: RoundRobinSched;
lo_a -> [0] rr;
lo_b -> [1] rr;

prio :: PrioSched;
hi -> [0] prio;
rr -> BandwidthShaper(1000000) -> [1] prio;

prio -> t :: PullTee -> ToDump($OUT);
t [1] -> Counter -> Discard;
