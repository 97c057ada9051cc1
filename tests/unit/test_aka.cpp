// TS 33.102 §6.3 and Annex C: AuC vectors, USIM verification (MAC first), AUTS resynchronisation, SQN limits.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <set>

#include "reference/aka/auc.hpp"
#include "reference/aka/usim_auth.hpp"
#include "tests/unit/aka_test_support.hpp"

using namespace mnoswitch;
using namespace mnoswitch::aka;
using aka_test::from_hex;
using aka_test::hex;

namespace {
const auto& set20() {
  return aka_test::vectors()["ts35208_conformance"][19];
}
Milenage set20_milenage() {
  return Milenage(from_hex<K>(set20()["K"]), from_hex<Opc>(set20()["OPc"]));
}
const SqnLayout kInd5 = SqnLayout::make(5).value();
}  // namespace

TEST_CASE("REQ-AKA-11 resync_extra: AUTS from hostap's tests recovers SQN_MS", "[aka][resync][REQ-AKA-11]") {
  for (const auto& v : aka_test::vectors()["resync_extra"]) {
    const Milenage m(from_hex<K>(v["K"]), from_hex<Opc>(v["OPc"]));
    const auto rand = from_hex<Rand>(v["RAND"]);
    const auto auts = from_hex<Auts>(v["AUTS"]);
    auto r = recover_sqn_ms(m, rand, auts);
    REQUIRE(r.ok());
    CHECK(fmt::format("{}", r.value()) == v["expected_SQN_MS"]);
    // The USIM side builds the same AUTS for that SQN_MS (MAC-S over AMF = 0000, masked with f5*).
    CHECK(hex(make_auts(m, rand, r.value())) == v["AUTS"]);
  }
}

TEST_CASE("REQ-AKA-12 a tampered AUTS is a MAC-S failure and SQN_HE is unchanged", "[aka][resync][REQ-AKA-12]") {
  const auto& v = aka_test::vectors()["resync_extra"][0];
  const Milenage m(from_hex<K>(v["K"]), from_hex<Opc>(v["OPc"]));
  auto bytes = from_hex<Auts>(v["AUTS"]).bytes();
  bytes[13] ^= 0x01;
  AucSqnState st{kInd5, 7, 3};
  auto r = resynchronise(m, st, from_hex<Rand>(v["RAND"]), Auts(bytes));
  REQUIRE(r.failed());
  CHECK(r.error() == AucError::MacSFailure);
  CHECK(st.seq_he == 7);
  CHECK(st.next_ind == 3);
}

TEST_CASE("REQ-AKA-05 REQ-AKA-07 USIM accepts a TS 35.208 AUTN and records its SEQ", "[aka][usim][REQ-AKA-05]") {
  const Milenage m = set20_milenage();
  auto st = UsimSqnState::fresh(kInd5);
  auto r = usim_authenticate(m, st, from_hex<Rand>(set20()["RAND"]), from_hex<Autn>(set20()["autn"]));
  REQUIRE(r.ok());
  CHECK(hex(r.value().res) == set20()["f2"]);
  CHECK(hex(r.value().ck) == set20()["f3"]);
  CHECK(hex(r.value().ik) == set20()["f4"]);
  CHECK(fmt::format("{}", r.value().sqn) == set20()["SQN"]);
  const Sqn sqn = aka_test::sqn_hex(set20()["SQN"]);
  CHECK(st.seq_ms[sqn.ind(kInd5)] == sqn.seq(kInd5));
}

TEST_CASE("REQ-AKA-05 a forged MAC is a MAC failure even when the SQN is stale, state unchanged",
          "[aka][usim][REQ-AKA-05]") {
  const Milenage m = set20_milenage();
  const Sqn sqn = aka_test::sqn_hex(set20()["SQN"]);
  auto st = UsimSqnState::fresh(kInd5);
  st.record(Sqn::compose(sqn.seq(kInd5) + 100, sqn.ind(kInd5), kInd5).value());  // makes the genuine SQN stale
  const UsimSqnState before = st;
  auto b = from_hex<Autn>(set20()["autn"]).bytes();
  b[15] ^= 0x80;
  auto r = usim_authenticate(m, st, from_hex<Rand>(set20()["RAND"]), Autn(b));
  REQUIRE(r.failed());
  CHECK(std::holds_alternative<MacFailure>(r.error()));
  CHECK(st.seq_ms == before.seq_ms);
}

