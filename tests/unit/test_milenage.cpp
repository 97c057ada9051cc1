// TS 35.206/35.207/35.208 and TS 55.205 known answers (data: tests/data/milenage_3gpp.json, from the standards).
#include <catch2/catch.hpp>

#include "reference/aka/milenage.hpp"
#include "reference/aka/usim_auth.hpp"
#include "tests/unit/aka_test_support.hpp"

using namespace mnoswitch;
using namespace mnoswitch::aka;
using aka_test::from_hex;
using aka_test::hex;

namespace {
void check_set(const nlohmann::json& s, const Milenage& m) {
  const auto rand = from_hex<Rand>(s["RAND"]);
  const auto sqn = aka_test::sqn_hex(s["SQN"]);
  const auto amf = from_hex<Amf>(s["AMF"]);
  CHECK(hex(m.opc()) == s["OPc"]);
  CHECK(hex(m.f1(rand, sqn, amf)) == s["f1"]);
  CHECK(hex(m.f1star(rand, sqn, amf)) == s["f1star"]);
  CHECK(hex(m.f2(rand)) == s["f2"]);
  CHECK(hex(m.f3(rand)) == s["f3"]);
  CHECK(hex(m.f4(rand)) == s["f4"]);
  CHECK(hex(m.f5(rand)) == s["f5"]);
  CHECK(hex(m.f5star(rand)) == s["f5star"]);
  const auto all = m.compute(rand, sqn, amf);
  CHECK(hex(all.mac_a) == s["f1"]);
  CHECK(hex(all.mac_s) == s["f1star"]);
  CHECK(hex(all.res) == s["f2"]);
  CHECK(hex(all.ck) == s["f3"]);
  CHECK(hex(all.ik) == s["f4"]);
  CHECK(hex(all.ak) == s["f5"]);
  CHECK(hex(make_autn(sqn, all.ak, amf, all.mac_a)) == s["autn"]);
}

void check_table(const char* table) {
  const auto& sets = aka_test::vectors()[table];
  REQUIRE(sets.size() >= 6);
  for (const auto& s : sets) {
    const auto k = from_hex<K>(s["K"]);
    INFO(table << " set " << s["set"].get<int>());
    SECTION("OP path, set " + std::to_string(s["set"].get<int>())) {
      check_set(s, Milenage::from_op(k, from_hex<Op>(s["OP"])));
    }
    SECTION("OPc path, set " + std::to_string(s["set"].get<int>())) {
      check_set(s, Milenage(k, from_hex<Opc>(s["OPc"])));
    }
  }
}
}  // namespace

TEST_CASE("REQ-AKA-01 REQ-AKA-03 TS 35.208 conformance sets, OP and OPc paths",
          "[aka][milenage][REQ-AKA-01][REQ-AKA-03]") {
  check_table("ts35208_conformance");
}

TEST_CASE("REQ-AKA-01 REQ-AKA-03 TS 35.207 implementors' sets, OP and OPc paths",
          "[aka][milenage][REQ-AKA-01][REQ-AKA-03]") {
  check_table("ts35207_implementors");
}

TEST_CASE("REQ-AKA-10 TS 55.205 GSM-MILENAGE SRES and Kc through c2/c3", "[aka][milenage][REQ-AKA-10]") {
  const auto& sets = aka_test::vectors()["ts55205_gsm_milenage"];
  REQUIRE(sets.size() == 19);
  for (const auto& s : sets) {
    INFO("TS 55.205 set " << s["set"].get<int>());
    const Milenage m(from_hex<K>(s["K"]), from_hex<Opc>(s["OPc"]));
    const auto rand = from_hex<Rand>(s["RAND"]);
    const Res res = m.f2(rand);
    CHECK(hex(c2(res)) == s["SRES1"]);
    CHECK(hex(gsm_milenage_sres(res)) == s["SRES2"]);
    CHECK(hex(c3(m.f3(rand), m.f4(rand))) == s["Kc"]);
  }
}

TEST_CASE("REQ-AKA-03 OPc keeps the final xor with OP (a zero OP would hide its loss)", "[aka][milenage][REQ-AKA-03]") {
  // TS 35.208 set 1: OP != 0, so E_K(OP) alone differs from OPc.
  const auto& s = aka_test::vectors()["ts35208_conformance"][0];
  const auto k = from_hex<K>(s["K"]);
  const auto op = from_hex<Op>(s["OP"]);
  CHECK(hex(derive_opc(k, op)) == s["OPc"]);
  const crypto::Aes128 aes(k.expose());
  CHECK(to_hex(aes.encrypt(to_array<16>(op.expose()))) != s["OPc"].get<std::string>());
}

TEST_CASE("REQ-AKA-02 the seed profile is OP = 0 with the standard constants", "[aka][milenage][REQ-AKA-02]") {
  CHECK(kSeedProfile.op == Block{});
  CHECK(kSeedProfile.constants.r == std::array<std::uint8_t, 5>{64, 0, 32, 64, 96});
  CHECK(to_hex(kSeedProfile.constants.c[0]) == "00000000000000000000000000000000");
  CHECK(to_hex(kSeedProfile.constants.c[1]) == "00000000000000000000000000000001");
  CHECK(to_hex(kSeedProfile.constants.c[2]) == "00000000000000000000000000000002");
  CHECK(to_hex(kSeedProfile.constants.c[3]) == "00000000000000000000000000000004");
  CHECK(to_hex(kSeedProfile.constants.c[4]) == "00000000000000000000000000000008");
  // With OP = 0, OPc = E_K(0) (FIPS 197 C.1-style check: AES-128 of the zero block under the zero key).
  const K zero_k{};
  const Milenage m = Milenage::seed_profile(zero_k);
  CHECK(hex(m.opc()) == "66e94bd4ef8a2c3b884cfa59ca342b2e");
}

TEST_CASE("REQ-AKA-02 a non-standard profile changes the outputs", "[aka][milenage][REQ-AKA-02]") {
  const auto& s = aka_test::vectors()["ts35208_conformance"][0];
  MilenageProfile p = kStandardConstants;
  p.c[1][15] = 0x10;
  const Milenage std_m(from_hex<K>(s["K"]), from_hex<Opc>(s["OPc"]));
  const Milenage other(from_hex<K>(s["K"]), from_hex<Opc>(s["OPc"]), p);
  const auto rand = from_hex<Rand>(s["RAND"]);
  CHECK(hex(other.f2(rand)) != hex(std_m.f2(rand)));
  CHECK(hex(other.f3(rand)) == hex(std_m.f3(rand)));
}

TEST_CASE("REQ-AKA-04 a subscriber's Milenage owns its key schedule: move-only, usable after a move",
          "[aka][milenage][REQ-AKA-04]") {
  static_assert(!std::is_copy_constructible_v<Milenage>);
  static_assert(std::is_nothrow_move_constructible_v<crypto::Aes128>);
  const auto& s = aka_test::vectors()["ts35208_conformance"][4];
  Milenage a = Milenage::from_op(from_hex<K>(s["K"]), from_hex<Op>(s["OP"]));
  const Milenage b = std::move(a);
  CHECK(hex(b.opc()) == s["OPc"]);
  CHECK(hex(b.f2(from_hex<Rand>(s["RAND"]))) == s["f2"]);
}
