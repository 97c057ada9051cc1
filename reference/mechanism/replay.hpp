// Issue 6 item 3, spec/formats.md §"Replay trace": a refutation of `mnoswitch check` (or a shrunk model-based
// test) replayed on the implementation through the step driver (script.hpp). With the refuted requirement's guard
// switched off the implementation must show the same violation at the same step; with every guard of `safe` on
// it must refuse a step (the guard's) with no invariant violated. A step the driver cannot map is reported as such.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mnoswitch::mechanism {

enum class GuardMode { Off, On };  // Off: the trace's variant / requirement switched off; On: `safe` as built

struct ReplayStep {
  int step = 0;
  std::string action;
  nlohmann::json args;
  bool allowed = false;
  std::string refusal;
  std::vector<std::string> violated;  // INV-* violated by some device after the step
};

struct ReplayReport {
  // "reproduced": guard off, the trace's invariant first violated at its last step;
  // "blocked": guard on, the implementation refused step `step`, no invariant violated;
  // "harmless": guard on, every step allowed, no invariant violated (the guard changes an effect, REQ-HO-15);
  // "not-reproduced" / "violated": the implementation disagrees with the expectation;
  // "unmappable": step `step` has no counterpart in the implementation (`reason` says why).
  std::string outcome;
  bool ok = false;  // reproduced, blocked or harmless
  GuardMode mode = GuardMode::Off;
  std::string variant, requirement_off, expected;  // expected: the trace's invariant
  int depth = 0;
  int step = 0;  // the deciding step (0: before any step)
  std::string reason;
  std::vector<ReplayStep> steps;
  nlohmann::json final_state;
};

// Throws std::invalid_argument on a trace that is not a replay trace (bad input).
[[nodiscard]] ReplayReport replay(const nlohmann::json& trace, GuardMode mode);
[[nodiscard]] nlohmann::json to_json(const ReplayReport& r);

}  // namespace mnoswitch::mechanism
