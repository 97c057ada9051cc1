// TS 31.102 §7.1.2 AUTHENTICATE through the card, with the TS 35.208 conformance sets and TS 55.205 (Kc, SRES via
// c2/c3) from shared/vectors, and the hostap AUTS vector (REQ-FS-30, REQ-FS-31, REQ-FS-32, REQ-FS-21).
#include <nlohmann/json.hpp>

#include "reference/aka/usim_auth.hpp"
#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;
using nlohmann::json;

namespace {

const json& vectors() {
  static const json j = json::parse(read_text(std::string(MNOSWITCH_TEST_DATA) + "/milenage_3gpp.json"));
  return j;
}

Card card_with(const std::string& k, const std::string& opc, bool gsm_access = true,
               const std::string& sqn_json = R"({"ind_bits": 5})") {
  auto text = read_text(kExampleCard);
  auto j = json::parse(text);
  j["aka"]["k"] = k;
  j["aka"]["opc"] = opc;
  j["aka"]["sqn"] = json::parse(sqn_json);
  j["gsm_access"] = gsm_access;
  auto f = parse_card_file(j.dump());
  if (f.failed()) FAIL(f.error().message);
  Card c = make_card(f.value());
  REQUIRE(tx(c, "00a4040c07a0000000871002") == "9000");
  return c;
}

std::string authenticate_3g(const std::string& rand, const std::string& autn) {
  return "0088008122" "10" + rand + "10" + autn;
}

std::string kc_for(const json& set) {
  for (const auto& g : vectors()["ts55205_gsm_milenage"])
    if (g["K"] == set["K"] && g["RAND"] == set["RAND"] && g["OPc"] == set["OPc"]) return g["Kc"];
  return "";
}

}  // namespace

TEST_CASE("REQ-FS-30 AUTHENTICATE 3G context answers DB RES CK IK Kc for every TS 35.208 set",
          "[usim][authenticate][REQ-FS-30]") {
  int with_kc = 0;
  for (const auto& set : vectors()["ts35208_conformance"]) {
    INFO("TS 35.208 set " << set["set"].get<int>());
    Card c = card_with(set["K"], set["OPc"]);
    const std::string kc = kc_for(set);
    // DB L RES L CK L IK L Kc: 1 + 9 + 17 + 17 + 9 = 53 = 0x35 octets.
    CHECK(tx(c, authenticate_3g(set["RAND"], set["autn"])) == "6135");
    const auto r = c.transmit(hx("00c0000035"));
    REQUIRE(r.sw == StatusWord::Ok);
    const std::string expected_prefix = "db08" + set["f2"].get<std::string>() + "10" + set["f3"].get<std::string>() +
                                        "10" + set["f4"].get<std::string>() + "08";
    CHECK(to_hex(r.data).substr(0, expected_prefix.size()) == expected_prefix);
    if (!kc.empty()) {
      CHECK(to_hex(r.data) == expected_prefix + kc);
      ++with_kc;
    }
  }
  CHECK(with_kc >= 18);  // TS 55.205 covers all but the duplicated set
}

TEST_CASE("REQ-FS-30 without service n°27 the answer has no Kc, GSM context needs it", "[usim][authenticate][REQ-FS-30]") {
  const auto& set = vectors()["ts35208_conformance"][0];
  Card c = card_with(set["K"], set["OPc"], false);
  CHECK(tx(c, authenticate_3g(set["RAND"], set["autn"])) == "612c");
  CHECK(tx(c, "00c000002c") == "db08" + set["f2"].get<std::string>() + "10" + set["f3"].get<std::string>() + "10" +
                                   set["f4"].get<std::string>() + "9000");
  CHECK(tx(c, "0088008011" "10" + set["RAND"].get<std::string>()) == "6985");
}

TEST_CASE("REQ-FS-30 AUTHENTICATE GSM context: SRES = c2(RES), Kc = c3(CK, IK) (TS 55.205)",
          "[usim][authenticate][REQ-FS-30]") {
  for (const auto& g : vectors()["ts55205_gsm_milenage"]) {
    INFO("TS 55.205 set " << g["set"].get<int>());
    Card c = card_with(g["K"], g["OPc"]);
    CHECK(tx(c, "0088008011" "10" + g["RAND"].get<std::string>()) == "610e");
    CHECK(tx(c, "00c000000e") == "04" + g["SRES1"].get<std::string>() + "08" + g["Kc"].get<std::string>() + "9000");
  }
}

