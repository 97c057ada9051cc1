// The abstraction function's image in the model's vocabulary (spec/mechanism.md §5): one device's variables and
// its share of the relations (HSS records at its IMSIs, who knows its keys, the messages ever sent for it),
// computed from the implementation's concrete state (EF_IMSI, K, HSS tables, counters, journals). The INV-*
// predicates of spec/invariants.md evaluated over it (the model states the same formulas in Z3).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mnoswitch::mechanism {

// Which IMSI: the device's original one (old(d), in A's range), its allocation (alloc(d), in B's range), other.
enum class ImsiIs : std::uint8_t { Old, New, Other };
[[nodiscard]] std::string_view to_string(ImsiIs v) noexcept;

// Key labels are generations: 0 = the original K / OTA key set (A's), 1 = after the re-key.
using KeyGen = std::uint8_t;
// The key of a packet that is under no key of the card (the attacker's own, REQ-HO-04): never a generation.
inline constexpr KeyGen kForeignKey = 7;

struct SentSet {
  ImsiIs imsi = ImsiIs::New;
  std::uint64_t counter = 0;
  KeyGen ota = 0;
  friend bool operator==(const SentSet&, const SentSet&) = default;
};
struct SentRead {
  std::uint64_t counter = 0;
  KeyGen ota = 0;
  friend bool operator==(const SentRead&, const SentRead&) = default;
};
struct SentAnswer {  // sent_por / sent_rbk: (IMSI reported, counter answered)
  ImsiIs imsi = ImsiIs::Old;
  std::uint64_t counter = 0;
  friend bool operator==(const SentAnswer&, const SentAnswer&) = default;
};

struct AbstractDevice {
  // card
  ImsiIs imsi = ImsiIs::Old;
  KeyGen key = 0;
  KeyGen ota = 0;
  std::uint64_t cctr = 0;
  // M2M operator, B's list
  bool wanted = false;
  bool allocated = false;
  bool ready = false;
  // A's journal
  bool issued = false;
  std::uint64_t ctr_a = 0;
  bool proven = false;
  bool still_old = false;
  bool done = false;
  bool cancelled = false;
  // B's journal
  std::uint64_t ctr_b = 0;
  bool rekeyed = false;
  bool closed = false;
  // ghost
  bool replayed = false;
  // relations at this device's IMSIs: the key generation each HSS holds there (nullopt: no record)
  std::optional<KeyGen> hss_a_old;
  std::optional<KeyGen> hss_a_new;  // INV-UNIQUE / H-HSS-RANGE witness: A must never hold B's IMSI
  std::optional<KeyGen> hss_b_new;
  std::optional<KeyGen> hss_b_old;  // witness: B must never hold A's IMSI
  // sup_b(prof(d)): B's AuC runs the card's AKA profile (Milenage, OP = 0). A static of the model; false only
  // under the REQ-HO-03 test switch (B's AuC with its own OP).
  bool b_runs_profile = true;
  // knowledge of this device's keys: bit g set = knows generation g (K and OTA key set separately)
  std::uint8_t knows_a_key = 0, knows_a_ota = 0, knows_b_key = 0, knows_b_ota = 0;
  std::uint8_t knows_m = 0, knows_x = 0;  // any key of the device (bit 0: K, bit 1: OTA)
  // messages ever sent
  std::vector<SentSet> sent_set;
  std::vector<SentRead> sent_read;
  std::vector<SentAnswer> sent_por;
  std::vector<SentAnswer> sent_rbk;

  friend bool operator==(const AbstractDevice&, const AbstractDevice&) = default;
};

// spec/invariants.md: the safety properties (device-local parts; the fleet adds IMSI uniqueness across devices).
enum class Invariant : std::uint8_t { Connect, Unique, Identity, Secrecy, Replay, Evidence, Single, Portable };
inline constexpr std::size_t kInvariantCount = 8;
inline constexpr std::array<Invariant, kInvariantCount> kAllInvariants{
    Invariant::Connect, Invariant::Unique,   Invariant::Identity, Invariant::Secrecy,
    Invariant::Replay,  Invariant::Evidence, Invariant::Single,   Invariant::Portable};
[[nodiscard]] std::string_view to_string(Invariant i) noexcept;

struct InvariantReport {
  std::uint8_t violated = 0;  // bit i: invariant i violated
  [[nodiscard]] bool holds(Invariant i) const noexcept { return (violated & (1u << static_cast<unsigned>(i))) == 0; }
  [[nodiscard]] bool all() const noexcept { return violated == 0; }
  void violate(Invariant i) noexcept { violated = static_cast<std::uint8_t>(violated | (1u << static_cast<unsigned>(i))); }
};

// INV-CONNECT: served_a(d) ∨ served_b(d) (A's AuC always runs the card's profile; B's unless REQ-HO-03 is broken).
[[nodiscard]] bool inv_connect(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_unique_local(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_identity(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_secrecy(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_replay(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_evidence(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_single(const AbstractDevice& d) noexcept;
[[nodiscard]] bool inv_portable(const AbstractDevice& d) noexcept;
[[nodiscard]] InvariantReport check_device(const AbstractDevice& d) noexcept;

// Naming for the trace (spec/mechanism.md §5: opaque labels, never key bytes).
struct DeviceNames {
  std::uint32_t index = 0;
  std::string old_imsi;
  std::string new_imsi;
  std::string other_imsi = "other";
};
[[nodiscard]] std::string imsi_label(const DeviceNames& n, ImsiIs i);
[[nodiscard]] std::string key_label(std::uint32_t d, KeyGen g);
[[nodiscard]] std::string ota_label(std::uint32_t d, KeyGen g);
inline constexpr std::string_view kCommonProfile = "milenage-op0";

// The device entry of the model's state JSON (spec/mechanism.md §5, "devices" array).
[[nodiscard]] nlohmann::json device_json(const DeviceNames& n, const AbstractDevice& d);
// The full abstract state of a fleet (spec/mechanism.md §5), for small fleets' traces.
[[nodiscard]] nlohmann::json fleet_json(const std::vector<DeviceNames>& names, const std::vector<AbstractDevice>& ds);

}  // namespace mnoswitch::mechanism
