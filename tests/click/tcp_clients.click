// tcp_clients.click -- Click's toy TCP clients on one interface, as in
// Click's conf/webgen.click and conf/test-toytcp.click: WebGen asks the web
// server at 1.0.0.1 for pages from addresses of 7.1.0.0/16, ToyTCP keeps one
// connection to port 5432 of 18.26.4.123 busy. nb answers ARP for both
// clients' next hops.

define($dev "net_af_packet0,iface=eth0");

fd :: FromDevice($dev);
out :: Queue(1024) -> td :: ToDevice($dev);

fd -> cl :: Classifier(12/0800 23/06 30/121a046a, 12/0800, 12/0806 20/0001);

// TCP to 18.26.4.106 is for ToyTCP; the rest of IP for WebGen.
cl[0]
  -> Strip(34)
  -> ToyTCP(5432)
  -> IPEncap(6, 18.26.4.106, 18.26.4.123)
  -> SetTCPChecksum
  -> EtherEncap(0x0800, 0:e0:29:5:e5:6f, 00:90:27:e0:23:1f)
  -> out;

cl[1]
  -> Strip(14)
  -> WebGen(7.1.0.0/16, 1.0.0.1, 500)
  -> EtherEncap(0x0800, 00:00:5A:98:F9:28, 00:03:47:0D:39:57)
  -> out;

cl[2]
  -> ARPResponder(1.0.0.2 00:00:5A:98:F9:28, 18.26.4.106 0:e0:29:5:e5:6f)
  -> out;
