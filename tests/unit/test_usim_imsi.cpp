// TS 23.003 §2.2, TS 31.102 §4.2.2 (EF_IMSI), TS 102 221 §13.2 (EF_ICCID): known answers and every error.
// Known answers: the EF_IMSI examples of shared/notes/ota.md, the Luhn example of ISO/IEC 7812-1 (79927398713),
// and the widely published ICCID 89014103211118510720 (nibble swap as pySim's enc_iccid does it).
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "reference/core/hex.hpp"
#include "reference/usim/iccid.hpp"
#include "reference/usim/imsi.hpp"

using namespace mnoswitch;
using namespace mnoswitch::usim;

namespace {
Bytes hex(std::string_view h) { return parse_hex(h).value(); }
std::string ef_hex(const Imsi& i) { return to_hex(encode_ef_imsi(i)); }
}  // namespace

TEST_CASE("REQ-FS-02 EF_IMSI encodes the notes' examples", "[usim][imsi][REQ-FS-02]") {
  auto a = Imsi::parse("001010123456789", MncLength::Two).value();
  CHECK(ef_hex(a) == "080910101032547698");
  auto b = Imsi::parse("26201123456789", MncLength::Two).value();
  CHECK(ef_hex(b) == "0821261021436587f9");
  auto c = Imsi::parse("310260123456", MncLength::Three).value();
  CHECK(ef_hex(c) == "07310162103254f6ff");
}

TEST_CASE("REQ-FS-02 EF_IMSI decodes the notes' examples and splits by the EF_AD MNC length",
          "[usim][imsi][REQ-FS-02]") {
  auto a = decode_ef_imsi(hex("080910101032547698"), MncLength::Two);
  REQUIRE(a.ok());
  CHECK(a.value().digits() == "001010123456789");
  CHECK(a.value().mcc() == "001");
  CHECK(a.value().mnc() == "01");
  CHECK(a.value().msin() == "0123456789");
  auto b = decode_ef_imsi(hex("0821261021436587F9"), MncLength::Two);
  REQUIRE(b.ok());
  CHECK(b.value().digits() == "26201123456789");
  auto c = decode_ef_imsi(hex("07310162103254F6FF"), MncLength::Three);
  REQUIRE(c.ok());
  CHECK(c.value().digits() == "310260123456");
  CHECK(c.value().mnc() == "260");
  CHECK(c.value().msin() == "123456");
}

TEST_CASE("REQ-FS-01 Imsi rejects malformed digits with a named error", "[usim][imsi][REQ-FS-01]") {
  using K = ImsiError::Kind;
  CHECK(Imsi::parse("", MncLength::Two).error().kind == K::Empty);
  auto nd = Imsi::parse("00101a123", MncLength::Two);
  CHECK(nd.error().kind == K::NotADigit);
  CHECK(nd.error().position == 5);
  CHECK(describe(nd.error()) == "IMSI character 6 is not a decimal digit");
  CHECK(Imsi::parse("00101", MncLength::Two).error().kind == K::TooShort);
  auto tl = Imsi::parse("0010101234567890", MncLength::Two);
  CHECK(tl.error().kind == K::TooLong);
  CHECK(describe(tl.error()) == "IMSI has 16 digits, at most 15 are allowed (TS 23.003 §2.2)");
  CHECK(Imsi::parse("001010", MncLength::Three).error().kind == K::MsinEmpty);
  CHECK(Imsi::parse("001010", MncLength::Two).ok());
  CHECK(mnc_length_from_int(4).error().kind == K::BadMncLength);
  CHECK(mnc_length_from_int(3).value() == MncLength::Three);
}

TEST_CASE("REQ-FS-02 EF_IMSI decoding rejects every malformation", "[usim][imsi][REQ-FS-02]") {
  using K = ImsiError::Kind;
  CHECK(decode_ef_imsi(hex("0809101010325476"), MncLength::Two).error().kind == K::WrongFileSize);
  CHECK(decode_ef_imsi(hex("ffffffffffffffffff"), MncLength::Two).error().kind == K::NotInitialised);
  CHECK(decode_ef_imsi(hex("000910101032547698"), MncLength::Two).error().kind == K::BadLengthOctet);
  CHECK(decode_ef_imsi(hex("090910101032547698"), MncLength::Two).error().kind == K::BadLengthOctet);
  // parity says even, 15 digits present
  CHECK(decode_ef_imsi(hex("080110101032547698"), MncLength::Two).error().kind == K::BadParity);
  // type nibble 0 (not an IMSI)
  CHECK(decode_ef_imsi(hex("080010101032547698"), MncLength::Two).error().kind == K::BadParity);
  // digit nibble A
  CHECK(decode_ef_imsi(hex("0809101a1032547698"), MncLength::Two).error().kind == K::BadDigitNibble);
  // F in the middle
  CHECK(decode_ef_imsi(hex("080910f01032547698"), MncLength::Two).error().kind == K::BadDigitNibble);
  // used length 7 but octet 9 not FF
  CHECK(decode_ef_imsi(hex("07310162103254f600"), MncLength::Three).error().kind == K::BadFiller);
  // odd parity claimed with an F filler (14 digits)
  CHECK(decode_ef_imsi(hex("0829261021436587f9"), MncLength::Two).error().kind == K::BadParity);
}

