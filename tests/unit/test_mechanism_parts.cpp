// Scenario format, the network's faults, the INV-* predicates (spec/scenario.md, spec/invariants.md).
#include <catch2/catch.hpp>

#include "reference/mechanism/abstract_state.hpp"
#include "reference/mechanism/network.hpp"
#include "reference/mechanism/scenario.hpp"

using namespace mnoswitch::mechanism;

TEST_CASE("the embedded default scenario is 10,000 devices A -> B with faults and one crash of A", "[scenario]") {
  auto s = default_scenario();
  CHECK(s.devices == 10000);
  CHECK(s.crash.enabled);
  CHECK(s.crash.operator_name == "A");
  CHECK(s.faults.sms_loss > 0);
  CHECK(s.faults.por_loss > 0);
  CHECK(s.faults.duplicate > 0);
  CHECK(s.faults.offline > 0);
  CHECK(s.a.plmn != s.b.plmn);
}

TEST_CASE("scenario errors name the field", "[scenario]") {
  auto bad = [](const char* text) {
    auto r = parse_scenario(text);
    REQUIRE(r.failed());
    return r.error().message;
  };
  const std::string ops = R"("operators": {"A": {"plmn": "00101", "first_msin": 0, "range_size": 100},
                                            "B": {"plmn": "00102", "first_msin": 0, "range_size": 100}})";
  CHECK(bad("[1]") == "scenario: expected a JSON object");
  CHECK(bad("{") .find("not JSON") != std::string::npos);
  CHECK(bad(R"({"devices": 5})") == "operators.A: missing");
  CHECK(bad((R"({"devices": 5, "colour": 1, )" + ops + "}").c_str()) == "scenario: unknown field \"colour\"");
  CHECK(bad((R"({"devices": 5, "faults": {"sms_loss": 1.5}, )" + ops + "}").c_str()) ==
        "faults.sms_loss: expected a probability in [0, 1]");
  CHECK(bad((R"({"devices": 500, )" + ops + "}").c_str()) == "scenario.devices: more devices than IMSIs in B's range");
  // B's crash is not simulated: rejected rather than accepted and ignored.
  CHECK(bad((R"({"devices": 5, "crash": {"operator": "B"}, )" + ops + "}").c_str()).rfind("crash.operator: only \"A\"", 0) == 0);
  CHECK(bad(R"({"devices": 5, "operators": {"A": {"plmn": "0010", "first_msin": 0, "range_size": 1},
                                            "B": {"plmn": "00102", "first_msin": 0, "range_size": 1}}})") ==
        "operators.A.plmn: expected 5 or 6 digits (MCC + MNC)");
  auto ok = parse_scenario((R"({"devices": 5, )" + ops + "}").c_str());
  REQUIRE(ok.ok());
  CHECK_FALSE(ok.value().crash.enabled);
}

TEST_CASE("network: loss, duplication and the SMSC's store-and-forward for offline devices", "[network]") {
  FaultPlan f;
  f.sms_loss = 1.0;
  Network lossy(f, 1, 2);
  lossy.send_to_card(0, 0, Party::MnoA, {}, {1});
  CHECK(lossy.deliver_to_cards(10).empty());
  CHECK(lossy.stats().downlink_lost == 1);

  FaultPlan d;
  d.duplicate = 1.0;
  Network dup(d, 1, 1);
  dup.send_to_card(0, 0, Party::MnoA, {}, {1});
  CHECK(dup.deliver_to_cards(1).size() == 2);

  FaultPlan off;
  off.offline = 1.0;
  off.offline_min = 50;
  off.offline_max = 50;
  off.smsc_validity = 1000;
  Network n(off, 3, 1);
  const auto av = n.availability(0);
  REQUIRE(av.offline_from <= 120);
  n.send_to_card(av.offline_from, 0, Party::MnoA, {}, {7});
  CHECK(n.deliver_to_cards(av.offline_from + 10).empty());  // held while offline
  const auto later = n.deliver_to_cards(av.online_again);
  REQUIRE(later.size() == 1);
  CHECK(later[0].tpdu == mnoswitch::Bytes{7});

  FaultPlan gone;
  gone.never_back = 1.0;
  gone.smsc_validity = 5;
  Network g(gone, 3, 1);
  g.send_to_card(200, 0, Party::MnoA, {}, {7});
  CHECK(g.deliver_to_cards(300).empty());
  CHECK(g.stats().downlink_expired == 1);
  CHECK(g.idle());
}

TEST_CASE("network faults are reproducible from the seed", "[network]") {
  FaultPlan f;
  f.sms_loss = 0.5;
  f.max_delay = 5;
  auto pattern = [&](std::uint64_t seed) {
    Network n(f, seed, 4);
    for (std::uint32_t i = 0; i < 50; ++i) n.send_to_card(0, i % 4, Party::MnoA, {}, {static_cast<std::uint8_t>(i)});
    std::vector<mnoswitch::Bytes> got;
    for (Tick t = 0; t < 10; ++t)
      for (auto& m : n.deliver_to_cards(t)) got.push_back(m.tpdu);
    return got;
  };
  CHECK(pattern(9) == pattern(9));
  CHECK(pattern(9) != pattern(10));
}

TEST_CASE("each INV-* predicate holds on a sound state and fails on its counterexample", "[invariants][INV-CONNECT][INV-UNIQUE][INV-IDENTITY][INV-SECRECY][INV-REPLAY][INV-EVIDENCE][INV-SINGLE][INV-PORTABLE]") {
  AbstractDevice ok;
  ok.hss_a_old = 0;
  ok.knows_a_key = ok.knows_a_ota = 1;
  REQUIRE(check_device(ok).all());

  auto fails_only = [](const AbstractDevice& d, Invariant i) {
    const auto r = check_device(d);
    CHECK_FALSE(r.holds(i));
    for (auto j : kAllInvariants)
      if (j != i) CHECK(r.holds(j));
  };
  auto x = ok;
  x.imsi = ImsiIs::New;  // rewritten before B holds the IMSI (seed order)
  x.allocated = true;
  fails_only(x, Invariant::Connect);
  x = ok;
  x.hss_b_old = 0;  // B's list reused A's IMSI
  fails_only(x, Invariant::Unique);
  x = ok;
  x.imsi = ImsiIs::New;  // an IMSI nobody allocated
  x.hss_b_new = 0;
  fails_only(x, Invariant::Identity);
  x = ok;
  x.closed = true;  // B closed while A still knows K
  fails_only(x, Invariant::Secrecy);
  x = ok;
  x.knows_m = 1;
  fails_only(x, Invariant::Secrecy);
  x = ok;
  x.replayed = true;
  fails_only(x, Invariant::Replay);
  x = ok;
  x.proven = true;  // A believes the card switched; it did not
  x.allocated = true;
  fails_only(x, Invariant::Evidence);
  x = ok;
  x.sent_set.push_back(SentSet{ImsiIs::New, 1, 0});  // a rewrite without an allocation
  fails_only(x, Invariant::Single);
  x = ok;
  x.imsi = ImsiIs::New;
  x.allocated = x.ready = x.proven = x.done = true;
  x.hss_a_old.reset();
  x.hss_b_new = 0;
  x.knows_b_ota = 1;
  x.cctr = 5;
  x.ctr_b = 4;  // B's counter below the card's
  fails_only(x, Invariant::Portable);
}
