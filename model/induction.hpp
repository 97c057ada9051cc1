// Parametric proofs (any fleet size): Init ⇒ Inv and Inv ∧ T_a ⇒ Inv′, one named obligation per
// (action × conjunct), safety properties and helpers alike. A failed obligation carries a readable CTI.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/requirements.hpp"
#include "model/solver.hpp"

namespace mnoswitch::model {

struct ObligationResult {
  std::string name;       // "safe/a_send_set/inv_connect"
  std::string action;     // "init" or the action
  std::string invariant;  // formula name
  std::string id;         // INV-… / H-…
  bool safety = false;
  Verdict verdict = Verdict::Unknown;
  std::string reason;
  double seconds = 0;
  std::vector<std::string> cti;  // pre/post state, when refuted
  std::string smt2;              // when requested
};

struct InductionOptions {
  unsigned timeout_ms = 10000;
  bool want_smt2 = false;
  bool want_cti = true;
  std::function<void(const ObligationResult&)> progress;
};

std::vector<ObligationResult> prove(const Config& cfg, const InductionOptions& opt);

}  // namespace mnoswitch::model
