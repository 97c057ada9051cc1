// Bounded model checking from Init (depth ≤ bound, smallest fleet first): every violation becomes a numbered
// step list (action, device, message, what changed).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/requirements.hpp"
#include "model/solver.hpp"

namespace mnoswitch::model {

struct TraceStep {
  int index = 0;  // 1-based
  std::string action;
  std::string actor;
  std::vector<std::pair<std::string, std::string>> args;  // param -> element name
  std::vector<std::string> changes;
};

struct Trace {
  int devices = 0;
  std::string violated;              // invariant ID
  std::vector<std::string> statics;  // counter order, ranges, original IMSIs, profiles
  std::vector<std::string> initial;  // the initial state
  std::vector<TraceStep> steps;
};

struct BmcResult {
  std::string id;  // the invariant ID checked
  Verdict verdict = Verdict::Unknown;  // Refuted (trace found) or Unknown (none up to the bound, or solver unknown)
  int depth = -1;
  int devices = 0;
  std::optional<Trace> trace;
  double seconds = 0;
  std::string reason;
  std::string smt2;  // the refuting query, when requested
};

struct BmcOptions {
  int bound = 8;
  int max_fleet = 2;
  unsigned timeout_ms = 60000;
  bool want_smt2 = false;
  std::function<void(const std::string&)> progress;
};

// Search, for each invariant ID in `ids`, the shortest violation (per fleet size, smallest fleet first).
std::vector<BmcResult> bmc(const Config& cfg, const std::vector<std::string>& ids, const BmcOptions& opt);

// Reachability (non-vacuity): the shortest trace from Init to a state satisfying `goal` (named).
struct Goal {
  std::string name;
  std::function<z3::expr(const class Vocab&, const struct State&)> formula;
  std::string last_action;  // if not empty: the last step must be this action (does every action fire?)
};
BmcResult reach(const Config& cfg, const Goal& goal, const BmcOptions& opt);

std::vector<std::string> mermaid(const Trace& t);
std::vector<std::string> steps_text(const Trace& t);

}  // namespace mnoswitch::model
