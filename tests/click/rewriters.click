// rewriters.click -- Click's rewriter family as conf/mazu-nat.click and conf/thomer-nat.click
// use it: named patterns, TCPRewriter for TCP alone, ICMPPingRewriter for pings.

AddressInfo(
  intern        10.0.0.1        10.0.0.0/8,
  extern        192.0.2.1,
  intern_server 10.0.0.10
);

IPRewriterPatterns(to_world_pat extern 50000-65535 - -,
                   to_server_pat intern 50000-65535 intern_server -);

rw :: IPRewriter(pattern to_world_pat 0 1,   // inside to the world
                 pattern to_server_pat 1 0,  // outside redirected to the server
                 pass 0,
                 keep 0 1,
                 UDP_TIMEOUT 5min);
tcp_rw :: TCPRewriter(pattern to_world_pat 0 1, drop);
irw :: ICMPPingRewriter(extern, -);

inside :: FromDump(inside.pcap) -> Strip(14) -> CheckIPHeader
       -> cls :: IPClassifier(dst tcp port ftp, tcp or udp, icmp type echo, -);
cls [0] -> [0] tcp_rw;
cls [1] -> [0] rw;
cls [2] -> irw;
cls [3] -> Discard;

outside :: FromDump(outside.pcap) -> Strip(14) -> CheckIPHeader
        -> ocls :: IPClassifier(src tcp port ftp, icmp type echo-reply, -);
ocls [0] -> [1] tcp_rw;
ocls [1] -> irw;
ocls [2] -> [1] rw;
Idle -> [2] rw;
Idle -> [3] rw;

out :: Unstrip(14) -> ToDump(out.pcap);
rw [0] -> out;
rw [1] -> out;
tcp_rw [0] -> out;
tcp_rw [1] -> out;
irw [0] -> out;
irw [1] -> out;
