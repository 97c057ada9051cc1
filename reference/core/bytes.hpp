// Byte utilities: owned buffers, spans, a bounds-checked reader that must end empty, a writer.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "reference/core/result.hpp"

namespace mnoswitch {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

template <std::size_t N>
[[nodiscard]] constexpr ByteArray<N> xor_bytes(const ByteArray<N>& a, const ByteArray<N>& b) noexcept {
  ByteArray<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
  return out;
}

[[nodiscard]] inline Bytes to_bytes(ByteSpan s) { return Bytes(s.begin(), s.end()); }

template <std::size_t N>
[[nodiscard]] constexpr ByteArray<N> to_array(std::span<const std::uint8_t, N> s) noexcept {
  ByteArray<N> out{};
  std::copy(s.begin(), s.end(), out.begin());
  return out;
}

// Big-endian unsigned integer of `n` octets (n <= 8).
[[nodiscard]] constexpr std::uint64_t load_be(ByteSpan s) noexcept {
  std::uint64_t v = 0;
  for (std::uint8_t b : s) v = (v << 8) | b;
  return v;
}
inline void store_be(std::uint64_t v, std::span<std::uint8_t> out) noexcept {
  for (std::size_t i = out.size(); i-- > 0;) {
    out[i] = static_cast<std::uint8_t>(v & 0xFFu);
    v >>= 8;
  }
}

enum class ReadError { Truncated, TrailingBytes };

// Parses a message field by field; every read is bounds-checked, and finish() insists nothing is left over.
class Reader {
 public:
  explicit Reader(ByteSpan data) noexcept : data_(data) {}

  [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
  [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }

  [[nodiscard]] Result<std::uint8_t, ReadError> u8() {
    if (remaining() < 1) return err(ReadError::Truncated);
    return data_[pos_++];
  }
  [[nodiscard]] Result<std::uint64_t, ReadError> be(std::size_t n) {
    if (remaining() < n) return err(ReadError::Truncated);
    auto v = load_be(data_.subspan(pos_, n));
    pos_ += n;
    return v;
  }
  [[nodiscard]] Result<ByteSpan, ReadError> take(std::size_t n) {
    if (remaining() < n) return err(ReadError::Truncated);
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  template <std::size_t N>
  [[nodiscard]] Result<ByteArray<N>, ReadError> array() {
    if (remaining() < N) return err(ReadError::Truncated);
    ByteArray<N> out{};
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(pos_), N, out.begin());
    pos_ += N;
    return out;
  }
  [[nodiscard]] ByteSpan rest() noexcept {
    auto s = data_.subspan(pos_);
    pos_ = data_.size();
    return s;
  }
  [[nodiscard]] Status<ReadError> finish() const {
    if (!empty()) return err(ReadError::TrailingBytes);
    return ok_unit;
  }

 private:
  ByteSpan data_;
  std::size_t pos_ = 0;
};

// Appends fields to an owned buffer.
class Writer {
 public:
  Writer& u8(std::uint8_t v) { out_.push_back(v); return *this; }
  Writer& be(std::uint64_t v, std::size_t n) {
    auto at = out_.size();
    out_.resize(at + n);
    store_be(v, std::span<std::uint8_t>(out_).subspan(at, n));
    return *this;
  }
  Writer& bytes(ByteSpan s) { out_.insert(out_.end(), s.begin(), s.end()); return *this; }
  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }
  [[nodiscard]] Bytes& buffer() noexcept { return out_; }
  [[nodiscard]] Bytes take() && { return std::move(out_); }

 private:
  Bytes out_;
};

}  // namespace mnoswitch
