// TS 102 221 §10-§11, TS 31.102 §7, ISO 7816-4: every APDU of the card, every status word, access conditions, and
// "a failed step changes nothing" (REQ-FS-10, REQ-FS-20..28). Expected bytes are written out from the clauses.
#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;

namespace {
const std::string kAid = "a0000000871002ffffffff8907090000";
const std::string kMfFcp = "62108202782183023f008a01058c0303ff00";
// EF_IMSI: transparent (41 21), FID 6F07, operational (05), compact SC update 90 / read 90, size 9, SFI 07.
const std::string kImsiFcp = "62178202412183026f078a01058c03039090800200098801" "38";
const std::string kEfDirRecord = "61184f10" + kAid + "50045553494d" + "ffffffffffff";
}  // namespace

TEST_CASE("REQ-FS-23 SELECT by FID, AID and path, P2 04 returns the FCP via 61xx/GET RESPONSE", "[usim][apdu][REQ-FS-23][REQ-FS-28]") {
  Card c = example_card();
  CHECK(tx(c, "00a40004023f00") == "6112");
  CHECK(tx(c, "00c0000012") == kMfFcp + "9000");
  CHECK(tx(c, "00a4000c022fe2") == "9000");
  CHECK(tx(c, "00b000000a") == "98101430121181157002" "9000");  // EF_ICCID of 89014103211118510720
  CHECK(tx(c, "00a4040c07a0000000871002") == "9000");          // partial AID (RID + USIM code)
  CHECK(tx(c, "80f2000112") == "8410" + kAid + "9000");
  CHECK(tx(c, "00a40804047fff6f07") == "6119");
  CHECK(tx(c, "00c0000019") == kImsiFcp + "9000");
  CHECK(tx(c, "00a4090c026fad") == "9000");  // path from the current DF (ADF.USIM)
  CHECK(tx(c, "00b0000004") == "000000029000");  // EF_AD: MNC length 2
  // case 4 with an Le that covers the answer: the data come at once
  CHECK(tx(c, "00a40004023f0000") == kMfFcp + "9000");
}

TEST_CASE("REQ-FS-28 GET RESPONSE hands out the rest Le octets at a time and is gone after another command",
          "[usim][apdu][REQ-FS-28]") {
  Card c = example_card();
  CHECK(tx(c, "00a40004023f00") == "6112");
  CHECK(tx(c, "00c0000005") == kMfFcp.substr(0, 10) + "610d");
  CHECK(tx(c, "00c0000020") == "6c0d");
  CHECK(tx(c, "00c000000d") == kMfFcp.substr(10) + "9000");
  CHECK(tx(c, "00c0000010") == "6985");
  CHECK(tx(c, "00a40004023f00") == "6112");
  CHECK(tx(c, "80f2000c") == "9000");
  CHECK(tx(c, "00c0000012") == "6985");
}

TEST_CASE("REQ-FS-25 READ BINARY: offsets, Le, SFI, errors", "[usim][apdu][REQ-FS-25]") {
  Card c = example_card();
  CHECK(tx(c, "00a4080c047fff6f07") == "9000");
  CHECK(tx(c, "00b0000009") == "0809101010325476989000");
  CHECK(tx(c, "00b0000000") == "0809101010325476989000");  // Le 00: all there is
  CHECK(tx(c, "00b000000a") == "6c09");
  CHECK(tx(c, "00b0000108") == "09101010325476989000");
  CHECK(tx(c, "00b0000901") == "6b00");
  CHECK(tx(c, "00b0870009") == "0809101010325476989000");  // SFI 07 = EF_IMSI
  CHECK(tx(c, "00b0830004") == "000000029000");             // SFI 03 = EF_AD
  CHECK(tx(c, "00b0910001") == "6a82");                     // no EF with SFI 11 here
  CHECK(tx(c, "00b00000") == "6700");                       // no Le
}

