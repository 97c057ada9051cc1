// issue 5 item 7: `safe` strands nothing and keeps every invariant over random seeds, fault mixes and crash
// points; `seed` does strand under the same faults (RapidCheck; small fleets so each case is fast).
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include "tests/support/validated_fleet.hpp"
#include "tests/unit/fleet_test_support.hpp"

using namespace mnoswitch;

namespace {

struct Mix {
  std::uint64_t seed;
  std::uint64_t devices;
  mechanism::FaultPlan faults;
  std::optional<std::uint64_t> crash_point;
};

rc::Gen<double> probability(int max_percent) {
  return rc::gen::map(rc::gen::inRange(0, max_percent + 1), [](int p) { return p / 100.0; });
}

rc::Gen<Mix> mixes() {
  return rc::gen::apply(
      [](std::uint64_t seed, std::uint64_t devices, double loss, double por, double dup, double off, double gone,
         int delay, const rc::Maybe<std::uint64_t>& crash) {
        mechanism::FaultPlan f;
        f.sms_loss = loss;
        f.por_loss = por;
        f.duplicate = dup;
        f.offline = off;
        f.offline_min = 5;
        f.offline_max = 60;
        f.never_back = gone;
        f.max_delay = static_cast<std::uint32_t>(delay);
        f.smsc_validity = 40;
        std::optional<std::uint64_t> point;
        if (crash) point = *crash;
        return Mix{seed, devices, f, point};
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::inRange<std::uint64_t>(1, 9), probability(50), probability(50),
      probability(50), probability(50), probability(20), rc::gen::inRange(0, 10),
      rc::gen::maybe(rc::gen::inRange<std::uint64_t>(0, 300)));
}

std::ostream& operator<<(std::ostream& os, const Mix& m) {
  return os << "seed=" << m.seed << " devices=" << m.devices << " loss=" << m.faults.sms_loss
            << " por_loss=" << m.faults.por_loss << " dup=" << m.faults.duplicate << " offline=" << m.faults.offline
            << " never_back=" << m.faults.never_back << " delay=" << m.faults.max_delay
            << " crash=" << (m.crash_point ? std::to_string(*m.crash_point) : std::string("none"));
}

mechanism::Summary run(const Mix& m, mechanism::Variant v) {
  RC_LOG() << m << "\n";
  auto sc = test::small_scenario(m.devices, m.seed);
  sc.faults = m.faults;
  mechanism::FleetOptions o;
  o.scenario = sc;
  o.variant = v;
  if (m.crash_point) o.crash_a = [k = *m.crash_point](std::uint64_t p) { return p == k; };
  // Issue 6 item 2: every case is also a trace the model must allow (tests/support/validated_fleet.hpp).
  auto r = testing::run_validated(o);
  RC_LOG() << "validate-trace: " << r.verdict.states() << " states, "
           << (r.verdict.agrees() ? std::string("the model agrees") : r.verdict.failure)
           << "; known differences stepped over: " << r.verdict.known_summary() << "\n";
  RC_ASSERT(r.verdict.agrees());
  return r.summary;
}

}  // namespace

TEST_CASE("safe strands nothing over random seeds, fault mixes and crash points", "[property][fleet][INV-CONNECT]") {
  rc::prop("safe: no device stranded, no invariant violated, no counter reused", [] {
    const Mix m = *mixes();
    RC_TAG(m.crash_point ? "crash" : "no crash");
    const auto s = run(m, mechanism::Variant::Safe);
    RC_ASSERT(s.stranded == 0u);
    RC_ASSERT(s.counter_reuse == 0u);
    RC_ASSERT(test::total_violations(s) == 0u);
    RC_ASSERT(s.switched + s.pending + s.rolled_back == m.devices);
  });
}

TEST_CASE("seed strands devices when rewrites are lost", "[property][fleet][seed]") {
  rc::prop("seed: with SMS loss some device of a larger fleet ends stranded", [] {
    Mix m = *mixes();
    // 16 devices at 50% SMS loss, not 30 at 30%: each case's trace is also validated (issue 6 item 2) and the
    // trace grows with the square of the fleet (every line holds every device). A case without a stranded
    // device stays as unlikely: about 0.5^16 ≈ 1.5e-5 against 0.7^30 ≈ 2.3e-5 (measured per device: 0.50 and
    // 0.30 stranded; 0 of 400 such runs strand nothing, at least 2 strand).
    m.devices = 16;
    m.faults.sms_loss = 0.5;
    m.faults.never_back = 0.0;
    const auto s = run(m, mechanism::Variant::Seed);
    RC_LOG() << "stranded=" << s.stranded << " switched=" << s.switched << " pending=" << s.pending << "\n";
    RC_ASSERT(s.stranded > 0u);
    RC_ASSERT(test::violations_of(s, mechanism::Invariant::Connect) > 0u);
  });
}
