// icmp_rewriter.click -- ICMP errors through a NAT, as Click's conf/thomer-nat.click does it:
// ICMPRewriter names the rewriters whose mappings translate the errors back.

AddressInfo(
  intern  10.0.0.1   10.0.0.0/8,
  extern  192.0.2.1
);

IPRewriterPatterns(NAT extern 50000-65535 - -);
rw :: IPRewriter(pattern NAT 0 1, pass 1);
irw :: ICMPPingRewriter(extern, -);
ierw :: ICMPRewriter(rw irw);

FromDump(inside.pcap) -> Strip(14) -> CheckIPHeader
    -> icls :: IPClassifier(icmp type echo, -);
icls [0] -> irw;
icls [1] -> [0] rw;

FromDump(outside.pcap) -> Strip(14) -> CheckIPHeader
    -> ocls :: IPClassifier(icmp type echo-reply, icmp, -);
ocls [0] -> irw;
ocls [1] -> ierw;
ocls [2] -> [1] rw;

to_world :: Unstrip(14) -> ToDump(to_world.pcap);
to_inside :: Unstrip(14) -> ToDump(to_inside.pcap);
rw [0] -> to_world;
rw [1] -> to_inside;
irw [0] -> to_world;
irw [1] -> to_inside;
ierw [0] -> to_inside;
ierw [1] -> Discard;
