# Firewall tests of issue 8 (label nf; those needing network namespaces also netns). Included
# from tests/CMakeLists.txt: paths are relative to tests/.

# IPFilter/IPClassifier against a reference evaluator (random rules and packets), and the
# positions of parse errors.
add_executable(nb_firewall_tests nf/firewall_reference_test.cpp unit/main.cpp)
target_link_libraries(nb_firewall_tests PRIVATE nb_compiler nb_elements Catch2::Catch2 nb_options)
add_test(NAME firewall_reference COMMAND nb_firewall_tests)
set_tests_properties(firewall_reference PROPERTIES LABELS "nf" TIMEOUT 300)

# nbrun with IPFilter between two network namespaces: allowed traffic passes, denied traffic is
# blocked (tcpdump), the counters match. Needs root; serial: it busy-polls.
add_test(NAME firewall_netns COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/firewall_netns.sh $<TARGET_FILE:nbrun>
                                     ${PROJECT_SOURCE_DIR})
set_tests_properties(firewall_netns PROPERTIES LABELS "nf;netns" SKIP_RETURN_CODE 77 TIMEOUT 120 RUN_SERIAL TRUE)

# The JIT specialises the decision structure: boundaries as immediates, unused fields gone.
add_test(NAME firewall_ir COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/firewall_ir.sh $<TARGET_FILE:nbc>)
set_tests_properties(firewall_ir PROPERTIES LABELS "nf;jit")
