// The wrapper never reports an unknown or a timeout as proved (STYLE.md, after Alive2).
#include <catch2/catch.hpp>

#include "model/bmc.hpp"
#include "model/check.hpp"
#include "model/induction.hpp"
#include "model/invariants.hpp"

using namespace mnoswitch::model;

TEST_CASE("check(): unsat is Proved, sat is Refuted with a model", "[model][solver]") {
  z3::context c;
  z3::solver s = make_solver(c, 1000);
  z3::expr x = c.bool_const("x");
  {
    Scope sc(s);
    s.add(x && !x);
    CHECK(check(s, "contradiction").verdict == Verdict::Proved);
  }
  Outcome o = check(s, "empty");
  CHECK(o.verdict == Verdict::Refuted);
  CHECK(o.model.has_value());
}

TEST_CASE("a deliberately tiny timeout yields Unknown, never Proved", "[model][solver]") {
  InductionOptions io;
  io.timeout_ms = 1;
  auto res = prove(safe_variant(), io);
  std::size_t unknown = 0;
  for (const auto& r : res) {
    CHECK(r.verdict != Verdict::Refuted);  // a timeout must not look like a counterexample either
    unknown += r.verdict == Verdict::Unknown ? 1 : 0;
  }
  REQUIRE(unknown > 0);  // the test would be vacuous otherwise
  // ...and the check as a whole does not claim `safe` proved.
  CheckOptions co;
  co.seed = false;
  co.requirement_table = false;
  co.reachability = false;
  co.timeout_ms = 1;
  co.bound = 2;
  Report rep = run_check(co);
  CHECK_FALSE(rep.ok);
  for (const auto& row : rep.results) CHECK(row.verdict != Verdict::Proved);
}

TEST_CASE("BMC with a tiny timeout reports Unknown with the solver's reason", "[model][solver]") {
  BmcOptions o;
  o.timeout_ms = 1;
  o.bound = 7;
  auto rs = bmc(safe_variant().without(Req::Rekey), {"INV-SECRECY"}, o);
  CHECK(rs[0].verdict != Verdict::Proved);
  if (rs[0].verdict == Verdict::Unknown) CHECK(rs[0].reason.find("unknown") != std::string::npos);
}
