// TS 23.003 §2.2 (IMSI structure), TS 31.102 §4.2.2 (EF_IMSI coding), §4.2.18 (MNC length in EF_AD).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::usim {

// The MNC length is not in the IMSI itself; the card states it in EF_AD octet 4 (TS 31.102 §4.2.18).
enum class MncLength : std::uint8_t { Two = 2, Three = 3 };

inline constexpr std::size_t kMccDigits = 3;
inline constexpr std::size_t kImsiMinDigits = 6;   // TS 23.003 §2.2: "not more than 15 digits"; 6 as our floor
inline constexpr std::size_t kImsiMaxDigits = 15;
inline constexpr std::size_t kEfImsiSize = 9;      // TS 31.102 §4.2.2: file size 9 octets

struct ImsiError {
  enum class Kind {
    Empty,          // no digits at all
    NotADigit,      // character at `position` is not 0-9
    TooShort,       // fewer than kImsiMinDigits (`count`)
    TooLong,        // more than kImsiMaxDigits (`count`)
    MsinEmpty,      // MCC + MNC use every digit
    BadMncLength,   // MNC length other than 2 or 3 (`count`)
    // EF_IMSI decoding
    WrongFileSize,  // not 9 octets (`count`)
    NotInitialised, // length octet FF: the file holds no IMSI
    BadLengthOctet, // length octet outside 1..8 (`count`)
    BadParity,      // parity/type nibble is neither 1 nor 9, or disagrees with the digit count
    BadDigitNibble, // a digit nibble A-E, or F before the last digit (`position` = digit index)
    BadFiller,      // an unused nibble or octet is not F
  } kind;
  std::size_t position = 0;
  std::size_t count = 0;
};

// One line naming what is wrong (for CLI messages and reports).
[[nodiscard]] std::string describe(const ImsiError& e);

// TS 23.003 §2.2: IMSI = MCC (3 digits) ‖ MNC (2 or 3 digits) ‖ MSIN; at most 15 digits in all.
// A value type: copyable, comparable, holds only validated decimal digits.
class Imsi {
 public:
  // REQ-FS-01: digits only, 6-15 of them, MSIN not empty.
  [[nodiscard]] static Result<Imsi, ImsiError> parse(std::string_view digits, MncLength mnc_length);

  [[nodiscard]] const std::string& digits() const noexcept { return digits_; }
  [[nodiscard]] MncLength mnc_length() const noexcept { return mnc_length_; }
  [[nodiscard]] std::string_view mcc() const noexcept { return std::string_view(digits_).substr(0, kMccDigits); }
  [[nodiscard]] std::string_view mnc() const noexcept {
    return std::string_view(digits_).substr(kMccDigits, static_cast<std::size_t>(mnc_length_));
  }
  [[nodiscard]] std::string_view msin() const noexcept {
    return std::string_view(digits_).substr(kMccDigits + static_cast<std::size_t>(mnc_length_));
  }

  friend bool operator==(const Imsi&, const Imsi&) = default;
  friend auto operator<=>(const Imsi&, const Imsi&) = default;

 private:
  Imsi(std::string d, MncLength m) : digits_(std::move(d)), mnc_length_(m) {}
  std::string digits_;
  MncLength mnc_length_ = MncLength::Two;
};

[[nodiscard]] Result<MncLength, ImsiError> mnc_length_from_int(int n);

// TS 31.102 §4.2.2 (REQ-FS-02): length octet, parity nibble, swapped BCD, F filler; always 9 octets.
[[nodiscard]] ByteArray<kEfImsiSize> encode_ef_imsi(const Imsi& imsi);
// TS 31.102 §4.2.2 (REQ-FS-02): strict inverse of encode_ef_imsi; the MNC length comes from EF_AD.
[[nodiscard]] Result<Imsi, ImsiError> decode_ef_imsi(ByteSpan ef, MncLength mnc_length);

}  // namespace mnoswitch::usim
