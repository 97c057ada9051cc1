// spec/invariants.md "Requirement table expectations": each requirement of `safe` switched off is refuted by
// BMC at the expected depth with a trace; the seed refutes every safety property.
#include <catch2/catch.hpp>

#include <map>

#include "model/bmc.hpp"
#include "model/invariants.hpp"

using namespace mnoswitch::model;

namespace {
void check_trace(const Trace& t, int depth) {
  CHECK(static_cast<int>(t.steps.size()) == depth);
  CHECK(t.devices == 1);  // smallest fleet first: every flaw shows on one device
  for (const auto& s : t.steps) {
    CHECK(!s.action.empty());
    CHECK(!s.changes.empty());  // BMC leaves out pure stutters: every step changes something
  }
  auto m = mermaid(t);
  CHECK(m.front() == "sequenceDiagram");
  CHECK(m.back().find(t.violated) != std::string::npos);
}
}  // namespace

TEST_CASE("requirement table: each requirement off refutes its invariant at the expected depth", "[model][bmc]") {
  const std::map<std::string, int> depth{{"REQ-HO-01", 1}, {"REQ-HO-02", 2}, {"REQ-HO-03", 4}, {"REQ-HO-04", 2},
                                         {"REQ-HO-05", 3}, {"REQ-HO-06", 3}, {"REQ-HO-07", 5}, {"REQ-HO-08", 4},
                                         {"REQ-HO-09", 5}, {"REQ-HO-10", 2}, {"REQ-HO-11", 6}, {"REQ-HO-12", 7},
                                         {"REQ-HO-13", 7}, {"REQ-HO-14", 2}, {"REQ-HO-15", 6}};
  REQUIRE(requirements().size() == depth.size());
  for (const auto& ri : requirements()) {
    DYNAMIC_SECTION(ri.id) {
      auto rs = bmc(safe_variant().without(ri.req), {std::string(ri.expected)}, BmcOptions{});
      REQUIRE(rs.size() == 1);
      INFO(ri.id << " " << rs[0].reason);
      REQUIRE(rs[0].verdict == Verdict::Refuted);
      CHECK(rs[0].depth == depth.at(std::string(ri.id)));
      REQUIRE(rs[0].trace);
      check_trace(*rs[0].trace, rs[0].depth);
    }
  }
}

TEST_CASE("REQ-HO-05: the seed's order strands the device (rewrite before B holds IMSI and K)", "[model][bmc][REQ-HO-05][INV-CONNECT]") {
  auto rs = bmc(safe_variant().without(Req::MakeBeforeBreak), {"INV-CONNECT"}, BmcOptions{});
  REQUIRE(rs[0].trace);
  const auto& st = rs[0].trace->steps;
  REQUIRE(st.size() == 3);
  CHECK(st[0].action == "b_allocate");
  CHECK(st[1].action == "a_send_set");
  CHECK(st[2].action == "card_apply_set");
}

TEST_CASE("REQ-HO-13: a re-key under OTA keys A knows lets A read the new keys", "[model][bmc][REQ-HO-13][INV-SECRECY]") {
  auto rs = bmc(safe_variant().without(Req::KeyAgreement), {"INV-SECRECY"}, BmcOptions{});
  REQUIRE(rs[0].trace);
  CHECK(rs[0].trace->steps.back().action == "b_rekey");
  bool a_learns = false;
  for (const auto& c : rs[0].trace->steps.back().changes) a_learns = a_learns || c.rfind("+knows_a(", 0) == 0;
  CHECK(a_learns);
}

TEST_CASE("seed: every safety property is refuted with a trace", "[model][bmc][seed]") {
  const std::map<std::string, int> depth{{"INV-CONNECT", 3}, {"INV-UNIQUE", 3},   {"INV-IDENTITY", 4}, {"INV-SECRECY", 3},
                                         {"INV-REPLAY", 4},  {"INV-EVIDENCE", 4}, {"INV-SINGLE", 3},   {"INV-PORTABLE", 4}};
  auto rs = bmc(seed_variant(), safety_ids(), BmcOptions{});
  REQUIRE(rs.size() == depth.size());
  for (const auto& r : rs) {
    INFO(r.id << " " << r.reason);
    REQUIRE(r.verdict == Verdict::Refuted);
    CHECK(r.depth == depth.at(r.id));
    REQUIRE(r.trace);
    check_trace(*r.trace, r.depth);
  }
}

TEST_CASE("safe: no violation of any safety property up to depth 4 (BMC agrees with induction)", "[model][bmc]") {
  BmcOptions o;
  o.bound = 4;
  auto rs = bmc(safe_variant(), safety_ids(), o);
  for (const auto& r : rs) {
    INFO(r.id);
    CHECK(r.verdict == Verdict::Unknown);  // nothing found: BMC is never a proof, so not "Proved"
    CHECK(!r.trace);
  }
}
