// The Milenage/AKA subcommands as a user runs them (REQ-AKA-13): JSON shapes, known answers from TS 35.208 and
// hostap's AUTS vectors, exit codes 0/1/2, one clear stderr line on bad input.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/unit/aka_test_support.hpp"

#include "tests/support/cli_run.hpp"

namespace {

mnoswitch::testing::CliRun cli(const std::string& args) { return mnoswitch::testing::run_cli(args); }

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

const nlohmann::json& set(int n) {
  return aka_test::vectors()["ts35208_conformance"][static_cast<std::size_t>(n - 1)];
}

std::string s(const nlohmann::json& j, const char* key) {
  return j[key].get<std::string>();
}

std::string milenage_args(const nlohmann::json& v, bool op) {
  return "milenage --k " + s(v, "K") + (op ? " --op " + s(v, "OP") : " --opc " + s(v, "OPc")) + " --rand " +
         s(v, "RAND") + " --sqn " + s(v, "SQN") + " --amf " + s(v, "AMF");
}

}  // namespace

TEST_CASE("REQ-AKA-13 milenage --json gives every TS 35.208 set-20 value", "[cli][aka][REQ-AKA-13]") {
  const auto& v = set(20);
  for (bool op : {true, false}) {
    const mnoswitch::testing::CliRun r = cli(milenage_args(v, op) + " --json");
    REQUIRE(r.code == 0);
    CHECK(r.err.empty());
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.size() == 11);
    CHECK(j["opc"] == v["OPc"]);
    CHECK(j["mac_a"] == v["f1"]);
    CHECK(j["mac_s"] == v["f1star"]);
    CHECK(j["res"] == v["f2"]);
    CHECK(j["ck"] == v["f3"]);
    CHECK(j["ik"] == v["f4"]);
    CHECK(j["ak"] == v["f5"]);
    CHECK(j["ak_star"] == v["f5star"]);
    CHECK(j["autn"] == v["autn"]);
  }
  // TS 55.205 set 1 (= TS 35.208 set 1): SRES via c2 and Kc via c3.
  const auto& g = aka_test::vectors()["ts55205_gsm_milenage"][0];
  const auto j = nlohmann::json::parse(cli(milenage_args(set(1), false) + " --json").out);
  CHECK(j["sres"] == g["SRES1"]);
  CHECK(j["kc"] == g["Kc"]);
}

TEST_CASE("REQ-AKA-13 milenage accepts upper-case hex and prints lower case, text output has every key",
          "[cli][aka][REQ-AKA-13]") {
  const auto& v = set(3);
  auto up = [](std::string x) {
    for (auto& c : x) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return x;
  };
  const mnoswitch::testing::CliRun r = cli("milenage --k " + up(s(v, "K")) + " --op " + up(s(v, "OP")) + " --rand " + up(s(v, "RAND")) +
                    " --sqn " + up(s(v, "SQN")) + " --amf " + up(s(v, "AMF")));
  REQUIRE(r.code == 0);
  CHECK(r.out.find("mac_a    " + s(v, "f1")) != std::string::npos);
  CHECK(r.out.find("autn     " + s(v, "autn")) != std::string::npos);
  CHECK(lines(r.out) == 11);
}

TEST_CASE("REQ-AKA-13 bad input: one stderr line and exit 2", "[cli][aka][REQ-AKA-13][REQ-AKA-06]") {
  const auto& v = set(1);
  const std::string rest = " --rand " + s(v, "RAND") + " --amf " + s(v, "AMF");
  const std::string kop = " --k " + s(v, "K") + " --op " + s(v, "OP");
  const std::pair<std::string, std::string> cases[] = {
      {"milenage --k " + s(v, "K").substr(2) + " --op " + s(v, "OP") + rest + " --sqn 01", "--k: expected 16 octets"},
      {"milenage --k " + s(v, "K") + "0 --op " + s(v, "OP") + rest + " --sqn 01", "--k: odd number"},
      {"milenage" + kop + rest + " --sqn 1000000000000", "--sqn: SQN 1000000000000 is not below 2^48"},
      {"milenage" + kop + rest + " --sqn ffffffffffffffffffff", "not below 2^48"},
      {"milenage" + kop + rest + " --sqn 12x4", "--sqn: not a hex digit at position 2"},
      {"milenage --k " + s(v, "K") + " --op zz" + s(v, "OP").substr(2) + rest + " --sqn 01", "--op: not a hex digit"},
      {"milenage --k " + s(v, "K") + rest + " --sqn 01", "give exactly one of --op and --opc"},
      {"milenage" + kop + " --rand " + s(v, "RAND") + "00 --amf " + s(v, "AMF") + " --sqn 01", "--rand: expected 16"},
      {"milenage" + kop + " --rand " + s(v, "RAND") + " --amf b9 --sqn 01", "--amf: expected 2 octets"},
      {"aka usim" + kop + " --rand " + s(v, "RAND") + " --autn " + s(v, "autn").substr(4), "--autn: expected 16"},
      {"aka usim" + kop + " --rand " + s(v, "RAND") + " --autn " + s(v, "autn") + " --ind-bits 11", "--ind-bits"},
      {"aka usim" + kop + " --rand " + s(v, "RAND") + " --autn " + s(v, "autn") + " --accepted-sqn 1000000000000",
       "--accepted-sqn: SQN"},
      {"aka resync" + kop + " --rand " + s(v, "RAND") + " --auts 00", "--auts: expected 14 octets"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args);
    const mnoswitch::testing::CliRun r = cli(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find(message) != std::string::npos);
  }
  CHECK(cli("milenage --k 00").code == 2);  // missing required options (CLI11's own message)
}

