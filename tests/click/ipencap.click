// ipencap.click -- IP header elements: tunnels in and out.

src :: FromDump(traffic.pcap, STOP true);
c :: Classifier(12/0800, -);

src -> c;
c [0] -> Strip(14)
      -> MarkIPHeader
      -> ipc :: IPClassifier(udp, tcp, icmp, -);

ipc [0] -> CheckUDPHeader -> SetUDPChecksum
        -> UDPIPEncap(192.0.2.1, 4789, 192.0.2.2, 4789)
        -> IPEncap(ipip, 192.0.2.1, 192.0.2.3, TTL 64)
        -> SetIPChecksum
        -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:02)
        -> ToDump(tunneled.pcap);
ipc [1] -> CheckTCPHeader -> SetTCPChecksum -> Discard;
ipc [2] -> CheckICMPHeader -> IPMirror -> SetIPChecksum
        -> Unstrip(14) -> EtherMirror -> ToDump(mirrored.pcap);
ipc [3] -> StripIPHeader -> UnstripIPHeader -> GetIPAddress(16)
        -> SetIPAddress(10.0.0.1) -> Discard;
c [1] -> Discard;
