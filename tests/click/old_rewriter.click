// old_rewriter.click -- Click's first Rewriter, as conf/rewriter.click uses it: every remote
// (source, destination) pair seen on input 0 gets a fake source in 10.0.0.0 and the local
// address as destination; input 1 maps the fake addresses back. Old Click syntax: no semicolons.

rw :: Rewriter(10.0.0.0, 18.26.4.47, 10)

FromDump(remote.pcap) -> Strip(14) -> [0]rw[0] -> Unstrip(14) -> ToDump(to_local.pcap)
FromDump(local.pcap) -> Strip(14) -> [1]rw[1] -> Unstrip(14) -> ToDump(to_remote.pcap)
