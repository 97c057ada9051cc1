// The receiving entity (TS 102 225 §5.1): one negative test per status code it can produce, each checking that
// nothing is accepted and no counter is committed; the PoR it sends back (TS 102 225 §5.2, TS 31.115 §4.3).
#include <catch2/catch.hpp>

#include "ota_fixture.hpp"
#include "reference/crypto/cipher.hpp"
#include "reference/ota/sms.hpp"
#include "tests/support/cli_run.hpp"

using namespace ota_test;

namespace {

// 3DES two keys, CC, ciphered, counter "higher", PoR always with CC, ciphered, by SMS-DELIVER-REPORT.
Spi default_spi() {
  return Spi::decode(0x1619).value();
}

FakeCard card_with_keys() {
  FakeCard c;
  c.keys[1] = make_keys(1, 16, 16);
  c.keys[2] = make_keys(2, 16, 16);
  c.counters[1] = ctr(5);
  c.counters[2] = ctr(5);
  c.tars[kRfmTar] = TarPolicy{};
  return c;
}

CommandSpec spec(Spi spi = default_spi(), std::uint64_t counter = 6) {
  CommandSpec s;
  s.spi = spi;
  s.kic = KicByte::make(KeyVersion(1), CipherAlgorithm::TripleDes2Key);
  s.kid = KidByte::make_cc(KeyVersion(1), CcAlgorithm::TripleDes2KeyMac);
  s.tar = kRfmTar;
  s.counter = ctr(counter);
  s.data = hx("00a4000c026f0700d6000009080910101032547698");
  return s;
}

Bytes wrap(const CommandSpec& s, const FakeCard& c) {
  auto p = wrap_command(s, c.keys.at(s.kic.key_version().value()));
  REQUIRE(p.ok());
  return p.value();
}

void require_rejected(const CommandVerdict& v, ResponseStatus want) {
  CHECK(v.status == want);
  CHECK_FALSE(v.accepted());
  CHECK(v.data.empty());
  CHECK_FALSE(v.commit.has_value());
}

}  // namespace

TEST_CASE("status 00: accepted, data back, counter to commit [REQ-OTA-10][REQ-OTA-11]", "[ota][card]") {
  FakeCard c = card_with_keys();
  auto v = open_command(wrap(spec(), c), c.view());
  REQUIRE(v.ok());
  CHECK(v.value().accepted());
  CHECK(to_hex(v.value().data) == "00a4000c026f0700d6000009080910101032547698");
  REQUIRE(v.value().commit.has_value());
  CHECK(v.value().commit->value == ctr(6));
  CHECK(c.counters.at(1) == ctr(5));  // open_command itself changed nothing
}

TEST_CASE("status 01: a CC byte flipped, nothing accepted, counter unchanged [REQ-OTA-12]", "[ota][card]") {
  FakeCard c = card_with_keys();
  Spi plain = default_spi();
  plain.ciphered = false;
  Bytes p = wrap(spec(plain), c);
  p[2 + 1 + 7 + 5 + 1] ^= 0x01;  // first CC octet
  auto v = open_command(p, c.view());
  REQUIRE(v.ok());
  require_rejected(v.value(), ResponseStatus::RcCcDsFailed);
  // A replayed counter under a bad CC is still 01: the counter is only looked at after the CC.
  Bytes stale = wrap(spec(plain, 1), c);
  stale.back() ^= 0x80;
  require_rejected(open_command(stale, c.view()).value(), ResponseStatus::RcCcDsFailed);
}

TEST_CASE("status 01: RC (CRC32 and CRC16) mismatch [REQ-OTA-08]", "[ota][card]") {
  FakeCard c = card_with_keys();
  for (auto alg : {RcAlgorithm::Crc16, RcAlgorithm::Crc32}) {
    CommandSpec s = spec(Spi::decode(0x1101).value());  // RC, counter higher, no ciphering
    s.kid = KidByte::make_rc(KeyVersion(1), alg);
    Bytes p = wrap(s, c);
    CHECK(p[2] == (alg == RcAlgorithm::Crc16 ? 15 : 17));  // CHL = 13 + 2 or 4
    auto ok = open_command(p, c.view());
    CHECK(ok.value().accepted());
    p.back() ^= 0x10;
    require_rejected(open_command(p, c.view()).value(), ResponseStatus::RcCcDsFailed);
  }
}

