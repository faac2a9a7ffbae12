# NAT tests of issue 9 (label nf; those needing network namespaces also netns). Included from
# tests/CMakeLists.txt: paths are relative to tests/.

# IPRewriter over a generated pcap, both engines: predicted mappings and ports, replies,
# checksums against a full recomputation, port exhaustion, drop reasons.
add_test(NAME nf_nat_pcap COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/nf/nat_check.py $<TARGET_FILE:nbrun>)
set_tests_properties(nf_nat_pcap PROPERTIES LABELS "nf" TIMEOUT 120)

# configs/nat.nbc between two network namespaces: TCP and UDP through the NAT, tcpdump outside,
# mappings kept across hot reloads, idle timeout. Needs root; serial: it busy-polls.
foreach(engine jit interp)
  add_test(NAME nf_nat_netns_${engine} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_nat.sh $<TARGET_FILE:nbrun>
                                               $<TARGET_FILE:nbctl> ${PROJECT_SOURCE_DIR} ${engine})
  set_tests_properties(nf_nat_netns_${engine} PROPERTIES LABELS "nf;netns" SKIP_RETURN_CODE 77 TIMEOUT 120
                                                         RUN_SERIAL TRUE)
endforeach()

# IPRewriter's mapping logic natively on DPDK (EAL without hugepages, real mbufs): checksums of
# random packets against a full recomputation, replies, port exhaustion, timeouts, transfer.
add_executable(nb_nat_tests nf/nat_unit_test.cpp unit/main.cpp)
target_link_libraries(nb_nat_tests PRIVATE nb_compiler nb_elements Catch2::Catch2 nb_options PkgConfig::DPDK)
add_test(NAME nf_nat_unit COMMAND nb_nat_tests)
set_tests_properties(nf_nat_unit PROPERTIES LABELS "nf;unit" TIMEOUT 120)

# ICMPRewriter (ICMP errors back through IPRewriter's and ICMPPingRewriter's mappings, Click's
# ICMPRewriter-01/-02) and Click's first Rewriter over generated pcaps, both engines, tshark as
# the oracle for addresses, ports, quotes and checksums.
add_test(NAME nf_icmp_rewriter_pcap COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/nf/icmp_rewriter_check.py
                                            $<TARGET_FILE:nbrun> $<TARGET_FILE:nb-gen-traffic>)
set_tests_properties(nf_icmp_rewriter_pcap PROPERTIES LABELS "nf" SKIP_RETURN_CODE 77 TIMEOUT 300)

# FTPPortMapper with TCPRewriter and IPRewriter wired as Click's mazu-nat.click, over a generated
# active-mode FTP control session, both engines, tshark as the oracle: the PORT command carries
# the NAT's address and port, seq/ack (and SACK) shifted consistently, the data connection goes
# through, every checksum good.
add_test(NAME nf_ftp_port_mapper_pcap COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/nf/ftp_check.py $<TARGET_FILE:nbrun>)
set_tests_properties(nf_ftp_port_mapper_pcap PROPERTIES LABELS "nf" SKIP_RETURN_CODE 77 TIMEOUT 300)
