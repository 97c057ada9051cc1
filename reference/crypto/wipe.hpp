// Wiping and constant-time comparison (OpenSSL_cleanse, CRYPTO_memcmp) for Secret and MAC checks.
#pragma once

#include <cstdint>
#include <span>

namespace mnoswitch::crypto {

void secure_wipe(std::span<std::uint8_t> bytes) noexcept;
// True iff equal; time depends only on the lengths. Different lengths compare unequal.
[[nodiscard]] bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace mnoswitch::crypto
