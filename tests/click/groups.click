// groups.click -- element groups and open port lists, as Click's reference writes them.

src :: FromDump(traffic.pcap, STOP true);
out :: ToDump(out.pcap);

// A detour with an element group: ARP goes through a Paint, IP straight on. The group's ports
// are implied: its inputs 0 and 1 take the Classifier's outputs 0 and 1.
src -> c :: Classifier(12/0806, -) => (
    input [0] -> Paint(1) -> output;
    input [1] -> output
) -> q :: Queue(64) -> Unqueue -> out;

// Click's implicit input and output inside a group, and a declaration visible after it.
FromDump(more.pcap, STOP true) -> ( -> Strip(14) -> counted :: Counter -> ) -> Discard;
counted2 :: Counter;
FromDump(other.pcap, STOP true) -> ( [0] -> counted2 -> [0] ) -> Discard;

// Ports written around a group replace its implied ones.
t :: Tee(2);
FromDump(tee.pcap, STOP true) -> t;
t => [0, 1] ( [0] -> Discard; [1] -> Counter -> Discard );

// Open port lists: '[1-]' is output 1 and those after it, '[]' every port from 0.
cl :: Classifier(12/0800, 12/0806, 12/86dd, -);
FromDump(mixed.pcap, STOP true) -> cl;
cl [0] -> Discard;
cl [1-] => Discard, ( -> Paint(2) -> Discard ), Discard;

rr :: RoundRobinSwitch;
FromDump(rr.pcap, STOP true) -> rr;
rc :: Counter;
rr [] => Discard, rc, Discard;
rc -> Discard;

// Inside a compound class, Click's implicit input and output too.
elementclass Strip14 {
    -> Strip(14) ->
}
FromDump(strip.pcap, STOP true) -> Strip14 -> Discard;
