// compounds.click -- compound element classes: formals, keywords,
// synonyms, nested classes, anonymous compounds, and an instance used twice.

elementclass EthIPInput { $eth |
    // Accepts IP packets addressed to $eth; the rest leaves on output 1.
    input -> f :: HostEtherFilter($eth, DROP_OWN true)
          -> c :: Classifier(12/0800, -)
          -> Strip(14) -> CheckIPHeader -> [0] output;
    c [1] -> [1] output;
}

elementclass Ttl { MULTICAST $m |
    input -> t :: DecIPTTL(MULTICAST $m) -> output;
    t [1] -> Discard;
}

elementclass Count2 {
    elementclass Inner {
        input -> Counter -> output;
    }
    input [0] -> Inner -> [0] output;
    input [1] -> Inner -> [1] output;
}

elementclass StripEther Strip;

src0 :: FromDump(a.pcap, STOP true);
src1 :: FromDump(b.pcap, STOP true);

src0 -> in0 :: EthIPInput(02:00:00:00:00:01);
src1 -> in1 :: EthIPInput(02:00:00:00:00:02);

in0 -> Ttl(MULTICAST false) -> [0] cc :: Count2;
in1 -> { $n | input -> Unstrip($n) -> output }(14) -> StripEther(14) -> [1] cc;
in0 [1] -> Discard;
in1 [1] -> Discard;

cc [0] -> ToDump(out0.pcap);
cc [1] -> ToDump(out1.pcap);