TEST_CASE("REQ-FS-03 Luhn check digit and ICCID validation", "[usim][iccid][REQ-FS-03]") {
  CHECK(luhn_check_digit("7992739871") == '3');  // ISO/IEC 7812-1 example
  auto ok = Iccid::parse("89014103211118510720");
  REQUIRE(ok.ok());
  auto bad = Iccid::parse("89014103211118510721");
  REQUIRE(bad.failed());
  CHECK(bad.error().kind == IccidError::Kind::BadCheckDigit);
  CHECK(describe(bad.error()) == "ICCID Luhn check digit is wrong (expected 0)");
  CHECK(Iccid::parse("8901410321111851072x").error().kind == IccidError::Kind::NotADigit);
  CHECK(Iccid::parse("8901410321111").error().kind == IccidError::Kind::WrongLength);
  CHECK(Iccid::parse("898821100000000003").error().kind == IccidError::Kind::WrongLength);  // 18 digits
  CHECK(Iccid::parse("890141032111185107200").error().kind == IccidError::Kind::WrongLength);
  auto built = Iccid::with_check_digit("8901410321111851072");
  REQUIRE(built.ok());
  CHECK(built.value() == ok.value());
}

TEST_CASE("REQ-FS-03 EF_ICCID is nibble-swapped BCD, F filled", "[usim][iccid][REQ-FS-03]") {
  auto i20 = Iccid::parse("89014103211118510720").value();
  CHECK(to_hex(encode_ef_iccid(i20)) == "98101430121181157002");
  auto i19 = Iccid::with_check_digit("898821100000000000").value();  // 19 digits
  CHECK(i19.digits() == "8988211000000000003");
  CHECK(to_hex(encode_ef_iccid(i19)) == "988812010000000000f3");
  auto back = decode_ef_iccid(hex("988812010000000000F3"));
  REQUIRE(back.ok());
  CHECK(back.value() == i19);
  CHECK(decode_ef_iccid(hex("98101430121181157003")).error().kind == IccidError::Kind::BadCheckDigit);
  CHECK(decode_ef_iccid(hex("981014301211811570")).error().kind == IccidError::Kind::WrongFileSize);
  CHECK(decode_ef_iccid(hex("9810143012118115f002")).error().kind == IccidError::Kind::BadDigitNibble);
  CHECK(decode_ef_iccid(hex("981014301211811570a2")).error().kind == IccidError::Kind::BadDigitNibble);
}

// Vectors produced by running pySim's own enc_imsi / enc_iccid / calculate_luhn locally (tests/data, "source").
TEST_CASE("REQ-FS-02 REQ-FS-03 EF_IMSI and EF_ICCID agree with pySim", "[usim][imsi][iccid][pysim][REQ-FS-02][REQ-FS-03]") {
  std::ifstream in(std::string(MNOSWITCH_TEST_DATA) + "/usim_pysim_vectors.json");
  const auto j = nlohmann::json::parse(in);
  REQUIRE(j["ef_imsi"].size() >= 40);
  for (const auto& v : j["ef_imsi"]) {
    const std::string digits = v["imsi"];
    INFO(digits);
    auto imsi = Imsi::parse(digits, MncLength::Two);
    REQUIRE(imsi.ok());
    CHECK(ef_hex(imsi.value()) == v["ef_imsi"].get<std::string>());
    auto back = decode_ef_imsi(hex(v["ef_imsi"].get<std::string>()), MncLength::Two);
    REQUIRE(back.ok());
    CHECK(back.value().digits() == digits);
  }
  REQUIRE(j["ef_iccid"].size() >= 20);
  for (const auto& v : j["ef_iccid"]) {
    const std::string digits = v["iccid"];
    INFO(digits);
    auto iccid = Iccid::parse(digits);
    REQUIRE(iccid.ok());
    CHECK(to_hex(encode_ef_iccid(iccid.value())) == v["ef_iccid"].get<std::string>());
    CHECK(decode_ef_iccid(hex(v["ef_iccid"].get<std::string>())).value() == iccid.value());
  }
}
