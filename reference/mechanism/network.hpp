// The radio/SMS network of the simulation (spec/mechanism.md "faults"): SMS-PP towards cards through an SMSC
// that loses, duplicates and delays messages and holds them for offline devices until their validity expires;
// PoRs (SMS-SUBMIT) back to the OTA servers with their own loss. Deterministic from the scenario seed.
#pragma once

#include <cstdint>
#include <limits>
#include <queue>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/mechanism/prng.hpp"
#include "reference/mechanism/scenario.hpp"

namespace mnoswitch::mechanism {

using Tick = std::uint64_t;
using DeviceIndex = std::uint32_t;
inline constexpr Tick kNever = std::numeric_limits<Tick>::max();

enum class Party : std::uint8_t { MnoA, MnoB };

// What an SMS carries, for the simulation's bookkeeping (the abstraction function and the trace); the network
// itself never looks inside (the packets are ciphered).
enum class Carries : std::uint8_t { Nothing, SetImsi, ReadImsi, RekeyInit, RekeyCommit };
struct SmsTag {
  Carries what = Carries::Nothing;
  std::uint64_t counter = 0;
};

// One SMS TPDU in flight. Downlink: SMS-DELIVER from an OTA server to a card; uplink: SMS-SUBMIT (PoR) back.
struct Sms {
  Tick due = 0;
  Tick expires = kNever;  // downlink: SMSC validity
  DeviceIndex device = 0;
  Party party = Party::MnoA;  // sender of a downlink, recipient of an uplink
  std::uint64_t seq = 0;      // submission order (stable ordering of equal due ticks)
  SmsTag tag;
  Bytes tpdu;
};

struct NetworkStats {
  std::uint64_t downlink_submitted = 0;
  std::uint64_t downlink_lost = 0;
  std::uint64_t downlink_duplicated = 0;
  std::uint64_t downlink_expired = 0;
  std::uint64_t downlink_delivered = 0;
  std::uint64_t uplink_submitted = 0;
  std::uint64_t uplink_lost = 0;
  std::uint64_t uplink_delivered = 0;
};

// When a device cannot be reached: [offline_from, online_again). online_again == kNever: never back in this run.
struct Availability {
  Tick offline_from = kNever;
  Tick online_again = kNever;
  [[nodiscard]] bool online(Tick t) const noexcept { return t < offline_from || t >= online_again; }
};

class Network {
 public:
  Network(const FaultPlan& faults, std::uint64_t seed, std::uint64_t devices);

  [[nodiscard]] bool online(DeviceIndex d, Tick t) const noexcept { return availability_[d].online(t); }
  [[nodiscard]] const Availability& availability(DeviceIndex d) const noexcept { return availability_[d]; }

  void send_to_card(Tick now, DeviceIndex d, Party from, SmsTag tag, Bytes tpdu);
  void send_to_operator(Tick now, DeviceIndex d, Party to, SmsTag tag, Bytes tpdu);

  // Downlink SMS the SMSC hands to online devices at `now` (per device in submission order); SMS for offline
  // devices wait in the SMSC, and are dropped (counted) when they would outlive their validity.
  [[nodiscard]] std::vector<Sms> deliver_to_cards(Tick now);
  [[nodiscard]] std::vector<Sms> deliver_to_operators(Tick now);

  [[nodiscard]] bool idle() const noexcept { return down_.empty() && up_.empty(); }
  [[nodiscard]] const NetworkStats& stats() const noexcept { return stats_; }

 private:
  struct Later {
    bool operator()(const Sms& a, const Sms& b) const noexcept {
      return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
  };
  using Queue = std::priority_queue<Sms, std::vector<Sms>, Later>;

  FaultPlan faults_;
  Prng prng_;
  std::vector<Availability> availability_;
  Queue down_;
  Queue up_;
  std::uint64_t seq_ = 0;
  NetworkStats stats_;
};

}  // namespace mnoswitch::mechanism
