// The decidability guard (issue 4 item 2): every uninterpreted function of arity ≥ 1 goes from Device to a
// sort other than Device, or is a relation (range Bool); nothing maps into Device. With ∀-only invariants
// this keeps each obligation in stratified EPR, where MBQI terminates and counterexamples are finite.
#pragma once

#include <string>
#include <vector>

#include <z3++.h>

namespace mnoswitch::model {

struct SignatureViolation {
  std::string decl;    // e.g. "owner(Imsi) -> Device"
  std::string reason;
};

// Checks every uninterpreted symbol occurring in the formulas (quantifier bodies included).
std::vector<SignatureViolation> check_signature(const std::vector<z3::expr>& formulas, const z3::sort& device);

// All formulas of the model (static axioms, Init, every transition, every invariant) for `safe` and for each
// requirement switched off, checked at once.
std::vector<SignatureViolation> check_model_signature();

}  // namespace mnoswitch::model
