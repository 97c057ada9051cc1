// ITU-T E.118 (ICCID, Luhn check digit), TS 102 221 §13.2 (EF_ICCID coding).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::usim {

inline constexpr std::size_t kEfIccidSize = 10;      // TS 102 221 §13.2: 10 octets
// ITU-T E.118: 19 digits including the check digit; 20 (one more than E.118) is common and is what 10 octets of
// BCD hold. pySim's sanitize_iccid draws the same line (18 digits = a payload still lacking its check digit).
inline constexpr std::size_t kIccidMinDigits = 19;
inline constexpr std::size_t kIccidMaxDigits = 20;

struct IccidError {
  enum class Kind {
    NotADigit,       // character at `position` is not 0-9
    WrongLength,     // digit count (`count`) outside 19..20
    BadCheckDigit,   // Luhn check fails; `count` = the check digit that was expected
    WrongFileSize,   // EF_ICCID not 10 octets (`count`)
    BadDigitNibble,  // nibble A-E, or F followed by a digit (`position` = digit index)
  } kind;
  std::size_t position = 0;
  std::size_t count = 0;
};

[[nodiscard]] std::string describe(const IccidError& e);

// Luhn (ISO/IEC 7812-1 Annex B) check digit for `payload` (the digits before the check digit). Digits only.
[[nodiscard]] char luhn_check_digit(std::string_view payload) noexcept;

// The ICCID of a UICC: 19-20 decimal digits, the last one a valid Luhn check digit (REQ-FS-03).
class Iccid {
 public:
  [[nodiscard]] static Result<Iccid, IccidError> parse(std::string_view digits);
  // Builds an ICCID from the digits before the check digit (batch allocation).
  [[nodiscard]] static Result<Iccid, IccidError> with_check_digit(std::string_view payload);

  [[nodiscard]] const std::string& digits() const noexcept { return digits_; }
  friend bool operator==(const Iccid&, const Iccid&) = default;
  friend auto operator<=>(const Iccid&, const Iccid&) = default;

 private:
  explicit Iccid(std::string d) : digits_(std::move(d)) {}
  std::string digits_;
};

// TS 102 221 §13.2 (REQ-FS-03): nibble-swapped BCD, F filled, no length octet.
[[nodiscard]] ByteArray<kEfIccidSize> encode_ef_iccid(const Iccid& iccid);
[[nodiscard]] Result<Iccid, IccidError> decode_ef_iccid(ByteSpan ef);

}  // namespace mnoswitch::usim
