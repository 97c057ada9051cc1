// SMS-PP transport (TS 23.040, TS 31.115 §4, TS 31.111 §7.1.1 / §6.6.9) and RFM scripts (TS 102 226 §5).
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "ota_fixture.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/sms.hpp"

using namespace ota_test;

TEST_CASE("SPI, KIc, KID codings of TS 102 225 §5.1 [REQ-OTA-01][REQ-OTA-02]", "[ota][spi]") {
  Spi s = Spi::decode(0x1639).value();
  CHECK(s.integrity == Integrity::Cc);
  CHECK(s.ciphered);
  CHECK(s.counter == CounterMode::Higher);
  CHECK(s.por == PorRequest::Always);
  CHECK(s.por_integrity == Integrity::Cc);
  CHECK(s.por_ciphered);
  CHECK(s.por_transport == PorTransport::SmsSubmit);
  CHECK(Spi::decode(0x2000).error() == SpiError::ReservedBitsSet);
  CHECK(Spi::decode(0x0040).error() == SpiError::ReservedBitsSet);
  CHECK(Spi::decode(0x0003).error() == SpiError::ReservedPorRequest);
  CHECK(KicByte(0x15).algorithm().value() == CipherAlgorithm::TripleDes2Key);
  CHECK(KicByte(0x19).algorithm().value() == CipherAlgorithm::TripleDes3Key);
  CHECK(KicByte(0x1D).algorithm().value() == CipherAlgorithm::DesEcb);
  CHECK(KicByte(0x11).algorithm().value() == CipherAlgorithm::DesCbc);
  CHECK(KicByte(0x22).algorithm().value() == CipherAlgorithm::AesCbc);
  CHECK(KicByte(0x26).algorithm().failed());
  CHECK(KicByte(0x22).key_version().value() == 2);
  CHECK(KidByte(0x22).cc_algorithm().value() == CcAlgorithm::AesCmac);
  CHECK(KidByte(0x1D).cc_algorithm().failed());  // DES-ECB is no CC
  CHECK(KidByte(0x11).rc_algorithm().value() == RcAlgorithm::Crc16);
  CHECK(KidByte(0x15).rc_algorithm().value() == RcAlgorithm::Crc32);
  CHECK(KidByte(0x12).rc_algorithm().failed());
}

TEST_CASE("status codes 00..0C by name, others reserved [REQ-OTA-20]", "[ota][spi]") {
  CHECK(status_name(ResponseStatus::PorOk) == "por_ok");
  CHECK(status_name(ResponseStatus::RcCcDsFailed) == "rc_cc_ds_failed");
  CHECK(status_name(ResponseStatus::ResponseByUssd) == "response_by_ussd");
  for (unsigned b = 0; b <= 0x0C; ++b) CHECK(status_from_byte(static_cast<std::uint8_t>(b)).has_value());
  CHECK_FALSE(status_from_byte(0x0D).has_value());
}

TEST_CASE(
    "one SMS up to 137 octets of packet, longer packets concatenate with IEI 70 first only [REQ-OTA-30][REQ-OTA-31]",
    "[ota][sms]") {
  Bytes p137(137, 0xA5), p138(138, 0x5A);
  auto one = command_packet_user_data(p137, 7);
  REQUIRE(one.size() == 1);
  CHECK(one[0].size() == 140);
  CHECK(to_hex(ByteSpan(one[0]).subspan(0, 3)) == "027000");
  for (bool wide : {false, true}) {
    Bytes big(390);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
    auto parts = command_packet_user_data(big, wide ? 0x1234 : 0x42, wide);
    REQUIRE(parts.size() == 3);
    for (const auto& ud : parts) CHECK(ud.size() <= 140);
    CHECK(to_hex(ByteSpan(parts[0]).subspan(0, 8)) == (wide ? "08080412340301"
                                                              "70"
                                                            : "0700034203017000"));
    CHECK(to_hex(ByteSpan(parts[1]).subspan(0, 6)) == (wide ? "060804123403" : "050003420302"));
    Reassembly r;
    // out of order
    CHECK_FALSE(r.add(read_segment(parts[2]).value()).value().has_value());
    CHECK_FALSE(r.add(read_segment(parts[0]).value()).value().has_value());
    auto whole = r.add(read_segment(parts[1]).value());
    REQUIRE(whole.value().has_value());
    CHECK(*whole.value() == big);
    CHECK_FALSE(r.pending());
  }
  auto two = command_packet_user_data(p138, 1);
  CHECK(two.size() == 2);
  CHECK(command_packet_user_data(Bytes(132 + 254 * 134), 1).size() == 255);
  CHECK(command_packet_user_data(Bytes(132 + 254 * 134 + 1), 1).empty());
}

