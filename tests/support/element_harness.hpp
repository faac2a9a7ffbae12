// Element tests through the real front end: an element is written as in a config, parsed,
// elaborated and checked by compile_front_end, and configured with the same nb::Args lower()
// gives configure() (compiler::ElementArgs); then its kernel runs on mbufs in plain memory
// (mbuf.hpp), through its spec's type-erased ops or directly.
#pragma once

#include "mbuf.hpp"

#include <nb/compiler/driver.hpp>
#include <nb/compiler/element_args.hpp>
#include <nb/compiler/registry.hpp>
#include <nb/element.hpp>
#include <nb/lang/diagnostics.hpp>
#include <nb/lang/source.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace nb::test {

struct Emitted {
  std::uint32_t port;
  MbufPtr m;
  Bytes data() const { return data_of(m.get()); }
};
struct Dropped {
  std::uint32_t reason;
  MbufPtr m;
};
struct Outcome {
  std::vector<Emitted> emits;
  std::vector<Dropped> drops;
  std::uint32_t copy_failures = 0;

  bool sent_to(std::uint32_t port) const { return drops.empty() && emits.size() == 1 && emits[0].port == port; }
  bool dropped_for(std::uint32_t reason) const {
    return emits.empty() && drops.size() == 1 && drops[0].reason == reason;
  }
  const Emitted& only() const {
    REQUIRE(emits.size() == 1);
    REQUIRE(drops.empty());
    return emits[0];
  }
};

inline Outcome collect(const Context& ctx) {
  Outcome out;
  for (std::uint32_t i = 0; i < ctx.emit_count(); ++i)
    out.emits.push_back({ctx.emit(i).port, MbufPtr(ctx.emit(i).mbuf)});
  for (std::uint32_t i = 0; i < ctx.drop_count(); ++i)
    out.drops.push_back({ctx.dropped(i).reason, MbufPtr(ctx.dropped(i).mbuf)});
  out.copy_failures = ctx.copy_failures();
  return out;
}

// Arguments written one after another in a config: "a, b, c".
inline std::string join_args(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += (out.empty() ? "" : ", ") + a;
  return out;
}

// One element configured from its text as written in a config ("Strip(14)",
// "Classifier(12/0800, -)"): declared as `e` in a graph that feeds its input 0 from a FromDump
// and connects `noutputs` outputs to Discards, so that the front end sees what a user's config
// would give it (defaults, value parsing, validate hooks, output counts).
class Configured {
 public:
  // ninputs: inputs fed alike (a scheduler's), each from a FromDump of its own.
  explicit Configured(std::string element, std::uint32_t noutputs = 1,
                      const compiler::Registry& registry = compiler::Registry::builtin(), std::uint32_t ninputs = 1)
      : element_(std::move(element)) {
    const std::string cls = element_.substr(0, element_.find('('));
    const compiler::ElementClass* ec = registry.find(cls);
    INFO("class " << cls);
    REQUIRE(ec != nullptr);
    spec_ = ec->spec;
    // A pull input takes its packets from a Queue (a push output cannot feed it).
    const char* feed = ec->processing.input(0) == 'l' ? "FromDump(in.pcap) -> Queue -> " : "FromDump(in.pcap) -> ";
    std::string text = (ec->ports.inputs.max > 0 ? feed : "") + std::string("e :: ") + element_ + ";\n";
    for (std::uint32_t k = 1; k < ninputs; ++k)
      text += std::string(ec->processing.input(k) == 'l' ? "FromDump(in" + std::to_string(k) + ".pcap) -> Queue"
                                                         : "FromDump(in" + std::to_string(k) + ".pcap)") +
              " -> [" + std::to_string(k) + "] e;\n";
    for (std::uint32_t k = 0; k < noutputs; ++k) text += "e[" + std::to_string(k) + "] -> Discard;\n";
    text_ = text;
    file_ = sources_.add("test.nbc", std::move(text));
    result_ = compiler::compile_front_end(sources_, file_, registry, diags_);
    if (diags_.error_count() != 0 || !result_.graph) return;
    const int i = result_.graph->find("e");
    REQUIRE(i >= 0);
    args_.emplace(result_.graph->elements[static_cast<std::size_t>(i)]);
  }
  Configured(const Configured&) = delete;
  Configured& operator=(const Configured&) = delete;

  const ElementSpec* spec() const { return spec_; }
  // Whether the front end took the config; when not, its rendered errors say why.
  bool front_end_ok() const { return args_.has_value(); }
  std::string diagnostics() const {
    std::ostringstream out;
    diags_.render(out, sources_);
    return out.str();
  }
  const compiler::ElementArgs& args() const {
    INFO(diagnostics());
    REQUIRE(args_.has_value());
    return *args_;
  }
  // Configures a Config block through the spec's ops, as lower() does; when the front end refused
  // the config, false with its errors.
  bool configure(void* config, std::string& error) const {
    if (!front_end_ok()) {
      error = diagnostics();
      return false;
    }
    return spec_->ops->configure(*args_, config, error) && args_->misuse().empty();
  }
  // The whole config, for messages.
  const std::string& text() const { return text_; }

 private:
  std::string element_;
  std::string text_;
  const ElementSpec* spec_ = nullptr;
  lang::SourceManager sources_;
  lang::DiagnosticEngine diags_{0};
  lang::FileId file_ = lang::kNoFile;
  compiler::FrontEndResult result_;
  std::optional<compiler::ElementArgs> args_;
};