TEST_CASE("REQ-FS-10 REQ-FS-26 UPDATE BINARY: EF_IMSI needs ADM (never the terminal), EF_LOCI is the terminal's",
          "[usim][apdu][access][REQ-FS-10][REQ-FS-26]") {
  Card c = example_card();
  CHECK(tx(c, "00a4080c047fff6f07") == "9000");
  const CardState before = c.state();
  CHECK(tx(c, "00d6000009080910101032547699") == "6982");
  CHECK(c.state() == before);
  CHECK(tx(c, "00b0000009") == "0809101010325476989000");
  CHECK(tx(c, "00a4000c026f7e") == "9000");
  CHECK(tx(c, "00d600000b11223344" "00f110" "0001" "ff" "00") == "9000");
  CHECK(tx(c, "00b000000b") == "1122334400f1100001ff009000");
  CHECK(tx(c, "00d6000504" "01020304") == "9000");
  CHECK(tx(c, "00d6000807" "01020304050607") == "6700");  // runs past the end
  CHECK(tx(c, "00d6000b01" "00") == "6b00");                // offset outside
  CHECK(tx(c, "00d60000") == "6700");                       // no data
  // EF_ICCID can never be updated; EF_AD only with ADM.
  CHECK(tx(c, "00a40804022fe2") == "6119");
  CHECK(tx(c, "00d600000100") == "6982");
  CHECK(tx(c, "00a4080c047fff6fad") == "9000");
  CHECK(tx(c, "00d600000103") == "6982");
}

TEST_CASE("REQ-FS-27 READ RECORD / UPDATE RECORD on EF_DIR", "[usim][apdu][REQ-FS-27]") {
  Card c = example_card();
  CHECK(tx(c, "00a4000c022f00") == "9000");
  CHECK(tx(c, "00b2010420") == kEfDirRecord + "9000");
  CHECK(tx(c, "00b2010400") == kEfDirRecord + "9000");
  CHECK(tx(c, "00b2010410") == "6c20");
  CHECK(tx(c, "00b2020420") == "6a83");
  CHECK(tx(c, "00b2000420") == "6a83");
  CHECK(tx(c, "00b2010220") == "6a86");  // "next" mode is not provided
  CHECK(tx(c, "00b201f420") == kEfDirRecord + "9000");  // SFI 1E in P2
  CHECK(tx(c, "00b0000001") == "6981");  // READ BINARY on a record file
  CHECK(tx(c, "00dc010420" + kEfDirRecord) == "6982");  // ADM only
  CHECK(tx(c, "00a4080c047fff6f07") == "9000");
  CHECK(tx(c, "00b2010409") == "6981");  // READ RECORD on a transparent file
}

TEST_CASE("REQ-FS-24 STATUS", "[usim][apdu][REQ-FS-24]") {
  Card c = example_card();
  CHECK(tx(c, "80f2000000") == kMfFcp + "9000");
  CHECK(tx(c, "80f2000012") == kMfFcp + "9000");
  CHECK(tx(c, "80f2000011") == "6c12");
  CHECK(tx(c, "80f2000c") == "9000");
  CHECK(tx(c, "80f2000100") == "6a88");  // no application selected
  CHECK(tx(c, "80f2030000") == "6a86");
  CHECK(tx(c, "80f2000500") == "6a86");
}

