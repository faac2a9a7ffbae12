// Classifier: classifies packets by contents.
#pragma once

#include <nb/element.hpp>

#include "byte_pattern.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nb::elements {

struct Classifier {
  static const ElementSpec spec;
  // Per worker: `counts` sums the workers' per-output counts (read_workers).
  static constexpr StateScope kStateScope = StateScope::PerWorker;

  // Limits of the baked configuration (a flat table, so that the JIT folds a small rule set to
  // a few compares). A clause longer than kMaxClauseBytes is split into several; a negated one
  // cannot be and must fit.
  static constexpr std::uint32_t kMaxPatterns = 64;
  static constexpr std::uint32_t kMaxClauses = 8;  // per pattern, after splitting
  static constexpr std::uint32_t kMaxClauseBytes = 16;

  static constexpr auto kDrops = drop_reasons({
      {"no match", "matched no pattern"},
  });

  struct Clause {
    std::uint32_t offset;
    std::uint32_t length;                 // 1..kMaxClauseBytes; the first and last bytes have nonzero masks
    std::uint8_t value[kMaxClauseBytes];  // already masked
    std::uint8_t mask[kMaxClauseBytes];
    bool negated;
  };
  struct Pattern {
    std::uint32_t nclauses;  // 0: matches every packet (unless never)
    bool never;              // holds a negated clause that compares no bits: matches no packet
    Clause clauses[kMaxClauses];
  };
  struct Config {
    std::uint32_t npatterns;
    Pattern patterns[kMaxPatterns];
  };
  struct State {
    std::uint64_t matched[kMaxPatterns];  // packets sent to each output (the `counts` handler)
  };

  static bool configure(const Args& args, Config& config, std::string& error) {
    const std::size_t n = args.count("PATTERN");
    if (n > kMaxPatterns) {
      error = std::to_string(n) + " patterns given; at most " + std::to_string(kMaxPatterns) + " are supported";
      return false;
    }
    config.npatterns = static_cast<std::uint32_t>(n);
    for (std::size_t i = 0; i < n; ++i) {
      Pattern& pattern = config.patterns[i];
      const std::string where = "pattern " + std::to_string(i) + ": ";
      byte_pattern::Pattern parsed;
      std::vector<ParamError> errors;
      if (!byte_pattern::parse(args.get_string_at("PATTERN", i), parsed, errors)) {
        error = where + (errors.empty() ? std::string("invalid byte pattern") : errors.front().message);
        return false;
      }
      if (parsed.match_all) continue;
      for (const byte_pattern::Clause& view : parsed.clauses) {
        if (view.value.size() != view.mask.size()) {
          error = where + "clause value and mask differ in length";
          return false;
        }
        // Bytes under a zero mask are never compared (as in Click), so they may lie past the
        // packet's end: split the clause into runs of compared bytes, trimming zero-mask ends.
        std::vector<Clause> pieces;
        const std::size_t size = view.value.size();
        std::size_t j = 0;
        while (true) {
          while (j < size && view.mask[j] == 0) ++j;
          if (j == size) break;
          std::size_t end = std::min(size, j + (view.negated ? size : kMaxClauseBytes));
          while (view.mask[end - 1] == 0) --end;
          if (end - j > kMaxClauseBytes) {
            error = where + "negated clause compares " + std::to_string(end - j) + " bytes; at most " +
                    std::to_string(kMaxClauseBytes) + " are supported";
            return false;
          }
          Clause c{};
          const std::uint64_t offset = std::uint64_t{view.offset} + j;
          // Past 4 GiB nothing is inside a packet; the clamped offset is past every end too.
          c.offset = offset > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(offset);
          c.length = static_cast<std::uint32_t>(end - j);
          c.negated = view.negated;
          for (std::size_t k = 0; k < c.length; ++k) {
            c.mask[k] = view.mask[j + k];
            c.value[k] = view.value[j + k] & view.mask[j + k];
          }
          pieces.push_back(c);
          j = end;
        }
        if (pieces.empty()) {
          // Compares no bits: always true, so it adds nothing; negated, it is always false.
          if (view.negated) pattern.never = true;
          continue;
        }
        if (pattern.nclauses + pieces.size() > kMaxClauses) {
          error = where + "too many clauses: at most " + std::to_string(kMaxClauses) + " of up to " +
                  std::to_string(kMaxClauseBytes) + " compared bytes each are supported";
          return false;
        }
        for (const Clause& c : pieces) pattern.clauses[pattern.nclauses++] = c;
      }
    }
    return true;
  }

  // Reads the packet, changes none of it.
  static void facts(const Config&, FactSheet& sheet) {
    sheet.anno_reads = anno_field::kNone;  // offsets count from the data start
    sheet.effect = PacketEffect::None;
    sheet.keeps_headroom = true;
  }

  static void push(const Config& config, State& state, Context& ctx, std::uint32_t /*in_port*/, Packet p NB_OWNED) {
    const std::uint32_t port = classify(config, p);
    if (port < config.npatterns && port < kMaxPatterns) {
      ++state.matched[port];
      ctx.send(port, std::move(p));
    } else
      ctx.drop(std::move(p), kDrops["no match"]);
  }

  // The first pattern p matches, or config.npatterns when none does.
  static std::uint32_t classify(const Config& config, const Packet& p NB_PARAM_OWNED) {
    for (std::uint32_t i = 0; i < config.npatterns && i < kMaxPatterns; ++i)
      if (matches(config.patterns[i], p)) return i;
    return config.npatterns;
  }

  static bool matches(const Pattern& pattern, const Packet& p NB_PARAM_OWNED) {
    if (pattern.never) return false;
    for (std::uint32_t i = 0; i < pattern.nclauses && i < kMaxClauses; ++i)
      if (!clause_matches(pattern.clauses[i], p)) return false;
    return true;
  }

  // A clause whose compared bytes run past the packet's end is false, so its negation is true
  // (Click's rule).
  static bool clause_matches(const Clause& c, const Packet& p NB_PARAM_OWNED) {
    std::uint8_t bytes[kMaxClauseBytes];
    const std::uint32_t length = c.length < kMaxClauseBytes ? c.length : kMaxClauseBytes;
    if (!p.read(c.offset, bytes, length)) return c.negated;
    bool equal = true;
    for (std::uint32_t k = 0; k < length; ++k) equal &= (bytes[k] & c.mask[k]) == c.value[k];
    return equal != c.negated;
  }
};

}  // namespace nb::elements
