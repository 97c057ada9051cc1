// Issue 6 item 3 (spec/formats.md "Replay trace", spec/mechanism.md §7): every refutation of `mnoswitch check`
// replayed on the implementation through the step driver. This file is the coverage list: each requirement row
// and each seed refutation has exactly one expected outcome per guard mode, so nobody reads "replayed" into a
// row that is not.
#include <catch2/catch.hpp>

#include <map>

#include "model/bmc.hpp"
#include "model/replay_export.hpp"
#include "reference/mechanism/replay.hpp"

using namespace mnoswitch;
using model::Req;

namespace {

struct Expect {
  std::string off;         // outcome with the requirement's guard switched off in the implementation
  std::string on;          // outcome with every guard of safe on
  std::string on_refused;  // guard on, "blocked": the action the implementation refuses
};

// Why each row is what it is (spec/formats.md "Replay coverage"):
//  01-07, 09, 11-15: the implementation has the requirement as a test switch (FleetOptions::test_break_*);
//    off → the same INV at the same step.
//  01/02: on → A refuses the action outside the procedure (a_terminate, a_rogue_set). 04: on → the forged packet
//    is carried, and the card's MSL refuses it at card_apply_set. 05/06/07/09/12: on → the guarded action is
//    refused. 11: on → the durable journal keeps the sent rewrite, so REQ-HO-07's guard refuses the cancel.
//  03/14/15: on → every step runs and nothing is violated ("harmless"): 03 is an assumption (B's AuC runs the
//    common profile), 14 changes what the hand-over reveals, 15 is an update (B learns A's counter).
//  13: off → B's re-key secret is derived from the old KID, which A holds; on → harmless (a fresh X25519 secret).
//  08/10: B's allocator never repeats an allocation nor leaves its range (no switch).
const std::map<Req, Expect> kRows{
    {Req::Contract, {"reproduced", "blocked", "a_terminate"}},
    {Req::Trust, {"reproduced", "blocked", "a_rogue_set"}},
    {Req::CommonAka, {"reproduced", "harmless", ""}},
    {Req::SecuredOta, {"reproduced", "blocked", "card_apply_set"}},
    {Req::MakeBeforeBreak, {"reproduced", "blocked", "a_send_set"}},
    {Req::EvidenceBeforeDelete, {"reproduced", "blocked", "a_complete"}},
    {Req::ReadBack, {"reproduced", "blocked", "a_cancel"}},
    {Req::SingleChange, {"unmappable", "unmappable", ""}},
    {Req::CounterHigher, {"reproduced", "blocked", "card_apply_set"}},
    {Req::ValidatedList, {"unmappable", "unmappable", ""}},
    {Req::Journal, {"reproduced", "blocked", "a_cancel"}},
    {Req::Rekey, {"reproduced", "blocked", "b_close"}},
    {Req::KeyAgreement, {"reproduced", "harmless", ""}},
    {Req::ConfidentialHandover, {"reproduced", "harmless", ""}},
    {Req::CounterHandover, {"reproduced", "harmless", ""}},
};

nlohmann::json refutation(const model::Config& cfg, const std::string& inv) {
  model::BmcOptions o;
  o.max_fleet = 1;  // every row of the table shows on one device (spec/invariants.md)
  auto rs = model::bmc(cfg, {inv}, o);
  REQUIRE(rs.size() == 1);
  REQUIRE(rs[0].verdict == model::Verdict::Refuted);
  REQUIRE(rs[0].trace);
  return model::replay_trace(*rs[0].trace, cfg.seed_order ? "seed" : "safe", "", rs[0].depth);
}

void check_outcome(const mechanism::ReplayReport& r, const std::string& outcome, const std::string& refused) {
  INFO(mechanism::to_json(r).dump(1));
  CHECK(r.outcome == outcome);
  CHECK(r.ok == (outcome != "unmappable"));
  if (outcome == "reproduced") {
    REQUIRE(!r.steps.empty());
    CHECK(r.step == r.depth);  // at the corresponding step: the trace's last
    const auto& v = r.steps.back().violated;
    CHECK(std::find(v.begin(), v.end(), r.expected) != v.end());
    // Not earlier: other invariants may break on the way (each refutation targets one), the expected one only last.
    for (std::size_t i = 0; i + 1 < r.steps.size(); ++i)
      CHECK(std::find(r.steps[i].violated.begin(), r.steps[i].violated.end(), r.expected) == r.steps[i].violated.end());
  }
  if (outcome == "blocked") {
    REQUIRE(!r.steps.empty());
    CHECK(r.steps.back().action == refused);
    CHECK_FALSE(r.steps.back().allowed);
    CHECK(!r.steps.back().refusal.empty());
  }
  if (outcome == "blocked" || outcome == "harmless")
    for (const auto& s : r.steps) CHECK(s.violated.empty());
  if (outcome == "unmappable") CHECK(!r.reason.empty());
}

}  // namespace

