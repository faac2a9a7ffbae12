#include "signature_matcher.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nb::elements {

namespace {

bool validate_rules(std::string_view file, ParamError& error);

constexpr ParamSpec kParams[] = {
    {"RULES", ParamType::String, ParamKind::Positional, true, "",
     "The rules file: one signature per line, `ID NAME literal \"BYTES\"` or `ID NAME regex /PCRE/FLAGS` "
     "(see docs/nf.md, \"Signature IDS\"). Read and checked when the configuration is checked (a bad "
     "rule is reported as FILE:LINE:COL) and compiled into a Hyperscan database when nbrun starts.",
     INT64_MIN, UINT64_MAX, &validate_rules},
    {"PAYLOAD_ONLY", ParamType::Bool, ParamKind::Keyword, false, "true",
     "true: scan only the TCP/UDP payload (after the transport header); false: scan the whole IP "
     "datagram from the first byte of its IP header, so signatures that straddle the header/payload "
     "boundary can match."},
};

// One rule of the rules file, ready for hs_compile_multi.
struct Rule {
  std::uint32_t id = 0;
  std::string name;
  std::string expression;  // PCRE for Hyperscan (literals escaped byte by byte)
  unsigned flags = 0;
  std::size_t line = 0, col = 0;  // of the pattern, for errors
};

std::string where(const std::string& file, std::size_t line, std::size_t col) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_hex_byte(std::string& out, unsigned char b) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 15];
}

// Parses the rules in `text` (the content of `file`). False with a "file:line:col: message" error.
bool parse_rules(const std::string& file, const std::string& text, std::vector<Rule>& rules, std::string& error) {
  std::unordered_map<std::uint32_t, std::size_t> seen;  // id -> line
  std::size_t lineno = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + start, nl - start);
    start = nl + 1;
    ++lineno;
    std::size_t i = 0;
    auto skip_blanks = [&] {
      while (i < line.size() && is_blank(line[i])) ++i;
    };
    auto fail = [&](std::size_t at, const std::string& msg) {
      error = where(file, lineno, at + 1) + msg;
      return false;
    };
    auto word = [&] {
      const std::size_t b = i;
      while (i < line.size() && !is_blank(line[i])) ++i;
      return line.substr(b, i - b);
    };
    skip_blanks();
    if (i == line.size() || line[i] == '#') continue;
    Rule r;
    r.line = lineno;
    // ID
    const std::size_t id_at = i;
    const std::string_view id = word();
    std::uint64_t v = 0;
    for (char c : id) {
      if (c < '0' || c > '9') return fail(id_at, "signature id '" + std::string(id) + "' is not a decimal number");
      v = v * 10 + static_cast<unsigned>(c - '0');
      if (v > UINT32_MAX) return fail(id_at, "signature id is larger than 4294967295");
    }
    r.id = static_cast<std::uint32_t>(v);
    if (auto [it, fresh] = seen.emplace(r.id, lineno); !fresh)
      return fail(id_at,
                  "signature id " + std::to_string(r.id) + " is already used on line " + std::to_string(it->second));
    // NAME
    skip_blanks();
    const std::size_t name_at = i;
    const std::string_view name = word();
    if (name.empty()) return fail(name_at, "expected a signature name after the id");
    if (name.size() >= SignatureMatcher::kMaxName)
      return fail(name_at,
                  "signature name is longer than " + std::to_string(SignatureMatcher::kMaxName - 1) + " characters");
    for (std::size_t k = 0; k < name.size(); ++k) {
      const char c = name[k];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':'))
        return fail(name_at + k, std::string("signature names are letters, digits and _-.: only, not '") + c + "'");
    }
    r.name = std::string(name);
    // KIND
    skip_blanks();
    const std::size_t kind_at = i;
    const std::string_view kind = word();
    skip_blanks();
    r.col = i + 1;
    if (kind == "literal") {
      if (i == line.size() || line[i] != '"') return fail(i, "expected a \"quoted\" literal");
      ++i;
      std::size_t nbytes = 0;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i];
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        unsigned char b = static_cast<unsigned char>(c);
        if (c == '\\') {
          if (i + 1 >= line.size()) return fail(i, "unfinished escape");
          const char e = line[i + 1];
          switch (e) {
            case '\\':
              b = '\\';
              break;
            case '"':
              b = '"';
              break;
            case 'n':
              b = '\n';
              break;
            case 'r':
              b = '\r';
              break;
            case 't':
              b = '\t';
              break;
            case '0':
              b = 0;
              break;
            case 'x': {
              const int h = i + 2 < line.size() ? hex_digit(line[i + 2]) : -1;
              const int l = i + 3 < line.size() ? hex_digit(line[i + 3]) : -1;
              if (h < 0 || l < 0) return fail(i, "\\x needs two hex digits");
              b = static_cast<unsigned char>(h << 4 | l);
              i += 2;
              break;
            }
            default:
              return fail(i, std::string("unknown escape '\\") + e + "' (use \\\\ \\\" \\n \\r \\t \\0 \\xHH)");
          }
          i += 2;
        } else {
          ++i;
        }
        append_hex_byte(r.expression, b);
        ++nbytes;
      }
      if (!closed) return fail(r.col - 1, "literal has no closing '\"'");
      if (nbytes == 0) return fail(r.col - 1, "empty literal (it would match every packet)");
    } else if (kind == "regex") {
      if (i == line.size() || line[i] != '/') return fail(i, "expected a /regex/ after 'regex'");
      std::size_t last = line.size();
      while (last > i + 1 && is_blank(line[last - 1])) --last;
      std::size_t close = line.rfind('/', last - 1);
      if (close == std::string_view::npos || close <= i) return fail(i, "regex has no closing '/'");
      // Flags run to the end of the line.
      for (std::size_t k = close + 1; k < last; ++k) {
        switch (line[k]) {
          case 'i':
            r.flags |= HS_FLAG_CASELESS;
            break;
          case 's':
            r.flags |= HS_FLAG_DOTALL;
            break;
          case 'm':
            r.flags |= HS_FLAG_MULTILINE;
            break;
          default:
            return fail(k, std::string("unknown regex flag '") + line[k] + "' (flags: i s m)");
        }
      }
      r.expression = std::string(line.substr(i + 1, close - i - 1));
      if (r.expression.empty()) return fail(i, "empty regex");
    } else {
      return fail(kind_at, kind.empty() ? "expected 'literal' or 'regex' after the signature name"
                                        : "unknown signature kind '" + std::string(kind) + "' (literal or regex)");
    }
    r.flags |= HS_FLAG_SINGLEMATCH;  // a signature counts once per packet
    rules.push_back(std::move(r));
  }
  return true;
}

