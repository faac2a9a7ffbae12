// classifiers.click -- Classifier, IPClassifier and IPFilter side by side.

src :: FromDump(traffic.pcap, STOP true);

// Ethernet types, with a mask and a "don't care" output last
eth :: Classifier(12/0800, 12/0806 20/0001, 12/0806 20/0002, 12/86dd, 12/8100%ff00, -);
src -> eth;

ipc :: IPClassifier(tcp dst port 80 or tcp dst port 443,
                    udp port 53,
                    icmp,
                    src net 10.0.0.0/8 and not dst host 10.0.0.1,
                    -);
eth [0] -> Strip(14) -> CheckIPHeader -> ipc;

ipc [0] -> Counter -> Discard;
ipc [1] -> Counter -> Discard;
ipc [2] -> Counter -> Discard;
ipc [3] -> f :: IPFilter(allow tcp, allow udp, deny all) -> Discard;
ipc [4] -> Discard;

eth [1] -> Discard;
eth [2] -> Discard;
eth [3] -> Discard;
eth [4] -> Discard;
eth [5] -> Discard;