TEST_CASE("status 02/03/04: counter low, high, blocked [REQ-OTA-11]", "[ota][card]") {
  FakeCard c = card_with_keys();
  require_rejected(open_command(wrap(spec(default_spi(), 5), c), c.view()).value(), ResponseStatus::CounterLow);
  require_rejected(open_command(wrap(spec(default_spi(), 4), c), c.view()).value(), ResponseStatus::CounterLow);
  // "higher": any larger value is fine.
  CHECK(open_command(wrap(spec(default_spi(), 1000), c), c.view()).value().accepted());
  // "exactly one higher" (SPI octet 1 b5b4 = 11).
  Spi one = Spi::decode(0x1E19).value();
  CHECK(one.counter == CounterMode::OneHigher);
  require_rejected(open_command(wrap(spec(one, 7), c), c.view()).value(), ResponseStatus::CounterHigh);
  require_rejected(open_command(wrap(spec(one, 5), c), c.view()).value(), ResponseStatus::CounterLow);
  CHECK(open_command(wrap(spec(one, 6), c), c.view()).value().accepted());
  c.counters[1] = ctr(OtaCounter::kMax);
  require_rejected(open_command(wrap(spec(default_spi(), OtaCounter::kMax), c), c.view()).value(),
                   ResponseStatus::CounterBlocked);
}

TEST_CASE("replay: the same packet twice is accepted once [REQ-OTA-11][REQ-OTA-13]", "[ota][card]") {
  FakeCard c = card_with_keys();
  Bytes p = wrap(spec(), c);
  auto first = open_command(p, c.view());
  c.apply(first.value());
  CHECK(c.counters.at(1) == ctr(6));
  auto again = open_command(p, c.view());
  require_rejected(again.value(), ResponseStatus::CounterLow);
  c.apply(again.value());
  CHECK(c.counters.at(1) == ctr(6));
}

TEST_CASE("counter modes 00 and 01 never check nor commit [REQ-OTA-11]", "[ota][card]") {
  FakeCard c = card_with_keys();
  for (std::uint16_t raw : {std::uint16_t{0x0619}, std::uint16_t{0x0E19}}) {
    auto v = open_command(wrap(spec(Spi::decode(raw).value(), 0), c), c.view());
    CHECK(v.value().accepted());
    CHECK_FALSE(v.value().commit.has_value());
  }
}

TEST_CASE("status 05: ciphertext not whole blocks, KIc key of the wrong size [REQ-OTA-05]", "[ota][card]") {
  FakeCard c = card_with_keys();
  Bytes p = wrap(spec(), c);
  p.pop_back();
  store_be(p.size() - 2, std::span<std::uint8_t>(p).subspan(0, 2));  // keep CPL consistent
  require_rejected(open_command(p, c.view()).value(), ResponseStatus::CipheringError);
  FakeCard d = card_with_keys();
  Bytes q = wrap(spec(), d);
  d.keys[1].kic = KicKey(hx("0011223344556677"));  // 8 octets for 3DES 2 keys
  require_rejected(open_command(q, d.view()).value(), ResponseStatus::CipheringError);
}

