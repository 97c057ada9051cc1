// TS 33.102 §6.3.2, §6.3.5, Annex C.1.1/C.3: the AuC's side of AKA.
#include "reference/aka/auc.hpp"

#include <algorithm>

#include "reference/crypto/random.hpp"
#include "reference/crypto/wipe.hpp"

namespace mnoswitch::aka {

RandPool::~RandPool() {
  crypto::secure_wipe(buf_);
}

Rand RandPool::next() {
  if (used_ == kBatch) {
    crypto::random_bytes(buf_);
    used_ = 0;
  }
  const std::span<std::uint8_t> slot = std::span<std::uint8_t>(buf_).subspan(used_ * kRandSize, kRandSize);
  ByteArray<kRandSize> r{};
  std::copy(slot.begin(), slot.end(), r.begin());
  // A handed-out RAND is public (it goes over the air), so its slot is not wiped; the unused rest is, on destruction.
  ++used_;
  return Rand(r);
}

std::string_view describe(AucError e) noexcept {
  switch (e) {
    case AucError::SqnExhausted:
      return "SQN exhausted: no SEQ above SEQ_HE fits in 48 - IND bits";
    case AucError::MacSFailure:
      return "MAC-S in AUTS does not verify";
  }
  return "AuC error";
}

// §6.3.2: MAC = f1(SQN, RAND, AMF), XRES = f2, CK = f3, IK = f4, AK = f5, AUTN = SQN xor AK || AMF || MAC.
Result<AuthVector, AucError> make_vector(const Milenage& m, AucSqnState& state, const Rand& rand, const Amf& amf) {
  AucSqnState next = state;  // commit only on success
  auto sqn = issue_sqn(next);
  if (sqn.failed()) return err(AucError::SqnExhausted);
  state = next;
  return m.vector(rand, sqn.value(), amf);
}

Result<AuthVector, AucError> generate_vector(const Milenage& m, AucSqnState& state, RandPool& pool, const Amf& amf) {
  if (state.seq_he + 1 >= state.layout.seq_limit()) return err(AucError::SqnExhausted);  // don't burn a RAND
  return make_vector(m, state, pool.next(), amf);
}

Result<std::vector<AuthVector>, AucError> generate_vectors(const Milenage& m, AucSqnState& state, RandPool& pool,
                                                           const Amf& amf, std::size_t count) {
  // SEQ_HE + 1 .. SEQ_HE + count must all be below the limit (written without overflow; SEQ_HE < limit always).
  if (state.seq_he >= state.layout.seq_limit() || count > state.layout.seq_limit() - 1 - state.seq_he)
    return err(AucError::SqnExhausted);
  AucSqnState next = state;
  std::vector<AuthVector> out(count);
  for (auto& v : out) {
    auto sqn = issue_sqn(next);
    if (sqn.failed()) return err(AucError::SqnExhausted);  // unreachable after the check above; state untouched
    v.sqn = sqn.value();
    v.rand = pool.next();
  }
  m.fill_vectors(out, amf);
  state = next;
  return out;
}

// §6.3.5: the AuC unmasks SQN_MS with AK* = f5*(RAND) and checks MAC-S = f1*(SQN_MS || RAND || AMF = 0000).
Result<Sqn, AucError> recover_sqn_ms(const Milenage& m, const Rand& rand, const Auts& auts) {
  const Ak ak_star = m.f5star(rand);
  const auto& b = auts.bytes();
  ByteArray<kSqnSize> s{};
  for (std::size_t i = 0; i < kSqnSize; ++i) s[i] = static_cast<std::uint8_t>(b[i] ^ ak_star.expose()[i]);
  const Sqn sqn_ms = Sqn::from_bytes(s);
  ByteArray<kMacSize> mac{};
  std::copy_n(b.begin() + kSqnSize, kMacSize, mac.begin());
  if (!ct_equal(m.f1star(rand, sqn_ms, kResyncAmf), MacS(mac))) return err(AucError::MacSFailure);
  return sqn_ms;
}

Result<Sqn, AucError> resynchronise(const Milenage& m, AucSqnState& state, const Rand& rand, const Auts& auts) {
  auto sqn_ms = recover_sqn_ms(m, rand, auts);
  if (sqn_ms.failed()) return sqn_ms;
  adopt_sqn_ms(state, sqn_ms.value());
  return sqn_ms;
}

}  // namespace mnoswitch::aka
