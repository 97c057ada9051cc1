// TS 33.102 Annex C: SQN generation in the AuC (C.1.1, C.3.2) and the USIM's freshness check with the IND array
// (C.2.2, optional Δ and age limit L). Both states are plain values (REQ-AKA-06, REQ-AKA-07, REQ-AKA-11).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "reference/aka/types.hpp"

namespace mnoswitch::aka {

// ---- AuC side (Annex C.1.1, C.3.2) ----
enum class SqnExhausted { SeqSpaceUsedUp };

// SEQ_HE: the last SEQ the AuC issued (0 = none yet); IND cycles through 0 .. 2^IND_bits - 1 so that vectors handed
// to different serving nodes land in different array slots of the USIM (C.3.2).
struct AucSqnState {
  SqnLayout layout{};
  std::uint64_t seq_he = 0;
  std::uint64_t next_ind = 0;
};

// Annex C.1.1/C.3.2: the SQN of the next vector (SEQ_HE + 1 || IND) and the state after issuing it. SQN never wraps:
// when SEQ_HE + 1 no longer fits in 48 - IND bits the answer is SqnExhausted and the state is unchanged.
[[nodiscard]] Result<Sqn, SqnExhausted> issue_sqn(AucSqnState& state);

// §6.3.5: after a verified AUTS, the AuC continues above SQN_MS (never below what it already issued).
void adopt_sqn_ms(AucSqnState& state, Sqn sqn_ms);

// ---- USIM side (Annex C.2) ----
// Optional limits of C.2.2: Δ bounds how far a new SEQ may jump above the highest accepted one (protects the SQN
// space from being burnt by one vector); L is the age limit below the highest accepted SEQ.
struct FreshnessPolicy {
  std::optional<std::uint64_t> delta;
  std::optional<std::uint64_t> age_limit;
};

// The USIM's SQN state: SEQ_MS(i) for each IND value i (C.2.2). 0 = nothing accepted in that slot yet.
// Invariant: seq_ms.size() == layout.ind_count() (build it with fresh(); breaking it is a programming error and
// aborts). A plain value: copy it, store it in a card's file, compare it.
struct UsimSqnState {
  SqnLayout layout{};
  FreshnessPolicy policy{};
  std::vector<std::uint64_t> seq_ms = std::vector<std::uint64_t>(SqnLayout{}.ind_count(), 0);

  [[nodiscard]] static UsimSqnState fresh(SqnLayout layout, FreshnessPolicy policy = {});
  // SQN_MS as sent in AUTS (C.2.2, §6.3.3): the highest accepted SEQ, with the IND of the slot that holds it.
  [[nodiscard]] Sqn highest() const;
  // Records `sqn` as accepted (used to set up a known state, and by the acceptance path).
  void record(Sqn sqn);
};

// C.2.2: is `sqn` fresh for this state? Pure; the caller records it only after the MAC has been verified.
[[nodiscard]] bool is_fresh(const UsimSqnState& state, Sqn sqn);

}  // namespace mnoswitch::aka
