// TS 33.102 §6.3.2 (AV generation), §6.3.5 (re-synchronisation) for an MNO's HSS/AuC. REQ-HO-11, REQ-HO-13 (the pending K′ of mechanism.md §6).
#include "reference/operators/hss.hpp"

namespace mnoswitch::operators {

std::string_view describe(AttachError e) noexcept {
  switch (e) {
    case AttachError::UnknownSubscriber: return "IMSI unknown in HSS";
    case AttachError::MacFailure: return "authentication MAC failure";
    case AttachError::SynchFailure: return "authentication synchronisation failure";
    case AttachError::ResMismatch: return "RES does not match XRES";
    case AttachError::SqnExhausted: return "SQN exhausted";
  }
  return "attach failed";
}

const AucRecord* Hss::find(const std::string& imsi) const noexcept {
  auto it = records_.find(imsi);
  return it == records_.end() ? nullptr : &it->second;
}
AucRecord* Hss::find(const std::string& imsi) noexcept {
  auto it = records_.find(imsi);
  return it == records_.end() ? nullptr : &it->second;
}

// TS 33.102 §6.3.2: AV = RAND || XRES || CK || IK || AUTN with the next SQN of this subscriber.
Result<Challenge, AttachError> Hss::challenge(const std::string& imsi, bool use_pending) {
  AucRecord* r = find(imsi);
  if (r == nullptr) return err(AttachError::UnknownSubscriber);
  if (use_pending && !r->pending_k) return err(AttachError::MacFailure);
  const aka::K& k = use_pending ? *r->pending_k : r->k;
  // The common AKA profile (seed R3, REQ-HO-03): OP = 0, so the pending K' has its own OPc.
  const aka::Milenage m(k, use_pending ? aka::derive_opc(k, aka::Op(ByteArray<16>{})) : r->opc);
  auto av = aka::generate_vector(m, r->sqn, *rands_, aka::Amf(ByteArray<2>{0x80, 0x00}));
  if (av.failed()) return err(AttachError::SqnExhausted);
  return Challenge{av.value().rand, av.value().autn, av.value().xres, use_pending};
}

// TS 33.102 §6.3.5: verify MAC-S and continue above SQN_MS.
Status<AttachError> Hss::resynchronise(const std::string& imsi, const Challenge& c, const aka::Auts& auts) {
  AucRecord* r = find(imsi);
  if (r == nullptr) return err(AttachError::UnknownSubscriber);
  const bool pending = c.with_pending && r->pending_k;
  const aka::K& k = pending ? *r->pending_k : r->k;
  const aka::Milenage m(k, pending ? aka::derive_opc(k, aka::Op(ByteArray<16>{})) : r->opc);
  if (aka::resynchronise(m, r->sqn, c.rand, auts).failed()) return err(AttachError::SynchFailure);
  return ok_unit;
}

}  // namespace mnoswitch::operators
