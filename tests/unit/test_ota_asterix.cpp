// Second independent implementation (asterix SecurePacket.py) and a logged card session: 3DES 2 and 3 keys,
// RC CRC32 command and PoR, PoR by SMS-SUBMIT in SEND SHORT MESSAGE (tests/data/ota_asterix_published.json).
// REQ-OTA-03, REQ-OTA-05, REQ-OTA-08, REQ-OTA-15, REQ-OTA-16, REQ-OTA-32, REQ-OTA-33.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "reference/core/hex.hpp"
#include "reference/crypto/crc.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"

using namespace mnoswitch;
using namespace mnoswitch::ota;
using nlohmann::json;

namespace {
Bytes h(const std::string& s) { return parse_hex(s).value(); }
json load() {
  std::ifstream in(std::string(MNOSWITCH_TEST_DATA) + "/ota_asterix_published.json");
  REQUIRE(in.good());
  return json::parse(in);
}
KeySet keyset(const json& v) {
  KeySet k;
  k.kvn = KicByte(h(v["kic"])[0]).key_version();
  k.kic = KicKey(h(v["kic_key"]));
  if (v.contains("kid_key")) k.kid = KidKey(h(v["kid_key"]));
  return k;
}
Spi spi_of(const json& v) { return Spi::decode(static_cast<std::uint16_t>(load_be(h(v["spi"])))).value(); }
}  // namespace

TEST_CASE("asterix's expected command packets, 3DES 2 and 3 keys, all counter modes [REQ-OTA-03][REQ-OTA-05]",
          "[ota][asterix]") {
  auto j = load();
  for (const auto& v : j["commands"]) {
    INFO(v["name"].get<std::string>());
    CommandSpec s{spi_of(v),
                  KicByte(h(v["kic"])[0]),
                  KidByte(h(v["kid"])[0]),
                  Tar(parse_hex_array<3>(v["tar"].get<std::string>()).value()),
                  *OtaCounter::make(load_be(h(v["counter"]))),
                  h(v["data"]),
                  8};
    const KeySet ks = keyset(v);
    auto p = wrap_command(s, ks);
    REQUIRE(p.ok());
    CHECK(to_hex(p.value()) == v["packet"].get<std::string>());
  }
}

TEST_CASE("a logged card session: ENVELOPE with an RC/CRC32 ciphered command, PoR by SMS-SUBMIT [REQ-OTA-08][REQ-OTA-33]",
          "[ota][asterix]") {
  auto j = load();
  const auto& x = j["exchange"];
  KeySet ks = keyset(x);
  const Spi spi = spi_of(x);
  CHECK(spi.integrity == Integrity::Rc);
  CHECK(spi.por_transport == PorTransport::SmsSubmit);

  // Command side: ENVELOPE → SMS-DELIVER → UDH 70 → the packet; the card opens it.
  auto env = decode_sms_pp_download(h(x["envelope_data"]));
  REQUIRE(env.ok());
  auto sms = decode_sms_deliver(env.value().tpdu);
  REQUIRE(sms.ok());
  CHECK(sms.value().pid == kPidSimDataDownload);
  CHECK(sms.value().dcs == kDcsClass2Data);
  auto seg = read_segment(sms.value().user_data);
  REQUIRE(seg.ok());
  CHECK(seg.value().command_packet_iei);
  const Bytes packet = seg.value().body;
  CHECK(packet[2] == 17);  // CHL = 13 + CRC32
  CardView card;
  card.key_set = [&](KeyVersion) { return &ks; };
  card.counter = [](KeyVersion) { return OtaCounter::make(0x75); };
  card.tar = [](const Tar&) { return std::optional<TarPolicy>(TarPolicy{}); };
  auto v = open_command(packet, card);
  REQUIRE(v.ok());
  CHECK(v.value().status == ResponseStatus::PorOk);
  CHECK(to_hex(v.value().data) == x["data"].get<std::string>());
  // Our server builds the same octets, and our envelope framing round-trips theirs.
  CommandSpec s{spi, KicByte(0x15), KidByte(0x15), Tar(ByteArray<3>{0xC0, 0, 0}), *OtaCounter::make(0x76),
                h(x["data"]), 8};
  CHECK(wrap_command(s, ks).value() == packet);
  CHECK(to_hex(ByteSpan(encode_sms_pp_download(env.value())).subspan(5)) == x["envelope_data"].get<std::string>());
  CHECK(encode_sms_deliver(sms.value()) == env.value().tpdu);

  // Response side: FETCH → SEND SHORT MESSAGE → SMS-SUBMIT → UDH 71 → the PoR, RC/CRC32 over a ciphered PoR.
  auto ssm = decode_send_short_message(h(x["fetch_data"]));
  REQUIRE(ssm.ok());
  auto submit = decode_sms_submit(ssm.value().tpdu);
  REQUIRE(submit.ok());
  CHECK(submit.value().dcs == kDcsClass2Data);
  CHECK(submit.value().pid == 0x00);  // this card sent TP-PID 00 (TS 31.115 asks for 7F): read it anyway
  auto por = read_por(submit.value().user_data, spi, KicByte(0x15), KidByte(0x15), ks);
  REQUIRE(por.ok());
  CHECK(por.value().status == ResponseStatus::PorOk);
  CHECK(por.value().secured);
  CHECK(por.value().deciphered);
  CHECK(por.value().counter == *OtaCounter::make(0x76));
  CHECK(to_hex(por.value().data) == x["por_data"].get<std::string>());
  auto rfm = decode_response(por.value().data, ScriptFormat::Compact);
  REQUIRE(rfm.ok());
  CHECK(rfm.value().executed == 1);

  // A flipped bit in the ciphered PoR fails the CRC.
  Bytes bad = submit.value().user_data;
  bad.back() ^= 0x04;
  CHECK(read_por(bad, spi, KicByte(0x15), KidByte(0x15), ks).error() == PorReadError::IntegrityFailed);
}

TEST_CASE("CRC32 value from asterix's tests [REQ-OTA-08]", "[ota][asterix]") {
  auto j = load();
  CHECK(fmt::format("{:08x}", crypto::crc32(h(j["crc32"]["input"]))) == j["crc32"]["value"].get<std::string>());
}
