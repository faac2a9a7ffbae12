// ipsec.click -- an IPsec ESP gateway in the style of Click's ipsec-router.click:
// 10.1.0.0/24 behind this gateway (192.0.2.1) reaches 10.9.0.0/16 behind the
// gateway 192.0.2.2 through an ESP tunnel with SPI 7. Both gateways write the
// same security association (one SA serves both directions, as in Click).
//
// Interface 0 (outside): 192.0.2.1/24, 02:00:00:00:00:01
// Interface 1 (inside):  10.1.0.1/24,  02:00:00:00:00:02

define($eth0 "net_af_packet0,iface=eth0", $eth1 "net_af_packet1,iface=eth1");

c0 :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
c1 :: Classifier(12/0806 20/0001, 12/0806 20/0002, 12/0800, -);
FromDevice($eth0) -> c0;
FromDevice($eth1) -> c1;
out0 :: Queue(200) -> ToDevice($eth0);
out1 :: Queue(200) -> ToDevice($eth1);

arpq0 :: ARPQuerier(192.0.2.1, 02:00:00:00:00:01) -> out0;
arpq1 :: ARPQuerier(10.1.0.1, 02:00:00:00:00:02) -> out1;
t :: Tee(2);
c0[1] -> t;
c1[1] -> t;
t[0] -> [1]arpq0;
t[1] -> [1]arpq1;
c0[0] -> ARPResponder(192.0.2.1 02:00:00:00:00:01) -> out0;
c1[0] -> ARPResponder(10.1.0.1 02:00:00:00:00:02) -> out1;

// 0: ESP for this gateway; 1: into the tunnel (with its SA); 2: other packets
// for this gateway; 3 and 4: ordinary routes.
rt :: RadixIPsecLookup(192.0.2.1/32 0,
                       10.1.0.1/32 2,
                       10.9.0.0/16 192.0.2.2 1 7 000102030405060708090a0b0c0d0e0f
                           101112131415161718191a1b1c1d1e1f 1 64,
                       192.0.2.0/24 3,
                       10.1.0.0/24 4);

ip :: Strip(14) -> CheckIPHeader(INTERFACES 192.0.2.1/24 10.1.0.1/24) -> [0]rt;
c0[2] -> Paint(1) -> ip;
c1[2] -> Paint(2) -> ip;

// Into the tunnel: ESP header, ICV, encryption, outer header; routed again.
rt[1] -> IPsecESPEncap
      -> IPsecAuthHMACSHA1(0)
      -> IPsecAES(1)
      -> IPsecEncap(50)
      -> [0]rt;

// Out of the tunnel: decrypt, verify, take apart; routed again.
rt[0] -> StripIPHeader
      -> IPsecAES(0)
      -> vauth :: IPsecAuthHMACSHA1(1)
      -> IPsecESPUnencap
      -> CheckIPHeader
      -> [0]rt;
vauth[1] -> Discard;

rt[2] -> Discard;
rt[3] -> FixIPSrc(192.0.2.1) -> dt0 :: DecIPTTL -> [0]arpq0;
rt[4] -> dt1 :: DecIPTTL -> [0]arpq1;
dt0[1] -> ICMPError(192.0.2.1, timeexceeded) -> [0]rt;
dt1[1] -> ICMPError(10.1.0.1, timeexceeded) -> [0]rt;
c0[3] -> Discard;
c1[3] -> Discard;
