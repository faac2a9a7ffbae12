// gnat.click -- an IPv6-only network reaching IPv4 hosts through a GNAT translator, in the
// style of Click's conf/ip64-nat2.click: inside hosts' flows get ports of ::18.26.4.17, which
// ProtocolTranslator64 turns into IPv4 packets from 18.26.4.17; replies come back through
// ProtocolTranslator46 (IPv4-compatible addresses, as Click's configurations expect).
// Neighbor discovery is left to the kernel side of the interfaces.

at :: AddressTranslator(0,
        1,
        1,
        0,
        ::18.26.4.17 6000 6010);
pt64 :: ProtocolTranslator64();
pt46 :: ProtocolTranslator46(MAPPED false);

rt6 :: LookupIP6Route(3ffe:1ce1:2::/48 ::0 0,
        ::0/96 ::0 1);
rt :: StaticIPLookup(18.26.4.17/32 0,
        0.0.0.0/0 18.26.4.1 1);

FromDevice(eth0) -> c6 :: Classifier(12/86dd, -);
c6[0] -> Strip(14)
      -> CheckIP6Header(3ffe:1ce1:2::ffff)
      -> rt6;
c6[1] -> Discard;

FromDevice(eth1) -> c4 :: Classifier(12/0800, -);
c4[0] -> Strip(14)
      -> CheckIPHeader(BADSRC 18.26.4.255)
      -> GetIPAddress(16)
      -> rt;
c4[1] -> Discard;

rt6[0] -> Discard;
rt6[1] -> dh :: DecIP6HLIM -> [0]at;
dh[1] -> ICMP6Error(3ffe:1ce1:2:0:200::1, 3, 0) -> Discard;

at[0] -> pt64
      -> CheckIPHeader
      -> EtherEncap(0x0800, 00:a0:c9:9c:fd:9e, 00:00:c0:4f:71:ef)
      -> Queue(1024)
      -> ToDevice(eth1);

rt[0] -> pt46 -> [1]at;
rt[1] -> Discard;

at[1] -> EtherEncap(0x86dd, 00:a0:c9:9c:fd:9e, 00:90:27:e0:23:1f)
      -> Queue(1024)
      -> ToDevice(eth0);
