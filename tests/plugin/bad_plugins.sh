# Plugins that take a process down when it loads them, for test_vet.sh and test_vet_reload.sh
# (sourced). make_bad_plugins PLUGIN_DIR SOURCE_DIR writes them into the current directory and
# sets bad_names[i] (the file) and bad_expect[i] (an ERE for the refusal load_plugin gives):
#   truncated.so  the first 3000 bytes of a real plugin (SIGBUS inside dlopen when mapped)
#   corrupt.so    a version dependency naming no needed library (ld.so asserts, exit 127)
#   hang.so       a static constructor that never returns
#   abort.so      a static constructor that calls abort()
#   garbage.so    a spec table pointing at unmapped memory
make_bad_plugins() {
  local plugins=$1 src=$2
  head -c 3000 "$plugins/libttlclamp.so" >truncated.so
  python3 "$src/tests/plugin/corrupt_elf.py" "$plugins/libttlclamp.so" corrupt.so || return 1
  cp "$plugins/libhang_ctor.so" hang.so
  cp "$plugins/libabort_ctor.so" abort.so
  cp "$plugins/libgarbage_spec.so" garbage.so
  local refused="plugin '[^']*%s' was refused: "
  bad_names=(truncated.so corrupt.so hang.so abort.so garbage.so)
  # shellcheck disable=SC2059  # the format is ours
  bad_expect=(
    "$(printf "$refused" truncated.so)loading it in a separate process crashed it \(SIG(BUS|SEGV)\)"
    "$(printf "$refused" corrupt.so)ld.so reported: Inconsistency detected by ld.so: .*Assertion"
    "$(printf "$refused" hang.so)loading it in a separate process did not finish within [0-9.]+ s"
    "$(printf "$refused" abort.so)loading it in a separate process crashed it \(SIGABRT\); it printed: abort_ctor: giving up"
    "$(printf "$refused" garbage.so)loading it in a separate process crashed it \(SIGSEGV\)"
  )
}
# The helper processes of `nbrun`/`nbc` that vetted something in DIR and are still there (a hung
# one must have been killed).
# (/proc itself: procps is not among the packages CI installs.)
vet_leftovers() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    case $cmd in "nb-plugin-vet 3 4 $1/"*) echo "${p#/proc/}: $cmd" ;; esac
  done
}
