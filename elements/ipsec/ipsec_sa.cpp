#include "ipsec_sa.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>

namespace nb::elements::ipsec {

namespace {

bool white(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A 16-byte key: 32 hex digits (as ipsec-router.click writes them), optionally after 0x.
bool parse_key(std::string_view w, std::uint8_t key[kKeySize]) {
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) w.remove_prefix(2);
  if (w.size() != 2 * kKeySize) return false;
  for (std::uint32_t i = 0; i < kKeySize; ++i) {
    const int high = hex_value(w[2 * i]), low = hex_value(w[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    key[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

// Click's IntArg for a 32-bit unsigned: decimal or 0x hex.
bool parse_u32(std::string_view w, std::uint32_t& v) {
  std::uint64_t x = 0;
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
    if (w.size() > 10) return false;
    for (char c : w.substr(2)) {
      const int d = hex_value(c);
      if (d < 0) return false;
      x = x << 4 | static_cast<std::uint64_t>(d);
    }
  } else if (!ip_text::parse_uint(w, 0xffffffffull, x)) {
    return false;
  }
  v = static_cast<std::uint32_t>(x);
  return true;
}

}  // namespace

bool parse_route(std::string_view text, Route& r, std::string& error, std::size_t& at, std::size_t& len) {
  r = Route{};
  // Click's hex string \<...> arrives as the bytes it stands for (the compiler unquotes String
  // arguments), which no word of a route can hold: say so rather than misread them.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && !white(text[i])) || c >= 0x7f) {
      at = i;
      len = 1;
      error = "a byte that is no text: write keys as 32 hex digits (Click's \\<...> hex strings are not taken here)";
      return false;
    }
  }
  const auto w = ip_text::words(text);
  auto fail = [&](std::string_view word, std::string message) {
    at = static_cast<std::size_t>(word.data() - text.data());
    len = std::max<std::size_t>(word.size(), 1);
    error = std::move(message);
    return false;
  };
  // Prefix, optional gateway, output: 2 or 3 words; with an SA, 5 more.
  const std::size_t n = w.size();
  if (n != 2 && n != 3 && n != 7 && n != 8) {
    at = n > 8 ? static_cast<std::size_t>(w[8].data() - text.data()) : 0;
    len = n > 8 ? text.size() - at : std::max<std::size_t>(text.size(), 1);
    error =
        "expected a route 'ADDR/LEN [GATEWAY] OUTPUT', or one into a tunnel with its SA: 'ADDR/LEN [GATEWAY] OUTPUT "
        "SPI ENCRYPT_KEY AUTH_KEY REPLAY OOSIZE'";
    return false;
  }
  const bool has_gw = n == 3 || n == 8;
  unsigned plen = 0;
  if (!ip_text::parse_prefix(w[0], r.addr, plen))
    return fail(w[0], "bad prefix '" + std::string(w[0]) + "' (expected ADDR/LEN, e.g. 10.0.0.0/8)");
  r.mask = ip_text::prefix_mask(plen);
  r.addr &= r.mask;
  if (has_gw && w[1] != "-" && !ip_text::parse_ipv4(w[1], r.gateway))
    return fail(w[1], "bad gateway '" + std::string(w[1]) + "' (expected an IPv4 address or -)");
  const std::string_view out = w[has_gw ? 2 : 1];
  std::uint64_t port = 0;
  if (!ip_text::parse_uint(out, 0xffff, port))
    return fail(out, "bad output '" + std::string(out) + "' (expected an output number)");
  r.port = static_cast<std::uint32_t>(port);
  if (n <= 3) return true;
  const std::size_t s = has_gw ? 3 : 2;
  r.has_sa = true;
  if (!parse_u32(w[s], r.sa.spi) || r.sa.spi == 0)
    return fail(w[s], "bad SPI '" + std::string(w[s]) + "' (expected a number from 1 to 4294967295)");
  if (!parse_key(w[s + 1], r.sa.enc_key))
    return fail(w[s + 1], "bad ENCRYPT_KEY: an AES-128 key is 16 bytes, written as 32 hex digits");
  if (!parse_key(w[s + 2], r.sa.auth_key))
    return fail(w[s + 2], "bad AUTH_KEY: an HMAC-SHA1 key here is 16 bytes, written as 32 hex digits");
  if (!parse_u32(w[s + 3], r.sa.replay))
    return fail(w[s + 3], "bad REPLAY '" + std::string(w[s + 3]) + "' (expected a sequence number, 0 to 4294967295)");
  std::uint64_t win = 0;
  if (!ip_text::parse_uint(w[s + 4], kMaxWindow, win))
    return fail(w[s + 4], "bad OOSIZE '" + std::string(w[s + 4]) + "' (expected a replay window of 0 to 64 packets)");
  r.sa.window = static_cast<std::uint8_t>(win);
  return true;
}

bool crypto_setup(Crypto& c, bool cipher, bool mac, std::string& error) {
  c = Crypto{};
  if (cipher) {
    c.cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    c.cipher_ctx = EVP_CIPHER_CTX_new();
  }
  if (mac) {
    c.mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    c.mac_ctx = c.mac ? EVP_MAC_CTX_new(c.mac) : nullptr;
    if (c.mac_ctx) {
      char digest[] = "SHA1";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                   OSSL_PARAM_construct_end()};
      if (!EVP_MAC_CTX_set_params(c.mac_ctx, params)) {
        EVP_MAC_CTX_free(c.mac_ctx);
        c.mac_ctx = nullptr;
      }
    }
  }
  if ((cipher && (!c.cipher || !c.cipher_ctx)) || (mac && !c.mac_ctx)) {
    crypto_teardown(c);
    error = "OpenSSL's libcrypto offers no AES-128-CBC or HMAC-SHA1";
    return false;
  }
  return true;
}

void crypto_teardown(Crypto& c) {
  EVP_CIPHER_CTX_free(c.cipher_ctx);
  EVP_CIPHER_free(c.cipher);
  EVP_MAC_CTX_free(c.mac_ctx);
  EVP_MAC_free(c.mac);
  c = Crypto{};
}

bool icv(Crypto& c, const SecurityAssociation& sa, std::span<const std::uint8_t> data, std::uint8_t out[kICV]) {
  if (!c.mac_ctx) return false;
  unsigned char md[EVP_MAX_MD_SIZE];
  std::size_t mdlen = 0;
  if (!EVP_MAC_init(c.mac_ctx, sa.params.auth_key, kKeySize, nullptr) ||
      !EVP_MAC_update(c.mac_ctx, data.data(), data.size()) || !EVP_MAC_final(c.mac_ctx, md, &mdlen, sizeof md) ||
      mdlen < kICV)
    return false;
  std::memcpy(out, md, kICV);
  OPENSSL_cleanse(md, sizeof md);
  return true;
}

bool icv_matches(Crypto& c, const SecurityAssociation& sa, std::span<const std::uint8_t> data,
                 std::span<const std::uint8_t> expected) {
  std::uint8_t mine[kICV];
  return expected.size() == kICV && icv(c, sa, data, mine) && CRYPTO_memcmp(mine, expected.data(), kICV) == 0;
}

bool cbc(Crypto& c, const SecurityAssociation& sa, bool encrypt, const std::uint8_t iv[kIV], const ByteView& region,
         std::uint32_t n) {
  if (!c.cipher_ctx || n % kBlock != 0 || n > region.size()) return false;
  if (!EVP_CipherInit_ex2(c.cipher_ctx, c.cipher, sa.params.enc_key, iv, encrypt ? 1 : 0, nullptr) ||
      !EVP_CIPHER_CTX_set_padding(c.cipher_ctx, 0))
    return false;
  // The view hands out read-only bytes: each chunk goes through a buffer and is written back.
  std::uint8_t buf[512];
  for (std::uint32_t off = 0; off < n;) {
    const std::uint32_t chunk = std::min<std::uint32_t>(sizeof buf, n - off);
    const std::span<const std::uint8_t> in = region.bytes(off, chunk);
    int outl = 0;
    if (in.size() != chunk || !EVP_CipherUpdate(c.cipher_ctx, buf, &outl, in.data(), static_cast<int>(chunk)) ||
        static_cast<std::uint32_t>(outl) != chunk || !region.write(off, buf, chunk))
      return false;
    off += chunk;
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return true;
}

bool random_iv(std::uint8_t iv[kIV]) {
  return RAND_bytes(iv, static_cast<int>(kIV)) == 1;
}

}  // namespace nb::elements::ipsec
