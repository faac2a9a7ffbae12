# Element kernels are compiled twice: natively (interpreter, and calls the JIT does not inline)
# and to LLVM bitcode with clang-19 at -O2, which the JIT links and inlines. -O0 would mark
# everything optnone/noinline; -O1 leaves rule tables unfolded (see docs/architecture.md).
find_program(NB_CLANGXX NAMES clang++-19 REQUIRED)
find_program(NB_LLVM_LINK NAMES llvm-link-19 llvm-link HINTS /usr/lib/llvm-19/bin REQUIRED)

set(NB_BITCODE_FLAGS -std=c++20 -O2 -DNDEBUG -emit-llvm -c -Wconsumed -Werror=consumed
    -I${PROJECT_SOURCE_DIR}/elements/include -I${PROJECT_SOURCE_DIR}/compiler/include)
foreach(dir ${DPDK_INCLUDE_DIRS})
  list(APPEND NB_BITCODE_FLAGS -isystem ${dir})
endforeach()
list(APPEND NB_BITCODE_FLAGS ${DPDK_CFLAGS_OTHER})

# nb_bitcode(OUTPUT out.bc SOURCES a.cpp b.cpp [FLAGS ...]): one linked bitcode module. The
# per-source parts go to a folder named after OUTPUT, so one directory can build several variants
# of the same sources (tools/bench builds the kernels again with -DNB_PACKET_UNCHECKED).
function(nb_bitcode)
  cmake_parse_arguments(A "" "OUTPUT" "SOURCES;FLAGS" ${ARGN})
  get_filename_component(variant ${A_OUTPUT} NAME_WE)
  set(parts)
  foreach(src ${A_SOURCES})
    string(MAKE_C_IDENTIFIER "${src}" id)
    set(bc ${CMAKE_CURRENT_BINARY_DIR}/bitcode/${variant}/${id}.bc)
    add_custom_command(
      OUTPUT ${bc}
      COMMAND ${NB_CLANGXX} ${NB_BITCODE_FLAGS} ${A_FLAGS} -MD -MF ${bc}.d -o ${bc} ${src}
      DEPENDS ${src}
      DEPFILE ${bc}.d
      COMMENT "Bitcode ${src}"
      VERBATIM)
    list(APPEND parts ${bc})
  endforeach()
  add_custom_command(OUTPUT ${A_OUTPUT} COMMAND ${NB_LLVM_LINK} -o ${A_OUTPUT} ${parts} DEPENDS ${parts} VERBATIM)
endfunction()

# nb_embed(TARGET out.bc SYMBOL name): links `name_start`/`name_end` (the file's bytes) into TARGET.
function(nb_embed target bc symbol)
  set(asm ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.S)
  file(WRITE ${asm}.in "    .section .rodata\n    .balign 16\n    .global ${symbol}_start\n${symbol}_start:\n    .incbin \"@NB_EMBED_FILE@\"\n    .global ${symbol}_end\n${symbol}_end:\n    .byte 0\n    .section .note.GNU-stack,\"\",@progbits\n")
  set(NB_EMBED_FILE ${bc})
  configure_file(${asm}.in ${asm} @ONLY)
  set_source_files_properties(${asm} PROPERTIES OBJECT_DEPENDS ${bc})
  target_sources(${target} PRIVATE ${asm})
endfunction()