TEST_CASE("reassembly refuses duplicates and packets without IEI 70 [REQ-OTA-31]", "[ota][sms]") {
  auto parts = command_packet_user_data(Bytes(300, 1), 9);
  Reassembly r;
  (void)r.add(read_segment(parts[0]).value());
  CHECK(r.add(read_segment(parts[0]).value()).error() == SmsError::BadConcat);
  Reassembly plain;
  CHECK(plain
            .add(read_segment(hx("00"
                                 "0102"))
                     .value())
            .error() == SmsError::BadUdh);
  CHECK(read_segment(hx("05000309"
                        "0004"
                        "00"))
            .error() == SmsError::BadConcat);  // seq 4 of 0? total 0
}

TEST_CASE("SMS-DELIVER and SMS-SUBMIT encode/decode [REQ-OTA-30][REQ-OTA-33]", "[ota][sms]") {
  SmsDeliver d;
  d.originator = SmsAddress{0x91, "447700900123"};
  d.user_data =
      hx("027000"
         "0001");
  Bytes t = encode_sms_deliver(d);
  CHECK(to_hex(t) ==
        "400c914477000910327ff60000000000000005027000"
        "0001");
  CHECK(decode_sms_deliver(t).value() == d);
  SmsSubmit s;
  s.destination = SmsAddress{0x91, "12345"};
  s.user_data =
      hx("027100"
         "000b0ab00011000000000200"
         "02");
  Bytes u = encode_sms_submit(s);
  CHECK(to_hex(ByteSpan(u).subspan(0, 10)) == "410005912143f57ff610");
  CHECK(decode_sms_submit(u).value() == s);
  CHECK(decode_sms_deliver(u).error() == SmsError::WrongMessageType);
  Bytes seven = t;
  seven[1 + 1 + 1 + 6 + 1] = 0x00;  // TP-DCS 00: GSM 7-bit, not for OTA
  CHECK(decode_sms_deliver(seven).error() == SmsError::UnsupportedDcs);
}

TEST_CASE("ENVELOPE SMS-PP DOWNLOAD and SEND SHORT MESSAGE framing [REQ-OTA-32][REQ-OTA-33]", "[ota][envelope]") {
  SmsPpDownload e;
  e.service_centre = SmsAddress{0x91, "447785016005"};
  e.tpdu =
      hx("400c914477000910327ff60000000000000005027000"
         "0001");
  Bytes apdu = encode_sms_pp_download(e);
  CHECK(to_hex(ByteSpan(apdu).subspan(0, 14)) == "80c2000029d12782028381860791");
  auto back = decode_sms_pp_download(apdu);
  REQUIRE(back.ok());
  CHECK(back.value().tpdu == e.tpdu);
  CHECK(back.value().service_centre == e.service_centre);
  CHECK(decode_sms_pp_download(ByteSpan(apdu).subspan(5)).ok());
  Bytes wrong = apdu;
  wrong[5 + 2 + 2] = 0x82;  // devices UICC -> ...
  CHECK(decode_sms_pp_download(wrong).error() == EnvelopeError::WrongDevices);
  CHECK(decode_sms_pp_download(hx("00c2000000")).error() == EnvelopeError::NotEnvelope);

  SmsSubmit s;
  s.destination = SmsAddress{0x91, "12345"};
  s.user_data = hx("027100000b0ab0001100000000020002");
  Bytes ssm = encode_send_short_message(s, 1);
  CHECK(to_hex(ByteSpan(ssm).subspan(0, 11)) == "d0" + fmt::format("{:02x}", ssm.size() - 2) + "810301130082028183");
  auto sm = decode_send_short_message(ssm);
  REQUIRE(sm.ok());
  CHECK(decode_sms_submit(sm.value().tpdu).value() == s);
}

