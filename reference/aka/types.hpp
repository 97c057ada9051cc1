// TS 33.102 §6.3.2 (AUTN, AV), §6.3.3 (AUTS), §6.3.7 / Annex C (SQN = SEQ || IND), Annex H (AMF), TS 35.206 §4.1:
// the public values and secrets of Milenage/AKA as distinct types (REQ-AKA-01, REQ-AKA-08).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "reference/core/bytes.hpp"
#include "reference/core/format.hpp"
#include "reference/core/result.hpp"
#include "reference/core/secret.hpp"
#include "reference/core/strong.hpp"

namespace mnoswitch::aka {

// Sizes as the specs fix them (TS 33.102 §6.3.7, TS 35.206 §4.1; Milenage's f2 gives 64 bits of RES).
inline constexpr std::size_t kKeySize = 16;
inline constexpr std::size_t kRandSize = 16;
inline constexpr std::size_t kSqnSize = 6;
inline constexpr std::size_t kAmfSize = 2;
inline constexpr std::size_t kMacSize = 8;
inline constexpr std::size_t kAutnSize = kSqnSize + kAmfSize + kMacSize;  // 16
inline constexpr std::size_t kAutsSize = kSqnSize + kMacSize;             // 14
inline constexpr std::size_t kResSize = 8;
inline constexpr std::size_t kAkSize = 6;
inline constexpr std::size_t kSresSize = 4;
inline constexpr std::size_t kKcSize = 8;
inline constexpr unsigned kSqnBits = 48;
inline constexpr std::uint64_t kSqnLimit = std::uint64_t{1} << kSqnBits;  // first value that is NOT an SQN

// ---- public values (printed as lower-case hex) ----
struct RandTag {};
struct AutnTag {};
struct AutsTag {};
struct ResTag {};
struct MacATag {};
struct MacSTag {};
struct SresTag {};
using Rand = FixedBytes<kRandSize, RandTag>;
using Autn = FixedBytes<kAutnSize, AutnTag>;
using Auts = FixedBytes<kAutsSize, AutsTag>;
using Res = FixedBytes<kResSize, ResTag>;    // RES / XRES (64 bits from Milenage f2)
using MacA = FixedBytes<kMacSize, MacATag>;  // f1
using MacS = FixedBytes<kMacSize, MacSTag>;  // f1*
using Sres = FixedBytes<kSresSize, SresTag>;

// Authentication management field (TS 33.102 Annex H). Bit 0 (the most significant bit of the first octet) is the
// "AMF separation bit": 1 for vectors meant for E-UTRAN/5G (TS 33.401 §6.1.1). Milenage does not look at it; the ME
// does. REQ-AKA-09.
class Amf {
 public:
  static constexpr std::size_t size = kAmfSize;
  static constexpr std::uint8_t kSeparationBitMask = 0x80;  // bit 0 of AMF, first octet

  constexpr Amf() = default;
  constexpr explicit Amf(const ByteArray<kAmfSize>& b) noexcept : b_(b) {}
  constexpr explicit Amf(std::span<const std::uint8_t, kAmfSize> s) noexcept : b_(to_array<kAmfSize>(s)) {}

  [[nodiscard]] constexpr const ByteArray<kAmfSize>& bytes() const noexcept { return b_; }
  [[nodiscard]] constexpr std::span<const std::uint8_t, kAmfSize> span() const noexcept { return b_; }
  [[nodiscard]] constexpr bool separation_bit() const noexcept { return (b_[0] & kSeparationBitMask) != 0; }
  [[nodiscard]] constexpr Amf with_separation_bit(bool on) const noexcept {
    ByteArray<kAmfSize> b = b_;
    b[0] = static_cast<std::uint8_t>(on ? (b[0] | kSeparationBitMask) : (b[0] & ~kSeparationBitMask));
    return Amf(b);
  }
  friend constexpr auto operator<=>(const Amf&, const Amf&) = default;

