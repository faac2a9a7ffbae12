// nb-plugin-vet: loads one plugin in a process of its own, for compiler::load_plugin
// (compiler/src/plugin.cpp), which runs it before it loads the same bytes itself. Whatever the
// plugin does to this process (ld.so asserts on a corrupt file, a fault on a truncated one, a
// static constructor that aborts or never returns) ends this process and not nbc or nbrun.
//
// usage: nb-plugin-vet FD RESULT_FD NAME ABI
//   FD         a sealed memfd with the plugin's bytes
//   RESULT_FD  where the verdict goes: "ok\n", or "refused\n" and the message load_plugin gives,
//              or "other-nb\n" and this helper's ABI when it is not the caller's
//   NAME       the plugin's path, for messages
//   ABI        the caller's nb::plugin_abi_version(), as 0x%08x
// Anything printed on stdout/stderr (by ld.so or by the plugin) is for the caller's message.
#include <nb/compiler/plugin.hpp>
#include <nb/plugin.hpp>

#include <fmt/format.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace {

bool parse_fd(std::string_view s, int& fd) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), fd);
  return ec == std::errc() && p == s.data() + s.size() && fd >= 0;
}

// The JIT reads the embedded bitcode in nb's process: read it here first.
std::string check_bitcode(const nb::compiler::Plugin& p) {
  llvm::LLVMContext ctx;
  auto buf = llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(p.bitcode.data(), p.bitcode.size()), p.path, false);
  auto mod = llvm::parseBitcodeFile(buf->getMemBufferRef(), ctx);
  if (!mod) {
    std::string why = llvm::toString(mod.takeError());
    return fmt::format("cannot read the bitcode of plugin '{}': {}", p.path, why);
  }
  std::string broken;
  llvm::raw_string_ostream os(broken);
  if (llvm::verifyModule(**mod, &os)) return fmt::format("the bitcode of plugin '{}' is invalid: {}", p.path, broken);
  return "";
}

bool verdict_to(int fd, const std::string& verdict) {
  const char* at = verdict.data();
  std::size_t left = verdict.size();
  while (left > 0) {
    ssize_t n = ::write(fd, at, left);
    if (n <= 0) return false;
    at += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

// Under nb's sanitizer build (NB_SANITIZE): a fault in the plugin must end this process by its
// signal, which load_plugin reports, not by a sanitizer report and exit status 1; and what a
// plugin's constructors leak is no reason to refuse it.
extern "C" const char* __asan_default_options() {
  return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:detect_leaks=0";
}

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--version") == 0)) {
    std::printf("nb-plugin-vet %s\n", NB_VERSION_STRING);
    return 0;
  }
  int fd = -1, result_fd = -1;
  if (argc != 5 || !parse_fd(argv[1], fd) || !parse_fd(argv[2], result_fd)) {
    std::fprintf(stderr,
                 "usage: nb-plugin-vet FD RESULT_FD NAME ABI\n"
                 "A helper of nbc and nbrun: it loads a plugin in a process of its own before they load it "
                 "(docs/plugins.md). It is not meant to be run by hand.\n");
    return 2;
  }
  std::string error;
  const std::string abi = fmt::format("{:#010x}", nb::plugin_abi_version());
  if (abi != argv[4]) {
    verdict_to(result_fd, "other-nb\n" + abi);
    return 1;
  }
  {
    nb::compiler::PluginRef p = nb::compiler::detail::open_plugin_here(fd, argv[3], error);
    if (p) error = check_bitcode(*p);
    // p goes here: the plugin's static destructors and dlclose run in this process too.
  }
  if (!verdict_to(result_fd, error.empty() ? "ok\n" : "refused\n" + error)) return 3;
  return error.empty() ? 0 : 1;
}
