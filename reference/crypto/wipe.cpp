// Constant-time comparison via OpenSSL (CRYPTO_memcmp).
#include "reference/crypto/wipe.hpp"

#include <openssl/crypto.h>

namespace mnoswitch::crypto {

bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mnoswitch::crypto
