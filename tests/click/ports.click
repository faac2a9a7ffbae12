// ports.click -- port lists and ranges (Click 2.1), '=>' and element lists.

src :: FromDump(traffic.pcap, STOP true);
c :: Classifier(12/0800, 12/0806, 12/86dd, -);

src -> c;

// c [0] -> Paint(0) -> q; c [1] -> Paint(1) -> q; c [2] -> Paint(2) -> q
c [0-2] => Paint(0), Paint(1), Paint(2) -> q :: Queue;
c [3] -> Discard;

q -> Unqueue -> t :: Tee(4);

// Many to one: both copies are counted by one Counter.
t [0, 1] -> both :: Counter;
both -> Discard;

// '=>' numbers t's remaining ports itself, in pairs.
t [2-3] => a :: Counter, b :: Counter;
a, b -> ToDump(out.pcap);
