// ISO/IEC 8825-1 BER lengths as used by TS 102 223 §8 (COMPREHENSION-TLV) and TS 102 226 §5 (scripts).
#pragma once

#include <cstddef>
#include <optional>

#include "reference/core/bytes.hpp"

namespace mnoswitch::ota::tlv {

inline void put_length(Writer& w, std::size_t n) {
  if (n < 0x80)
    w.u8(static_cast<std::uint8_t>(n));
  else if (n <= 0xFF)
    w.u8(0x81).u8(static_cast<std::uint8_t>(n));
  else if (n <= 0xFFFF)
    w.u8(0x82).be(n, 2);
  else
    w.u8(0x83).be(n, 3);
}

inline constexpr std::size_t kIndefinite = static_cast<std::size_t>(-1);

// Definite lengths 1..4 octets; 0x80 (indefinite) → kIndefinite when allowed, else nullopt.
inline std::optional<std::size_t> get_length(Reader& r, bool allow_indefinite = false) {
  auto b = r.u8();
  if (b.failed()) return std::nullopt;
  if (b.value() < 0x80) return b.value();
  if (b.value() == 0x80) return allow_indefinite ? std::optional<std::size_t>(kIndefinite) : std::nullopt;
  const std::size_t n = b.value() & 0x7Fu;
  if (n > 3) return std::nullopt;
  auto v = r.be(n);
  if (v.failed()) return std::nullopt;
  return static_cast<std::size_t>(v.value());
}

inline void put_tlv(Writer& w, std::uint8_t tag, ByteSpan value) {
  w.u8(tag);
  put_length(w, value.size());
  w.bytes(value);
}

}  // namespace mnoswitch::ota::tlv