TEST_CASE("REQ-AKA-13 REQ-AKA-05 REQ-AKA-07 aka usim: ok, sync_failure, mac_failure", "[cli][aka][REQ-AKA-13]") {
  const auto& v = set(20);
  const std::string base = "aka usim --k " + s(v, "K") + " --opc " + s(v, "OPc") + " --rand " + s(v, "RAND");
  const mnoswitch::testing::CliRun ok = cli(base + " --autn " + s(v, "autn") + " --json");
  REQUIRE(ok.code == 0);
  const auto j = nlohmann::json::parse(ok.out);
  CHECK(j["result"] == "ok");
  CHECK(j["res"] == v["f2"]);
  CHECK(j["ck"] == v["f3"]);
  CHECK(j["ik"] == v["f4"]);
  CHECK(j["sqn"] == v["SQN"]);

  // The same SQN already accepted: a synchronisation failure whose AUTS the AuC turns back into that SQN.
  const mnoswitch::testing::CliRun stale = cli(base + " --autn " + s(v, "autn") + " --accepted-sqn " + s(v, "SQN") + " --json");
  CHECK(stale.code == 1);
  const auto js = nlohmann::json::parse(stale.out);
  CHECK(js["result"] == "sync_failure");
  const mnoswitch::testing::CliRun back = cli("aka resync --k " + s(v, "K") + " --op " + s(v, "OP") + " --rand " + s(v, "RAND") + " --auts " +
                       js["auts"].get<std::string>() + " --json");
  CHECK(back.code == 0);
  CHECK(nlohmann::json::parse(back.out) == nlohmann::json{{"sqn_ms", v["SQN"]}});

  // Δ = 0 and a far older accepted SQN in another slot: SEQ jumps too far, a sync failure.
  const mnoswitch::testing::CliRun delta = cli(base + " --autn " + s(v, "autn") + " --accepted-sqn 000000000021 --delta 0 --json");
  CHECK(delta.code == 1);
  CHECK(nlohmann::json::parse(delta.out)["result"] == "sync_failure");

  std::string forged = s(v, "autn");
  forged[31] = forged[31] == '0' ? '1' : '0';
  const mnoswitch::testing::CliRun mac = cli(base + " --autn " + forged + " --accepted-sqn " + s(v, "SQN") + " --json");
  CHECK(mac.code == 1);
  CHECK(nlohmann::json::parse(mac.out) == nlohmann::json{{"result", "mac_failure"}});
}

TEST_CASE("REQ-AKA-13 REQ-AKA-11 aka resync: hostap AUTS vectors and a MAC-S failure", "[cli][aka][REQ-AKA-13]") {
  for (const auto& v : aka_test::vectors()["resync_extra"]) {
    const mnoswitch::testing::CliRun r = cli("aka resync --k " + s(v, "K") + " --opc " + s(v, "OPc") + " --rand " + s(v, "RAND") + " --auts " +
                      s(v, "AUTS") + " --json");
    CHECK(r.code == 0);
    CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"sqn_ms", v["expected_SQN_MS"]}});
  }
  const auto& v = aka_test::vectors()["resync_extra"][0];
  std::string bad = s(v, "AUTS");
  bad[0] = bad[0] == '0' ? '1' : '0';
  const mnoswitch::testing::CliRun r = cli("aka resync --k " + s(v, "K") + " --opc " + s(v, "OPc") + " --rand " + s(v, "RAND") + " --auts " +
                    bad + " --json");
  CHECK(r.code == 1);
  CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"result", "mac_s_failure"}});
}

TEST_CASE("REQ-AKA-13 demo runs every step and says so in JSON, help documents key printing",
          "[cli][aka][REQ-AKA-13]") {
  const mnoswitch::testing::CliRun text = cli("demo --aka");
  REQUIRE(text.code == 0);
  CHECK(text.out.find("<redacted>") != std::string::npos);
  CHECK(text.out.find("mac_failure") != std::string::npos);
  const mnoswitch::testing::CliRun r = cli("demo --aka --json");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& steps = j["steps"];
  REQUIRE(steps.size() == 6);
  CHECK(steps[1]["step"] == "auc_vector");
  CHECK(steps[2]["result"] == "ok");
  CHECK(steps[2]["res_equals_xres"] == true);
  CHECK(steps[3]["result"] == "sync_failure");
  CHECK(steps[4]["sqn_ms"] == steps[1]["sqn"]);
  CHECK(steps[4]["usim_result"] == "ok");
  CHECK(steps[5]["result"] == "mac_failure");
  CHECK(steps[5]["state_unchanged"] == true);
  CHECK(steps[5]["genuine_still_accepted"] == true);
  for (const char* sub : {"milenage --help", "aka usim --help"}) {
    const mnoswitch::testing::CliRun h = cli(sub);
    CHECK(h.code == 0);
    CHECK(h.out.find("prints derived keys") != std::string::npos);
  }
}
