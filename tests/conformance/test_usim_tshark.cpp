// Wireshark (tshark 4.0, dissectors gsm_sim / etsi_cat / gsm_sms) as an independent decoder of what our card sends:
// a whole OTA IMSI-change session is captured as GSMTAP SIM (UDP 4729, type 0x04: CLA INS P1 P2 P3 data
// response SW) and tshark must read our ENVELOPE, PoR, REFRESH, SEND SHORT MESSAGE and AUTHENTICATE framing as we
// meant it (REQ-FS-40, REQ-FS-50, REQ-FS-54, REQ-FS-55).
#include <cstdlib>
#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reference/usim/usim_files.hpp"
#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;
namespace fs = std::filesystem;

namespace {

void le32(std::ofstream& o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) o.put(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void le16(std::ofstream& o, std::uint16_t v) {
  o.put(static_cast<char>(v & 0xFF));
  o.put(static_cast<char>(v >> 8));
}

// GSMTAP v2 header (16 octets, type 4 = SIM) inside UDP/IPv4 (pcap link type 228 = raw IPv4).
Bytes gsmtap_ip(ByteSpan exchange) {
  Bytes gsmtap{0x02, 0x04, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  gsmtap.insert(gsmtap.end(), exchange.begin(), exchange.end());
  const auto udp_len = static_cast<std::uint16_t>(8 + gsmtap.size());
  Bytes udp{0x12, 0x79, 0x12, 0x79, static_cast<std::uint8_t>(udp_len >> 8), static_cast<std::uint8_t>(udp_len), 0, 0};
  udp.insert(udp.end(), gsmtap.begin(), gsmtap.end());
  const auto ip_len = static_cast<std::uint16_t>(20 + udp.size());
  const std::array<std::uint8_t, 20> header{0x45, 0, static_cast<std::uint8_t>(ip_len >> 8), static_cast<std::uint8_t>(ip_len),
                                             0,    0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
  // Sized once and copied into (gcc 12 -O2 reports a false -Warray-bounds for insert() after a 20-octet list).
  Bytes ip(header.size() + udp.size());
  std::copy(header.begin(), header.end(), ip.begin());
  std::copy(udp.begin(), udp.end(), ip.begin() + static_cast<std::ptrdiff_t>(header.size()));
  return ip;
}

struct Recorder {
  Card& card;
  std::vector<Bytes> exchanges;
  ResponseApdu send(ByteSpan apdu) {
    auto r = card.transmit(apdu);
    Bytes x(apdu.begin(), apdu.end());
    const auto resp = r.encode();
    x.insert(x.end(), resp.begin(), resp.end());
    exchanges.push_back(std::move(x));
    return r;
  }
  ResponseApdu send(std::string_view h) { return send(hx(h)); }
  void write(const fs::path& p) const {
    std::ofstream o(p, std::ios::binary);
    le32(o, 0xA1B2C3D4);
    le16(o, 2);
    le16(o, 4);
    le32(o, 0);
    le32(o, 0);
    le32(o, 65535);
    le32(o, 228);
    for (const auto& x : exchanges) {
      const auto pkt = gsmtap_ip(x);
      le32(o, 0);
      le32(o, 0);
      le32(o, static_cast<std::uint32_t>(pkt.size()));
      le32(o, static_cast<std::uint32_t>(pkt.size()));
      o.write(reinterpret_cast<const char*>(pkt.data()), static_cast<std::streamsize>(pkt.size()));
    }
  }
};

bool have_tshark() { return std::system("tshark --version >/dev/null 2>&1") == 0; }

std::string tshark_verbose(const fs::path& pcap) {
  const auto out = pcap.string() + ".txt";
  const std::string cmd = "tshark -r " + pcap.string() + " -V >" + out + " 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return read_text(out);
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("REQ-FS-40 REQ-FS-50 REQ-FS-54 tshark decodes an OTA IMSI-change session with our card as we meant it",
          "[usim][conformance][tshark][REQ-FS-40][REQ-FS-50][REQ-FS-54][REQ-FS-55]") {
  if (!have_tshark()) {
    WARN("tshark not installed: skipped");
    return;
  }
  Card card = example_card();
  Recorder rec{card, {}};
  const auto& keys = card.config().key_sets.at(0);

  // PoR by SMS-DELIVER-REPORT, then by SMS-SUBMIT (second packet, counter 2).
  OtaCommand cmd;
  cmd.script = ota::script_set_ef_imsi(encode_ef_imsi(Imsi::parse("001019876543210", MncLength::Two).value()));
  const auto env1 = envelopes(wrap(cmd, keys)).at(0);
  auto r = rec.send(env1);
  REQUIRE(sw1(r.sw) == 0x61);
  r = rec.send(Bytes{0x00, 0xC0, 0x00, 0x00, sw2(r.sw)});
  REQUIRE(static_cast<int>(r.sw) == 0x9126);
  r = rec.send("8012000026");
  REQUIRE(r.sw == StatusWord::Ok);
  REQUIRE(rec.send("801400000c810301010282028281830100").sw == StatusWord::Ok);

  cmd.counter = 2;
  cmd.spi = 0x1639;
  cmd.script = ota::script_read_ef_imsi();
  r = rec.send(envelopes(wrap(cmd, keys)).at(0));
  REQUIRE(sw1(r.sw) == 0x91);
  r = rec.send(Bytes{0x80, 0x12, 0x00, 0x00, sw2(r.sw)});
  REQUIRE(r.sw == StatusWord::Ok);

  // AUTHENTICATE in 3G context with TS 35.208 set 1 (the example card's K/OPc).
  REQUIRE(rec.send("00a4040c07a0000000871002").sw == StatusWord::Ok);
  r = rec.send("0088008122" "10" "23553cbe9637a89d218ae64dae47bf35" "10" "55f328b43577b9b94a9ffac354dfafb3");
  REQUIRE(static_cast<int>(r.sw) == 0x6135);
  REQUIRE(rec.send("00c0000035").sw == StatusWord::Ok);

  const auto dir = fs::temp_directory_path() / ("mnoswitch_usim_tshark_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto pcap = dir / "ota_session.pcap";
  rec.write(pcap);
  const std::string v = tshark_verbose(pcap);
  fs::remove_all(dir);

  // ENVELOPE SMS-PP download carrying an SMS-DELIVER with TP-PID 7F / TP-DCS F6 and the command packet IEI 70.
  CHECK(has(v, "Instruction: ENVELOPE (0xc2)"));
  CHECK(has(v, "SMS-PP Download"));
  CHECK(has(v, "SMS-DELIVER"));
  CHECK(has(v, "TP-PID: 127"));
  CHECK(has(v, "Message type: (U)SIM Data download (63)"));
  CHECK(has(v, "Message Class: Class 2 (U)SIM specific message (0x2)"));
  CHECK(has(v, "Information Element Identifier: 0x70"));
  CHECK(has(v, "TP-OA Digits: 491720000000"));
  // The REFRESH, field by field.
  CHECK(has(v, "Command Type: REFRESH (0x01)"));
  CHECK(has(v, "Command Qualifier: NAA Initialization and File Change Notification (0x02)"));
  CHECK(has(v, "Source Device ID: SIM / USIM / UICC (0x81)"));
  CHECK(has(v, "Destination Device ID: Terminal (Card Reader) (0x82)"));
  CHECK(has(v, "File List: 013f007fff6f07"));
  CHECK(has(v, "PIX Application Code: 3GPP USIM (0x1002)"));
  // The TERMINAL RESPONSE and the SEND SHORT MESSAGE with the SMS-SUBMIT for the PoR.
  CHECK(has(v, "Instruction: TERMINAL RESPONSE (0x14)"));
  CHECK(has(v, "Command Type: SEND SHORT MESSAGE (0x13)"));
  CHECK(has(v, "SMS-SUBMIT"));
  CHECK(has(v, "TP-DA Digits: 491720000000"));  // the PoR goes back to the command's originator
  CHECK(has(v, "Information Element Identifier: 0x71"));
  CHECK(has(v, "Destination Device ID: Network (0x83)"));
  // tshark 4.0 reads INS 88 only as the GSM RUN GSM ALGORITHM (no 3G context parsing): it checks the framing and
  // the 61 35 (53 octets: DB 08 RES 10 CK 10 IK 08 Kc) and nothing more.
  CHECK(has(v, "Instruction: RUN GSM ALGORITHM / AUTHENTICATE (0x88)"));
  CHECK(has(v, "Status Word: 6135"));
  // Status words as sent.
  CHECK(has(v, "Status Word: 9126"));
  CHECK(has(v, "Status Word: 9000 Normal ending of the command"));
}
