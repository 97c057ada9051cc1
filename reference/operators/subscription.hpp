// TS 35.206 §4.1 (Milenage OP/OPc, r1..r5, c1..c5), TS 33.102 Annex C (AuC SQN state), TS 102 225 §5.1 (OTA key
// sets: KVN, KIc/KID algorithms, keys, 40-bit counter): what one card's subscription consists of when it moves
// between operators (the hand-over batch, REQ-HO-62) and when it is stored (the HSS/OTA tables, REQ-HO-73).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "reference/aka/milenage.hpp"
#include "reference/aka/sqn.hpp"
#include "reference/aka/types.hpp"
#include "reference/core/secret.hpp"

namespace mnoswitch::operators {

// TS 35.206 §4.1: an operator provisions either OP (the card derives OPc) or OPc directly.
using OperatorVariant = std::variant<aka::Op, aka::Opc>;

// The AKA part of a subscription: K, OP or OPc, the Milenage constants, and the AuC's SQN state so that the new
// operator continues above every SQN the old one issued (TS 33.102 Annex C.1.1; REQ-HO-62).
struct AkaSubscription {
  aka::K k;
  OperatorVariant op;
  aka::MilenageProfile constants = aka::kStandardConstants;
  aka::AucSqnState sqn{};
};

// TS 102 225 §5.1.2/§5.1.3: one OTA key set of a card. KIc/KID carry the key version in their high nibble and the
// algorithm in the low nibble; keys are 8, 16, 24 or 32 octets; CNTR is 40 bits (§5.1.1).
inline constexpr std::uint64_t kOtaCounterMax = (std::uint64_t{1} << 40) - 1;
struct OtaKicKeyTag {};
struct OtaKidKeyTag {};
using OtaKicKey = SecretBytes<OtaKicKeyTag>;
using OtaKidKey = SecretBytes<OtaKidKeyTag>;

struct OtaKeySet {
  std::uint8_t kvn = 1;  // 1..15
  std::uint8_t kic = 0;  // raw KIc octet (KVN << 4 | algorithm)
  std::uint8_t kid = 0;  // raw KID octet (KVN << 4 | algorithm)
  OtaKicKey kic_key;
  OtaKidKey kid_key;
  std::uint64_t counter = 0;  // the last CNTR the server used with this key set (the card has seen <= this)
};

// REQ-HO-63: a key set is well formed when KVN is 1..15, both KIc and KID name that KVN, the keys have a length
// some algorithm uses, and the counter fits in 40 bits. Returns a short reason, or empty if fine (never key bytes).
[[nodiscard]] std::string_view check_key_set(const OtaKeySet& ks) noexcept;
// Same for the AKA part: SQN state within its layout (SEQ_HE < 2^(48-IND), next IND < 2^IND), rotations < 128.
[[nodiscard]] std::string_view check_aka(const AkaSubscription& a) noexcept;

}  // namespace mnoswitch::operators