// Compiles the rules into a block-mode database; errors name the rule's file:line:col.
hs_database_t* compile_rules(const std::string& file, const std::vector<Rule>& rules, std::string& error) {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    exprs.push_back(rules[k].expression.c_str());
    flags.push_back(rules[k].flags);
    ids.push_back(static_cast<unsigned>(k));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(rules.size()), HS_MODE_BLOCK,
                       nullptr, &db, &err) != HS_SUCCESS) {
    const int e = err ? err->expression : -1;
    const std::string msg = err && err->message ? err->message : "cannot compile the signatures";
    if (e >= 0 && static_cast<std::size_t>(e) < rules.size())
      error = where(file, rules[e].line, rules[e].col) + "signature " + std::to_string(rules[e].id) + ": " + msg;
    else
      error = file + ": Hyperscan: " + msg;
    hs_free_compile_error(err);
    return nullptr;
  }
  return db;
}

constexpr std::uintmax_t kMaxRulesBytes = 64u << 20;

bool read_file(const std::string& file, std::string& text, std::string& error) {
  // A regular file of sane size only: never block on a FIFO or read /dev/zero.
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    error = "rules file '" + file + "' is not a regular file";
    return false;
  }
  if (!ec && std::filesystem::exists(status) && std::filesystem::file_size(file, ec) > kMaxRulesBytes) {
    error = "rules file '" + file + "' is larger than 64 MiB";
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot open rules file '" + file + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Reads, parses and compiles; the caller owns *db.
bool load(const std::string& file, std::vector<Rule>& rules, std::uint64_t& hash, hs_database_t** db,
          std::string& error) {
  std::string text;
  if (!read_file(file, text, error) || !parse_rules(file, text, rules, error)) return false;
  if (rules.empty()) {
    error = file + ": no signatures (every line is blank or a comment)";
    return false;
  }
  hash = fnv1a(text);
  *db = compile_rules(file, rules, error);
  return *db != nullptr;
}

// RULES' check when the configuration is checked (nbc check runs no configure()): the whole
// file is read, parsed and compiled; the message carries the rules file's FILE:LINE:COL.
bool validate_rules(std::string_view file, ParamError& error) {
  std::vector<Rule> rules;
  std::uint64_t hash = 0;
  hs_database_t* db = nullptr;
  std::string why;
  if (file.empty()) {
    why = "no rules file given";
  } else if (load(std::string(file), rules, hash, &db, why)) {
    hs_free_database(db);
    return true;
  }
  error.offset = 0;
  error.length = file.empty() ? 1 : file.size();
  error.message = why;
  return false;
}

void read_matches(const SignatureMatcher::Config&, const SignatureMatcher::State& st, std::string& out) {
  for (std::uint32_t k = 0; k < st.nsigs; ++k) {
    if (k) out += '\n';
    out += std::to_string(st.sigs[k].id) + " " + st.sigs[k].name + " " + std::to_string(st.sigs[k].matches);
  }
}

// Several workers: every worker compiled the same rules file (setup() checks its hash against
// Config's), so signature k is the same in each; its count is summed over them.
void read_matches_workers(const SignatureMatcher::Config&, std::span<const SignatureMatcher::State* const> states,
                          std::string& out) {
  if (states.empty()) return;
  const auto& first = *states[0];
  for (std::uint32_t k = 0; k < first.nsigs; ++k) {
    std::uint64_t sum = 0;
    for (const SignatureMatcher::State* st : states)
      if (k < st->nsigs && st->sigs[k].id == first.sigs[k].id) sum += st->sigs[k].matches;
    if (k) out += '\n';
    out += std::to_string(first.sigs[k].id) + " " + first.sigs[k].name + " " + std::to_string(sum);
  }
}

bool write_reset(const SignatureMatcher::Config&, SignatureMatcher::State& st, std::string_view, std::string&) {
  for (std::uint32_t k = 0; k < st.nsigs; ++k) st.sigs[k].matches = 0;
  st.scanned = st.alerts = st.clean = st.empty = st.malformed = st.scanned_bytes = 0;
  return true;
}

constexpr HandlerSpec kHandlers[] = {
    NB_COUNTER(SignatureMatcher, scanned, "packets scanned"),
    NB_COUNTER(SignatureMatcher, alerts, "packets at least one signature matched"),
    NB_COUNTER(SignatureMatcher, clean, "packets sent to output 0"),
    NB_COUNTER(SignatureMatcher, empty, "packets with nothing to scan (zero-length payload), sent clean"),
    NB_COUNTER(SignatureMatcher, malformed, "dropped: headers not inside the packet"),
    NB_COUNTER(SignatureMatcher, scanned_bytes, "payload bytes scanned"),
    handler<SignatureMatcher, &read_matches, nullptr, &read_matches_workers>(
        "matches", "per-signature counters, one line per signature in file order: ID NAME PACKETS"),
    handler<SignatureMatcher, nullptr, &write_reset>("reset", "write (any value): zeroes every counter"),
};

}  // namespace