TEST_CASE("status 06: reserved SPI, missing key set, DS, no counter kept [REQ-OTA-01][REQ-OTA-10]", "[ota][card]") {
  FakeCard c = card_with_keys();
  Bytes p = wrap(spec(), c);
  p[3] |= 0x80;  // SPI octet 1 b8 (reserved)
  require_rejected(open_command(p, c.view()).value(), ResponseStatus::UnidentifiedSecurityError);
  CHECK_FALSE(open_command(p, c.view()).value().spi.has_value());

  CommandSpec s = spec();
  s.kic = KicByte::make(KeyVersion(7), CipherAlgorithm::TripleDes2Key);
  c.keys[7] = make_keys(7, 16, 16);
  Bytes q = wrap(s, c);
  c.keys.erase(7);
  require_rejected(open_command(q, c.view()).value(), ResponseStatus::UnidentifiedSecurityError);

  // DS (SPI octet 1 b2b1 = 11) with an 8-octet field: defined by TS 102 225, not implemented here.
  Bytes fake =
      hx("0000"
         "15"
         "1301"
         "15"
         "15"
         "b00011"
         "0000000006"
         "00"
         "0102030405060708"
         "00");
  store_be(fake.size() - 2, std::span<std::uint8_t>(fake).subspan(0, 2));
  require_rejected(open_command(fake, c.view()).value(), ResponseStatus::UnidentifiedSecurityError);

  FakeCard nocounter = card_with_keys();
  nocounter.counters.clear();
  require_rejected(open_command(wrap(spec(), nocounter), nocounter.view()).value(),
                   ResponseStatus::UnidentifiedSecurityError);
}

TEST_CASE("status 09: TAR unknown [REQ-OTA-10]", "[ota][card]") {
  FakeCard c = card_with_keys();
  CommandSpec s = spec();
  s.tar = Tar(ByteArray<3>{0xB0, 0x00, 0x99});
  require_rejected(open_command(wrap(s, c), c.view()).value(), ResponseStatus::TarUnknown);
}

TEST_CASE("status 0A: below the TAR's minimum security level, or the hook says no [REQ-OTA-14]", "[ota][card]") {
  FakeCard c = card_with_keys();
  c.tars[kRfmTar].msl = MinimumSecurityLevel{0x16};  // CC + ciphering + counter higher
  CHECK(open_command(wrap(spec(), c), c.view()).value().accepted());
  Spi weak = default_spi();
  weak.ciphered = false;
  require_rejected(open_command(wrap(spec(weak), c), c.view()).value(), ResponseStatus::InsufficientSecurityLevel);
  Spi nocount = default_spi();
  nocount.counter = CounterMode::NoCheck;
  require_rejected(open_command(wrap(spec(nocount), c), c.view()).value(), ResponseStatus::InsufficientSecurityLevel);
  c.tars[kRfmTar].extra_check = [](const CommandHeader& h, const Spi&) { return h.kid.key_version().value() == 2; };
  require_rejected(open_command(wrap(spec(), c), c.view()).value(), ResponseStatus::InsufficientSecurityLevel);
}

TEST_CASE("malformed packets: no verdict at all", "[ota][card]") {
  FakeCard c = card_with_keys();
  CHECK(open_command(hx("0008"), c.view()).error() == MalformedPacket::Truncated);
  Bytes p = wrap(spec(), c);
  p.push_back(0);
  CHECK(open_command(p, c.view()).error() == MalformedPacket::LengthMismatch);
  Bytes r =
      hx("0000"
         "0c"
         "1619"
         "15"
         "15"
         "b00011"
         "000000000600");  // CHL 12
  store_be(r.size() - 2, std::span<std::uint8_t>(r).subspan(0, 2));
  CHECK(open_command(r, c.view()).error() == MalformedPacket::HeaderTooShort);
}

