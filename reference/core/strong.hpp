// Strong types: a distinct C++ type for every public value the specs name, so that RAND and AUTN cannot be swapped.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>

#include "reference/core/bytes.hpp"

namespace mnoswitch {

// A fixed-size public (non-secret) octet string with a tag. Comparable; printable as hex (core/format.hpp).
template <std::size_t N, class Tag>
class FixedBytes {
 public:
  static constexpr std::size_t size = N;
  constexpr FixedBytes() = default;
  constexpr explicit FixedBytes(const ByteArray<N>& b) noexcept : b_(b) {}
  constexpr explicit FixedBytes(std::span<const std::uint8_t, N> s) noexcept : b_(to_array<N>(s)) {}

  [[nodiscard]] constexpr const ByteArray<N>& bytes() const noexcept { return b_; }
  [[nodiscard]] constexpr std::span<const std::uint8_t, N> span() const noexcept { return b_; }
  friend constexpr auto operator<=>(const FixedBytes&, const FixedBytes&) = default;

 private:
  ByteArray<N> b_{};
};

// A tagged integer (counters, identifiers that are numbers in the spec).
template <class T, class Tag>
class StrongInt {
 public:
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(T v) noexcept : v_(v) {}
  [[nodiscard]] constexpr T value() const noexcept { return v_; }
  friend constexpr auto operator<=>(const StrongInt&, const StrongInt&) = default;

 private:
  T v_{};
};

}  // namespace mnoswitch
