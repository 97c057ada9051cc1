// Issue 6 items 3-4, spec/mechanism.md §7: the step-level driver of the implementation. Each model action
// (spec/mechanism.md §5) on a device is one call that performs the real operation through the fleet's own
// per-action code (real secured packets in real SMS TPDUs, the real USIM, both operators' SQLite journals) and
// says whether the implementation allowed it; the abstract state (§5 JSON) can be read after every step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/core/result.hpp"
#include "reference/mechanism/abstract_state.hpp"
#include "reference/mechanism/scenario.hpp"

namespace mnoswitch::mechanism {

namespace detail {
class ScriptDriver;  // script.cpp; a friend of the fleet's internals (fleet_impl.hpp)
}

// Test-only guard switches of `safe` (FleetOptions::test_break_*), named after their requirement.
struct BrokenGuards {
  bool make_before_break = false;  // REQ-HO-05
  bool evidence = false;           // REQ-HO-06
  bool read_back = false;          // REQ-HO-07
  bool counter_check = false;      // REQ-HO-09
  bool rekey = false;              // REQ-HO-12: B closes without re-keying (the scenario's `rekey: false` path)
  bool counter_handover = false;   // REQ-HO-15
  // Behaviour outside the procedure (FleetOptions::test_break_* of the same requirement):
  bool contract = false;           // REQ-HO-01: A may terminate a leaving device (a_terminate)
  bool trust = false;              // REQ-HO-02: A may write any IMSI (a_rogue_set)
  bool common_aka = false;         // REQ-HO-03: B's AuC uses its own OP
  bool secured_ota = false;        // REQ-HO-04: the card takes packets without CC (atk_inject then applies)
  bool journal = false;            // REQ-HO-11: a crash of A loses its record of sent rewrites
  bool key_agreement = false;      // REQ-HO-13: the re-key's secret is derived from keys A holds
  bool sealed_handover = false;    // REQ-HO-14: the hand-over travels in clear
};
// "REQ-HO-05" → that switch; false for a requirement the implementation cannot switch off.
[[nodiscard]] bool break_guard(BrokenGuards& g, std::string_view requirement);
// The requirements break_guard knows, in order ("REQ-HO-01", ...).
[[nodiscard]] const std::vector<std::string_view>& breakable_guards();

struct ScriptOptions {
  Variant variant = Variant::Safe;
  std::uint32_t devices = 1;  // 1..16
  BrokenGuards broken;
};

// The model actions the driver performs (spec/mechanism.md §7 lists what each one does in the implementation).
[[nodiscard]] const std::vector<std::string_view>& script_actions();

struct StepResult {
  bool known = true;     // false: not an action the driver performs (`refusal` says why)
  bool allowed = false;  // the implementation performed it (false: it refused, and nothing changed)
  std::string refusal;   // which check of the implementation refused it
  std::optional<std::uint64_t> counter;  // a_send_set / a_send_read: the counter A used
};

class Script {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Script>, std::string> open(const ScriptOptions& o);
  ~Script();
  Script(const Script&) = delete;
  Script& operator=(const Script&) = delete;

  // One model action. `d`: device; `c`: the counter of the message a delivery (card_apply_set, card_read) or an
  // answer (a_recv_por, a_recv_read) refers to; `target`: the IMSI a_rogue_set / atk_inject writes (its
  // allocation, its original IMSI, or one outside every range). Throws std::runtime_error on an internal failure.
  StepResult step(std::string_view action, std::uint32_t d, std::optional<std::uint64_t> c = std::nullopt,
                  ImsiIs target = ImsiIs::New);

  [[nodiscard]] std::uint32_t devices() const noexcept;
  [[nodiscard]] nlohmann::json state() const;  // the abstract state (spec/mechanism.md §5 JSON)
  [[nodiscard]] const std::vector<AbstractDevice>& abstract() const;
  // The counters of messages of one kind the driver's SMSC has seen for d (its memory is the model's
  // sent_set / sent_read / sent_por / sent_rbk: ever sent, deliverable any number of times).
  enum class Kind { Set, Read, Por, ReadBack };
  [[nodiscard]] std::vector<std::uint64_t> counters(Kind k, std::uint32_t d) const;

 private:
  explicit Script(std::unique_ptr<detail::ScriptDriver> p);
  std::unique_ptr<detail::ScriptDriver> p_;
};

}  // namespace mnoswitch::mechanism
