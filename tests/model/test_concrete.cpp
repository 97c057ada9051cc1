// The concrete-state API for trace validation (issue 6): Init, T_a and the invariants evaluated on concrete
// states of n devices, and the JSON shape of spec/mechanism.md §5.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/concrete.hpp"
#include "model/invariants.hpp"

using namespace mnoswitch::model;

namespace {
ConcreteState start(std::size_t n) {
  ConcreteState s = ConcreteState::initial(n);
  for (auto& d : s.devices) d.wanted = true;
  return s;
}
}  // namespace

TEST_CASE("the initial concrete state satisfies Init and every invariant", "[model][concrete]") {
  ConcreteChecker ck(safe_variant());
  ConcreteState s = start(3);
  CHECK(ck.consistent(s).verdict == Verdict::Proved);
  CHECK(ck.init(s).verdict == Verdict::Proved);
  for (const auto& inv : invariants()) {
    INFO(inv.name);
    CHECK(ck.invariant(inv.name, s).verdict == Verdict::Proved);
  }
}

TEST_CASE("b_allocate: a valid allocation is allowed, an IMSI in use is not (REQ-HO-10)", "[model][concrete][REQ-HO-10]") {
  ConcreteChecker ck(safe_variant());
  ConcreteState pre = start(2);
  ConcreteState post = pre;
  post.devices[0].allocated = true;
  post.devices[0].alloc = "001019000000001";
  CHECK(ck.step("b_allocate", {{"d", 0}, {"i", "001019000000001"}}, pre, post).verdict == Verdict::Proved);
  CHECK(ck.step("b_allocate", nlohmann::json::object(), pre, post).verdict == Verdict::Proved);  // args existential
  CHECK(ck.step("a_handover", nlohmann::json::object(), pre, post).verdict == Verdict::Refuted);
  ConcreteState clash = pre;  // B's existing subscriber's IMSI
  clash.devices[0].allocated = true;
  clash.devices[0].alloc = "001019000000000";
  CHECK(ck.step("b_allocate", {{"d", 0}, {"i", "001019000000000"}}, pre, clash).verdict == Verdict::Refuted);
  ConcreteChecker lax(safe_variant().without(Req::ValidatedList));
  CHECK(lax.step("b_allocate", {{"d", 0}, {"i", "001019000000000"}}, pre, clash).verdict == Verdict::Proved);
}

TEST_CASE("a stranded device violates INV-CONNECT on a concrete state", "[model][concrete][INV-CONNECT]") {
  ConcreteChecker ck(safe_variant());
  ConcreteState s = start(1);
  s.devices[0].allocated = true;
  s.devices[0].alloc = "001019000000001";
  s.devices[0].imsi = "001019000000001";  // rewritten, but B holds no record
  s.devices[0].issued = true;
  CHECK(ck.invariant("INV-CONNECT", s).verdict == Verdict::Refuted);
  CHECK(ck.invariant("INV-IDENTITY", s).verdict == Verdict::Proved);
}

TEST_CASE("a step that changes nothing is explained by the stutter actions only", "[model][concrete]") {
  ConcreteChecker ck(safe_variant());
  ConcreteState s = start(1);
  auto why = ck.explaining_actions(s, s);
  CHECK(std::find(why.begin(), why.end(), "net_lose") != why.end());
  CHECK(std::find(why.begin(), why.end(), "crash_a") != why.end());
  CHECK(std::find(why.begin(), why.end(), "b_allocate") == why.end());
}

TEST_CASE("concrete states round-trip through the trace JSON", "[model][concrete]") {
  ConcreteState s = start(2);
  s.sent_set.insert({0, "001019000000001", 5, "ota:0"});
  s.sent_por.insert({0, "001019000000001", 5});
  ConcreteState t = ConcreteState::from_json(s.to_json());
  CHECK(t.to_json() == s.to_json());
  CHECK_THROWS_AS(ConcreteState::from_json(nlohmann::json{{"devices", {{{"imsi", 5}}}}}), std::invalid_argument);
}
