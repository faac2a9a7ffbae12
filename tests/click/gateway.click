// gateway.click -- the output path of Click's fake-iprouter.click and
// ipsec-router.click: IP options, ICMP errors from the outgoing interface's
// address, TTL and fragmentation; plus a pinger and a ping responder as in
// test-tap.click.
//
// Interface 0: 18.26.4.24/24; interface 1: 18.26.7.1/24.

define($eth0 "net_af_packet0,iface=eth0");

ip :: Strip(14)
    -> CheckIPHeader(INTERFACES 18.26.4.24/24 18.26.7.1/24)
    -> rt :: LookupIPRoute(18.26.4.24/32 0, 18.26.7.1/32 0,
                           18.26.4.0/24 1, 18.26.7.0/24 2);

FromDevice($eth0, METHOD LINUX) -> c :: Classifier(12/0800, -);
c [0] -> ip;
c [1] -> Discard;
out :: Queue(200) -> ToDevice($eth0);

// Local delivery: echo requests get their replies.
rt [0] -> local :: IPClassifier(icmp type echo, icmp echo-reply, -);
local [0] -> ICMPPingResponder
          -> EtherEncap(0x0800, 00:00:c0:ae:67:ef, 00:00:c0:4f:71:ef) -> out;
local [1] -> ping :: ICMPPingSource(18.26.4.24, 18.26.7.9, INTERVAL 1, LIMIT 10)
          -> EtherEncap(0x0800, 00:00:c0:ae:67:ef, 00:00:c0:4f:71:ef) -> out;
local [2] -> Discard;

// Output path of interface 1: options, source of our errors, TTL, fragments.
rt [1] -> DropBroadcasts
       -> gio1 :: IPGWOptions(18.26.4.24, 18.26.7.1)
       -> FixIPSrc(18.26.4.24)
       -> dt1 :: DecIPTTL
       -> fr1 :: IPFragmenter(576)
       -> StoreIPAddress(18.26.4.1, 30)
       -> EtherEncap(0x0800, 00:00:c0:ae:67:ef, 00:00:c0:4f:71:ef) -> out;
rt [2] -> Discard;

// Errors go out directly here (fake-iprouter sends them back through rt,
// a push cycle).
errs :: EtherEncap(0x0800, 00:00:c0:ae:67:ef, 00:00:c0:4f:71:ef) -> out;
dt1 [1] -> ICMPError(18.26.4.24, timeexceeded) -> errs;
fr1 [1] -> ICMPError(18.26.4.24, unreachable, needfrag) -> errs;
gio1 [1] -> ICMPError(18.26.4.24, parameterproblem) -> errs;
