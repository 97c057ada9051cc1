// RFC 5869 §2.2, §2.3: HKDF-SHA-256 through the OpenSSL 3 "HKDF" EVP_KDF.
#include "reference/crypto/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdlib>
#include <memory>

namespace mnoswitch::crypto {
namespace {

struct KdfFree {
  void operator()(EVP_KDF* p) const noexcept { EVP_KDF_free(p); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};

// OSSL_PARAM wants non-const pointers even for inputs it only reads; an empty span gets a valid dummy address.
void* param_ptr(ByteSpan s) {
  static std::uint8_t empty = 0;
  return s.empty() ? &empty : const_cast<std::uint8_t*>(s.data());  // NOLINT: read-only use by OpenSSL
}

void derive(int mode, ByteSpan ikm, ByteSpan salt, ByteSpan info, std::span<std::uint8_t> out) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  if (!kdf) std::abort();
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) std::abort();
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_ptr(ikm), ikm.size());
  // RFC 5869 §2.2: a missing salt is HashLen zeros; OpenSSL does the same when no salt parameter is given.
  if (!salt.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_ptr(salt), salt.size());
  if (!info.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_ptr(info), info.size());
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) std::abort();
}

}  // namespace

Status<HkdfError> hkdf_sha256(ByteSpan ikm, ByteSpan salt, ByteSpan info, std::span<std::uint8_t> out) {
  if (out.empty()) return err(HkdfError::EmptyOutput);
  if (out.size() > kHkdfSha256MaxOutput) return err(HkdfError::OutputTooLong);
  derive(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, ikm, salt, info, out);
  return ok_unit;
}

void hkdf_sha256_extract(ByteSpan ikm, ByteSpan salt, std::span<std::uint8_t, kSha256Size> prk) {
  derive(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, prk);
}

}  // namespace mnoswitch::crypto
