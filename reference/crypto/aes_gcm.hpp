// NIST SP 800-38D: AES-256-GCM with a 96-bit nonce and a 128-bit tag (OpenSSL EVP). Batch-file body encryption.
#pragma once

#include <cstdint>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/core/secret.hpp"
#include "reference/core/strong.hpp"

namespace mnoswitch::crypto {

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

struct Aes256GcmKeyTag {};
struct GcmNonceTag {};
struct GcmTagTag {};
struct GcmPlaintextTag {};
using Aes256GcmKey = Secret<kAes256KeySize, Aes256GcmKeyTag>;
using GcmNonce = FixedBytes<kGcmNonceSize, GcmNonceTag>;
using GcmTag = FixedBytes<kGcmTagSize, GcmTagTag>;
// Decrypted content may hold keys: it is wiped when dropped.
using GcmPlaintext = SecretBytes<GcmPlaintextTag>;

struct GcmSealed {
  Bytes ciphertext;  // same length as the plaintext
  GcmTag tag;
};

enum class GcmError {
  // SP 800-38D §7.2 step 8: the recomputed tag differs (wrong key, nonce, AAD, ciphertext or tag).
  AuthenticationFailed,
};

// SP 800-38D §7.1: GCM-AE. A (key, nonce) pair must never be reused; callers use each key once.
[[nodiscard]] GcmSealed aes256gcm_seal(const Aes256GcmKey& key, const GcmNonce& nonce, ByteSpan aad,
                                       ByteSpan plaintext);
// SP 800-38D §7.2: GCM-AD. Releases the plaintext only after the tag is verified; otherwise nothing.
[[nodiscard]] Result<GcmPlaintext, GcmError> aes256gcm_open(const Aes256GcmKey& key, const GcmNonce& nonce,
                                                            ByteSpan aad, ByteSpan ciphertext, const GcmTag& tag);

}  // namespace mnoswitch::crypto
