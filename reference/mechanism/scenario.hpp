// Fleet switch scenarios (spec/scenario.md): who switches, from which MNO to which, under which faults, with
// which crash. Parsed from JSON with one clear error per problem; the embedded default is the issue-5 scenario.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reference/core/result.hpp"

namespace mnoswitch::mechanism {

enum class Variant { Seed, Safe };
[[nodiscard]] std::string_view to_string(Variant v) noexcept;
[[nodiscard]] std::optional<Variant> parse_variant(std::string_view text) noexcept;

// An MNO: its name, the MCC+MNC its IMSIs start with, and the MSIN block it owns (IMSI = plmn + msin digits).
struct OperatorPlan {
  std::string name;
  std::string plmn;             // MCC + MNC, 5 or 6 digits
  std::uint64_t first_msin = 0;  // first MSIN of the owned range
  std::uint64_t range_size = 0;  // number of IMSIs owned
};

// Fault rates of the network and the devices (spec/scenario.md "faults"). Probabilities are per message.
struct FaultPlan {
  double sms_loss = 0.0;           // an SMS-DELIVER towards the card never arrives
  double por_loss = 0.0;           // the PoR (SMS-SUBMIT) back to the OTA server never arrives
  double duplicate = 0.0;          // the SMSC delivers an SMS twice
  std::uint32_t max_delay = 0;     // extra delivery delay, uniform in [0, max_delay] ticks
  double offline = 0.0;            // fraction of devices offline for a while during the switch
  std::uint32_t offline_min = 0;   // length of an offline period (ticks)
  std::uint32_t offline_max = 0;
  double never_back = 0.0;         // fraction of devices that go offline and never come back during the run
  std::uint32_t smsc_validity = 0;  // the SMSC drops an SMS it could not deliver after this many ticks
};

// One crash of an operator's process: all volatile state is lost, its database is reopened, the run resumes.
struct CrashPlan {
  bool enabled = false;
  std::string operator_name = "A";
  double after_fraction = 0.5;  // crash once this fraction of the fleet has had its change command sent
};

struct ProcedurePlan {
  std::uint32_t send_per_tick = 0;    // OTA commands an OTA server sends per tick (SMSC throughput)
  std::uint32_t por_timeout = 0;      // ticks without PoR before the OTA server acts on a lost PoR
  std::uint32_t max_attempts = 0;     // change commands per device before the safe variant rolls back
  std::uint32_t deadline = 0;         // ticks after which the run ends (devices still open are "pending")
  bool rekey = true;                  // B re-keys each switched card (safe: key agreement; seed: not done)
};

struct Scenario {
  std::string name;
  std::uint64_t devices = 0;
  std::uint64_t seed = 0;
  OperatorPlan a;
  OperatorPlan b;
  FaultPlan faults;
  CrashPlan crash;
  ProcedurePlan procedure;
};

struct ScenarioError {
  std::string message;  // one line naming the field and what is wrong
};

[[nodiscard]] Result<Scenario, ScenarioError> parse_scenario(std::string_view json_text);
// The embedded default (10,000 devices, A -> B, realistic faults, one crash of A mid-batch).
[[nodiscard]] std::string_view default_scenario_json() noexcept;
[[nodiscard]] Scenario default_scenario();

}  // namespace mnoswitch::mechanism
