// ETSI TS 102 225 §5.1.2 (KIc) and §5.1.3 (KID for CC, KID for RC): key version number + algorithm.
#pragma once

#include <cstdint>

#include "reference/core/result.hpp"
#include "reference/ota/types.hpp"

namespace mnoswitch::ota {

// Ciphering algorithm of KIc (b4..b1). Implicit (b2b1 = 00) means "known by both ends": the key set says.
enum class CipherAlgorithm : std::uint8_t {
  Implicit,
  DesCbc,
  TripleDes2Key,
  TripleDes3Key,
  DesEcb,
  AesCbc,
  Proprietary
};
// CC algorithm of KID (b4..b1) when SPI asks for a CC.
enum class CcAlgorithm : std::uint8_t { Implicit, DesCbcMac, TripleDes2KeyMac, TripleDes3KeyMac, AesCmac, Proprietary };
// RC algorithm of KID (b4..b1) when SPI asks for an RC.
enum class RcAlgorithm : std::uint8_t { Implicit, Crc16, Crc32, Proprietary };

enum class AlgorithmError { Reserved };

// REQ-OTA-02: KIc = key version (b8..b5) + algorithm (b4..b1). Reserved algorithm codings are rejected.
class KicByte {
 public:
  constexpr KicByte() = default;
  constexpr explicit KicByte(std::uint8_t raw) noexcept : raw_(raw) {}
  [[nodiscard]] static KicByte make(KeyVersion kvn, CipherAlgorithm a) noexcept;
  [[nodiscard]] constexpr std::uint8_t raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr KeyVersion key_version() const noexcept {
    return KeyVersion(static_cast<std::uint8_t>(raw_ >> 4));
  }
  [[nodiscard]] Result<CipherAlgorithm, AlgorithmError> algorithm() const noexcept;
  friend constexpr auto operator<=>(const KicByte&, const KicByte&) = default;

 private:
  std::uint8_t raw_ = 0;
};

// REQ-OTA-02: KID = key version (b8..b5) + algorithm (b4..b1), read as CC or RC depending on SPI.
class KidByte {
 public:
  constexpr KidByte() = default;
  constexpr explicit KidByte(std::uint8_t raw) noexcept : raw_(raw) {}
  [[nodiscard]] static KidByte make_cc(KeyVersion kvn, CcAlgorithm a) noexcept;
  [[nodiscard]] static KidByte make_rc(KeyVersion kvn, RcAlgorithm a) noexcept;
  [[nodiscard]] constexpr std::uint8_t raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr KeyVersion key_version() const noexcept {
    return KeyVersion(static_cast<std::uint8_t>(raw_ >> 4));
  }
  [[nodiscard]] Result<CcAlgorithm, AlgorithmError> cc_algorithm() const noexcept;
  [[nodiscard]] Result<RcAlgorithm, AlgorithmError> rc_algorithm() const noexcept;
  friend constexpr auto operator<=>(const KidByte&, const KidByte&) = default;

 private:
  std::uint8_t raw_ = 0;
};

}  // namespace mnoswitch::ota