// An element instance, run either through its spec's type-erased ops (as the engine does, with
// the configuration block full of garbage before configure) or by calling E:: directly.
enum class Via { Ops, Direct };
inline constexpr Via kBothWays[] = {Via::Ops, Via::Direct};
inline const char* name_of(Via via) {
  return via == Via::Ops ? "via spec.ops" : "direct";
}

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
inline std::unique_ptr<void, AlignedFree> aligned_block(std::size_t size, std::size_t align) {
  void* p = nullptr;
  REQUIRE(posix_memalign(&p, std::max(align, sizeof(void*)), std::max<std::size_t>(size, 1)) == 0);
  return std::unique_ptr<void, AlignedFree>(p);
}

template <class E>
class Instance {
 public:
  using Config = typename E::Config;
  using State = typename E::State;
  static_assert(std::is_trivially_copyable_v<Config>, "the JIT bakes Config as raw bytes");
  static_assert(std::is_standard_layout_v<Config>);
  static_assert(std::is_trivially_copyable_v<State>);

  Instance(const Configured& configured, Via via) : via_(via) {
    const ElementOps* ops = E::spec.ops;
    REQUIRE(configured.spec() == &E::spec);
    if (!configured.front_end_ok()) {
      error_ = configured.diagnostics();
      return;
    }
    const compiler::ElementArgs& args = configured.args();
    REQUIRE(ops != nullptr);
    REQUIRE(ops->role == ElementOps::Role::Kernel);
    REQUIRE(ops->config_size == sizeof(Config));
    REQUIRE(ops->state_size == sizeof(State));
    config_ = aligned_block(sizeof(Config), alignof(Config));
    state_ = aligned_block(sizeof(State), alignof(State));
    if (via == Via::Ops) {
      std::memset(config_.get(), 0xa5, sizeof(Config));
      std::memset(state_.get(), 0x5a, sizeof(State));
      ok_ = ops->configure(args, config_.get(), error_);
      if (ok_) ops->init(config_.get(), state_.get());
    } else {
      Config* c = new (config_.get()) Config{};
      new (state_.get()) State{};
      if constexpr (requires { &E::configure; })
        ok_ = E::configure(args, *c, error_);
      else
        ok_ = true;
    }
    INFO(configured.text());
    CHECK(args.misuse() == "");
  }

  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance() {
    if (set_up_ && E::spec.ops->teardown) E::spec.ops->teardown(config_.get(), state_.get());
  }

  // What the runtime does once EAL is up, for elements with a setup() that needs no DPDK.
  void setup() {
    REQUIRE(ok_);
    REQUIRE(E::spec.ops->setup != nullptr);
    std::string why;
    set_up_ = E::spec.ops->setup(config_.get(), state_.get(), why);
    INFO(why);
    REQUIRE(set_up_);
  }

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const Config& config() const { return *static_cast<const Config*>(config_.get()); }
  const void* state() const { return state_.get(); }
  void* mutable_state() { return state_.get(); }

  Outcome push(rte_mbuf* m, std::uint32_t noutputs, const HostServices* host = nullptr, std::uint32_t in_port = 0) {
    REQUIRE(ok_);
    Context ctx(noutputs, host, E::spec.ops->max_emits);
    if (via_ == Via::Ops)
      E::spec.ops->push(config_.get(), state_.get(), ctx, in_port, m);
    else
      E::push(*static_cast<const Config*>(config_.get()), *static_cast<State*>(state_.get()), ctx, in_port,
              nb::detail::adopt(m));
    return collect(ctx);
  }
  Outcome push(const Bytes& data, std::uint32_t noutputs, const HostServices* host = nullptr) {
    return push(make_mbuf(data), noutputs, host);
  }

  // Its pull side (ElementOps::pull), as a task runs it.
  std::uint32_t pull(PullContext& ctx, rte_mbuf** out, std::uint32_t max) {
    REQUIRE(ok_);
    REQUIRE(E::spec.ops->pull != nullptr);
    if (via_ == Via::Ops) return E::spec.ops->pull(config_.get(), state_.get(), ctx, out, max);
    return E::pull(*static_cast<const Config*>(config_.get()), *static_cast<State*>(state_.get()), ctx, out, max);
  }

  std::uint64_t counter(std::string_view name) const {
    for (const HandlerSpec& c : E::spec.handlers) {
      if (c.kind != HandlerSpec::Kind::Counter || c.name != name) continue;
      REQUIRE(c.offset + sizeof(std::uint64_t) <= sizeof(State));
      std::uint64_t v = 0;
      std::memcpy(&v, static_cast<const std::uint8_t*>(state_.get()) + c.offset, sizeof v);
      return v;
    }
    FAIL("no counter named " << std::string(name));
    return 0;
  }

 private:
  Via via_;
  std::unique_ptr<void, AlignedFree> config_, state_;
  bool ok_ = false;
  bool set_up_ = false;
  std::string error_;
};

inline std::string_view reason_name(const ElementSpec& spec, std::uint32_t reason) {
  REQUIRE(reason < spec.ops->drop_reasons.size());
  return spec.ops->drop_reasons[reason].name;
}

}  // namespace nb::test
