// FIPS 197 AES-128 block encryption via OpenSSL EVP (AES-NI when the CPU has it).
#include "reference/crypto/aes.hpp"

#include <openssl/evp.h>

#include <climits>
#include <cstdlib>
#include <utility>

namespace mnoswitch::crypto {
namespace {
EVP_CIPHER_CTX* as_ctx(void* p) noexcept {
  return static_cast<EVP_CIPHER_CTX*>(p);
}
}  // namespace

Aes128::Aes128(std::span<const std::uint8_t, kAes128KeySize> key) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  // A failing cipher setup means the crypto library is unusable: nothing sensible can continue.
  if (ctx == nullptr) std::abort();
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    std::abort();
  }
  ctx_ = ctx;
}

Aes128::Aes128(Aes128&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Aes128& Aes128::operator=(Aes128&& other) noexcept {
  if (this != &other) {
    EVP_CIPHER_CTX_free(as_ctx(ctx_));
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Aes128::~Aes128() {
  EVP_CIPHER_CTX_free(as_ctx(ctx_));
}

void Aes128::encrypt_blocks(std::span<const AesBlock> in, std::span<AesBlock> out) const {
  // Precondition (programming error if broken): same count, a live context.
  if (in.size() != out.size() || ctx_ == nullptr) std::abort();
  if (in.empty()) return;
  const std::size_t bytes = in.size() * kAesBlockSize;
  if (bytes > static_cast<std::size_t>(INT_MAX)) std::abort();
  int written = 0;
  // ECB without padding holds no partial block between calls, so Update alone is enough and the context is reused.
  if (EVP_EncryptUpdate(as_ctx(ctx_), out.data()->data(), &written, in.data()->data(), static_cast<int>(bytes)) != 1 ||
      static_cast<std::size_t>(written) != bytes)
    std::abort();
}

AesBlock Aes128::encrypt(const AesBlock& in) const {
  AesBlock out{};
  encrypt_blocks(std::span<const AesBlock>(&in, 1), std::span<AesBlock>(&out, 1));
  return out;
}

}  // namespace mnoswitch::crypto
