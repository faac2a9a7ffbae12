// addressinfo.click -- a gateway in the style of Click's mazu-nat.click: no bare address in the
// configuration, every one named once in AddressInfo (which may come after its uses).

define($intern_dev "net_af_packet0,iface=eth0", $extern_dev "net_af_packet1,iface=eth1");

elementclass ToWorld {
  // A name of the compound's own: extern_next_hop holds in here only.
  AddressInfo(extern_next_hop 02:00:0a:11:22:1f);
  input -> EtherEncap(0x0800, extern:eth, extern_next_hop) -> Queue(1024) -> ToDevice($extern_dev);
}

FromDevice($intern_dev)
  -> cl :: Classifier(12/0806 20/0001, 12/0800, -);
cl [0] -> ARPResponder(intern intern:eth) -> Queue(1024) -> ToDevice($intern_dev);
cl [1] -> Strip(14) -> CheckIPHeader
  -> f :: IPClassifier(src net intern and not dst net intern, dst host intern, -);
f [0] -> rt :: LookupIPRoute(intern:net 0, 0.0.0.0/0 extern:gw 1);
f [1] -> Discard;
f [2] -> Discard;
rt [0] -> Discard;
rt [1] -> SetIPAddress(extern:gw) -> ToWorld;
cl [2] -> Discard;

AddressInfo(
  intern    10.0.0.1   10.0.0.0/8      00:50:ba:85:84:a9,
  extern    209.6.198.213 209.6.198.0/24 00:e0:98:09:ab:af
);
