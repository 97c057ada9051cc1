// Pre-keyed OpenSSL CBC for the benchmark limit (TS 102 225 §5.1.2 ciphers, zero IV).
#include "reference/crypto/raw.hpp"

#include <openssl/evp.h>

#include <climits>

namespace mnoswitch::crypto {

struct RawCbc::Impl {
  EVP_CIPHER_CTX* ctx = nullptr;
  ~Impl() { EVP_CIPHER_CTX_free(ctx); }
};

RawCbc::RawCbc(std::unique_ptr<Impl> p) noexcept : impl_(std::move(p)) {}
RawCbc::RawCbc(RawCbc&&) noexcept = default;
RawCbc& RawCbc::operator=(RawCbc&&) noexcept = default;
RawCbc::~RawCbc() = default;

Result<RawCbc, CipherError> RawCbc::make(Algorithm a, ByteSpan key) {
  const EVP_CIPHER* c = a == Algorithm::Aes128 ? EVP_aes_128_cbc() : EVP_des_ede_cbc();
  if (static_cast<std::size_t>(EVP_CIPHER_get_key_length(c)) != key.size()) return err(CipherError::KeyLength);
  auto impl = std::make_unique<Impl>();
  impl->ctx = EVP_CIPHER_CTX_new();
  const ByteArray<16> iv{};
  if (impl->ctx == nullptr || EVP_EncryptInit_ex(impl->ctx, c, nullptr, key.data(), iv.data()) != 1)
    return err(CipherError::Backend);
  EVP_CIPHER_CTX_set_padding(impl->ctx, 0);
  return RawCbc(std::move(impl));
}

bool RawCbc::encrypt(std::span<std::uint8_t> blocks) {
  const ByteArray<16> iv{};
  int n = 0;
  if (blocks.size() > static_cast<std::size_t>(INT_MAX)) return false;
  // Reset only the IV: the key schedule stays.
  if (EVP_EncryptInit_ex(impl_->ctx, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  return EVP_EncryptUpdate(impl_->ctx, blocks.data(), &n, blocks.data(), static_cast<int>(blocks.size())) == 1;
}

}  // namespace mnoswitch::crypto
