// nat.click -- a source NAT between an inside and an outside interface,
// in the style of Click's mazu-nat.click, with nb's IPRewriter.

define($inside "net_af_packet0,iface=eth0", $outside "net_af_packet1,iface=eth1");
define($public 192.0.2.1);

rw :: IPRewriter(pattern $public 50000-59999 - - 0 1, drop,
                 TCP_TIMEOUT 3600, UDP_TIMEOUT 60);

FromDevice($inside) -> ci :: Classifier(12/0800, -);
ci [0] -> Strip(14) -> CheckIPHeader -> [0] rw;
ci [1] -> Discard;

FromDevice($outside) -> co :: Classifier(12/0800, -);
co [0] -> Strip(14) -> CheckIPHeader -> [1] rw;
co [1] -> Discard;

rw [0] -> EtherEncap(0x0800, 02:00:00:00:00:02, 02:00:00:00:00:fe)
       -> Queue -> ToDevice($outside);
rw [1] -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:10)
       -> Queue -> ToDevice($inside);
