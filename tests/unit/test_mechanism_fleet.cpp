// The fleet switch (issue 5 items 2, 4, 7): both variants end to end on small fleets; REQ-HO-05..15 and the
// INV-* predicates on every state change; crash of MNO A at every crash point with resume.
#include <catch2/catch.hpp>

#include "tests/support/validated_fleet.hpp"
#include "tests/unit/fleet_test_support.hpp"

using namespace mnoswitch;
using mechanism::Invariant;
using mechanism::Variant;

namespace {
mechanism::Summary run(const mechanism::Scenario& s, Variant v, std::function<bool(std::uint64_t)> crash = {}) {
  mechanism::FleetOptions o;
  o.scenario = s;
  o.variant = v;
  o.crash_a = std::move(crash);
  // Issue 6 item 2: every run here is also a trace the model must allow (tests/support/validated_fleet.hpp).
  auto r = testing::run_validated(o);
  INFO("validate-trace: " << r.verdict.states() << " states; known differences stepped over: " << r.verdict.known_summary());
  if (!r.verdict.known_summary(true).empty()) WARN("validate-trace went on past tick-run differences " << r.verdict.known_summary(true));
  if (!r.verdict.agrees()) FAIL(r.verdict.failure);
  return r.summary;
}
}  // namespace

TEST_CASE("safe: without faults every device switches, is re-keyed, and every invariant holds", "[fleet][REQ-HO-05][REQ-HO-13][INV-CONNECT]") {
  const auto s = run(test::small_scenario(6), Variant::Safe);
  CHECK(s.switched == 6);
  CHECK(s.rekeyed == 6);
  CHECK(s.stranded == 0);
  CHECK(s.pending == 0);
  CHECK(s.attach_failures_before == 0);
  CHECK(s.attach_failures_during == 0);  // make-before-break: B serves the new IMSI from the first attach
  CHECK(s.attach_failures_after == 0);
  CHECK(s.counter_reuse == 0);
  CHECK(s.invariant_checks > 0);
  CHECK(test::total_violations(s) == 0);
}

TEST_CASE("seed: without faults the change completes but A keeps K and attaches fail in the gap", "[fleet][seed][INV-SECRECY]") {
  const auto s = run(test::small_scenario(6), Variant::Seed);
  CHECK(s.switched == 6);
  CHECK(s.stranded == 0);
  CHECK(s.rekeyed == 0);
  // Step 4 before step 5: the refreshed device attaches with an IMSI B does not hold yet.
  CHECK(s.attach_failures_during == 6);
  CHECK(test::violations_of(s, Invariant::Connect) > 0);
  // Step 6 closes without a key agreement: A still knows K and the OTA keys.
  CHECK(test::violations_of(s, Invariant::Secrecy) > 0);
}

TEST_CASE("seed reproduces the stranding the model predicts when rewrites are lost", "[fleet][seed][INV-CONNECT][INV-EVIDENCE]") {
  auto sc = test::small_scenario(20, 7);
  sc.faults.sms_loss = 0.3;
  const auto s = run(sc, Variant::Seed);
  CHECK(s.stranded > 0);
  CHECK(s.stranded + s.switched == 20);
  CHECK(test::violations_of(s, Invariant::Connect) > 0);
  CHECK(test::violations_of(s, Invariant::Evidence) > 0);  // A believes the change happened
}

TEST_CASE("seed: a duplicated rewrite is applied twice (no counter check)", "[fleet][seed][INV-REPLAY]") {
  auto sc = test::small_scenario(20, 3);
  sc.faults.duplicate = 1.0;
  const auto s = run(sc, Variant::Seed);
  CHECK(test::violations_of(s, Invariant::Replay) > 0);
}

TEST_CASE("safe: duplicates are rejected by the counter, lost PoRs resolved by read-back", "[fleet][REQ-HO-07][REQ-HO-09][INV-REPLAY]") {
  auto sc = test::small_scenario(20, 3);
  sc.faults.duplicate = 1.0;
  sc.faults.por_loss = 0.5;
  const auto s = run(sc, Variant::Safe);
  CHECK(s.stranded == 0);
  CHECK(s.ota_retries > 0);
  CHECK(s.counter_reuse == 0);
  CHECK(test::total_violations(s) == 0);
}

TEST_CASE("safe under harsh faults: nothing stranded, nothing replayed, every invariant holds", "[fleet][INV-CONNECT][INV-EVIDENCE]") {
  auto sc = test::small_scenario(16, 11);
  sc.faults = test::harsh_faults();
  const auto s = run(sc, Variant::Safe);
  CHECK(s.stranded == 0);
  CHECK(s.switched + s.pending + s.rolled_back == 16);
  CHECK(s.counter_reuse == 0);
  CHECK(test::total_violations(s) == 0);
}

TEST_CASE("safe: a device that keeps losing its rewrites is rolled back on read-back evidence", "[fleet][REQ-HO-07][rollback]") {
  auto sc = test::small_scenario(12, 5);
  sc.faults.sms_loss = 0.6;
  sc.procedure.max_attempts = 1;
  const auto s = run(sc, Variant::Safe);
  CHECK(s.rolled_back > 0);
  CHECK(s.stranded == 0);
  CHECK(test::total_violations(s) == 0);
}

TEST_CASE("crash of MNO A at every crash point of a small fleet: resume loses nothing", "[fleet][crash][REQ-HO-11]") {
  auto sc = test::small_scenario(4, 2);
  sc.faults.por_loss = 0.2;
  sc.faults.max_delay = 3;
  for (auto v : {Variant::Safe, Variant::Seed}) {
    std::uint64_t points = 0;
    (void)run(sc, v, [&](std::uint64_t p) { points = std::max(points, p + 1); return false; });
    REQUIRE(points > 10);
    const std::uint64_t limit = std::min<std::uint64_t>(points, 240);
    for (std::uint64_t k = 0; k < limit; ++k) {
      INFO("variant " << mechanism::to_string(v) << ", crash point " << k);
      const auto s = run(sc, v, [k](std::uint64_t p) { return p == k; });
      CHECK(s.crashes == 1);
      CHECK(s.counter_reuse == 0);                                    // never the same counter twice
      CHECK(test::violations_of(s, Invariant::Replay) == 0);          // never applied twice
      if (v == Variant::Safe) {
        CHECK(s.stranded == 0);                                       // never strands a device
        CHECK(test::total_violations(s) == 0);
      }
    }
  }
}
