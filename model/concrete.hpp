// Concrete states of the abstract model (spec/mechanism.md §5 "Trace line"): built for n devices or read from
// the JSON that `mnoswitch simulate --trace` writes, and evaluated with Z3 against Init, a transition T_a and
// every invariant — the API that `mnoswitch validate-trace` (issue 6) uses.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/requirements.hpp"
#include "model/solver.hpp"

namespace mnoswitch::model {

struct ConcreteDevice {
  std::string imsi, key, ota;
  std::uint64_t cctr = 0;
  std::string prof, old;
  bool wanted = false, allocated = false;
  std::string alloc;  // "" when not allocated
  bool ready = false, issued = false;
  std::uint64_t ctr_a = 0;
  bool proven = false, still_old = false, done = false, cancelled = false;
  std::uint64_t ctr_b = 0;
  bool rekeyed = false, closed = false, replayed = false;
};

struct ConcreteState {
  using Rec = std::tuple<std::string, std::string, std::string>;  // IMSI, key, profile
  std::vector<ConcreteDevice> devices;
  std::set<Rec> hss_a, hss_b;
  std::set<std::string> knows_a, knows_b, knows_m, knows_x;
  std::set<std::tuple<std::uint32_t, std::string, std::uint64_t, std::string>> sent_set;
  std::set<std::tuple<std::uint32_t, std::uint64_t, std::string>> sent_read;
  std::set<std::tuple<std::uint32_t, std::string, std::uint64_t>> sent_por, sent_rbk;
  std::set<std::string> range_a, range_b, sup_a, sup_b;
  std::string common = "milenage-op0";

  // n devices on A with IMSIs 00101000000000i, keys "k:i" and OTA keys "ota:i", counters 0, B with one existing
  // subscriber; ranges: A = 001010…, B = 001019… (names only: the model sees opaque elements).
  static ConcreteState initial(std::size_t n);
  static ConcreteState from_json(const nlohmann::json& j);  // throws std::invalid_argument on bad shape
  nlohmann::json to_json() const;
};

// Action arguments by parameter name (spec/mechanism.md §5): devices as indices, IMSIs/keys as names, counters
// as integers. A missing argument is existential.
using ConcreteArgs = nlohmann::json;

class ConcreteChecker {
 public:
  explicit ConcreteChecker(Config cfg, unsigned timeout_ms = 10000) : cfg_(std::move(cfg)), timeout_ms_(timeout_ms) {}
  // Proved = the state satisfies Init; Refuted = it does not (model = the witness); Unknown = solver gave up.
  Outcome init(const ConcreteState& s) const;
  // Proved = the invariant (a formula name like "inv_connect" or an ID like "INV-UNIQUE") holds in s.
  Outcome invariant(const std::string& name_or_id, const ConcreteState& s) const;
  // Proved = the step pre → post is allowed by T_action (with the given arguments).
  Outcome step(const std::string& action, const ConcreteArgs& args, const ConcreteState& pre, const ConcreteState& post) const;
  // Every enabled action that allows pre → post (for traces that do not name the action).
  std::vector<std::string> explaining_actions(const ConcreteState& pre, const ConcreteState& post) const;
  // Static axioms consistent with the state (ranges disjoint, original IMSIs distinct, REQ-HO-03 profiles)?
  Outcome consistent(const ConcreteState& s) const;

 private:
  Config cfg_;
  unsigned timeout_ms_;
};

}  // namespace mnoswitch::model
