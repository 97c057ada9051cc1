// Secret<N, Tag>: key material (K, OP, OPc, CK, IK, AK, Kc, OTA keys). Wiped on destruction and after a move,
// no ==/ordering, printed only as <redacted>, compared only in constant time. expose() is the one accessor,
// used at the crypto boundary and nowhere else (grep for it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/crypto/wipe.hpp"

namespace mnoswitch {

template <std::size_t N, class Tag>
class Secret {
 public:
  static constexpr std::size_t size = N;
  Secret() = default;
  explicit Secret(std::span<const std::uint8_t, N> s) noexcept { std::copy(s.begin(), s.end(), b_.begin()); }
  explicit Secret(const ByteArray<N>& b) noexcept : b_(b) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& o) noexcept : b_(o.b_) { o.wipe(); }
  Secret& operator=(Secret&& o) noexcept {
    if (this != &o) {
      b_ = o.b_;
      o.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  [[nodiscard]] std::span<const std::uint8_t, N> expose() const noexcept { return b_; }
  // Write access for the one place that derives the value (a KDF, a decryption).
  [[nodiscard]] std::span<std::uint8_t, N> expose_mut() noexcept { return b_; }

  bool operator==(const Secret&) const = delete;
  auto operator<=>(const Secret&) const = delete;

 private:
  void wipe() noexcept { crypto::secure_wipe(b_); }
  ByteArray<N> b_{};
};

// Variable-length secret (OTA keys are 8, 16, 24 or 32 octets; batch transport keys).
template <class Tag>
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(ByteSpan s) : b_(s.begin(), s.end()) {}
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes& o) {
    if (this != &o) {
      wipe();
      b_ = o.b_;
    }
    return *this;
  }
  SecretBytes(SecretBytes&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
      o.b_.clear();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  [[nodiscard]] std::size_t size() const noexcept { return b_.size(); }
  [[nodiscard]] ByteSpan expose() const noexcept { return b_; }

  bool operator==(const SecretBytes&) const = delete;
  auto operator<=>(const SecretBytes&) const = delete;

 private:
  void wipe() noexcept {
    crypto::secure_wipe(std::span<std::uint8_t>(b_));
    b_.clear();
  }
  std::vector<std::uint8_t> b_;
};

// Constant-time equality; the only way to compare secrets or MACs.
template <std::size_t N, class Tag>
[[nodiscard]] bool ct_equal(const Secret<N, Tag>& a, const Secret<N, Tag>& b) noexcept {
  return crypto::ct_equal(a.expose(), b.expose());
}
template <class Tag>
[[nodiscard]] bool ct_equal(const SecretBytes<Tag>& a, const SecretBytes<Tag>& b) noexcept {
  return crypto::ct_equal(a.expose(), b.expose());
}

}  // namespace mnoswitch
