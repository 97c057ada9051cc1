// spec/invariants.md: INV-CONNECT, INV-UNIQUE, INV-IDENTITY, INV-SECRECY, INV-REPLAY, INV-EVIDENCE, INV-SINGLE,
// INV-PORTABLE over one device's abstract state; spec/mechanism.md §5: the state's JSON shape.
#include "reference/mechanism/abstract_state.hpp"

#include <fmt/format.h>

namespace mnoswitch::mechanism {

std::string_view to_string(ImsiIs v) noexcept {
  switch (v) {
    case ImsiIs::Old: return "old";
    case ImsiIs::New: return "new";
    case ImsiIs::Other: return "other";
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

namespace {
bool has(std::uint8_t mask, KeyGen g) noexcept { return (mask & (1u << g)) != 0; }
}  // namespace

// INV-CONNECT (inv_connect): ∀d. served_a(d) ∨ served_b(d).
bool inv_connect(const AbstractDevice& d) noexcept {
  if (d.imsi == ImsiIs::Old) return d.hss_a_old == d.key;
  if (d.imsi == ImsiIs::New) return d.hss_b_new == d.key && d.b_runs_profile;
  return false;
}

// INV-UNIQUE (inv_unique_hss, device part): no HSS outside its range at this device's IMSIs; the card's IMSI is
// one of the two this device may hold (the fleet checks that no two cards share one).
bool inv_unique_local(const AbstractDevice& d) noexcept { return !d.hss_a_new && !d.hss_b_old; }

// INV-IDENTITY (inv_identity): imsi(d) = old(d) ∨ (allocated(d) ∧ imsi(d) = alloc(d)).
bool inv_identity(const AbstractDevice& d) noexcept {
  return d.imsi == ImsiIs::Old || (d.allocated && d.imsi == ImsiIs::New);
}

// INV-SECRECY (inv_secrecy_third, inv_secrecy_a).
bool inv_secrecy(const AbstractDevice& d) noexcept {
  if (d.knows_m != 0 || d.knows_x != 0) return false;
  if ((d.rekeyed || d.closed) && (has(d.knows_a_key, d.key) || has(d.knows_a_ota, d.ota))) return false;
  return true;
}

// INV-REPLAY (inv_replay): ¬replayed(d).
bool inv_replay(const AbstractDevice& d) noexcept { return !d.replayed; }

// INV-EVIDENCE (inv_evidence).
bool inv_evidence(const AbstractDevice& d) noexcept {
  if ((d.proven || d.done) && d.imsi != ImsiIs::New) return false;
  if ((d.still_old || d.cancelled) && d.imsi != ImsiIs::Old) return false;
  return true;
}

// INV-SINGLE (inv_single): every rewrite under the card's current OTA key set targets its one allocation.
bool inv_single(const AbstractDevice& d) noexcept {
  for (const auto& s : d.sent_set)
    if (s.ota == d.ota && !(d.allocated && s.imsi == ImsiIs::New)) return false;
  return true;
}

// INV-PORTABLE (inv_portable): done(d) → knows_b(ota(d)) ∧ cctr(d) ≤ ctr_b(d).
bool inv_portable(const AbstractDevice& d) noexcept {
  return !d.done || (has(d.knows_b_ota, d.ota) && d.cctr <= d.ctr_b);
}

InvariantReport check_device(const AbstractDevice& d) noexcept {
  InvariantReport r;
  if (!inv_connect(d)) r.violate(Invariant::Connect);
  if (!inv_unique_local(d)) r.violate(Invariant::Unique);
  if (!inv_identity(d)) r.violate(Invariant::Identity);
  if (!inv_secrecy(d)) r.violate(Invariant::Secrecy);
  if (!inv_replay(d)) r.violate(Invariant::Replay);
  if (!inv_evidence(d)) r.violate(Invariant::Evidence);
  if (!inv_single(d)) r.violate(Invariant::Single);
  if (!inv_portable(d)) r.violate(Invariant::Portable);
  return r;
}

std::string imsi_label(const DeviceNames& n, ImsiIs i) {
  switch (i) {
    case ImsiIs::Old: return n.old_imsi;
    case ImsiIs::New: return n.new_imsi;
    case ImsiIs::Other: return n.other_imsi;
  }
  return n.other_imsi;
}
std::string key_label(std::uint32_t d, KeyGen g) { return fmt::format("k:{}:{}", d, g); }
std::string ota_label(std::uint32_t d, KeyGen g) { return fmt::format("ota:{}:{}", d, g); }

nlohmann::json device_json(const DeviceNames& n, const AbstractDevice& d) {
  nlohmann::json alloc = d.allocated ? nlohmann::json(n.new_imsi) : nlohmann::json(nullptr);
  return nlohmann::json{{"imsi", imsi_label(n, d.imsi)}, {"key", key_label(n.index, d.key)},
                        {"ota", ota_label(n.index, d.ota)}, {"cctr", d.cctr}, {"prof", kCommonProfile},
                        {"old", n.old_imsi}, {"wanted", d.wanted}, {"allocated", d.allocated}, {"alloc", alloc},
                        {"ready", d.ready}, {"issued", d.issued}, {"ctr_a", d.ctr_a}, {"proven", d.proven},
                        {"still_old", d.still_old}, {"done", d.done}, {"cancelled", d.cancelled},
                        {"ctr_b", d.ctr_b}, {"rekeyed", d.rekeyed}, {"closed", d.closed},
                        {"replayed", d.replayed}};
}

nlohmann::json fleet_json(const std::vector<DeviceNames>& names, const std::vector<AbstractDevice>& ds) {
  using nlohmann::json;
  json devices = json::array(), hss_a = json::array(), hss_b = json::array();
  json ka = json::array(), kb = json::array(), km = json::array(), kx = json::array();
  json sent_set = json::array(), sent_read = json::array(), sent_por = json::array(), sent_rbk = json::array();
  json range_a = json::array(), range_b = json::array();
  bool b_runs = true;  // sup_b is one set for the fleet (B's AuC configuration)
  for (std::size_t i = 0; i < ds.size(); ++i) {
    const auto& n = names[i];
    const auto& d = ds[i];
    const auto idx = n.index;
    devices.push_back(device_json(n, d));
    if (d.hss_a_old) hss_a.push_back(json::array({n.old_imsi, key_label(idx, *d.hss_a_old), kCommonProfile}));
    if (d.hss_a_new) hss_a.push_back(json::array({n.new_imsi, key_label(idx, *d.hss_a_new), kCommonProfile}));
    if (d.hss_b_new) hss_b.push_back(json::array({n.new_imsi, key_label(idx, *d.hss_b_new), kCommonProfile}));
    if (d.hss_b_old) hss_b.push_back(json::array({n.old_imsi, key_label(idx, *d.hss_b_old), kCommonProfile}));
    for (KeyGen g = 0; g < 2; ++g) {
      if (has(d.knows_a_key, g)) ka.push_back(key_label(idx, g));
      if (has(d.knows_a_ota, g)) ka.push_back(ota_label(idx, g));
      if (has(d.knows_b_key, g)) kb.push_back(key_label(idx, g));
      if (has(d.knows_b_ota, g)) kb.push_back(ota_label(idx, g));
    }
    if (d.knows_m & 1u) km.push_back(key_label(idx, d.key));
    if (d.knows_m & 2u) km.push_back(ota_label(idx, d.ota));
    if (d.knows_x & 1u) kx.push_back(key_label(idx, d.key));
    if (d.knows_x & 2u) kx.push_back(ota_label(idx, d.ota));
    for (const auto& s : d.sent_set) sent_set.push_back(json::array({idx, imsi_label(n, s.imsi), s.counter, ota_label(idx, s.ota)}));
    for (const auto& s : d.sent_read) sent_read.push_back(json::array({idx, s.counter, ota_label(idx, s.ota)}));
    for (const auto& s : d.sent_por) sent_por.push_back(json::array({idx, imsi_label(n, s.imsi), s.counter}));
    for (const auto& s : d.sent_rbk) sent_rbk.push_back(json::array({idx, imsi_label(n, s.imsi), s.counter}));
    range_a.push_back(n.old_imsi);
    range_b.push_back(n.new_imsi);
    b_runs = b_runs && d.b_runs_profile;
  }
  return json{{"devices", devices}, {"hss_a", hss_a}, {"hss_b", hss_b},
              {"knows", {{"a", ka}, {"b", kb}, {"m2m", km}, {"x", kx}}},
              {"sent_set", sent_set}, {"sent_read", sent_read}, {"sent_por", sent_por}, {"sent_rbk", sent_rbk},
              {"range_a", range_a}, {"range_b", range_b}, {"sup_a", json::array({kCommonProfile})},
              {"sup_b", b_runs ? json::array({kCommonProfile}) : json::array()}, {"common", kCommonProfile}};
}

}  // namespace mnoswitch::mechanism
