// RFC 8032 §5.1: Ed25519 through OpenSSL 3 EVP_DigestSign/EVP_DigestVerify (one-shot, no pre-hash).
#include "reference/crypto/ed25519.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "reference/crypto/random.hpp"

namespace mnoswitch::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Pkey private_pkey(const Ed25519Seed& seed) {
  Pkey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.expose().data(), kEd25519SeedSize));
  if (!k) std::abort();
  return k;
}

}  // namespace

Ed25519Seed ed25519_generate() {
  Ed25519Seed s;
  random_bytes(s.expose_mut());
  return s;
}

Ed25519PublicKey ed25519_public(const Ed25519Seed& seed) {
  Pkey k = private_pkey(seed);
  ByteArray<kEd25519PublicKeySize> pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(k.get(), pub.data(), &len) != 1 || len != pub.size()) std::abort();
  return Ed25519PublicKey(pub);
}

Ed25519Signature ed25519_sign(const Ed25519Seed& seed, ByteSpan message) {
  Pkey k = private_pkey(seed);
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1) std::abort();
  ByteArray<kEd25519SignatureSize> sig{};
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != sig.size())
    std::abort();
  return Ed25519Signature(sig);
}

bool ed25519_verify(const Ed25519PublicKey& pub, ByteSpan message, const Ed25519Signature& sig) {
  // A public key that does not decode to a curve point is rejected here or at verification: both are "no".
  Pkey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.bytes().data(), kEd25519PublicKeySize));
  if (!k) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) std::abort();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig.bytes().data(), sig.bytes().size(), message.data(), message.size()) == 1;
}

}  // namespace mnoswitch::crypto