TEST_CASE("REQ-FS-20 REQ-FS-21 REQ-FS-22 every error status word, and nothing changes on any of them",
          "[usim][apdu][sw][REQ-FS-20][REQ-FS-21][REQ-FS-22]") {
  struct Case {
    const char* setup;  // APDU run first (empty: none)
    const char* apdu;
    StatusWord sw;
  };
  const Case cases[] = {
      {"", "00a4", StatusWord::WrongLength},
      {"", "00a4000c033f0000", StatusWord::WrongLength},
      {"", "00a40000023f000000", StatusWord::WrongLength},  // Lc says 2, 3 more octets
      {"", "01a40000023f00", StatusWord::LogicalChannelNotSupported},
      {"", "41a40000023f00", StatusWord::LogicalChannelNotSupported},
      {"", "04a40000023f00", StatusWord::SecureMessagingNotSupported},
      {"00a4080c047fff6f07", "00d6000009080910101032547699", StatusWord::SecurityStatusNotSatisfied},
      {"00a4000c022f00", "00b0000001", StatusWord::IncompatibleFileStructure},
      {"", "00c0000010", StatusWord::ConditionsOfUseNotSatisfied},
      {"", "80120000ff", StatusWord::ConditionsOfUseNotSatisfied},
      {"", "80140000058103010100", StatusWord::ConditionsOfUseNotSatisfied},
      {"", "0088008122" "10" "00000000000000000000000000000000" "10" "00000000000000000000000000000000",
       StatusWord::ConditionsOfUseNotSatisfied},  // MF selected: no USIM application
      {"", "00b0000001", StatusWord::NoCurrentEf},
      {"00a4040c07a0000000871002", "0088008122" "10" "00000000000000000000000000000000" "11" "00000000000000000000000000000000",
       StatusWord::IncorrectData},
      {"", "80c2000003d10100", StatusWord::IncorrectData},
      {"", "80c2000009d607820282819901" "04", StatusWord::FunctionNotSupported},
      {"", "00a4000c026f99", StatusWord::FileNotFound},
      {"", "00a40804047fff6f99", StatusWord::FileNotFound},
      {"", "00a4040c05a000000099", StatusWord::FileNotFound},
      {"00a4000c022f00", "00b2050420", StatusWord::RecordNotFound},
      {"", "00a40200023f00", StatusWord::IncorrectP1P2},
      {"", "00a40000023f00", StatusWord::IncorrectP1P2},  // P2 00 (FCI) is not TS 102 221
      {"", "80f2000100", StatusWord::ReferencedDataNotFound},
      {"00a4080c047fff6f07", "00b0000a01", StatusWord::WrongParameters},
      {"", "00ca000000", StatusWord::InsNotSupported},
      {"", "a0a40000023f00", StatusWord::ClassNotSupported},
      {"", "80a40000023f00", StatusWord::ClassNotSupported},
      {"", "00f2000000", StatusWord::ClassNotSupported},
      {"00a4080c047fff6f07", "00b000000a", sw_wrong_le(9)},
  };
  for (const auto& k : cases) {
    Card c = example_card();
    if (std::string_view(k.setup).size()) REQUIRE(is_success(c.transmit(hx(k.setup)).sw));
    const CardState before = c.state();
    const auto r = c.transmit(hx(k.apdu));
    INFO(k.apdu);
    CHECK(static_cast<int>(r.sw) == static_cast<int>(k.sw));
    CHECK(r.data.empty());
    CHECK(c.state() == before);
    CHECK(status_word_name(r.sw) != "unknown");
  }
}

TEST_CASE("REQ-FS-20 status word names", "[usim][sw][REQ-FS-20]") {
  CHECK(status_word_name(StatusWord::Ok) == "ok");
  CHECK(status_word_name(sw_response_available(0x12)) == "response_available");
  CHECK(status_word_name(sw_proactive_pending(0x20)) == "proactive_command_pending");
  CHECK(status_word_name(sw_wrong_le(9)) == "wrong_le");
  CHECK(status_word_name(StatusWord::AuthMacFailure) == "authentication_mac_failure");
  CHECK(status_word_name(StatusWord::ToolkitBusy) == "toolkit_busy");
  CHECK(status_word_name(make_sw(0x12, 0x34)) == "unknown");
  CHECK(is_success(sw_proactive_pending(1)));
  CHECK_FALSE(is_success(StatusWord::AuthMacFailure));
}

TEST_CASE("REQ-FS-22 APDU cases 1-4 parse, extended lengths and trailing octets do not", "[usim][apdu][REQ-FS-22]") {
  CHECK(parse_command_apdu(hx("80f2000c")).value().le == std::nullopt);
  CHECK(parse_command_apdu(hx("00b0000000")).value().le == 256);
  auto c3 = parse_command_apdu(hx("00a4000c023f00")).value();
  CHECK(c3.data == hx("3f00"));
  CHECK_FALSE(c3.le);
  CHECK(parse_command_apdu(hx("00a40004023f0012")).value().le == 0x12);
  CHECK(parse_command_apdu(hx("00a4000c00")).value().le == 256);  // five octets = case 2 with Le 00
  CHECK(parse_command_apdu(hx("00a4000c003f00")).error() == StatusWord::WrongLength);
  CHECK(encode_command_apdu(c3) == hx("00a4000c023f00"));
}
