// ITU-T E.118 (ICCID, Luhn check digit), TS 102 221 §13.2 (EF_ICCID coding).
#include "reference/usim/iccid.hpp"

#include <fmt/format.h>

namespace mnoswitch::usim {
namespace {
constexpr std::uint8_t kFiller = 0x0F;
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
}  // namespace

std::string describe(const IccidError& e) {
  using K = IccidError::Kind;
  switch (e.kind) {
    case K::NotADigit: return fmt::format("ICCID character {} is not a decimal digit", e.position + 1);
    case K::WrongLength:
      return fmt::format("ICCID has {} digits, expected {}..{}", e.count, kIccidMinDigits, kIccidMaxDigits);
    case K::BadCheckDigit: return fmt::format("ICCID Luhn check digit is wrong (expected {})", e.count);
    case K::WrongFileSize: return fmt::format("EF_ICCID must be {} octets, got {}", kEfIccidSize, e.count);
    case K::BadDigitNibble: return fmt::format("EF_ICCID digit {} is not a BCD digit", e.position + 1);
  }
  return "invalid ICCID";
}

// ISO/IEC 7812-1 Annex B: from the rightmost payload digit leftwards, double every other digit starting with
// the rightmost, sum the digits of the products, check digit = (10 - sum mod 10) mod 10.
char luhn_check_digit(std::string_view payload) noexcept {
  unsigned sum = 0;
  bool dbl = true;
  for (std::size_t i = payload.size(); i-- > 0;) {
    unsigned d = static_cast<unsigned>(payload[i] - '0');
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

Result<Iccid, IccidError> Iccid::parse(std::string_view digits) {
  using K = IccidError::Kind;
  for (std::size_t i = 0; i < digits.size(); ++i)
    if (!is_digit(digits[i])) return err(IccidError{K::NotADigit, i, 0});
  if (digits.size() < kIccidMinDigits || digits.size() > kIccidMaxDigits)
    return err(IccidError{K::WrongLength, 0, digits.size()});
  const char expected = luhn_check_digit(digits.substr(0, digits.size() - 1));
  if (digits.back() != expected)
    return err(IccidError{K::BadCheckDigit, digits.size() - 1, static_cast<std::size_t>(expected - '0')});
  return Iccid(std::string(digits));
}

Result<Iccid, IccidError> Iccid::with_check_digit(std::string_view payload) {
  using K = IccidError::Kind;
  for (std::size_t i = 0; i < payload.size(); ++i)
    if (!is_digit(payload[i])) return err(IccidError{K::NotADigit, i, 0});
  std::string d(payload);
  d.push_back(luhn_check_digit(payload));
  return parse(d);
}

ByteArray<kEfIccidSize> encode_ef_iccid(const Iccid& iccid) {
  const std::string& d = iccid.digits();
  ByteArray<kEfIccidSize> out{};
  for (std::size_t o = 0; o < kEfIccidSize; ++o) {
    auto nib = [&](std::size_t i) -> std::uint8_t {
      return i < d.size() ? static_cast<std::uint8_t>(d[i] - '0') : kFiller;
    };
    out[o] = static_cast<std::uint8_t>(nib(2 * o) | (nib(2 * o + 1) << 4));
  }
  return out;
}

Result<Iccid, IccidError> decode_ef_iccid(ByteSpan ef) {
  using K = IccidError::Kind;
  if (ef.size() != kEfIccidSize) return err(IccidError{K::WrongFileSize, 0, ef.size()});
  std::string digits;
  bool ended = false;
  for (std::size_t i = 0; i < 2 * kEfIccidSize; ++i) {
    const std::uint8_t octet = ef[i / 2];
    const std::uint8_t v = (i % 2 == 0) ? (octet & 0x0F) : static_cast<std::uint8_t>(octet >> 4);
    if (v == kFiller) {
      ended = true;
      continue;
    }
    if (ended || v > 9) return err(IccidError{K::BadDigitNibble, i, 0});
    digits.push_back(static_cast<char>('0' + v));
  }
  return Iccid::parse(digits);
}

}  // namespace mnoswitch::usim