TEST_CASE("REQ-AKA-05 a flipped AMF bit is a MAC failure (the MAC covers AMF)", "[aka][usim][REQ-AKA-05][REQ-AKA-09]") {
  const Milenage m = set20_milenage();
  auto st = UsimSqnState::fresh(kInd5);
  auto b = from_hex<Autn>(set20()["autn"]).bytes();
  b[6] ^= 0x80;  // the separation bit
  auto r = usim_authenticate(m, st, from_hex<Rand>(set20()["RAND"]), Autn(b));
  REQUIRE(r.failed());
  CHECK(std::holds_alternative<MacFailure>(r.error()));
  CHECK(st.seq_ms == UsimSqnState::fresh(kInd5).seq_ms);
}

TEST_CASE("REQ-AKA-07 a replay is a synch failure whose AUTS carries the highest SQN_MS", "[aka][usim][REQ-AKA-07]") {
  const Milenage m = set20_milenage();
  auto st = UsimSqnState::fresh(kInd5);
  const auto rand = from_hex<Rand>(set20()["RAND"]);
  const auto autn = from_hex<Autn>(set20()["autn"]);
  REQUIRE(usim_authenticate(m, st, rand, autn).ok());
  const UsimSqnState after_first = st;
  auto again = usim_authenticate(m, st, rand, autn);
  REQUIRE(again.failed());
  REQUIRE(std::holds_alternative<SynchFailure>(again.error()));
  CHECK(st.seq_ms == after_first.seq_ms);
  auto sqn_ms = recover_sqn_ms(m, rand, std::get<SynchFailure>(again.error()).auts);
  REQUIRE(sqn_ms.ok());
  CHECK(fmt::format("{}", sqn_ms.value()) == set20()["SQN"]);
}

TEST_CASE("REQ-AKA-07 Annex C.2.2: each IND slot is independent, Δ and L limits", "[aka][sqn][REQ-AKA-07]") {
  auto st = UsimSqnState::fresh(kInd5);
  st.record(Sqn::compose(10, 0, kInd5).value());
  CHECK_FALSE(is_fresh(st, Sqn::compose(10, 0, kInd5).value()));
  CHECK_FALSE(is_fresh(st, Sqn::compose(9, 0, kInd5).value()));
  CHECK(is_fresh(st, Sqn::compose(11, 0, kInd5).value()));
  CHECK(is_fresh(st, Sqn::compose(5, 1, kInd5).value()));  // other slot, older SEQ: allowed without L
  st.policy.age_limit = 4;
  CHECK_FALSE(is_fresh(st, Sqn::compose(5, 1, kInd5).value()));  // 10 - 5 > 4
  CHECK(is_fresh(st, Sqn::compose(6, 1, kInd5).value()));
  st.policy.delta = 100;
  CHECK(is_fresh(st, Sqn::compose(110, 2, kInd5).value()));
  CHECK_FALSE(is_fresh(st, Sqn::compose(111, 2, kInd5).value()));
  CHECK(fmt::format("{}", st.highest()) == fmt::format("{}", Sqn::compose(10, 0, kInd5).value()));
}

TEST_CASE("REQ-AKA-06 SQN is 48 bits: 2^48 and above are errors, never wrapped", "[aka][sqn][REQ-AKA-06]") {
  CHECK(Sqn::make(kSqnLimit - 1).ok());
  auto r = Sqn::make(kSqnLimit);
  REQUIRE(r.failed());
  CHECK(r.error() == SqnError::OutOfRange);
  CHECK(Sqn::make(~std::uint64_t{0}).error() == SqnError::OutOfRange);
  CHECK(SqnLayout::make(kMaxIndBits + 1).error() == SqnError::BadIndBits);
  CHECK(Sqn::compose(0, 32, kInd5).error() == SqnError::IndOutOfRange);
  CHECK(Sqn::compose(std::uint64_t{1} << 43, 0, kInd5).error() == SqnError::SeqOutOfRange);
  const Sqn s = Sqn::compose((std::uint64_t{1} << 43) - 1, 31, kInd5).value();
  CHECK(s.value() == kSqnLimit - 1);
  CHECK(s.seq(kInd5) == (std::uint64_t{1} << 43) - 1);
  CHECK(s.ind(kInd5) == 31);
  for (auto e : {SqnError::OutOfRange, SqnError::BadIndBits, SqnError::IndOutOfRange, SqnError::SeqOutOfRange})
    CHECK_FALSE(describe(e).empty());
}

