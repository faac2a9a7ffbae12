// scheduling.click -- stride scheduling, early drops and timed sinks, in Click's style.
//
// Three classes of traffic share a link by stride scheduling (one, two and
// three parts in six); the bulk class is policed by RED before its queue.
// The link is a serial line of 1 Mbit/s with 5 ms of latency; what comes
// off it is stamped and recorded. A fourth queue is drained slowly by a
// TimedSink.

define($IN traffic.pcap, $OUT out.pcap);

src :: FromDump($IN, STOP true);
c :: IPClassifier(icmp, tcp, udp, -);

q_icmp :: Queue(32);
q_tcp :: Queue(128);
q_udp :: Queue(128);
q_rest :: Queue(16);

src -> Strip(14) -> CheckIPHeader -> c;
c [0] -> q_icmp;
c [1] -> q_tcp;
c [2] -> red :: RED(16, 96, 0.05, STABILITY 6) -> q_udp;
c [3] -> q_rest -> TimedSink(0.2);

ss :: StrideSched(10, 20, 30);
q_icmp -> [0] ss;
q_tcp -> [1] ss;
q_udp -> [2] ss;

ss -> LinkUnqueue(5ms, 1Mbps)
   -> SetTimestamp
   -> Unstrip(14)
   -> ToDump($OUT);
