// Z3 wrapper: a claim is proved only by an unsat answer; sat yields the model; anything else is Unknown.
#include "model/solver.hpp"

#include <chrono>

namespace mnoswitch::model {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Proved: return "proved";
    case Verdict::Refuted: return "refuted";
    case Verdict::Unknown: return "unknown";
  }
  return "unknown";
}

z3::solver make_solver(z3::context& c, unsigned timeout_ms) {
  z3::solver s(c);
  z3::params p(c);
  p.set("timeout", timeout_ms);
  p.set("mbqi", true);
  p.set("mbqi.max_iterations", 100000u);
  s.set(p);
  return s;
}

Outcome check(z3::solver& s, std::string name) {
  Outcome o;
  o.name = std::move(name);
  auto t0 = std::chrono::steady_clock::now();
  z3::check_result r = z3::unknown;
  try {
    r = s.check();
  } catch (const z3::exception& e) {
    o.reason = e.msg();
    r = z3::unknown;
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r == z3::unsat) {
    o.verdict = Verdict::Proved;
  } else if (r == z3::sat) {
    o.verdict = Verdict::Refuted;
    o.model = s.get_model();
  } else {
    o.verdict = Verdict::Unknown;
    if (o.reason.empty()) o.reason = s.reason_unknown();
  }
  return o;
}

}  // namespace mnoswitch::model
