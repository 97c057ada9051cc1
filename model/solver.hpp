// The thin Z3 wrapper (STYLE.md "The model"): an RAII push/pop scope and check(name) returning
// Proved / Refuted{model} / Unknown{reason}. An unknown or a timeout is never a pass.
#pragma once

#include <z3++.h>

#include <optional>
#include <string>

namespace mnoswitch::model {

enum class Verdict { Proved, Refuted, Unknown };
std::string_view to_string(Verdict v);

struct Outcome {
  std::string name;
  Verdict verdict = Verdict::Unknown;
  std::string reason;             // Unknown: Z3's reason_unknown (e.g. "timeout", "canceled")
  std::optional<z3::model> model; // Refuted: the counterexample (must not outlive its context)
  double seconds = 0;
};

class Scope {
 public:
  explicit Scope(z3::solver& s) : s_(s) { s_.push(); }
  ~Scope() { s_.pop(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  z3::solver& s_;
};

// A solver configured for this model: MBQI on, a per-check timeout in milliseconds.
z3::solver make_solver(z3::context& c, unsigned timeout_ms);

// The assertions express the *negation* of the claim: unsat = Proved, sat = Refuted, unknown = Unknown.
Outcome check(z3::solver& s, std::string name);

}  // namespace mnoswitch::model
