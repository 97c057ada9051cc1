// TS 33.102 Annex C.1.1, C.2.2, C.3.2; §6.3.5 (SQN_HE after resynchronisation).
#include "reference/aka/sqn.hpp"

#include <algorithm>
#include <cstdlib>

namespace mnoswitch::aka {

// Annex C.1.1 / C.3.2: SEQ_HE is incremented per vector; IND is taken round robin.
Result<Sqn, SqnExhausted> issue_sqn(AucSqnState& state) {
  const std::uint64_t seq = state.seq_he + 1;
  if (seq >= state.layout.seq_limit()) return err(SqnExhausted::SeqSpaceUsedUp);
  const std::uint64_t ind = state.next_ind % state.layout.ind_count();
  auto sqn = Sqn::compose(seq, ind, state.layout);
  if (sqn.failed()) std::abort();  // unreachable: both parts were range-checked above
  state.seq_he = seq;
  state.next_ind = (ind + 1) % state.layout.ind_count();
  return sqn.value();
}

// §6.3.5: "the AuC resets SQN_HE to SQN_MS" unless its own counter is already beyond it; either way the next SEQ
// issued is above SEQ_MS and no SEQ is ever issued twice.
void adopt_sqn_ms(AucSqnState& state, Sqn sqn_ms) {
  state.seq_he = std::max(state.seq_he, sqn_ms.seq(state.layout));
}

UsimSqnState UsimSqnState::fresh(SqnLayout layout, FreshnessPolicy policy) {
  return UsimSqnState{layout, policy, std::vector<std::uint64_t>(layout.ind_count(), 0)};
}

Sqn UsimSqnState::highest() const {
  if (seq_ms.size() != layout.ind_count()) std::abort();  // broken invariant: array does not match the layout
  const auto it = std::max_element(seq_ms.begin(), seq_ms.end());
  const auto ind = static_cast<std::uint64_t>(it - seq_ms.begin());
  auto sqn = Sqn::compose(*it, ind, layout);
  if (sqn.failed()) std::abort();  // broken invariant: the array size or an entry does not match the layout
  return sqn.value();
}

void UsimSqnState::record(Sqn sqn) {
  if (seq_ms.size() != layout.ind_count()) std::abort();  // broken invariant (programming error)
  auto& slot = seq_ms[sqn.ind(layout)];
  slot = std::max(slot, sqn.seq(layout));
}

// Annex C.2.2: accept iff SEQ > SEQ_MS(IND); with Δ, also SEQ - SEQ_MS <= Δ; with L, also SEQ_MS - SEQ <= L, where
// SEQ_MS in the last two is the highest SEQ accepted in any slot.
bool is_fresh(const UsimSqnState& state, Sqn sqn) {
  const std::uint64_t seq = sqn.seq(state.layout);
  const std::uint64_t ind = sqn.ind(state.layout);
  if (state.seq_ms.size() != state.layout.ind_count()) std::abort();  // broken invariant (programming error)
  if (seq <= state.seq_ms[ind]) return false;
  const std::uint64_t top = *std::max_element(state.seq_ms.begin(), state.seq_ms.end());
  if (state.policy.delta && seq > top && seq - top > *state.policy.delta) return false;
  if (state.policy.age_limit && top > seq && top - seq > *state.policy.age_limit) return false;
  return true;
}

}  // namespace mnoswitch::aka
