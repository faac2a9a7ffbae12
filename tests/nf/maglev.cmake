# Maglev load balancer and flow monitor tests of issue 9 (label nf; the reload test also
# reload). Included from tests/CMakeLists.txt: paths are relative to tests/.

# MaglevLB's table, flow cache and reload transfer: balance, spread, disruption bounds.
add_executable(nb_maglev_tests nf/maglev_test.cpp unit/main.cpp)
target_link_libraries(nb_maglev_tests PRIVATE nb_elements Catch2::Catch2 nb_options)
add_test(NAME maglev_table COMMAND nb_maglev_tests)
set_tests_properties(maglev_table PROPERTIES LABELS "nf;unit" TIMEOUT 120)

# configs/maglev.nbc over a pcap of many flows, both engines, checked with tshark.
add_test(NAME maglev_pcap COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_maglev.sh $<TARGET_FILE:nbrun>
                                  $<TARGET_FILE:nb-gen-traffic> ${PROJECT_SOURCE_DIR})
set_tests_properties(maglev_pcap PROPERTIES LABELS "nf" SKIP_RETURN_CODE 77 TIMEOUT 120)

# nbctl reload removing a backend: established flows keep theirs, the removed one's move.
add_test(NAME maglev_reload COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_maglev_reload.sh $<TARGET_FILE:nbrun>
                                    $<TARGET_FILE:nbctl> $<TARGET_FILE:nb-gen-traffic> ${PROJECT_SOURCE_DIR})
set_tests_properties(maglev_reload PROPERTIES LABELS "nf;reload" SKIP_RETURN_CODE 77 TIMEOUT 120 RUN_SERIAL TRUE)

# configs/monitor.nbc against tshark's conversation statistics.
add_test(NAME monitor_tshark COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_monitor.sh $<TARGET_FILE:nbrun>
                                     $<TARGET_FILE:nb-gen-traffic> ${PROJECT_SOURCE_DIR})
set_tests_properties(monitor_tshark PROPERTIES LABELS "nf" SKIP_RETURN_CODE 77 TIMEOUT 120)
