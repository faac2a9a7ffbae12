# Signature IDS tests of issue 9 (label nf). Included from tests/CMakeLists.txt: paths are
# relative to tests/.

# SignatureMatcher over a pcap in both scan modes and both engines (tshark reads the alerts),
# per-signature counters, bad rules files reported with FILE:LINE:COL.
add_test(NAME ids_signatures COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_ids.sh $<TARGET_FILE:nbrun>
                                     $<TARGET_FILE:nbc> ${PROJECT_SOURCE_DIR})
set_tests_properties(ids_signatures PROPERTIES LABELS "nf" SKIP_RETURN_CODE 77 TIMEOUT 120)
