// delay.click -- a delay line, in Click's style (after Click's conf/delay.click).
//
// Every packet is stamped on arrival and leaves no earlier than 10 ms
// later, at no more than 1 Mbit/s. A benchmark source beside it makes
// UDP packets at 1000 a second, with ports that change every 100 packets.

define($IN traffic.pcap, $OUT out.pcap, $GEN gen.pcap);

FromDump($IN, STOP true)
  -> SetTimestamp
  -> Queue(8)
  -> DelayShaper(0.01)
  -> BandwidthShaper(131072B/s)
  -> ToDump($OUT);

FastUDPSource(1000, 5000, 60, 00:03:47:0D:39:57, 2.0.0.2, 1234,
              1:2:3:4:5:6, 2.0.0.1, 1234, 1, 100, 1)
  -> Queue(64)
  -> BandwidthRatedUnqueue(10kBps)
  -> ToDump($GEN);
