// TS 33.102 §6.3.2 (AUTN layout), §6.3.3 (USIM side of AKA, AUTS), Annex C.2.2 (freshness).
#include "reference/aka/usim_auth.hpp"

#include <algorithm>

namespace mnoswitch::aka {

AutnFields split_autn(const Autn& autn) noexcept {
  const auto& b = autn.bytes();
  AutnFields f{};
  std::copy_n(b.begin(), kSqnSize, f.concealed_sqn.begin());
  f.amf = Amf(ByteArray<kAmfSize>{b[kSqnSize], b[kSqnSize + 1]});
  ByteArray<kMacSize> mac{};
  std::copy_n(b.begin() + kSqnSize + kAmfSize, kMacSize, mac.begin());
  f.mac_a = MacA(mac);
  return f;
}

// §6.3.2: AUTN = SQN xor AK || AMF || MAC.
Autn make_autn(Sqn sqn, const Ak& ak, const Amf& amf, const MacA& mac_a) noexcept {
  ByteArray<kAutnSize> b{};
  const auto s = sqn.bytes();
  const auto a = ak.expose();
  for (std::size_t i = 0; i < kSqnSize; ++i) b[i] = static_cast<std::uint8_t>(s[i] ^ a[i]);
  std::copy(amf.bytes().begin(), amf.bytes().end(), b.begin() + kSqnSize);
  std::copy(mac_a.bytes().begin(), mac_a.bytes().end(), b.begin() + kSqnSize + kAmfSize);
  return Autn(b);
}

Auts make_auts(const Milenage& m, const Rand& rand, Sqn sqn_ms) {
  const Ak ak_star = m.f5star(rand);
  const MacS mac_s = m.f1star(rand, sqn_ms, kResyncAmf);
  ByteArray<kAutsSize> b{};
  const auto s = sqn_ms.bytes();
  const auto a = ak_star.expose();
  for (std::size_t i = 0; i < kSqnSize; ++i) b[i] = static_cast<std::uint8_t>(s[i] ^ a[i]);
  std::copy(mac_s.bytes().begin(), mac_s.bytes().end(), b.begin() + kSqnSize);
  return Auts(b);
}

// TS 33.102 §6.3.3: compute AK, unmask SQN, compute XMAC over (SQN, RAND, AMF) and compare it with MAC in constant
// time (REQ-AKA-05); only then check freshness (Annex C.2.2, REQ-AKA-07); only on success record the SEQ.
Result<UsimAccept, UsimReject> usim_authenticate(const Milenage& m, UsimSqnState& state, const Rand& rand,
                                                 const Autn& autn) {
  const AutnFields f = split_autn(autn);
  // One pass computes f1..f5 for the unmasked SQN: AK does not depend on SQN, so compute it first.
  const Ak ak = m.f5(rand);
  ByteArray<kSqnSize> sqn_bytes{};
  const auto a = ak.expose();
  for (std::size_t i = 0; i < kSqnSize; ++i) sqn_bytes[i] = static_cast<std::uint8_t>(f.concealed_sqn[i] ^ a[i]);
  const Sqn sqn = Sqn::from_bytes(sqn_bytes);

  MilenageOutputs out = m.compute(rand, sqn, f.amf);
  if (!ct_equal(out.mac_a, f.mac_a)) return err(UsimReject{MacFailure{}});
  if (!is_fresh(state, sqn)) return err(UsimReject{SynchFailure{make_auts(m, rand, state.highest())}});

  state.record(sqn);
  return UsimAccept{out.res, std::move(out.ck), std::move(out.ik), sqn};
}

}  // namespace mnoswitch::aka