TEST_CASE("REQ-AKA-06 AuC SQN exhaustion is an error and leaves the state unchanged", "[aka][auc][REQ-AKA-06]") {
  const Milenage m = set20_milenage();
  AucSqnState st{kInd5, kInd5.seq_limit() - 2, 0};
  RandPool pool;
  auto last = generate_vector(m, st, pool, Amf{});
  REQUIRE(last.ok());
  CHECK(last.value().sqn.value() == ((kInd5.seq_limit() - 1) << 5));
  const AucSqnState before = st;
  auto r = generate_vector(m, st, pool, Amf{});
  REQUIRE(r.failed());
  CHECK(r.error() == AucError::SqnExhausted);
  CHECK(st.seq_he == before.seq_he);
  CHECK(st.next_ind == before.next_ind);
  auto r2 = make_vector(m, st, from_hex<Rand>(set20()["RAND"]), Amf{});
  REQUIRE(r2.failed());
  CHECK(r2.error() == AucError::SqnExhausted);
  CHECK(st.seq_he == before.seq_he);
  CHECK_FALSE(describe(AucError::SqnExhausted).empty());
  CHECK_FALSE(describe(AucError::MacSFailure).empty());
}

TEST_CASE("REQ-AKA-11 AuC vector with a TS 35.208 RAND matches the table, batch has distinct RANDs, rising SQNs",
          "[aka][auc][REQ-AKA-11]") {
  const Milenage m = set20_milenage();
  const Sqn target = aka_test::sqn_hex(set20()["SQN"]);
  // Put SEQ_HE one below the table's SEQ and IND on the table's IND: the AuC must then produce the table's AUTN.
  AucSqnState st{kInd5, target.seq(kInd5) - 1, target.ind(kInd5)};
  auto v = make_vector(m, st, from_hex<Rand>(set20()["RAND"]), from_hex<Amf>(set20()["AMF"]));
  REQUIRE(v.ok());
  CHECK(hex(v.value().autn) == set20()["autn"]);
  CHECK(hex(v.value().xres) == set20()["f2"]);
  CHECK(hex(v.value().ck) == set20()["f3"]);
  CHECK(hex(v.value().ik) == set20()["f4"]);

  RandPool pool;
  AucSqnState batch{kInd5, 0, 0};
  std::vector<AuthVector> vs;
  for (int i = 0; i < 300; ++i) vs.push_back(generate_vector(m, batch, pool, Amf{}).value());  // crosses a refill
  for (std::size_t i = 1; i < vs.size(); ++i) {
    CHECK(vs[i].sqn > vs[i - 1].sqn);
    CHECK(vs[i].sqn.seq(kInd5) == vs[i - 1].sqn.seq(kInd5) + 1);
    CHECK(vs[i].sqn.ind(kInd5) == (vs[i - 1].sqn.ind(kInd5) + 1) % 32);
  }
  std::set<std::string> rands;
  for (const auto& x : vs) rands.insert(hex(x.rand));
  CHECK(rands.size() == vs.size());
}

TEST_CASE("REQ-AKA-12 resync: the AuC adopts SQN_MS and the next vector is accepted", "[aka][auc][REQ-AKA-12]") {
  const Milenage m = set20_milenage();
  auto usim = UsimSqnState::fresh(kInd5);
  usim.record(Sqn::compose(1000, 0, kInd5).value());  // the USIM is ahead of the AuC in the slot the AuC uses next
  AucSqnState auc{kInd5, 10, 0};
  RandPool pool;
  auto v = generate_vector(m, auc, pool, Amf{});
  REQUIRE(v.ok());
  auto r = usim_authenticate(m, usim, v.value().rand, v.value().autn);
  REQUIRE(r.failed());
  REQUIRE(std::holds_alternative<SynchFailure>(r.error()));
  auto sqn_ms = resynchronise(m, auc, v.value().rand, std::get<SynchFailure>(r.error()).auts);
  REQUIRE(sqn_ms.ok());
  CHECK(sqn_ms.value() == Sqn::compose(1000, 0, kInd5).value());
  CHECK(auc.seq_he == 1000);
  auto v2 = generate_vector(m, auc, pool, Amf{});
  REQUIRE(v2.ok());
  CHECK(v2.value().sqn.seq(kInd5) == 1001);
  CHECK(usim_authenticate(m, usim, v2.value().rand, v2.value().autn).ok());
  // A stale AUTS never moves SQN_HE backwards.
  adopt_sqn_ms(auc, Sqn::compose(3, 0, kInd5).value());
  CHECK(auc.seq_he == 1001);
}