TEST_CASE("AES-CMAC truncated to 4 octets: CHL 17, PoR CC of 4 [REQ-OTA-04][REQ-OTA-15]", "[ota][card]") {
  FakeCard c;
  c.keys[2] = make_keys(2, 32, 32);
  c.counters[2] = ctr(0);
  c.tars[kRfmTar] = TarPolicy{};
  CommandSpec s = spec();
  s.kic = KicByte::make(KeyVersion(2), CipherAlgorithm::AesCbc);
  s.kid = KidByte::make_cc(KeyVersion(2), CcAlgorithm::AesCmac);
  s.cc_length = 4;
  Bytes p = wrap(s, c);
  CHECK(p[2] == 17);
  CHECK((p.size() - 10) % 16 == 0);
  auto v = open_command(p, c.view());
  REQUIRE(v.value().accepted());
  auto por = build_por(v.value(), ResponseStatus::PorOk, hx("01900000"), c.view());
  REQUIRE(por.ok());
  CHECK(por.value()[5] == 14);  // RHL = 10 + 4
  auto r = read_por(por.value(), s.spi, s.kic, s.kid, c.keys.at(2));
  REQUIRE(r.ok());
  CHECK(r.value().secured);
  CHECK(to_hex(r.value().data) == "01900000");
}

TEST_CASE("PoR: status 00 and application statuses are secured as the SPI asks [REQ-OTA-15][REQ-OTA-16][REQ-OTA-20]",
          "[ota][por]") {
  FakeCard c = card_with_keys();
  for (unsigned o2 : {0x01u, 0x05u, 0x09u, 0x19u, 0x15u, 0x11u, 0x29u, 0x39u}) {
    Spi s = Spi::decode(static_cast<std::uint16_t>(0x1600u | o2)).value();
    auto v = open_command(wrap(spec(s), c), c.view());
    REQUIRE(v.value().accepted());
    for (auto st : {ResponseStatus::PorOk, ResponseStatus::InsufficientMemory, ResponseStatus::MoreTimeNeeded,
                    ResponseStatus::ResponseBySmsSubmit, ResponseStatus::ResponseByUssd}) {
      INFO(int(o2) << " " << int(st));
      auto por = build_por(v.value(), st, hx("0190009f10"), c.view());
      REQUIRE(por.ok());
      CHECK(to_hex(ByteSpan(por.value()).subspan(0, 3)) == "027100");
      auto r = read_por(por.value(), s, spec().kic, spec().kid, c.keys.at(1));
      REQUIRE(r.ok());
      CHECK(r.value().status == st);
      CHECK(r.value().counter == ctr(6));
      CHECK(r.value().tar == kRfmTar);
      CHECK(r.value().secured == (s.por_integrity != Integrity::None));
      CHECK(r.value().deciphered == s.por_ciphered);
      CHECK(to_hex(r.value().data) == "0190009f10");
    }
  }
}

TEST_CASE(
    "PoR: error PoRs go plain even when the SPI asks for CC and ciphering, the server reads them "
    "[REQ-OTA-15][REQ-OTA-16]",
    "[ota][por]") {
  FakeCard c = card_with_keys();
  auto v = open_command(wrap(spec(default_spi(), 2), c), c.view());
  REQUIRE(v.value().status == ResponseStatus::CounterLow);
  CHECK(por_wanted(v.value(), v.value().status));
  auto por = build_por(v.value(), v.value().status, {}, c.view());
  REQUIRE(por.ok());
  CHECK(to_hex(por.value()) ==
        "027100000b0ab00011000000000200"
        "02");
  auto r = read_por(por.value(), default_spi(), spec().kic, spec().kid, c.keys.at(1));
  REQUIRE(r.ok());
  CHECK(r.value().status == ResponseStatus::CounterLow);
  CHECK_FALSE(r.value().secured);
  CHECK_FALSE(r.value().deciphered);
}

TEST_CASE("PoR reader: status 00 without the CC asked for is refused, a flipped CC is refused [REQ-OTA-16]",
          "[ota][por]") {
  FakeCard c = card_with_keys();
  const Spi s = default_spi();
  CHECK(read_por(hx("027100000b0ab00011000000000600"
                    "00"),
                 s, spec().kic, spec().kid, c.keys.at(1))
            .error() == PorReadError::MissingIntegrity);
  auto v = open_command(wrap(spec(Spi::decode(0x1609).value()), c), c.view());
  auto por = build_por(v.value(), ResponseStatus::PorOk, hx("019000"), c.view()).value();
  por[3 + 2 + 1 + 3 + 5 + 1 + 1] ^= 0x01;
  CHECK(read_por(por, Spi::decode(0x1609).value(), spec().kic, spec().kid, c.keys.at(1)).error() ==
        PorReadError::IntegrityFailed);
  CHECK(read_por(hx("0270000b0ab00011000000000600"), s, spec().kic, spec().kid, c.keys.at(1)).error() ==
        PorReadError::MissingUdh);
}

