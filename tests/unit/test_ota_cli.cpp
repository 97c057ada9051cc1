// `mnoswitch ota …` as a user runs it: documented JSON shapes, exit codes 0/1/2, --help. REQ-OTA-50.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/cli_run.hpp"

namespace {

mnoswitch::testing::CliRun run(const std::string& args) { return mnoswitch::testing::run_cli(args); }

const std::string kKeys = " --kic-key 000102030405060708090A0B0C0D0E0F --kid-key 101112131415161718191a1b1c1d1e1f";

}  // namespace

TEST_CASE("ota rfm, wrap, unwrap, por: the IMSI change end to end through the CLI [REQ-OTA-50]", "[ota][cli]") {
  auto script = run("ota rfm --set-imsi-ef 080910101032547698");
  REQUIRE(script.code == 0);
  std::string data = script.out.substr(0, script.out.find('\n'));
  CHECK(data == "00a4000c026f0700d6000009080910101032547698");

  auto wrap = run("ota wrap --spi 1619 --kic 15 --kid 15 --tar B00011 --counter 0000000002" + kKeys + " --data " +
                  data + " --json");
  REQUIRE(wrap.code == 0);
  auto w = nlohmann::json::parse(wrap.out);
  REQUIRE(w["tp_ud"].size() == 1);
  REQUIRE(w["envelope"].size() == 1);
  const std::string packet = w["packet"];
  CHECK(w["tp_ud"][0].get<std::string>() == "027000" + packet);
  CHECK(w["envelope"][0].get<std::string>().substr(0, 8) == "80c20000");

  auto open = run("ota unwrap" + kKeys + " --stored-counter 0000000001 --packet " + packet + " --json");
  REQUIRE(open.code == 0);
  auto v = nlohmann::json::parse(open.out);
  CHECK(v["status"] == "00");
  CHECK(v["status_name"] == "por_ok");
  CHECK(v["spi"] == "1619");
  CHECK(v["kic"] == "15");
  CHECK(v["kid"] == "15");
  CHECK(v["tar"] == "b00011");
  CHECK(v["counter"] == "0000000002");
  CHECK(v["data"] == data);

  auto replay = run("ota unwrap" + kKeys + " --stored-counter 0000000002 --tp-ud " + w["tp_ud"][0].get<std::string>() +
                    " --json");
  CHECK(replay.code == 1);
  CHECK(nlohmann::json::parse(replay.out)["status_name"] == "cntr_low");

  // A PoR from a real card (pySim tests, KVN 3 3DES keys): compact RFM response decoded.
  auto por =
      run("ota por --spi 0609 --kic 35 --kid 35 --kic-key c21dd66acac13cb3bc8b331b24afb57b "
          "--kid-key 12110c78e678c25408233076aa033615 --tp-ud 027100001612b000110000000000000055f47118381175fb01612f "
          "--json");
  REQUIRE(por.code == 0);
  auto r = nlohmann::json::parse(por.out);
  CHECK(r["status"] == "00");
  CHECK(r["tar"] == "b00011");
  CHECK(r["data"] == "01612f");
  CHECK(r["rfm"]["format"] == "compact");
  CHECK(r["rfm"]["executed"] == 1);
  CHECK(r["rfm"]["last_sw"] == "612f");
}

TEST_CASE("ota CLI: malformed input exits 2, a failed PoR CC exits 1, --help exits 0 [REQ-OTA-50]", "[ota][cli]") {
  CHECK(run("ota wrap --spi 16 --kic 15 --kid 15 --tar b00011 --counter 0000000002 --data 00").code == 2);
  CHECK(run("ota wrap --spi 1619 --kic 15 --kid 15 --tar b00011 --counter 0000000002 --data 0g" + kKeys).code == 2);
  CHECK(run("ota wrap --spi e619 --kic 15 --kid 15 --tar b00011 --counter 0000000002 --data 00" + kKeys).code == 2);
  CHECK(run("ota wrap --spi 1619 --kic 15 --kid 15 --tar b00011 --counter 0000000002 --data 00 --kic-key 0011").code ==
        2);
  CHECK(run("ota unwrap" + kKeys + " --packet 0001").code == 2);
  CHECK(run("ota unwrap" + kKeys).code == 2);
  CHECK(run("ota unwrap" + kKeys + " --tp-ud 0700034203017000aa").code == 2);  // segment 1 of 3 only
  CHECK(run("ota por --spi 0609 --kic 35 --kid 35 --kic-key c21dd66acac13cb3bc8b331b24afb57b "
            "--kid-key 12110c78e678c25408233076aa033615 --tp-ud 027100001612b000110000000000000055f47118381175fb02612f")
            .code == 1);
  CHECK(run("ota por --spi 0609 --kic 35 --kid 35 --tp-ud 0270").code == 2);
  CHECK(run("ota rfm").code == 2);
  CHECK(run("ota rfm --set-imsi-ef 0809").code == 2);
  for (const char* sub : {"wrap", "unwrap", "por", "rfm"}) {
    auto h = run(std::string("ota ") + sub + " --help");
    CHECK(h.code == 0);
    CHECK(h.out.find("--json") != std::string::npos);
  }
  auto expanded = run("ota rfm --read-imsi --expanded --json");
  REQUIRE(expanded.code == 0);
  CHECK(nlohmann::json::parse(expanded.out)["script"] == "aa10220700a4000c026f07220500b0000009");
}

TEST_CASE("ota wrap/unwrap through the CLI: a script needing three SMS, reassembled in any order [REQ-OTA-31]",
          "[ota][cli][concat]") {
  // 300 octets of UPDATE BINARY data: more than one SMS's 140-octet TP-UD can carry (TS 23.040 §9.2.3.24.1).
  std::string data = "00d6000000";  // header only; the payload follows (the card is not involved here)
  for (int i = 0; i < 300; ++i) data += "5a";
  const auto wrap = run("ota wrap --spi 1619 --kic 15 --kid 15 --tar B00011 --counter 0000000007" + kKeys + " --data " +
                        data + " --concat-ref 0x2a --json");
  REQUIRE(wrap.code == 0);
  const auto w = nlohmann::json::parse(wrap.out);
  REQUIRE(w["tp_ud"].size() == 3);
  REQUIRE(w["envelope"].size() == 3);
  for (const auto& t : w["tp_ud"]) {
    const std::string s = t;
    CHECK(s.size() <= 2 * 140);
    CHECK(s.substr(2, 4) == "0003");  // IEI 00: concatenated SMS, 8-bit reference (the first also has IEI 70)
    CHECK(s.substr(6, 2) == "2a");    // the reference asked for
    CHECK(s.substr(8, 2) == "03");    // three segments
  }
  // Delivered out of order (3, 1, 2): the card's reassembly does not depend on arrival order.
  const auto open = run("ota unwrap" + kKeys + " --stored-counter 0000000006 --tp-ud " + w["tp_ud"][2].get<std::string>() +
                        " --tp-ud " + w["tp_ud"][0].get<std::string>() + " --tp-ud " + w["tp_ud"][1].get<std::string>() +
                        " --json");
  REQUIRE(open.code == 0);
  const auto v = nlohmann::json::parse(open.out);
  CHECK(v["status_name"] == "por_ok");
  CHECK(v["data"] == data);
  CHECK(v["counter"] == "0000000007");
  // A segment missing: not a packet (bad input), never a partial one.
  CHECK(run("ota unwrap" + kKeys + " --tp-ud " + w["tp_ud"][0].get<std::string>() + " --tp-ud " +
            w["tp_ud"][1].get<std::string>()).code == 2);
}
