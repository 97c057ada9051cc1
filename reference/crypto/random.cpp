// CSPRNG via OpenSSL.
#include "reference/crypto/random.hpp"

#include <openssl/rand.h>

#include <climits>
#include <cstdlib>

namespace mnoswitch::crypto {

void random_bytes(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (out.size() > INT_MAX || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) std::abort();
}

}  // namespace mnoswitch::crypto
