// FIPS 197 AES-128 (the kernel function of TS 35.206 §4.1 Milenage): one key schedule per key, many blocks per call.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mnoswitch::crypto {

inline constexpr std::size_t kAesBlockSize = 16;
inline constexpr std::size_t kAes128KeySize = 16;
using AesBlock = std::array<std::uint8_t, kAesBlockSize>;

// AES-128 in the raw block mode (ECB, no padding) with the key expanded once at construction and kept in a reused
// OpenSSL cipher context, so a block costs no key setup and no allocation. Move-only; not safe to share between
// threads (the context is mutable state). The context holds the key schedule and is cleansed when freed.
class Aes128 {
 public:
  explicit Aes128(std::span<const std::uint8_t, kAes128KeySize> key);
  Aes128(Aes128&& other) noexcept;
  Aes128& operator=(Aes128&& other) noexcept;
  Aes128(const Aes128&) = delete;
  Aes128& operator=(const Aes128&) = delete;
  ~Aes128();

  [[nodiscard]] AesBlock encrypt(const AesBlock& in) const;
  // Encrypts in.size() independent blocks in one call (in and out may be the same buffer).
  void encrypt_blocks(std::span<const AesBlock> in, std::span<AesBlock> out) const;

 private:
  void* ctx_ = nullptr;  // EVP_CIPHER_CTX*, kept opaque so that no OpenSSL header leaves crypto/
};

}  // namespace mnoswitch::crypto
