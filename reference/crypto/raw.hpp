// A pre-keyed OpenSSL CBC encryptor with nothing around it: the throughput limit that bench/bench_ota.cpp sets
// beside the OTA codecs (TS 102 225 §5.1.2 ciphers). Not used by the protocol code.
#pragma once

#include <memory>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/crypto/cipher.hpp"

namespace mnoswitch::crypto {

class RawCbc {
 public:
  enum class Algorithm { TripleDes2Key, Aes128 };
  [[nodiscard]] static Result<RawCbc, CipherError> make(Algorithm a, ByteSpan key);
  // Encrypts whole blocks in place with a zero IV (re-initialised per call, key schedule kept).
  [[nodiscard]] bool encrypt(std::span<std::uint8_t> blocks);
  RawCbc(RawCbc&&) noexcept;
  RawCbc& operator=(RawCbc&&) noexcept;
  ~RawCbc();

 private:
  struct Impl;
  explicit RawCbc(std::unique_ptr<Impl> p) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mnoswitch::crypto
