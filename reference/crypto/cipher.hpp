// Block ciphers for ETSI TS 102 225 §5.1.2: DES / 3DES (2 and 3 keys) in CBC and ECB, AES-128/192/256 in CBC,
// always with a zero IV and no padding of their own (the OTA layer pads and says how much in PCNTR).
#pragma once

#include <cstddef>
#include <cstdint>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::crypto {

enum class CipherError {
  KeyLength,            // not 8/16/24 (DES family) or 16/24/32 (AES) octets
  DataLength,           // not a whole number of blocks
  ProviderUnavailable,  // OpenSSL 3 legacy provider (single DES) could not be loaded
  Backend,              // OpenSSL reported a failure
};
[[nodiscard]] const char* describe(CipherError e) noexcept;

inline constexpr std::size_t kDesBlock = 8;
inline constexpr std::size_t kAesBlock = 16;

enum class Direction { Encrypt, Decrypt };

// DES family, chosen by key length: 8 = DES, 16 = 3DES two keys (K1 K2 K1), 24 = 3DES three keys.
// Parity bits of the key are ignored (TS 102 225 §5.1.2). Single DES needs OpenSSL 3's legacy provider.
[[nodiscard]] Result<Bytes, CipherError> des_cbc(Direction d, ByteSpan key, ByteSpan data);
[[nodiscard]] Result<Bytes, CipherError> des_ecb(Direction d, ByteSpan key, ByteSpan data);
// AES chosen by key length: 16, 24, 32.
[[nodiscard]] Result<Bytes, CipherError> aes_cbc(Direction d, ByteSpan key, ByteSpan data);

}  // namespace mnoswitch::crypto
