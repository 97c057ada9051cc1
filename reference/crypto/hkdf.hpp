// RFC 5869 §2: HKDF with SHA-256 (OpenSSL EVP_KDF). Derives the batch-file content key (spec/formats.md).
#pragma once

#include <cstdint>
#include <span>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::crypto {

inline constexpr std::size_t kSha256Size = 32;
// RFC 5869 §2.3: L <= 255 * HashLen.
inline constexpr std::size_t kHkdfSha256MaxOutput = 255 * kSha256Size;

enum class HkdfError { OutputTooLong, EmptyOutput };

// RFC 5869 §2.2 + §2.3: OKM = HKDF-Expand(HKDF-Extract(salt, ikm), info, out.size()). An empty salt means
// HashLen zero octets (§2.2). `ikm` is key material: the caller passes Secret::expose() and owns the wipe of
// `out` (normally a Secret's expose_mut()).
[[nodiscard]] Status<HkdfError> hkdf_sha256(ByteSpan ikm, ByteSpan salt, ByteSpan info, std::span<std::uint8_t> out);
// RFC 5869 §2.2 alone: PRK = HMAC-SHA-256(salt, ikm); for known-answer tests of the two halves.
void hkdf_sha256_extract(ByteSpan ikm, ByteSpan salt, std::span<std::uint8_t, kSha256Size> prk);

}  // namespace mnoswitch::crypto