bool SignatureMatcher::configure(const Args& args, Config& config, std::string& error) {
  config.noutputs = args.noutputs();
  config.payload_only = args.get_bool("PAYLOAD_ONLY");
  const std::string file = args.get_string("RULES");
  if (file.empty() || file.size() >= kMaxPath) {
    error = "RULES file name must be 1 to " + std::to_string(kMaxPath - 1) + " bytes long";
    return false;
  }
  std::memcpy(config.rules_file, file.data(), file.size());
  // Check every rule now (Hyperscan compiles without DPDK), so a bad one is reported by `nbc check`.
  std::vector<Rule> rules;
  hs_database_t* db = nullptr;
  if (!load(file, rules, config.rules_hash, &db, error)) return false;
  hs_free_database(db);
  config.nrules = static_cast<std::uint32_t>(rules.size());
  return true;
}

bool SignatureMatcher::setup(const Config& config, State& state, std::string& error) {
  std::vector<Rule> rules;
  std::uint64_t hash = 0;
  hs_database_t* db = nullptr;
  if (!load(config.rules_file, rules, hash, &db, error)) return false;
  if (hash != config.rules_hash) {
    hs_free_database(db);
    error = std::string("rules file '") + config.rules_file + "' changed between checking and start-up; reload again";
    return false;
  }
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    hs_free_database(db);
    error = "hs_alloc_scratch failed";
    return false;
  }
  auto* sigs = new Signature[rules.size()]();
  for (std::size_t k = 0; k < rules.size(); ++k) {
    sigs[k].id = rules[k].id;
    std::snprintf(sigs[k].name, sizeof sigs[k].name, "%s", rules[k].name.c_str());
  }
  state.db = db;
  state.scratch = scratch;
  state.sigs = sigs;
  state.nsigs = static_cast<std::uint32_t>(rules.size());
  return true;
}