TEST_CASE("RFM compact and expanded scripts for EF_IMSI [REQ-OTA-40][REQ-OTA-42]", "[ota][rfm]") {
  const ByteArray<9> ef{0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98};  // 001010123456789 (notes/ota.md)
  auto set = script_set_ef_imsi(ef);
  CHECK(to_hex(encode_script(set, ScriptFormat::Compact)) ==
        "00a4000c026f07"
        "00d6000009080910101032547698");
  CHECK(to_hex(encode_script(set, ScriptFormat::ExpandedDefinite)) ==
        "aa19"
        "220700a4000c026f07"
        "220e00d6000009080910101032547698");
  CHECK(to_hex(encode_script(set, ScriptFormat::ExpandedIndefinite)) ==
        "ae80"
        "220700a4000c026f07"
        "220e00d6000009080910101032547698"
        "0000");
  auto read = script_read_ef_imsi();
  CHECK(to_hex(encode_script(read, ScriptFormat::Compact)) ==
        "00a4000c026f07"
        "00b0000009");
  for (auto f : {ScriptFormat::Compact, ScriptFormat::ExpandedDefinite, ScriptFormat::ExpandedIndefinite}) {
    CHECK(decode_script(encode_script(set, f), f).value() == set);
    CHECK(decode_script(encode_script(read, f), f).value() == read);
  }
  CHECK(decode_script(hx("aa0322017f"), ScriptFormat::ExpandedDefinite).error() == RfmError::BadApdu);
  CHECK(decode_script(hx("ae80220400a4000c"), ScriptFormat::ExpandedIndefinite).error() == RfmError::Truncated);
  CHECK(decode_script(hx("ab00"), ScriptFormat::ExpandedDefinite).error() == RfmError::BadTemplate);
  CHECK(decode_script(hx("00a4000c026f"), ScriptFormat::Compact).error() == RfmError::Truncated);
}

TEST_CASE("RFM responses: compact and AB/AF with 80 and 23 [REQ-OTA-41]", "[ota][rfm]") {
  RfmResponse r{2, {hx("9000"), hx("0809101010325476989000")}};
  CHECK(to_hex(encode_response(r, ScriptFormat::Compact)) == "029000080910101032547698");
  CHECK(to_hex(encode_response(r, ScriptFormat::ExpandedDefinite)) ==
        "ab14"
        "800102"
        "23029000"
        "230b0809101010325476989000");
  CHECK(to_hex(encode_response(r, ScriptFormat::ExpandedIndefinite)) ==
        "af80"
        "800102"
        "23029000"
        "230b0809101010325476989000"
        "0000");
  CHECK(decode_response(encode_response(r, ScriptFormat::ExpandedDefinite), ScriptFormat::ExpandedDefinite).value() ==
        r);
  CHECK(
      decode_response(encode_response(r, ScriptFormat::ExpandedIndefinite), ScriptFormat::ExpandedIndefinite).value() ==
      r);
  auto c = decode_response(hx("029000080910101032547698"), ScriptFormat::Compact).value();
  CHECK(c.executed == 2);
  CHECK(c.rapdus.back() == hx("0809101010325476989000"));
  CHECK(decode_response(hx("01"), ScriptFormat::Compact).error() == RfmError::Truncated);
}
