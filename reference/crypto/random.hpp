// CSPRNG (OpenSSL RAND_bytes). Failure of the system RNG is fatal: nothing may run on predictable randomness.
#pragma once

#include <cstdint>
#include <span>

namespace mnoswitch::crypto {

void random_bytes(std::span<std::uint8_t> out);

}  // namespace mnoswitch::crypto