void SignatureMatcher::teardown(const Config&, State& state) {
  hs_free_scratch(state.scratch);
  hs_free_database(state.db);
  delete[] state.sigs;
  state.scratch = nullptr;
  state.db = nullptr;
  state.sigs = nullptr;
  state.nsigs = 0;
}

void SignatureMatcher::transfer(const Config&, const State& old_state, const Config&, State& new_state) {
  for (std::uint32_t k = 0; k < new_state.nsigs; ++k) {
    for (std::uint32_t j = 0; j < old_state.nsigs; ++j) {
      if (old_state.sigs[j].id == new_state.sigs[k].id) {
        new_state.sigs[k].matches = old_state.sigs[j].matches;
        break;
      }
    }
  }
  new_state.scanned = old_state.scanned;
  new_state.alerts = old_state.alerts;
  new_state.clean = old_state.clean;
  new_state.empty = old_state.empty;
  new_state.malformed = old_state.malformed;
  new_state.scanned_bytes = old_state.scanned_bytes;
}

NB_ELEMENT_KERNEL(SignatureMatcher);

constinit const ElementSpec SignatureMatcher::spec{
    .class_name = "SignatureMatcher",
    .ports = "1/1-2",
    .params = kParams,
    .brief = "signature IDS: matches packets against literal and regex signatures (Hyperscan)",
    .description =
        "Scans each IPv4 packet against the signatures of a rules file with Hyperscan (one "
        "block-mode database holding every signature) and sends packets that match at least one "
        "signature to output 1 (alerts), the others to output 0. Click has no such element.\n"
        "\n"
        "What is scanned: with PAYLOAD_ONLY true (the default), the TCP or UDP payload: the bytes "
        "after the transport header up to the end of the IP datagram (its total length, or the "
        "end of the packet's data if that comes first). For other protocols and for non-first "
        "fragments the payload is everything after the IP header. With PAYLOAD_ONLY false, the "
        "whole datagram from the first byte of its IP header. A signature that straddles a "
        "header boundary (starts in the TCP/UDP header and ends in the payload) therefore matches "
        "only with PAYLOAD_ONLY false. Each packet is matched on its own: a signature split "
        "across two packets of a stream does not match (no stream reassembly). The IP header is "
        "the one CheckIPHeader found (the network offset annotation); otherwise the packet is "
        "taken to start with its IP header.\n"
        "\n"
        "A packet with nothing to scan (a zero-length payload) is not scanned: it goes to output "
        "0 and counts as `empty`. A packet whose IPv4 header, or TCP/UDP header, is not all "
        "inside the packet and the datagram is dropped.\n"
        "\n"
        "Rules file: one signature per line, `ID NAME literal \"BYTES\"` (C escapes \\\\ \\\" \\n \\r "
        "\\t \\0 \\xHH) or `ID NAME regex /PCRE/FLAGS` (flags i, s, m); ID a unique decimal "
        "number, NAME letters, digits and _-.:; lines starting with # are comments. The file is "
        "read when the configuration is checked (errors are reported as FILE:LINE:COL) and "
        "compiled when nbrun starts or reloads.\n"
        "\n"
        "A packet several signatures match counts for each in `matches`, which the final JSON "
        "stats list under \"handlers\". Hot reload: setup() compiles the rules file as it is now and "
        "transfer() carries every counter over, per-signature counts to the signature with the "
        "same id (all of them when the file is unchanged).\n"
        "\n"
        "Input 0 (push): IP packets. Output 0 (push): clean packets. Output 1 (push, optional): "
        "alerts; if it is not connected, alerts are dropped.",
    .example =
        "ids :: SignatureMatcher(configs/ids.rules);\n"
        "FromDump(in.pcap) -> Strip(14) -> CheckIPHeader -> ids;\n"
        "ids [0] -> Unstrip(14) -> ToDump(clean.pcap);\n"
        "ids [1] -> Unstrip(14) -> ToDump(alerts.pcap);\n",
    .ops = &kOps,
    .handlers = kHandlers,
};

NB_REGISTER_ELEMENT(SignatureMatcher::spec);

}  // namespace nb::elements