TEST_CASE("REQ-FS-31 a forged AUTN (MAC or AMF bit flipped) gives 98 62 and changes nothing",
          "[usim][authenticate][REQ-FS-31][REQ-FS-21]") {
  const auto& set = vectors()["ts35208_conformance"][0];
  Card c = card_with(set["K"], set["OPc"]);
  const CardState before = c.state();
  Bytes autn = hx(set["autn"].get<std::string>());
  for (std::size_t bit : {0u, 50u, 64u, 127u}) {  // SQN⊕AK, AMF, MAC
    Bytes forged = autn;
    forged[bit / 8] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    CHECK(tx(c, authenticate_3g(set["RAND"], to_hex(forged))) == "9862");
    CHECK(c.state() == before);
  }
  // The genuine AUTN still works afterwards (the forged ones did not burn its SQN).
  CHECK(tx(c, authenticate_3g(set["RAND"], set["autn"])) == "6135");
}

TEST_CASE("REQ-FS-32 a replayed AUTN gives DC AUTS with SQN_MS concealed by AK* (TS 35.208 f5*)",
          "[usim][authenticate][REQ-FS-32]") {
  const auto& set = vectors()["ts35208_conformance"][0];
  Card c = card_with(set["K"], set["OPc"]);
  CHECK(tx(c, authenticate_3g(set["RAND"], set["autn"])) == "6135");
  const auto sqn_after_first = c.state().sqn.seq_ms;
  CHECK(tx(c, authenticate_3g(set["RAND"], set["autn"])) == "6110");
  const auto r = c.transmit(hx("00c0000010"));
  REQUIRE(r.sw == StatusWord::Ok);
  REQUIRE(r.data.size() == 16);
  CHECK(r.data[0] == 0xDC);
  CHECK(r.data[1] == 0x0E);
  // SQN_MS = first 6 octets of AUTS xor AK* = the SQN just accepted (set 1: ff9bb4d0b607).
  const Bytes ak_star = hx(set["f5star"].get<std::string>());
  Bytes sqn_ms(6);
  for (std::size_t i = 0; i < 6; ++i) sqn_ms[i] = static_cast<std::uint8_t>(r.data[2 + i] ^ ak_star[i]);
  CHECK(to_hex(sqn_ms) == set["SQN"].get<std::string>());
  CHECK(c.state().sqn.seq_ms == sqn_after_first);
}

TEST_CASE("REQ-FS-32 AUTS equals the hostap resynchronisation vector", "[usim][authenticate][REQ-FS-32]") {
  const auto& v = vectors()["resync_extra"][0];
  // The card has accepted SQN 000000000001 (no IND bits); a challenge with that SQN again is stale.
  Card c = card_with(v["K"], v["OPc"], true, R"({"ind_bits": 0, "seq_ms": [1]})");
  // Build the stale AUTN with the AuC-side functions (the input); the expected AUTS comes from hostap.
  const aka::K k(parse_hex_array<16>(v["K"].get<std::string>()).value());
  const aka::Opc opc(parse_hex_array<16>(v["OPc"].get<std::string>()).value());
  const aka::Milenage m(k, aka::Opc(opc));
  const aka::Rand rand(parse_hex_array<16>(v["RAND"].get<std::string>()).value());
  const auto sqn = aka::Sqn::make(1).value();
  const aka::Amf amf{};
  const auto autn = aka::make_autn(sqn, m.f5(rand), amf, m.f1(rand, sqn, amf));
  CHECK(tx(c, authenticate_3g(v["RAND"], to_hex(autn.span()))) == "6110");
  CHECK(tx(c, "00c0000010") == "dc0e" + v["AUTS"].get<std::string>() + "9000");
}

TEST_CASE("REQ-FS-30 AUTHENTICATE parameter errors", "[usim][authenticate][REQ-FS-30]") {
  const auto& set = vectors()["ts35208_conformance"][0];
  Card c = card_with(set["K"], set["OPc"]);
  const CardState before = c.state();
  CHECK(tx(c, "0088008222" "10" + set["RAND"].get<std::string>() + "10" + set["autn"].get<std::string>()) == "6a86");
  CHECK(tx(c, "0088018122" "10" + set["RAND"].get<std::string>() + "10" + set["autn"].get<std::string>()) == "6a86");
  CHECK(tx(c, "0088008112" "10" + set["RAND"].get<std::string>() + "00") == "6700");
  CHECK(c.state() == before);
}