TEST_CASE("replay: each requirement of safe off, on the implementation with that guard off and with all on",
          "[model][replay][REQ-HO-01][REQ-HO-02][REQ-HO-03][REQ-HO-04][REQ-HO-05][REQ-HO-09][REQ-HO-11][REQ-HO-14][INV-CONNECT][INV-REPLAY][INV-IDENTITY][INV-SECRECY]") {
  for (const auto& ri : model::requirements()) {
    // 12 and 13 need depth 7 (≈ 25 s of BMC together); both are covered below from their refutations.
    if (ri.req == Req::Rekey || ri.req == Req::KeyAgreement) continue;
    DYNAMIC_SECTION(ri.id) {
      nlohmann::json t = refutation(model::safe_variant().without(ri.req), std::string(ri.expected));
      t["requirement_off"] = std::string(ri.id);
      const Expect& e = kRows.at(ri.req);
      check_outcome(mechanism::replay(t, mechanism::GuardMode::Off), e.off, "");
      check_outcome(mechanism::replay(t, mechanism::GuardMode::On), e.on, e.on_refused);
    }
  }
}

TEST_CASE("replay: the seed's refutations name the step they cannot map", "[model][replay][seed]") {
  // The model's seed (no REQ-HO-10) allocates IMSIs outside B's range or in use by B: B's allocator cannot.
  for (const auto& inv : {"INV-CONNECT", "INV-UNIQUE", "INV-IDENTITY", "INV-SECRECY", "INV-REPLAY", "INV-EVIDENCE",
                          "INV-SINGLE", "INV-PORTABLE"}) {
    DYNAMIC_SECTION(inv) {
      const nlohmann::json t = refutation(model::seed_variant(), inv);
      const auto r = mechanism::replay(t, mechanism::GuardMode::Off);
      INFO(mechanism::to_json(r).dump(1));
      if (t["steps"][0]["action"] == "b_allocate" && r.outcome == "unmappable") {
        CHECK(r.step == 1);
        CHECK(r.reason.find("b_allocate") == 0);
      } else {
        // A seed trace that allocates inside B's range must replay on the seed implementation.
        CHECK(r.outcome == "reproduced");
      }
    }
  }
}

