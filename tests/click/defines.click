// defines.click -- define, $VAR and ${VAR}, defaults with ${VAR-DEFAULT},
// and variables seen inside compound classes.

define($NET 10.1.0.0/16, $ME 10.1.0.1, $MAC 02:00:00:00:00:01);
define($BASE trace);

elementclass Reply {
    // $ME and $MAC come from the top level.
    input -> ARPResponder($ME $MAC) -> output;
}

src :: FromDump(${BASE}.pcap, STOP true);
c :: Classifier(12/0806 20/0001, 12/0800, -);

src -> c;
c [0] -> Reply -> ToDump(${BASE}_arp.pcap);
c [1] -> Strip(14)
      -> CheckIPHeader
      -> ipc :: IPClassifier(src net $NET, -)
      -> Unstrip(14)
      -> ToDump(${OUT-${BASE}_ip.pcap}, SNAPLEN ${SNAPLEN-96});
ipc [1] -> Discard;
c [2] -> Discard;
