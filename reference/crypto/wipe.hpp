// Wiping and constant-time comparison for Secret and MAC checks.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace mnoswitch::crypto {

// Inline on purpose: Secret wipes on every move, and an out-of-line OPENSSL_cleanse per move cost ~8% of the
// AuC's vector rate (bench_aka). memset followed by a compiler barrier that "uses" the memory is the technique
// OPENSSL_cleanse and explicit_bzero rely on: the store cannot be elided as dead.
inline void secure_wipe(std::span<std::uint8_t> bytes) noexcept {
  if (bytes.empty()) return;
  std::memset(bytes.data(), 0, bytes.size());
  asm volatile("" : : "r"(bytes.data()) : "memory");
}

// True iff equal; time depends only on the lengths (CRYPTO_memcmp). Different lengths compare unequal.
[[nodiscard]] bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace mnoswitch::crypto
