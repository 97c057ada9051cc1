// RFC 8032 §5.1: Ed25519 (pure, no context) signatures (OpenSSL EVP). Signs batch files (spec/formats.md).
#pragma once

#include "reference/core/bytes.hpp"
#include "reference/core/secret.hpp"
#include "reference/core/strong.hpp"

namespace mnoswitch::crypto {

inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

struct Ed25519SeedTag {};
struct Ed25519PublicTag {};
struct Ed25519SignatureTag {};
// RFC 8032 §5.1.5: the 32-octet private key ("seed") from which the scalar and prefix are hashed.
using Ed25519Seed = Secret<kEd25519SeedSize, Ed25519SeedTag>;
using Ed25519PublicKey = FixedBytes<kEd25519PublicKeySize, Ed25519PublicTag>;
using Ed25519Signature = FixedBytes<kEd25519SignatureSize, Ed25519SignatureTag>;

[[nodiscard]] Ed25519Seed ed25519_generate();
// RFC 8032 §5.1.5: A = [s]B, encoded.
[[nodiscard]] Ed25519PublicKey ed25519_public(const Ed25519Seed& seed);
// RFC 8032 §5.1.6 (deterministic).
[[nodiscard]] Ed25519Signature ed25519_sign(const Ed25519Seed& seed, ByteSpan message);
// RFC 8032 §5.1.7. False for any invalid signature or public key encoding; never aborts on bad input.
[[nodiscard]] bool ed25519_verify(const Ed25519PublicKey& pub, ByteSpan message, const Ed25519Signature& sig);

}  // namespace mnoswitch::crypto
