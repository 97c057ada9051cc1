// RFC 7748 §5, §6.1: X25519 through OpenSSL 3 EVP_PKEY (raw 32-octet keys).
#include "reference/crypto/x25519.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "reference/crypto/random.hpp"

namespace mnoswitch::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// OpenSSL failing to build a key from 32 raw octets is an allocation failure, not bad input: abort.
Pkey private_pkey(const X25519PrivateKey& priv) {
  Pkey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.expose().data(), kX25519KeySize));
  if (!k) std::abort();
  return k;
}

}  // namespace

X25519PrivateKey x25519_generate() {
  X25519PrivateKey k;
  random_bytes(k.expose_mut());
  return k;
}

X25519PublicKey x25519_public(const X25519PrivateKey& priv) {
  Pkey k = private_pkey(priv);
  ByteArray<kX25519KeySize> pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(k.get(), pub.data(), &len) != 1 || len != pub.size()) std::abort();
  return X25519PublicKey(pub);
}

Result<X25519SharedSecret, X25519Error> x25519(const X25519PrivateKey& priv, const X25519PublicKey& peer) {
  Pkey mine = private_pkey(priv);
  // Any 32 octets are a valid u-coordinate encoding (RFC 7748 §5 masks the top bit), so this cannot fail.
  Pkey theirs(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.bytes().data(), kX25519KeySize));
  if (!theirs) std::abort();
  PkeyCtx ctx(EVP_PKEY_CTX_new(mine.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) std::abort();
  // OpenSSL refuses a derivation whose result is all zero (small-order peer point): that is the only failure.
  if (EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) != 1) return err(X25519Error::DegeneratePeerKey);
  X25519SharedSecret out;
  std::size_t len = kX25519KeySize;
  if (EVP_PKEY_derive(ctx.get(), out.expose_mut().data(), &len) != 1 || len != kX25519KeySize)
    return err(X25519Error::DegeneratePeerKey);
  // Belt and braces: RFC 7748 §6.1 asks the caller to check for the all-zero value itself.
  static constexpr ByteArray<kX25519KeySize> zero{};
  if (ct_equal(out.expose(), zero)) return err(X25519Error::DegeneratePeerKey);
  return out;
}

}  // namespace mnoswitch::crypto
