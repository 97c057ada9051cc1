// TS 35.206 §4.1 (Milenage f1, f1*, f2, f3, f4, f5, f5* and OPc), TS 33.102 §6.8.1.2 (GSM conversion c2/c3),
// TS 55.205 (GSM-MILENAGE SRES), seed R3 "common AKA: Milenage with OP 128 zeroes" (REQ-AKA-01..04, REQ-AKA-10).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "reference/aka/types.hpp"
#include "reference/crypto/aes.hpp"

namespace mnoswitch::aka {

using Block = ByteArray<16>;

// TS 35.206 §4.1: the rotation amounts r1..r5 (bits, 0..127) and the 128-bit constants c1..c5. An operator may pick
// other values under the rules of TS 35.206 §4.1; the profile is a value so that a choice is explicit. REQ-AKA-02.
struct MilenageProfile {
  std::array<std::uint8_t, 5> r{};
  std::array<Block, 5> c{};
};

namespace detail {
constexpr Block constant_with_last_octet(std::uint8_t v) {
  Block b{};
  b[15] = v;
  return b;
}
}  // namespace detail

// TS 35.206 §4.1: r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96; c1 = 0, c2 = ..01, c3 = ..02, c4 = ..04, c5 = ..08.
inline constexpr MilenageProfile kStandardConstants{
    {64, 0, 32, 64, 96},
    {detail::constant_with_last_octet(0), detail::constant_with_last_octet(1), detail::constant_with_last_octet(2),
     detail::constant_with_last_octet(4), detail::constant_with_last_octet(8)}};

// The contribution's common AKA (seed R3): Milenage with the standard constants and OP = 128 zero bits. That OP is
// public by prescription, so it is plain bytes here; it becomes an Op secret when a subscriber is built from it.
struct CommonAkaProfile {
  MilenageProfile constants;
  Block op;
};
inline constexpr CommonAkaProfile kSeedProfile{kStandardConstants, Block{}};

// TS 35.206 §4.1: OPc = OP xor E_K(OP). The final xor is the step a zero OP cannot catch (REQ-AKA-03).
[[nodiscard]] Opc derive_opc(const K& k, const Op& op);

// Everything one vector needs, from one TEMP and OUT1..OUT4 computed together (5 AES blocks).
struct MilenageOutputs {
  MacA mac_a;  // f1
  MacS mac_s;  // f1*
  Res res;     // f2
  Ck ck;       // f3
  Ik ik;       // f4
  Ak ak;       // f5
};

// A subscriber's Milenage: the AES key schedule and OPc are computed once, here, not per call (REQ-AKA-04).
// Move-only because it owns the cipher context.
class Milenage {
 public:
  Milenage(const K& k, Opc opc, const MilenageProfile& profile = kStandardConstants);
  [[nodiscard]] static Milenage from_op(const K& k, const Op& op, const MilenageProfile& profile = kStandardConstants);
  // The seed's common AKA (OP = 0, standard constants).
  [[nodiscard]] static Milenage seed_profile(const K& k);

  [[nodiscard]] const Opc& opc() const noexcept { return opc_; }
  [[nodiscard]] const MilenageProfile& profile() const noexcept { return profile_; }

  // TS 35.206 §4.1: f1 (MAC-A) and f1* (MAC-S), both halves of OUT1.
  [[nodiscard]] MacA f1(const Rand& rand, Sqn sqn, const Amf& amf) const;
  [[nodiscard]] MacS f1star(const Rand& rand, Sqn sqn, const Amf& amf) const;
  // TS 35.206 §4.1: f2 (RES), f3 (CK), f4 (IK), f5 (AK), f5* (AK*).
  [[nodiscard]] Res f2(const Rand& rand) const;
  [[nodiscard]] Ck f3(const Rand& rand) const;
  [[nodiscard]] Ik f4(const Rand& rand) const;
  [[nodiscard]] Ak f5(const Rand& rand) const;
  [[nodiscard]] Ak f5star(const Rand& rand) const;
  // f1, f1*, f2, f3, f4, f5 at once: TEMP, then OUT1..OUT4 in a single multi-block AES call.
  [[nodiscard]] MilenageOutputs compute(const Rand& rand, Sqn sqn, const Amf& amf) const;
  // TS 33.102 §6.3.2: the authentication vector for (RAND, SQN, AMF) in one pass (5 AES blocks), each secret built
  // once in place: the AuC's hot path.
  [[nodiscard]] AuthVector vector(const Rand& rand, Sqn sqn, const Amf& amf) const;
  // The same for a batch: each element's rand and sqn are set by the caller; xres, ck, ik and autn are filled in.
  // All TEMP blocks go through AES in one call, then all OUT1..OUT4 blocks in another (fewer calls, same blocks).
  void fill_vectors(std::span<AuthVector> vectors, const Amf& amf) const;

 private:
  [[nodiscard]] Block temp(const Rand& rand) const;
  // OUT1..OUT4 xor OPc (the caller wipes them).
  void out1to4(const Rand& rand, Sqn sqn, const Amf& amf, std::array<crypto::AesBlock, 4>& blocks) const;
  // OUTi's AES input, i in 1..5 (SQN and AMF are used only for i = 1).
  [[nodiscard]] Block out_input(std::size_t i, const Block& temp, const Sqn* sqn, const Amf* amf) const;
  [[nodiscard]] Block out(std::size_t i, const Block& temp, const Sqn* sqn, const Amf* amf) const;

  crypto::Aes128 aes_;
  Opc opc_;
  MilenageProfile profile_;
};

// TS 33.102 §6.8.1.2: conversion functions c2 (SRES from XRES) and c3 (Kc from CK, IK). REQ-AKA-10.
[[nodiscard]] Sres c2(const Res& xres);
[[nodiscard]] Kc c3(const Ck& ck, const Ik& ik);
// TS 55.205 GSM-MILENAGE: SRES is the first 32 bits of RES (OUT2 bits 64..95).
[[nodiscard]] Sres gsm_milenage_sres(const Res& res);

}  // namespace mnoswitch::aka