TEST_CASE("REQ-AKA-09 AMF separation bit is bit 0 of AMF", "[aka][types][REQ-AKA-09]") {
  CHECK(Amf(ByteArray<2>{0x80, 0x00}).separation_bit());
  CHECK_FALSE(Amf(ByteArray<2>{0x7f, 0xff}).separation_bit());
  CHECK(Amf{}.with_separation_bit(true).bytes() == ByteArray<2>{0x80, 0x00});
  CHECK(Amf(ByteArray<2>{0xff, 0x01}).with_separation_bit(false).bytes() == ByteArray<2>{0x7f, 0x01});
}

TEST_CASE("REQ-AKA-08 AKA values print as hex, secrets as <redacted>", "[aka][types][REQ-AKA-08]") {
  const auto& s = set20();
  CHECK(fmt::format("{}", from_hex<Rand>(s["RAND"])) == s["RAND"]);
  CHECK(fmt::format("{}", from_hex<Amf>(s["AMF"])) == s["AMF"]);
  CHECK(fmt::format("{}", aka_test::sqn_hex(s["SQN"])) == s["SQN"]);
  CHECK(fmt::format("{}", from_hex<K>(s["K"])) == "<redacted>");
  CHECK(fmt::format("{}", from_hex<Opc>(s["OPc"])) == "<redacted>");
  const Milenage m = set20_milenage();
  CHECK(fmt::format("{} {}", m.f3(from_hex<Rand>(s["RAND"])), m.f5(from_hex<Rand>(s["RAND"]))) ==
        "<redacted> <redacted>");
}

TEST_CASE("REQ-AKA-11 batch vectors equal one-by-one vectors and the TS 35.208 tables", "[aka][auc][REQ-AKA-11]") {
  // Every TS 35.208 set through Milenage::vector and through a batch (fill_vectors), compared with the tables.
  std::vector<AuthVector> batch;
  std::vector<const nlohmann::json*> sets;
  for (const auto& s : aka_test::vectors()["ts35208_conformance"]) {
    const Milenage m(from_hex<K>(s["K"]), from_hex<Opc>(s["OPc"]));
    const AuthVector v = m.vector(from_hex<Rand>(s["RAND"]), aka_test::sqn_hex(s["SQN"]), from_hex<Amf>(s["AMF"]));
    CHECK(hex(v.autn) == s["autn"]);
    CHECK(hex(v.xres) == s["f2"]);
    CHECK(hex(v.ck) == s["f3"]);
    CHECK(hex(v.ik) == s["f4"]);
  }
  // A batch longer than the internal chunk (16), one subscriber, SQNs and RANDs from the AuC.
  const Milenage m = set20_milenage();
  RandPool pool;
  AucSqnState st{kInd5, 100, 7};
  auto r = generate_vectors(m, st, pool, from_hex<Amf>(set20()["AMF"]), 37);
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 37);
  CHECK(st.seq_he == 137);
  for (const auto& v : r.value()) {
    const auto one = m.compute(v.rand, v.sqn, from_hex<Amf>(set20()["AMF"]));
    CHECK(hex(v.autn) == hex(make_autn(v.sqn, one.ak, from_hex<Amf>(set20()["AMF"]), one.mac_a)));
    CHECK(hex(v.xres) == hex(one.res));
    CHECK(hex(v.ck) == hex(one.ck));
    CHECK(hex(v.ik) == hex(one.ik));
  }
  CHECK(r.value()[0].sqn == Sqn::compose(101, 7, kInd5).value());
  CHECK(r.value()[36].sqn == Sqn::compose(137, (7 + 36) % 32, kInd5).value());
}

TEST_CASE("REQ-AKA-06 a batch that does not fit below the SEQ limit issues nothing", "[aka][auc][REQ-AKA-06]") {
  const Milenage m = set20_milenage();
  RandPool pool;
  AucSqnState st{kInd5, kInd5.seq_limit() - 4, 5};
  auto r = generate_vectors(m, st, pool, Amf{}, 4);
  REQUIRE(r.failed());
  CHECK(r.error() == AucError::SqnExhausted);
  CHECK(st.seq_he == kInd5.seq_limit() - 4);
  CHECK(st.next_ind == 5);
  CHECK(generate_vectors(m, st, pool, Amf{}, ~std::size_t{0}).failed());
  auto ok = generate_vectors(m, st, pool, Amf{}, 3);
  REQUIRE(ok.ok());
  CHECK(st.seq_he == kInd5.seq_limit() - 1);
}
