# Signature IDS tests of issue 9 (label nf). Included from tests/CMakeLists.txt: paths are
# relative to tests/.

# SignatureMatcher over a pcap in both scan modes and both engines (tshark reads the alerts),
# per-signature counters, bad rules files reported with FILE:LINE:COL.
add_test(NAME ids_signatures COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_ids.sh $<TARGET_FILE:nbrun>
                                     $<TARGET_FILE:nbc> ${PROJECT_SOURCE_DIR})
set_tests_properties(ids_signatures PROPERTIES LABELS "nf" SKIP_RETURN_CODE 77 TIMEOUT 120)

# Hot reload: counters carry over with the rules unchanged; an edited rules file is recompiled and
# counts move by signature id; a bad one is refused with FILE:LINE:COL. Serial: it busy-polls.
add_test(NAME ids_reload COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/nf/test_ids_reload.sh $<TARGET_FILE:nbrun>
                                 $<TARGET_FILE:nbctl> ${PROJECT_SOURCE_DIR})
set_tests_properties(ids_reload PROPERTIES LABELS "nf;reload" SKIP_RETURN_CODE 77 TIMEOUT 120 RUN_SERIAL TRUE)
