// The abstraction function's image (spec/scenario.md "Trace", spec/invariants.md): one device's state in the
// model's vocabulary, computed from the implementation's concrete state (EF_IMSI, K, HSS tables, counters,
// journals), and the INV-* predicates over it. The model (model/) states the same predicates in Z3.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mnoswitch::mechanism {

// Which IMSI the card holds: its original one (A's), the one B allocated for it, or anything else.
enum class ImsiIs : std::uint8_t { Old, New, Other };
// Which subscriber key: the original K (known to A), the re-keyed K' (agreed between card and B), or none.
enum class KeyIs : std::uint8_t { None, Original, Rekeyed };

// MNO A's per-device change state (its durable journal), REQ-HO-nn in spec/mechanism.md.
enum class APhase : std::uint8_t {
  Idle,        // no change planned
  Allocated,   // B's new IMSI for the device received and validated
  HandedOver,  // safe: B holds the new IMSI and K (make-before-break); seed: hand-over sent after the rewrite
  Sent,        // a change command (set EF_IMSI) sent; waiting for evidence
  ReadingBack, // safe: PoR lost; a read-back of EF_IMSI with a higher counter sent
  Confirmed,   // evidence that the card holds the new IMSI (PoR, read-back or attach on B)
  Released,    // A deleted its old record: the change is complete on A's side
  RolledBack,  // safe: evidence that the card kept the old IMSI after the last attempt; the change is cancelled
};
// MNO B's per-device state.
enum class BPhase : std::uint8_t {
  None,
  Allocated,    // B allocated a new IMSI and sent it to A
  Provisioned,  // B's HSS holds the new IMSI with K (and B's OTA server the key set)
  Serving,      // A released the device: B is the device's MNO
  RekeyInit,    // key agreement started (B's public value sent)
  RekeyCommit,  // B derived K' and the new OTA keys; commit sent under the new keys
  Rekeyed,      // the card confirmed; B's HSS serves K'
  Cancelled,    // A rolled the change back; B removed the new IMSI
};

[[nodiscard]] std::string_view to_string(ImsiIs v) noexcept;
[[nodiscard]] std::string_view to_string(KeyIs v) noexcept;
[[nodiscard]] std::string_view to_string(APhase v) noexcept;
[[nodiscard]] std::string_view to_string(BPhase v) noexcept;

struct AbstractDevice {
  // The card (EF_IMSI, K, OTA counter of the key set A uses).
  ImsiIs card_imsi = ImsiIs::Old;
  KeyIs card_key = KeyIs::Original;
  std::uint64_t card_counter = 0;
  // The HSSs: does A hold the old IMSI, with which key; does B hold the new IMSI, with which key(s).
  KeyIs hss_a_old = KeyIs::Original;
  KeyIs hss_b_new = KeyIs::None;
  KeyIs hss_b_pending = KeyIs::None;  // re-key window: B also accepts K' for the new IMSI
  bool hss_b_old = false;             // INV-UNIQUE witness: B must never hold A's IMSI
  // Journals.
  APhase a_phase = APhase::Idle;
  BPhase b_phase = BPhase::None;
  bool allocated = false;             // B's allocation for this device reached A
  // Knowledge (INV-SECRECY): who knows the card's current K and OTA keys.
  bool a_knows_key = true;
  bool m2m_knows_key = false;
  // INV-SINGLE / INV-REPLAY: change commands the card could still accept; commands applied more than once.
  std::uint32_t changes_in_flight = 0;
  std::uint32_t replays_applied = 0;
  // B holds the OTA key set of the card (INV-PORTABLE) and the counter floor it must stay above.
  bool b_has_ota_keys = false;

  friend bool operator==(const AbstractDevice&, const AbstractDevice&) = default;
};

[[nodiscard]] nlohmann::json to_json(const AbstractDevice& d);

// The invariants (spec/invariants.md) evaluated on one device's abstract state. INV-UNIQUE's fleet-wide part
// (no IMSI on two cards) is checked by the fleet over all devices.
enum class Invariant : std::uint8_t { Connect, Unique, Identity, Secrecy, Replay, Evidence, Single, Portable };
inline constexpr std::size_t kInvariantCount = 8;
[[nodiscard]] std::string_view to_string(Invariant i) noexcept;

struct InvariantReport {
  std::uint8_t violated = 0;  // bit i set: invariant i violated
  [[nodiscard]] bool holds(Invariant i) const noexcept { return (violated & (1u << static_cast<unsigned>(i))) == 0; }
  [[nodiscard]] bool all() const noexcept { return violated == 0; }
};

// INV-CONNECT: the card's IMSI is served, with the card's K, by some HSS (the device can attach).
[[nodiscard]] bool inv_connect(const AbstractDevice& d) noexcept;
[[nodiscard]] InvariantReport check_device(const AbstractDevice& d) noexcept;

}  // namespace mnoswitch::mechanism
