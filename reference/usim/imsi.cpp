// TS 23.003 §2.2 (IMSI structure), TS 31.102 §4.2.2 (EF_IMSI coding).
#include "reference/usim/imsi.hpp"

#include <fmt/format.h>

namespace mnoswitch::usim {
namespace {

constexpr std::uint8_t kFiller = 0x0F;
// TS 31.102 §4.2.2: b3..b1 of the first nibble = 001 (IMSI), b4 = parity (1 for an odd number of digits).
constexpr std::uint8_t kTypeOdd = 0x09;
constexpr std::uint8_t kTypeEven = 0x01;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

std::string describe(const ImsiError& e) {
  using K = ImsiError::Kind;
  switch (e.kind) {
    case K::Empty: return "IMSI is empty";
    case K::NotADigit: return fmt::format("IMSI character {} is not a decimal digit", e.position + 1);
    case K::TooShort: return fmt::format("IMSI has {} digits, at least {} are needed", e.count, kImsiMinDigits);
    case K::TooLong: return fmt::format("IMSI has {} digits, at most {} are allowed (TS 23.003 §2.2)", e.count,
                                        kImsiMaxDigits);
    case K::MsinEmpty: return "IMSI has no MSIN digits after MCC and MNC";
    case K::BadMncLength: return fmt::format("MNC length {} is not 2 or 3 (TS 31.102 §4.2.18)", e.count);
    case K::WrongFileSize: return fmt::format("EF_IMSI must be {} octets, got {}", kEfImsiSize, e.count);
    case K::NotInitialised: return "EF_IMSI holds no IMSI (length octet FF)";
    case K::BadLengthOctet:
      return fmt::format("EF_IMSI length octet {} is outside 1..{}", e.count, kEfImsiSize - 1);
    case K::BadParity: return "EF_IMSI parity/type nibble does not match the number of digits";
    case K::BadDigitNibble: return fmt::format("EF_IMSI digit {} is not a BCD digit", e.position + 1);
    case K::BadFiller: return "EF_IMSI unused nibbles/octets must be F";
  }
  return "invalid IMSI";
}

Result<MncLength, ImsiError> mnc_length_from_int(int n) {
  if (n == 2) return MncLength::Two;
  if (n == 3) return MncLength::Three;
  return err(ImsiError{ImsiError::Kind::BadMncLength, 0, n < 0 ? 0 : static_cast<std::size_t>(n)});
}

Result<Imsi, ImsiError> Imsi::parse(std::string_view digits, MncLength mnc_length) {
  using K = ImsiError::Kind;
  if (digits.empty()) return err(ImsiError{K::Empty});
  for (std::size_t i = 0; i < digits.size(); ++i)
    if (!is_digit(digits[i])) return err(ImsiError{K::NotADigit, i, 0});
  if (digits.size() < kImsiMinDigits) return err(ImsiError{K::TooShort, 0, digits.size()});
  if (digits.size() > kImsiMaxDigits) return err(ImsiError{K::TooLong, 0, digits.size()});
  if (mnc_length != MncLength::Two && mnc_length != MncLength::Three)
    return err(ImsiError{K::BadMncLength, 0, static_cast<std::size_t>(mnc_length)});
  if (digits.size() <= kMccDigits + static_cast<std::size_t>(mnc_length)) return err(ImsiError{K::MsinEmpty});
  return Imsi(std::string(digits), mnc_length);
}

// TS 31.102 §4.2.2: octet 1 = number of octets that follow and are used; then nibbles
// [type/parity, d1, d2, ..., dn, F?] packed low nibble first; unused octets FF.
ByteArray<kEfImsiSize> encode_ef_imsi(const Imsi& imsi) {
  const std::string& d = imsi.digits();
  ByteArray<kEfImsiSize> out{};
  out.fill(0xFF);
  const std::size_t nibbles = d.size() + 1;
  const std::size_t used = (nibbles + 1) / 2;
  out[0] = static_cast<std::uint8_t>(used);
  auto nibble_at = [&](std::size_t i) -> std::uint8_t {
    if (i == 0) return (d.size() % 2 == 1) ? kTypeOdd : kTypeEven;
    if (i <= d.size()) return static_cast<std::uint8_t>(d[i - 1] - '0');
    return kFiller;
  };
  for (std::size_t o = 0; o < used; ++o)
    out[1 + o] = static_cast<std::uint8_t>(nibble_at(2 * o) | (nibble_at(2 * o + 1) << 4));
  return out;
}

Result<Imsi, ImsiError> decode_ef_imsi(ByteSpan ef, MncLength mnc_length) {
  using K = ImsiError::Kind;
  if (ef.size() != kEfImsiSize) return err(ImsiError{K::WrongFileSize, 0, ef.size()});
  if (ef[0] == 0xFF) return err(ImsiError{K::NotInitialised});
  const std::size_t used = ef[0];
  if (used < 1 || used > kEfImsiSize - 1) return err(ImsiError{K::BadLengthOctet, 0, used});
  for (std::size_t o = 1 + used; o < kEfImsiSize; ++o)
    if (ef[o] != 0xFF) return err(ImsiError{K::BadFiller});

  const std::uint8_t type = ef[1] & 0x0F;
  if (type != kTypeOdd && type != kTypeEven) return err(ImsiError{K::BadParity});
  // Digits: high nibble of octet 1, then both nibbles of each following used octet; the last high nibble may
  // be the F filler (even digit count).
  std::string digits;
  const std::size_t max_digits = 2 * used - 1;
  for (std::size_t i = 0; i < max_digits; ++i) {
    const std::size_t nib = i + 1;
    const std::uint8_t octet = ef[1 + nib / 2];
    const std::uint8_t v = (nib % 2 == 0) ? (octet & 0x0F) : static_cast<std::uint8_t>(octet >> 4);
    const bool last = (i + 1 == max_digits);
    if (v == kFiller && last) break;
    if (v > 9) return err(ImsiError{K::BadDigitNibble, i, 0});
    digits.push_back(static_cast<char>('0' + v));
  }
  const bool odd = digits.size() % 2 == 1;
  if ((type == kTypeOdd) != odd) return err(ImsiError{K::BadParity});
  return Imsi::parse(digits, mnc_length);
}

}  // namespace mnoswitch::usim
