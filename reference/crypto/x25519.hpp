// RFC 7748 §5, §6.1: X25519 key agreement (OpenSSL EVP). Used for the batch-file encryption (spec/formats.md).
#pragma once

#include <cstdint>

#include "reference/core/result.hpp"
#include "reference/core/secret.hpp"
#include "reference/core/strong.hpp"

namespace mnoswitch::crypto {

inline constexpr std::size_t kX25519KeySize = 32;

struct X25519PrivateTag {};
struct X25519PublicTag {};
struct X25519SharedTag {};
using X25519PrivateKey = Secret<kX25519KeySize, X25519PrivateTag>;
using X25519PublicKey = FixedBytes<kX25519KeySize, X25519PublicTag>;
using X25519SharedSecret = Secret<kX25519KeySize, X25519SharedTag>;

enum class X25519Error {
  // RFC 7748 §6.1: the peer's public value is a small-order point, the shared secret is all zero.
  DegeneratePeerKey,
};

// A fresh private key from the system CSPRNG (clamping is part of X25519 itself, RFC 7748 §5).
[[nodiscard]] X25519PrivateKey x25519_generate();
// RFC 7748 §6.1: X25519(a, 9).
[[nodiscard]] X25519PublicKey x25519_public(const X25519PrivateKey& priv);
// RFC 7748 §6.1: K = X25519(a, X25519(b, 9)); fails on an all-zero result.
[[nodiscard]] Result<X25519SharedSecret, X25519Error> x25519(const X25519PrivateKey& priv, const X25519PublicKey& peer);

}  // namespace mnoswitch::crypto
