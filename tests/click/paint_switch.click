// paint_switch.click -- paint annotations and the switches.

src :: FromDump(traffic.pcap, STOP true);
rr :: RoundRobinSwitch;

src -> rr;
rr [0] -> Paint(1) -> ps;
rr [1] -> Paint(2) -> ps;
rr [2] -> Paint(3, 1) -> CheckPaint(3, 1) -> Discard;

// PaintSwitch sends each packet to the output its paint names.
ps :: PaintSwitch;
ps [0] -> Discard;
ps [1] -> pt :: PaintTee(1) -> sw;
pt [1] -> Counter -> Discard;
ps [2] -> sample :: RandomSample(0.25) -> st;
sample [1] -> Discard;

// Switch is changed at run time through its switch handler; StaticSwitch never.
sw :: Switch(0);
sw [0] -> ToDump(switched.pcap);
sw [1] -> Discard;

st :: StaticSwitch(1);
st [0] -> Discard;
st [1] -> hs :: HashSwitch(26, 8);
hs [0] -> Discard;
hs [1] -> Discard;
