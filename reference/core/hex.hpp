// Hex text <-> bytes. Input may be upper or lower case; output is always lower case. No silent padding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch {

struct HexError {
  enum class Kind { OddLength, BadDigit, WrongLength } kind;
  std::size_t position = 0;  // BadDigit: offset of the offending character
  std::size_t expected = 0;  // WrongLength: octets expected
  std::size_t actual = 0;    // WrongLength: octets given
};

[[nodiscard]] std::string to_hex(ByteSpan bytes);
[[nodiscard]] Result<Bytes, HexError> parse_hex(std::string_view text);
// Exactly `n` octets (2n hex digits); anything else is an error, never padded or truncated.
[[nodiscard]] Result<Bytes, HexError> parse_hex_exact(std::string_view text, std::size_t n);
// One line that names what is wrong, for CLI and error messages.
[[nodiscard]] std::string describe(const HexError& e);

template <std::size_t N>
[[nodiscard]] Result<ByteArray<N>, HexError> parse_hex_array(std::string_view text) {
  auto r = parse_hex_exact(text, N);
  if (r.failed()) return err(r.error());
  ByteArray<N> out{};
  std::copy(r.value().begin(), r.value().end(), out.begin());
  return out;
}

}  // namespace mnoswitch
