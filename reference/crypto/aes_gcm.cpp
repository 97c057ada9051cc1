// NIST SP 800-38D §7.1, §7.2: AES-256-GCM through OpenSSL 3 EVP_CIPHER.
#include "reference/crypto/aes_gcm.hpp"

#include <openssl/evp.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "reference/crypto/wipe.hpp"

namespace mnoswitch::crypto {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

int int_len(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) std::abort();  // batch files are far below 2 GiB
  return static_cast<int>(n);
}

CipherCtx start(const Aes256GcmKey& key, const GcmNonce& nonce, bool encrypt) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) std::abort();
  // 96-bit nonce is OpenSSL's default GCM IV length, so no SET_IVLEN is needed.
  int ok = encrypt
               ? EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.expose().data(), nonce.bytes().data())
               : EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.expose().data(), nonce.bytes().data());
  if (ok != 1) std::abort();
  return ctx;
}

}  // namespace

GcmSealed aes256gcm_seal(const Aes256GcmKey& key, const GcmNonce& nonce, ByteSpan aad, ByteSpan plaintext) {
  CipherCtx ctx = start(key, nonce, true);
  int len = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), int_len(aad.size())) != 1) std::abort();
  GcmSealed out;
  out.ciphertext.resize(plaintext.size());
  int written = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &written, plaintext.data(), int_len(plaintext.size())) != 1)
    std::abort();
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.ciphertext.data() + written, &tail) != 1) std::abort();
  if (static_cast<std::size_t>(written + tail) != plaintext.size()) std::abort();
  ByteArray<kGcmTagSize> tag{};
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize), tag.data()) != 1)
    std::abort();
  out.tag = GcmTag(tag);
  return out;
}

Result<GcmPlaintext, GcmError> aes256gcm_open(const Aes256GcmKey& key, const GcmNonce& nonce, ByteSpan aad,
                                              ByteSpan ciphertext, const GcmTag& tag) {
  CipherCtx ctx = start(key, nonce, false);
  int len = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), int_len(aad.size())) != 1) std::abort();
  Bytes plain(ciphertext.size());
  int written = 0;
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), plain.data(), &written, ciphertext.data(), int_len(ciphertext.size())) != 1)
    std::abort();
  ByteArray<kGcmTagSize> expected = tag.bytes();
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize), expected.data()) != 1)
    std::abort();
  int tail = 0;
  // OpenSSL compares the tag in constant time inside DecryptFinal.
  bool authentic = EVP_DecryptFinal_ex(ctx.get(), plain.data() + written, &tail) == 1;
  if (!authentic) {
    secure_wipe(plain);
    return err(GcmError::AuthenticationFailed);
  }
  GcmPlaintext out(plain);
  secure_wipe(plain);
  return out;
}

}  // namespace mnoswitch::crypto
