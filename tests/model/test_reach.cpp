// Non-vacuity (issue 4 item 5): a complete switch and a cancelled switch are reachable in `safe`, and every
// action of `safe` fires on some reachable trace.
#include <catch2/catch.hpp>

#include "model/bmc.hpp"
#include "model/protocol.hpp"

using namespace mnoswitch::model;

TEST_CASE("safe: a complete switch (moved, re-keyed, closed) is reachable", "[model][reach]") {
  Goal g{"complete", [](const Vocab& v, const State& s) {
           z3::expr d = v.ctx().constant("gd", v.sort(S::Device));
           return call(s[V::closed], {d}) && call(s[V::imsi], {d}) == call(s[V::alloc], {d});
         }, ""};
  auto r = reach(safe_variant(), g, BmcOptions{});
  REQUIRE(r.verdict == Verdict::Refuted);
  REQUIRE(r.trace);
  std::vector<std::string> seq;
  for (const auto& s : r.trace->steps) seq.push_back(s.action);
  CHECK(seq.back() == "b_close");
  CHECK(std::find(seq.begin(), seq.end(), "b_rekey") != seq.end());
  CHECK(std::find(seq.begin(), seq.end(), "a_complete") != seq.end());
}

TEST_CASE("safe: a cancelled switch after a rewrite was sent is reachable (via read-back)", "[model][reach][REQ-HO-07]") {
  Goal g{"cancelled", [](const Vocab& v, const State& s) {
           z3::expr d = v.ctx().constant("gd", v.sort(S::Device));
           return call(s[V::cancelled], {d}) && call(s[V::issued], {d});
         }, ""};
  auto r = reach(safe_variant(), g, BmcOptions{});
  REQUIRE(r.verdict == Verdict::Refuted);
  REQUIRE(r.trace);
  bool read = false;
  for (const auto& s : r.trace->steps) read = read || s.action == "a_recv_read";
  CHECK(read);
}

TEST_CASE("safe: every action fires on some reachable trace", "[model][reach]") {
  BmcOptions o;
  o.bound = 6;  // b_rekey and b_close are covered by the complete switch above
  for (const auto& a : actions()) {
    if (!a.enabled(safe_variant()) || a.name == "b_rekey" || a.name == "b_close") continue;
    DYNAMIC_SECTION(a.name) {
      auto r = reach(safe_variant(), Goal{a.name, nullptr, a.name}, o);
      INFO(r.reason);
      CHECK(r.verdict == Verdict::Refuted);
    }
  }
}

TEST_CASE("variants without REQ-HO-01/02 enable A's misbehaviour and it fires", "[model][reach][REQ-HO-01][REQ-HO-02]") {
  CHECK(find_action("a_terminate")->enabled(safe_variant().without(Req::Contract)));
  CHECK(!find_action("a_terminate")->enabled(safe_variant()));
  auto r = reach(safe_variant().without(Req::Trust), Goal{"rogue", nullptr, "a_rogue_set"}, BmcOptions{});
  CHECK(r.verdict == Verdict::Refuted);
}
