// ETSI TS 102 225 §5.1.3.1: DES/3DES CBC-MAC and AES-CMAC (OpenSSL EVP_MAC "CMAC"). REQ-OTA-07.
#include "reference/crypto/mac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace mnoswitch::crypto {
namespace {
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
}  // namespace

Result<ByteArray<8>, CipherError> des_cbc_mac(ByteSpan key, ByteSpan data) {
  // Zero padding to a whole block; an empty input is one zero block (never happens in OTA: CPL is covered).
  Bytes padded(data.begin(), data.end());
  const std::size_t rem = padded.size() % kDesBlock;
  if (rem != 0 || padded.empty()) padded.resize(padded.size() + (kDesBlock - rem));
  auto c = des_cbc(Direction::Encrypt, key, padded);
  if (c.failed()) return err(c.error());
  ByteArray<8> mac{};
  std::copy(c.value().end() - 8, c.value().end(), mac.begin());
  return mac;
}

Result<ByteArray<16>, CipherError> aes_cmac(ByteSpan key, ByteSpan data) {
  const char* name = nullptr;
  switch (key.size()) {
    case 16:
      name = "AES-128-CBC";
      break;
    case 24:
      name = "AES-192-CBC";
      break;
    case 32:
      name = "AES-256-CBC";
      break;
    default:
      return err(CipherError::KeyLength);
  }
  // Fetched once for the process (EVP_MAC_fetch walks the provider tables); never freed.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  if (mac == nullptr) return err(CipherError::Backend);
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) return err(CipherError::Backend);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(name), 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return err(CipherError::Backend);
  if (!data.empty() && EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1) return err(CipherError::Backend);
  ByteArray<16> out{};
  std::size_t n = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &n, out.size()) != 1 || n != out.size()) return err(CipherError::Backend);
  return out;
}

}  // namespace mnoswitch::crypto
