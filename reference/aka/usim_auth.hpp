// TS 33.102 §6.3.3 (USIM verifies AUTN: MAC first, then SQN), §6.3.3 AUTS, Annex C.2.2 (REQ-AKA-05, REQ-AKA-07,
// REQ-AKA-12).
#pragma once

#include <variant>

#include "reference/aka/milenage.hpp"
#include "reference/aka/sqn.hpp"

namespace mnoswitch::aka {

// AUTN = (SQN xor AK) || AMF || MAC-A (§6.3.2), split into its fields.
struct AutnFields {
  ByteArray<kSqnSize> concealed_sqn;
  Amf amf;
  MacA mac_a;
};
[[nodiscard]] AutnFields split_autn(const Autn& autn) noexcept;
[[nodiscard]] Autn make_autn(Sqn sqn, const Ak& ak, const Amf& amf, const MacA& mac_a) noexcept;

// What the USIM returns on success (the ME derives further keys from CK/IK).
struct UsimAccept {
  Res res;
  Ck ck;
  Ik ik;
  Sqn sqn;
};

// §6.3.3 outcomes. MacFailure: the AUTN was not made with this K/OPc; nothing changed. SynchFailure: genuine but
// stale (or beyond Δ/L); nothing changed, and AUTS lets the AuC resynchronise.
struct MacFailure {};
struct SynchFailure {
  Auts auts;
};
using UsimReject = std::variant<MacFailure, SynchFailure>;

// TS 33.102 §6.3.3: the USIM's answer to (RAND, AUTN). Order matters: the MAC is checked before the SQN, so a
// forged AUTN can never provoke an AUTS. `state` changes only on success (the accepted SEQ is recorded).
[[nodiscard]] Result<UsimAccept, UsimReject> usim_authenticate(const Milenage& m, UsimSqnState& state, const Rand& rand,
                                                               const Autn& autn);

// §6.3.3: AUTS = (SQN_MS xor AK*) || MAC-S, AK* = f5*(RAND), MAC-S = f1*(SQN_MS, RAND, AMF = 0000).
[[nodiscard]] Auts make_auts(const Milenage& m, const Rand& rand, Sqn sqn_ms);

}  // namespace mnoswitch::aka
