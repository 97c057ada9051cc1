// INV-CONNECT, INV-UNIQUE, INV-IDENTITY, INV-SECRECY, INV-REPLAY, INV-EVIDENCE, INV-SINGLE, INV-PORTABLE
// (spec/invariants.md) over one device's abstract state; names and JSON for the trace (spec/scenario.md).
#include "reference/mechanism/abstract_state.hpp"

namespace mnoswitch::mechanism {

std::string_view to_string(ImsiIs v) noexcept {
  switch (v) {
    case ImsiIs::Old: return "old";
    case ImsiIs::New: return "new";
    case ImsiIs::Other: return "other";
  }
  return "?";
}

std::string_view to_string(KeyIs v) noexcept {
  switch (v) {
    case KeyIs::None: return "none";
    case KeyIs::Original: return "k";
    case KeyIs::Rekeyed: return "k2";
  }
  return "?";
}

std::string_view to_string(APhase v) noexcept {
  switch (v) {
    case APhase::Idle: return "idle";
    case APhase::Allocated: return "allocated";
    case APhase::HandedOver: return "handed_over";
    case APhase::Sent: return "sent";
    case APhase::ReadingBack: return "reading_back";
    case APhase::Confirmed: return "confirmed";
    case APhase::Released: return "released";
    case APhase::RolledBack: return "rolled_back";
  }
  return "?";
}

std::string_view to_string(BPhase v) noexcept {
  switch (v) {
    case BPhase::None: return "none";
    case BPhase::Allocated: return "allocated";
    case BPhase::Provisioned: return "provisioned";
    case BPhase::Serving: return "serving";
    case BPhase::RekeyInit: return "rekey_init";
    case BPhase::RekeyCommit: return "rekey_commit";
    case BPhase::Rekeyed: return "rekeyed";
    case BPhase::Cancelled: return "cancelled";
  }
  return "?";
}

std::string_view to_string(Invariant i) noexcept {
  switch (i) {
    case Invariant::Connect: return "INV-CONNECT";
    case Invariant::Unique: return "INV-UNIQUE";
    case Invariant::Identity: return "INV-IDENTITY";
    case Invariant::Secrecy: return "INV-SECRECY";
    case Invariant::Replay: return "INV-REPLAY";
    case Invariant::Evidence: return "INV-EVIDENCE";
    case Invariant::Single: return "INV-SINGLE";
    case Invariant::Portable: return "INV-PORTABLE";
  }
  return "?";
}

nlohmann::json to_json(const AbstractDevice& d) {
  return nlohmann::json{
      {"card_imsi", to_string(d.card_imsi)},       {"card_key", to_string(d.card_key)},
      {"card_counter", d.card_counter},            {"hss_a_old", to_string(d.hss_a_old)},
      {"hss_b_new", to_string(d.hss_b_new)},       {"hss_b_pending", to_string(d.hss_b_pending)},
      {"hss_b_old", d.hss_b_old},                  {"a_phase", to_string(d.a_phase)},
      {"b_phase", to_string(d.b_phase)},           {"allocated", d.allocated},
      {"a_knows_key", d.a_knows_key},              {"m2m_knows_key", d.m2m_knows_key},
      {"changes_in_flight", d.changes_in_flight},  {"replays_applied", d.replays_applied},
      {"b_has_ota_keys", d.b_has_ota_keys},
  };
}

// INV-CONNECT: an attach with the card's IMSI and K succeeds at the HSS owning the IMSI.
bool inv_connect(const AbstractDevice& d) noexcept {
  if (d.card_key == KeyIs::None) return false;
  switch (d.card_imsi) {
    case ImsiIs::Old: return d.hss_a_old == d.card_key;
    case ImsiIs::New: return d.hss_b_new == d.card_key || d.hss_b_pending == d.card_key;
    case ImsiIs::Other: return false;
  }
  return false;
}

InvariantReport check_device(const AbstractDevice& d) noexcept {
  InvariantReport r;
  auto violate = [&](Invariant i) { r.violated = static_cast<std::uint8_t>(r.violated | (1u << static_cast<unsigned>(i))); };
  if (!inv_connect(d)) violate(Invariant::Connect);
  // INV-UNIQUE (device part): B never serves the IMSI A still owns (the fleet checks IMSIs across cards).
  if (d.hss_b_old) violate(Invariant::Unique);
  // INV-IDENTITY: the card's IMSI is its old one or the new one B allocated for it, and the new one only once
  // B's allocation exists.
  if (d.card_imsi == ImsiIs::Other || (d.card_imsi == ImsiIs::New && !d.allocated)) violate(Invariant::Identity);
  // INV-SECRECY: the M2M operator never knows K; once B re-keyed, A does not know the card's K.
  if (d.m2m_knows_key || (d.b_phase == BPhase::Rekeyed && d.a_knows_key)) violate(Invariant::Secrecy);
  // INV-REPLAY: no OTA command applied twice or after a newer one.
  if (d.replays_applied != 0) violate(Invariant::Replay);
  // INV-EVIDENCE: what A believes about the card is true.
  if ((d.a_phase == APhase::Confirmed || d.a_phase == APhase::Released) && d.card_imsi != ImsiIs::New)
    violate(Invariant::Evidence);
  if (d.a_phase == APhase::RolledBack && (d.card_imsi != ImsiIs::Old || d.changes_in_flight != 0))
    violate(Invariant::Evidence);
  // INV-SINGLE: at most one change command the card could still accept.
  if (d.changes_in_flight > 1) violate(Invariant::Single);
  // INV-PORTABLE: once B serves the device it holds the OTA keys for a further change.
  if ((d.b_phase == BPhase::Serving || d.b_phase == BPhase::RekeyInit || d.b_phase == BPhase::RekeyCommit ||
       d.b_phase == BPhase::Rekeyed) &&
      !d.b_has_ota_keys)
    violate(Invariant::Portable);
  return r;
}

}  // namespace mnoswitch::mechanism