TEST_CASE("PoR reader strips padding by PCNTR, never by value (80 00 padding) [REQ-OTA-06]", "[ota][por]") {
  // A PoR whose sender padded with 80 00 00 00: CNTR, PCNTR=4, status, data, padding; no CC, ciphered.
  FakeCard c = card_with_keys();
  const KeySet& ks = c.keys.at(1);
  Bytes plain =
      hx("0000000006"
         "04"
         "00"
         "0190008000"
         "80000000");  // data ends in 80 00 by chance
  REQUIRE(plain.size() % 8 == 0);
  auto ct = crypto::des_cbc(crypto::Direction::Encrypt, ks.kic.expose(), plain).value();
  Bytes ud = hx("027100");
  Bytes pkt =
      hx("0000"
         "0a"
         "b00011");
  pkt.insert(pkt.end(), ct.begin(), ct.end());
  store_be(pkt.size() - 2, std::span<std::uint8_t>(pkt).subspan(0, 2));
  ud.insert(ud.end(), pkt.begin(), pkt.end());
  const Spi s = Spi::decode(0x1611).value();  // PoR ciphered, no CC
  auto r = read_por(ud, s, spec().kic, spec().kid, ks);
  REQUIRE(r.ok());
  CHECK(r.value().deciphered);
  CHECK(to_hex(r.value().data) == "0190008000");
}

TEST_CASE("por_wanted follows SPI octet 2 [REQ-OTA-15]", "[ota][por]") {
  CommandVerdict v;
  v.spi = Spi::decode(0x1600).value();
  CHECK_FALSE(por_wanted(v, ResponseStatus::RcCcDsFailed));
  v.spi = Spi::decode(0x1601).value();
  CHECK(por_wanted(v, ResponseStatus::PorOk));
  v.spi = Spi::decode(0x1602).value();
  CHECK_FALSE(por_wanted(v, ResponseStatus::PorOk));
  CHECK(por_wanted(v, ResponseStatus::CounterLow));
}

TEST_CASE("ota por (CLI) on a ciphered PoR: right keys read it (0), swapped keys or a flipped bit do not verify (1)",
          "[ota][card][cli][REQ-OTA-16]") {
  FakeCard c = card_with_keys();
  auto v = open_command(wrap(spec(), c), c.view());
  REQUIRE(v.ok());
  auto por = build_por(v.value(), ResponseStatus::PorOk, hx("029000"), c.view());
  REQUIRE(por.ok());
  const ByteSpan k = c.keys.at(1).kic.expose();  // test keys of the fixture, not secrets of anyone
  const ByteSpan d = c.keys.at(1).kid.expose();
  auto cli = [](const std::string& kic_key, const std::string& kid_key, const std::string& tp_ud) {
    return mnoswitch::testing::run_cli("ota por --spi 1619 --kic 15 --kid 15 --kic-key " + kic_key + " --kid-key " +
                                       kid_key + " --tp-ud " + tp_ud);
  };
  const std::string tp = to_hex(por.value());
  CHECK(cli(to_hex(k), to_hex(d), tp).code == 0);
  const auto swapped = cli(to_hex(d), to_hex(k), tp);
  CHECK(swapped.code == 1);
  CHECK(swapped.err.find("does not verify") != std::string::npos);
  for (std::size_t at : {std::size_t{12}, tp.size() / 2, tp.size() - 3}) {  // early, middle, last block
    std::string t = tp;
    t[at] = t[at] == '0' ? '1' : '0';
    INFO("flipped hex digit " << at);
    CHECK(cli(to_hex(k), to_hex(d), t).code == 1);
  }
}