TEST_CASE("replay: REQ-HO-12, REQ-HO-13 and the seed order from written-out refutations (spec/invariants.md, check)",
          "[model][replay][REQ-HO-12][REQ-HO-13][REQ-HO-05][INV-SECRECY][INV-CONNECT]") {
  using nlohmann::json;
  auto step = [](int n, const char* a, json args) { return json{{"step", n}, {"action", a}, {"args", std::move(args)}}; };
  SECTION("REQ-HO-12: B closes without the re-key while A still knows K (spec/invariants.md row, depth 7)") {
    json t{{"variant", "safe"}, {"requirement_off", "REQ-HO-12"}, {"violated", "INV-SECRECY"}, {"devices", 1},
           {"steps", {step(1, "b_allocate", {{"d", "d0"}, {"i", "iB0"}}), step(2, "a_handover", {{"d", "d0"}}),
                      step(3, "a_send_set", {{"d", "d0"}, {"c", "c2"}}),
                      step(4, "card_apply_set", {{"d", "d0"}, {"i", "iB0"}, {"c", "c2"}, {"k", "k0"}}),
                      step(5, "dev_attach", {{"d", "d0"}}), step(6, "a_complete", {{"d", "d0"}}), step(7, "b_close", {{"d", "d0"}})}}};
    check_outcome(mechanism::replay(t, mechanism::GuardMode::Off), "reproduced", "");
    check_outcome(mechanism::replay(t, mechanism::GuardMode::On), "blocked", "b_close");
  }
  SECTION("REQ-HO-13: a re-key A can follow (the model's refutation, depth 7)") {
    json t{{"variant", "safe"}, {"requirement_off", "REQ-HO-13"}, {"violated", "INV-SECRECY"}, {"devices", 1},
           {"steps", {step(1, "b_allocate", {{"d", "d0"}, {"i", "iB0"}}), step(2, "a_handover", {{"d", "d0"}}),
                      step(3, "a_send_set", {{"d", "d0"}, {"c", "c2"}}),
                      step(4, "card_apply_set", {{"d", "d0"}, {"i", "iB0"}, {"c", "c2"}, {"k", "k2"}}),
                      step(5, "a_recv_por", {{"d", "d0"}, {"c", "c2"}}), step(6, "a_complete", {{"d", "d0"}}),
                      step(7, "b_rekey", {{"d", "d0"}, {"c", "c3"}, {"k1", "k3"}, {"k2", "k0"}})}}};
    check_outcome(mechanism::replay(t, mechanism::GuardMode::Off), "reproduced", "");
    check_outcome(mechanism::replay(t, mechanism::GuardMode::On), "harmless", "");
  }
  SECTION("the seed variant of the implementation: rewrite before the hand-over strands the device") {
    json t{{"variant", "seed"}, {"violated", "INV-CONNECT"}, {"devices", 1},
           {"steps", {step(1, "b_allocate", {{"d", "d0"}, {"i", "iB0"}}), step(2, "a_send_set", {{"d", "d0"}, {"c", "c1"}}),
                      step(3, "card_apply_set", {{"d", "d0"}, {"i", "iB0"}, {"c", "c1"}, {"k", "k0"}})}}};
    check_outcome(mechanism::replay(t, mechanism::GuardMode::Off), "reproduced", "");
    check_outcome(mechanism::replay(t, mechanism::GuardMode::On), "blocked", "a_send_set");
  }
  SECTION("a wrong expectation is not reproduced (the check can fail)") {
    json t{{"variant", "safe"}, {"requirement_off", "REQ-HO-05"}, {"violated", "INV-REPLAY"}, {"devices", 1},
           {"steps", {step(1, "b_allocate", {{"d", "d0"}, {"i", "iB0"}}), step(2, "a_send_set", {{"d", "d0"}, {"c", "c1"}}),
                      step(3, "card_apply_set", {{"d", "d0"}, {"i", "iB0"}, {"c", "c1"}, {"k", "k0"}})}}};
    const auto r = mechanism::replay(t, mechanism::GuardMode::Off);
    CHECK(r.outcome == "not-reproduced");
    CHECK_FALSE(r.ok);
  }
  SECTION("a message the implementation never sent cannot be delivered") {
    json t{{"variant", "safe"}, {"devices", 1},
           {"steps", {step(1, "card_apply_set", {{"d", "d0"}, {"i", "iB0"}, {"c", "c7"}, {"k", "k0"}})}}};
    const auto r = mechanism::replay(t, mechanism::GuardMode::Off);
    CHECK(r.outcome == "unmappable");
    CHECK(r.step == 1);
  }
}
