// spec/mechanism.md §2–§3, spec/invariants.md "Requirement table expectations".
#include "model/requirements.hpp"

#include <stdexcept>

namespace mnoswitch::model {

const std::vector<ReqInfo>& requirements() {
  static const std::vector<ReqInfo> t{
      {Req::Contract, "REQ-HO-01", "contract (R1)", "INV-CONNECT", "A drops the record of a leaving device"},
      {Req::Trust, "REQ-HO-02", "trust (R2)", "INV-IDENTITY", "A rewrites EF_IMSI with the OTA keys it holds"},
      {Req::CommonAka, "REQ-HO-03", "common AKA profile (R3)", "INV-CONNECT", "B's AuC cannot run the card's AKA profile"},
      {Req::SecuredOta, "REQ-HO-04", "secured OTA (R4)", "INV-IDENTITY", "an injected SET EF_IMSI without CC is applied"},
      {Req::MakeBeforeBreak, "REQ-HO-05", "make-before-break", "INV-CONNECT", "USIM rewritten before B holds IMSI and K: stranded"},
      {Req::EvidenceBeforeDelete, "REQ-HO-06", "evidence before deletion", "INV-CONNECT", "PoR lost, A assumes success and deletes the old record"},
      {Req::ReadBack, "REQ-HO-07", "lost PoR resolved by read-back", "INV-CONNECT", "PoR lost, A cancels, the late SMS is still applied"},
      {Req::SingleChange, "REQ-HO-08", "one change in flight", "INV-SINGLE", "a second allocation while a rewrite is in flight"},
      {Req::CounterHigher, "REQ-HO-09", "OTA counter \"higher than\"", "INV-REPLAY", "a duplicated/replayed rewrite is applied again"},
      {Req::ValidatedList, "REQ-HO-10", "validated IMSI list", "INV-UNIQUE", "B's list reuses an IMSI in use"},
      {Req::Journal, "REQ-HO-11", "durable journal", "INV-CONNECT", "A crashes, forgets the sent rewrite, cancels; the rewrite lands"},
      {Req::Rekey, "REQ-HO-12", "re-key after the change", "INV-SECRECY", "A keeps K and the OTA keys"},
      {Req::KeyAgreement, "REQ-HO-13", "re-key by key agreement", "INV-SECRECY", "re-key under OTA keys A knows: A reads the new keys"},
      {Req::ConfidentialHandover, "REQ-HO-14", "confidential hand-over", "INV-SECRECY", "hand-over batch read in transit"},
      {Req::CounterHandover, "REQ-HO-15", "counter handed over", "INV-PORTABLE", "B's OTA counter below the card's"},
  };
  return t;
}

const ReqInfo& info(Req r) {
  for (const auto& i : requirements())
    if (i.req == r) return i;
  throw std::logic_error("unknown requirement");
}

std::optional<Req> parse_req(std::string_view id) {
  for (const auto& i : requirements()) {
    if (i.id == id) return i.req;
    std::string n = std::to_string(static_cast<int>(i.req));
    if (id == n || (n.size() == 1 && id == "0" + n)) return i.req;
  }
  return std::nullopt;
}

Config Config::without(Req r) const {
  Config c = *this;
  c.on.reset(static_cast<std::size_t>(r));
  c.name += std::string("-") + std::string(info(r).id);
  return c;
}

Config safe_variant() {
  Config c{"safe", {}, false};
  for (const auto& i : requirements()) c.on.set(static_cast<std::size_t>(i.req));
  return c;
}

Config seed_variant() {
  Config c{"seed", {}, true};
  for (Req r : {Req::Contract, Req::Trust, Req::CommonAka, Req::SecuredOta}) c.on.set(static_cast<std::size_t>(r));
  return c;
}

}  // namespace mnoswitch::model
