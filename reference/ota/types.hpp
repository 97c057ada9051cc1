// ETSI TS 102 225 §5.1: the public values of a secured packet header (TAR, CNTR, key version numbers).
#pragma once

#include <cstdint>
#include <optional>

#include "reference/core/strong.hpp"

namespace mnoswitch::ota {

struct TarTag {};
// TS 102 225 §5.1.1 / TS 101 220 §6: Toolkit Application Reference, 3 octets; identifies the receiving
// application on the card (e.g. a USIM RFM instance). Which values mean RFM is card profile configuration.
using Tar = FixedBytes<3, TarTag>;

// TS 102 225 §5.1.1: CNTR, the 5-octet (40-bit) replay counter. Construct only through make() so that a
// value >= 2^40 cannot exist.
class OtaCounter {
 public:
  static constexpr std::uint64_t kMax = (std::uint64_t{1} << 40) - 1;
  constexpr OtaCounter() = default;
  [[nodiscard]] static constexpr std::optional<OtaCounter> make(std::uint64_t v) noexcept {
    if (v > kMax) return std::nullopt;
    return OtaCounter(v);
  }
  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return v_; }
  [[nodiscard]] constexpr bool at_max() const noexcept { return v_ == kMax; }
  friend constexpr auto operator<=>(const OtaCounter&, const OtaCounter&) = default;

 private:
  constexpr explicit OtaCounter(std::uint64_t v) noexcept : v_(v) {}
  std::uint64_t v_ = 0;
};

struct KeyVersionTag {};
// TS 102 225 §5.1.2/§5.1.3: key version number, the high nibble of KIc / KID (0..15).
using KeyVersion = StrongInt<std::uint8_t, KeyVersionTag>;

inline constexpr std::size_t kTarSize = 3;
inline constexpr std::size_t kCounterSize = 5;

}  // namespace mnoswitch::ota
