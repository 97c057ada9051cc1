// The review of the contribution (`mnoswitch check`): invariants × variants (induction, then BMC for what is
// not proved), the requirement table (each requirement of `safe` switched off must refute its invariant) and
// the non-vacuity checks (every action fires; a complete and a cancelled switch are reachable).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/bmc.hpp"
#include "model/induction.hpp"
#include "model/requirements.hpp"

namespace mnoswitch::model {

struct CheckOptions {
  bool seed = true;
  bool safe = true;
  std::vector<Req> without;       // if not empty: check `safe` without these instead of seed/safe
  bool requirement_table = true;  // only with `safe`
  bool reachability = true;       // only with `safe`
  int bound = 8;
  unsigned timeout_ms = 30000;    // per solver call
  int jobs = 2;
  std::function<void(const std::string&)> progress;
};

struct ResultRow {
  std::string variant;
  std::string invariant;  // INV-…
  Verdict verdict = Verdict::Unknown;
  std::string method;     // "induction" | "bmc"
  int depth = -1;
  double seconds = 0;
  std::optional<Trace> trace;
  std::string expected;   // "proved" | "refuted" | "" (no expectation)
  bool ok = true;
  std::string note;       // why unknown; the first failed obligation
};

struct RequirementRow {
  std::string requirement;  // REQ-HO-nn
  std::string title;
  std::string flaw;
  std::string expected;     // the invariant that must be refuted
  std::string verdict;      // "refuted" | "redundant" | "unknown"
  std::string invariant;    // the invariant actually refuted
  int depth = -1;
  double seconds = 0;
  std::optional<Trace> trace;
  bool ok = false;
};

struct ReachRow {
  std::string goal;  // "complete switch", "cancelled switch", "fires: <action>"
  bool reached = false;
  int depth = -1;
  double seconds = 0;
  std::optional<Trace> trace;
  std::string note;
};

struct EngineTimes {
  double induction = 0;   // sum over obligations
  double bmc = 0;         // sum over BMC searches
  double reach = 0;
  double wall = 0;
  int obligations = 0;
  int obligations_failed = 0;
  std::string slowest_obligation;
  double slowest_seconds = 0;
};

struct Report {
  std::vector<ResultRow> results;
  std::vector<RequirementRow> requirements;
  std::vector<ReachRow> reach;
  std::vector<ObligationResult> obligations;
  EngineTimes times;
  bool ok = true;
};

Report run_check(const CheckOptions& opt);

}  // namespace mnoswitch::model
