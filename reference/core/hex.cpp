// Hex text <-> bytes.
#include "reference/core/hex.hpp"

#include <fmt/format.h>

namespace mnoswitch {
namespace {
int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string to_hex(ByteSpan bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0F]);
  }
  return out;
}

Result<Bytes, HexError> parse_hex(std::string_view text) {
  if (text.size() % 2 != 0) return err(HexError{HexError::Kind::OddLength, text.size(), 0, 0});
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]);
    int lo = nibble(text[i + 1]);
    if (hi < 0) return err(HexError{HexError::Kind::BadDigit, i, 0, 0});
    if (lo < 0) return err(HexError{HexError::Kind::BadDigit, i + 1, 0, 0});
    out[i / 2] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

Result<Bytes, HexError> parse_hex_exact(std::string_view text, std::size_t n) {
  auto r = parse_hex(text);
  if (r.failed()) return r;
  if (r.value().size() != n) return err(HexError{HexError::Kind::WrongLength, 0, n, r.value().size()});
  return r;
}

std::string describe(const HexError& e) {
  switch (e.kind) {
    case HexError::Kind::OddLength:
      return fmt::format("odd number of hex digits ({})", e.position);
    case HexError::Kind::BadDigit:
      return fmt::format("not a hex digit at position {}", e.position);
    case HexError::Kind::WrongLength:
      return fmt::format("expected {} octets ({} hex digits), got {} octets", e.expected, e.expected * 2, e.actual);
  }
  return "invalid hex";
}

}  // namespace mnoswitch
