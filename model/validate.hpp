// Issue 6 / spec/mechanism.md §5 "Trace line": validate a trace of abstract states against the model — the
// first state satisfies the static axioms and Init, each consecutive pair satisfies T_action for the action it
// names (or some action, reported), every state satisfies every invariant (INV-* and H-*). The model is
// instantiated over the finite universe of the trace (validate_eval.hpp), so each check is ground.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/requirements.hpp"

namespace mnoswitch::model::validate {

// The trace is not a trace of abstract states (bad JSON, missing fields, devices appearing or vanishing).
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Problem {
  std::string kind;                     // "axioms" | "init" | "step" | "invariant" | "rigid"
  std::size_t index = 0;                // position of the (post) state in the trace, 0-based
  std::uint64_t step = 0;               // the line's "step"
  std::string action;                   // the action the line names ("" when none)
  nlohmann::json args;                  // its arguments
  std::vector<std::string> invariants;  // kind "invariant"/"init": the IDs and formulas that fail
  std::string reason;                   // one line: which guard/update/frame
  std::vector<std::string> diff;        // pre → post, one change a line
  nlohmann::json pre, post;             // the abstract states
};

struct Report {
  bool valid = false;     // conforms and every invariant holds in every state
  bool conforms = false;  // Init and every step allowed by the model (invariants aside)
  std::optional<Problem> violation;  // the first invariant violation (the run may still conform)
  std::string variant;
  std::size_t states = 0, devices = 0;
  std::map<std::string, std::size_t> actions;             // how often each action name was validated
  std::vector<std::pair<std::size_t, std::vector<std::string>>> explained;  // unnamed steps: index → actions
  std::size_t invariant_checks = 0;
  std::optional<Problem> problem;
  double seconds = 0;
  std::map<std::string, std::size_t> universe;  // sort → number of elements
  std::map<std::string, double> invariant_seconds;  // time spent per invariant formula
};

// A variant with one more requirement switched on (the implementation's `seed` keeps some of `safe`'s
// protections it cannot switch off: the encrypted hand-over REQ-HO-14, the durable journal REQ-HO-11).
[[nodiscard]] Config with(Config c, Req r);

// Lines of JSON; each with "state" (the whole abstract state), "action", optional "args" and "step".
[[nodiscard]] std::vector<nlohmann::json> read_trace(std::istream& in);
[[nodiscard]] Report validate_trace(const std::vector<nlohmann::json>& lines, const Config& cfg);
// The same without asking the first state to satisfy Init (issue 6 item 4: the steps of a model-based test, each
// checked from the state the implementation is in).
[[nodiscard]] Report validate_steps(const std::vector<nlohmann::json>& lines, const Config& cfg);

// One readable line per difference between two abstract states (spec/mechanism.md §5 JSON).
[[nodiscard]] std::vector<std::string> state_diff(const nlohmann::json& pre, const nlohmann::json& post);

[[nodiscard]] nlohmann::json to_json(const Report& r);

// Every invariant formula (INV-* and H-*, by formula name) evaluated on one abstract state: the Z3 side of
// "invariants both ways" (issue 6 item 5). Throws Malformed like validate_trace.
[[nodiscard]] std::map<std::string, bool> evaluate_invariants(const nlohmann::json& state, const Config& cfg);

}  // namespace mnoswitch::model::validate