 private:
  ByteArray<kAmfSize> b_{};
};

// TS 33.102 §6.3.3: the dummy AMF (all zeros) used in MAC-S.
inline constexpr Amf kResyncAmf{};

// ---- SQN (TS 33.102 §6.3.7, Annex C) ----
enum class SqnError {
  OutOfRange,     // value >= 2^48 (REQ-AKA-06: never truncated, never wrapped)
  BadIndBits,     // IND length outside 0..kMaxIndBits
  IndOutOfRange,  // IND does not fit in the configured IND bits
  SeqOutOfRange,  // SEQ does not fit in 48 - IND bits
};
[[nodiscard]] constexpr std::string_view describe(SqnError e) noexcept {
  switch (e) {
    case SqnError::OutOfRange:
      return "SQN must be below 2^48";
    case SqnError::BadIndBits:
      return "IND length must be between 0 and 10 bits";
    case SqnError::IndOutOfRange:
      return "IND does not fit in the IND bits";
    case SqnError::SeqOutOfRange:
      return "SEQ does not fit in 48 - IND bits";
  }
  return "invalid SQN";
}

// Annex C.1.2/C.3.1: SQN = SEQ || IND; the number of IND bits is an operator choice (5 is the usual value).
// Capped at 10 so the USIM's SEQ array (2^IND entries) stays small.
inline constexpr unsigned kMaxIndBits = 10;
inline constexpr unsigned kDefaultIndBits = 5;

class SqnLayout {
 public:
  constexpr SqnLayout() = default;
  [[nodiscard]] static constexpr Result<SqnLayout, SqnError> make(unsigned ind_bits) {
    if (ind_bits > kMaxIndBits) return err(SqnError::BadIndBits);
    return SqnLayout(ind_bits);
  }
  [[nodiscard]] constexpr unsigned ind_bits() const noexcept { return ind_bits_; }
  [[nodiscard]] constexpr unsigned seq_bits() const noexcept { return kSqnBits - ind_bits_; }
  [[nodiscard]] constexpr std::uint64_t ind_count() const noexcept { return std::uint64_t{1} << ind_bits_; }
  // First SEQ value that no longer fits: reaching it means the SQN space is exhausted.
  [[nodiscard]] constexpr std::uint64_t seq_limit() const noexcept { return std::uint64_t{1} << seq_bits(); }
  friend constexpr bool operator==(const SqnLayout&, const SqnLayout&) = default;

 private:
  constexpr explicit SqnLayout(unsigned ind_bits) noexcept : ind_bits_(ind_bits) {}
  unsigned ind_bits_ = kDefaultIndBits;
};

// A 48-bit sequence number. Construction checks the range; there is no arithmetic that could wrap.
class Sqn {
 public:
  constexpr Sqn() = default;
  [[nodiscard]] static constexpr Result<Sqn, SqnError> make(std::uint64_t v) {
    if (v >= kSqnLimit) return err(SqnError::OutOfRange);
    return Sqn(v);
  }
  // Six octets, big-endian: every value fits, so this cannot fail.
  [[nodiscard]] static constexpr Sqn from_bytes(std::span<const std::uint8_t, kSqnSize> s) noexcept {
    return Sqn(load_be(s));
  }
  // Annex C.1.2: SQN = SEQ || IND.
  [[nodiscard]] static constexpr Result<Sqn, SqnError> compose(std::uint64_t seq, std::uint64_t ind, SqnLayout l) {
    if (ind >= l.ind_count()) return err(SqnError::IndOutOfRange);
    if (seq >= l.seq_limit()) return err(SqnError::SeqOutOfRange);
    return Sqn((seq << l.ind_bits()) | ind);
  }

  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return v_; }
  [[nodiscard]] constexpr std::uint64_t seq(SqnLayout l) const noexcept { return v_ >> l.ind_bits(); }
  [[nodiscard]] constexpr std::uint64_t ind(SqnLayout l) const noexcept { return v_ & (l.ind_count() - 1); }
  [[nodiscard]] ByteArray<kSqnSize> bytes() const noexcept {
    ByteArray<kSqnSize> out{};
    store_be(v_, out);
    return out;
  }
  friend constexpr auto operator<=>(const Sqn&, const Sqn&) = default;

 private:
  constexpr explicit Sqn(std::uint64_t v) noexcept : v_(v) {}
  std::uint64_t v_ = 0;
};

// ---- secrets (printed only as <redacted>; compared only with ct_equal) ----
struct KTag {};
struct OpTag {};
struct OpcTag {};
struct CkTag {};
struct IkTag {};
struct AkTag {};
struct KcTag {};
using K = Secret<kKeySize, KTag>;
using Op = Secret<kKeySize, OpTag>;
using Opc = Secret<kKeySize, OpcTag>;
using Ck = Secret<kKeySize, CkTag>;
using Ik = Secret<kKeySize, IkTag>;
using Ak = Secret<kAkSize, AkTag>;  // AK = f5 and AK* = f5*
using Kc = Secret<kKcSize, KcTag>;

// TS 33.102 §6.3.2: AV = RAND || XRES || CK || IK || AUTN (plus the SQN it carries, for the AuC's own records).
struct AuthVector {
  Rand rand;
  Res xres;
  Ck ck;
  Ik ik;
  Autn autn;
  Sqn sqn;
};

// MACs and responses are public once sent, but a verifier compares them in constant time (REQ-AKA-08).
template <std::size_t N, class Tag>
[[nodiscard]] bool ct_equal(const FixedBytes<N, Tag>& a, const FixedBytes<N, Tag>& b) noexcept {
  return crypto::ct_equal(a.span(), b.span());
}

}  // namespace mnoswitch::aka

template <>
struct fmt::formatter<mnoswitch::aka::Amf> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const mnoswitch::aka::Amf& v, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(mnoswitch::to_hex(v.span()), ctx);
  }
};

// SQN prints as its 12 hex digits (the form the specs' tables use).
template <>
struct fmt::formatter<mnoswitch::aka::Sqn> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const mnoswitch::aka::Sqn& v, Ctx& ctx) const {
    auto b = v.bytes();
    return fmt::formatter<std::string_view>::format(mnoswitch::to_hex(b), ctx);
  }
};
