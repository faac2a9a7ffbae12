// Glue between generated code and element kernels. Compiled only to LLVM bitcode (never
// natively) and inlined into every compiled graph: it is the JIT's half of what the
// interpreter does after each push (settle drops, walk the emits, buffer transmits).
#include <nb/compiler/jit_abi.hpp>
#include <nb/element.hpp>

#include <new>

extern "C" {

void nb_glue_ctx_init(void* mem, std::uint32_t noutputs, const nb::HostServices* host, std::uint32_t max_emits) {
  new (mem) nb::Context(noutputs, host, max_emits);
}

void nb_glue_settle(void* dp, std::uint32_t element, const nb::Context* ctx) {
  for (std::uint32_t d = 0; d < ctx->drop_count(); ++d) {
    nb_host_drop(dp, element, ctx->dropped(d).mbuf, ctx->dropped(d).reason);
  }
  for (std::uint32_t f = 0; f < ctx->copy_failures(); ++f) nb_host_count_drop(dp, element, nb::kDropNoBuffers);
}

std::uint32_t nb_glue_emit_count(const nb::Context* ctx) { return ctx->emit_count(); }
std::uint32_t nb_glue_emit_port(const nb::Context* ctx, std::uint32_t k) { return ctx->emit(k).port; }
rte_mbuf* nb_glue_emit_mbuf(const nb::Context* ctx, std::uint32_t k) { return ctx->emit(k).mbuf; }

void nb_glue_transmit(void* dp, std::uint32_t port, nb::jit_abi::TxBuffer* q, std::uint32_t burst, rte_mbuf* m) {
  q->pkts[q->count++] = m;
  if (q->count >= burst) nb_host_flush(dp, port);
}

void nb_glue_unconnected(void* dp, std::uint32_t element, rte_mbuf* m) {
  nb_host_drop(dp, element, m, 0xffffffffu);
}

}  // extern "C"
