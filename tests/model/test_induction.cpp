// spec/invariants.md: every (action × conjunct) obligation of `safe` is proved for any fleet size; the helpers
// are needed (dropping the requirement they encode gives a readable CTI).
#include <catch2/catch.hpp>

#include <set>

#include "model/induction.hpp"
#include "model/invariants.hpp"
#include "model/protocol.hpp"

using namespace mnoswitch::model;

TEST_CASE("safe: every induction obligation is proved (INV-CONNECT INV-UNIQUE INV-IDENTITY INV-SECRECY INV-REPLAY "
          "INV-EVIDENCE INV-SINGLE INV-PORTABLE)",
          "[model][induction][INV-CONNECT][INV-UNIQUE][INV-IDENTITY][INV-SECRECY][INV-REPLAY][INV-EVIDENCE][INV-SINGLE][INV-PORTABLE]") {
  auto res = prove(safe_variant(), InductionOptions{});
  std::size_t enabled = 0;
  for (const auto& a : actions()) enabled += a.enabled(safe_variant()) ? 1U : 0U;
  REQUIRE(res.size() == (enabled + 1) * invariants().size());
  std::set<std::string> names;
  for (const auto& r : res) {
    INFO(r.name << " " << to_string(r.verdict) << " " << r.reason);
    CHECK(r.verdict == Verdict::Proved);
    names.insert(r.name);
  }
  CHECK(names.size() == res.size());  // every obligation has its own name
  CHECK(names.count("safe/init/inv_connect") == 1);
  CHECK(names.count("safe/card_apply_set/inv_connect") == 1);
  CHECK(names.count("safe/b_rekey/inv_secrecy_a") == 1);
}

TEST_CASE("safe: the invariants are satisfiable together with every action (proofs are not vacuous)", "[model][induction]") {
  z3::context c;
  Vocab v(c);
  State pre = v.state(""), post = v.state("_post");
  Config cfg = safe_variant();
  for (const auto& a : actions()) {
    if (!a.enabled(cfg)) continue;
    z3::solver s = make_solver(c, 10000);
    s.add(static_axioms(v, cfg));
    for (const auto& inv : invariants()) s.add(inv.formula(v, pre));
    s.add(transition(v, a, pre, post, params_for(v, a, ""), cfg));
    INFO(a.name);
    CHECK(check(s, a.name).verdict == Verdict::Refuted);  // sat: some invariant state enables the action
  }
}

TEST_CASE("without REQ-HO-06 the a_complete obligation fails with a readable pre/post CTI", "[model][induction][REQ-HO-06]") {
  auto res = prove(safe_variant().without(Req::EvidenceBeforeDelete), InductionOptions{});
  const ObligationResult* hit = nullptr;
  for (const auto& r : res)
    if (r.name == "safe-REQ-HO-06/a_complete/inv_connect") hit = &r;
  REQUIRE(hit != nullptr);
  REQUIRE(hit->verdict == Verdict::Refuted);
  std::string text;
  for (const auto& l : hit->cti) text += l + "\n";
  INFO(text);
  CHECK(text.find("pre-state") != std::string::npos);
  CHECK(text.find("post-state") != std::string::npos);
  CHECK(text.find("step: a_complete(d0)") != std::string::npos);
  CHECK(text.find("-hss_a(") != std::string::npos);  // the old record is what disappeared
}

TEST_CASE("seed: the invariants are not inductive (some obligation fails)", "[model][induction]") {
  auto res = prove(seed_variant(), InductionOptions{});
  std::size_t failed = 0;
  for (const auto& r : res) failed += r.verdict != Verdict::Proved ? 1 : 0;
  CHECK(failed > 0);
}
