// Wireshark (tshark) as an independent decoder of our SMS-PP framing (TS 31.111 §7.1.1.2 ENVELOPE D1, §6.6.9
// SEND SHORT MESSAGE; TS 23.040 SMS-DELIVER / SMS-SUBMIT, UDH IEI 70/71, concatenation IEI 00/08; TS 31.115).
// We write a pcap of GSMTAP SIM frames (UDP 4729, GSMTAP type 0x04) and assert on the fields tshark decodes.
// REQ-OTA-30..33.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "reference/core/hex.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"

using namespace mnoswitch;
using namespace mnoswitch::ota;

namespace {

void le32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void be16(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

// One IPv4/UDP datagram to port 4729 carrying a GSMTAP v2 header of type 0x04 (SIM) and `apdu` (+ SW).
Bytes gsmtap_sim(const Bytes& apdu) {
  Bytes gsmtap{0x02, 0x04, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  gsmtap.insert(gsmtap.end(), apdu.begin(), apdu.end());
  Bytes udp;
  be16(udp, 4729);
  be16(udp, 4729);
  be16(udp, 8 + gsmtap.size());
  be16(udp, 0);
  udp.insert(udp.end(), gsmtap.begin(), gsmtap.end());
  Bytes ip{0x45, 0x00};
  be16(ip, 20 + udp.size());
  Bytes rest{0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
  ip.insert(ip.end(), rest.begin(), rest.end());
  ip.insert(ip.end(), udp.begin(), udp.end());
  return ip;
}

std::string write_pcap(const std::vector<Bytes>& frames, const std::string& name) {
  std::string s;
  le32(s, 0xa1b2c3d4);
  s += std::string("\x02\x00\x04\x00", 4);
  le32(s, 0);
  le32(s, 0);
  le32(s, 65535);
  le32(s, 101);  // LINKTYPE_RAW (IPv4)
  std::uint32_t t = 0;
  for (const auto& f : frames) {
    le32(s, t++);
    le32(s, 0);
    le32(s, static_cast<std::uint32_t>(f.size()));
    le32(s, static_cast<std::uint32_t>(f.size()));
    s.append(reinterpret_cast<const char*>(f.data()), f.size());
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/mnoswitch_" + name + ".pcap";
  std::ofstream(path, std::ios::binary) << s;
  return path;
}

const std::vector<std::string> kFields = {"gsm_sim.apdu.ins",
                                          "gsm_sim.cat.ber_tlv_tag",
                                          "etsi_cat.comp_tlv.src_dev",
                                          "etsi_cat.comp_tlv.dst_dev",
                                          "etsi_cat.comp_tlv.cmd_type",
                                          "gsm_sms.tp-mti",
                                          "gsm_sms.tp-udhi",
                                          "gsm_sms.tp-pid",
                                          "gsm_sms.tp-dcs",
                                          "gsm_sms.tp.user_data_length",
                                          "gsm_sms.ie_identifier",
                                          "gsm_sms.udh.mm.msg_id",
                                          "gsm_sms.udh.mm.msg_parts",
                                          "gsm_sms.udh.mm.msg_part",
                                          "gsm_sms.reassembled.length",
                                          "gsm_sms.sms_body",
                                          "gsm_sms.tp-oa",
                                          "gsm_sms.tp-da"};

// tshark's decoding: one map field → value per frame (values of repeated fields joined by ',').
std::vector<std::map<std::string, std::string>> tshark(const std::string& pcap) {
  std::string cmd = "tshark -r '" + pcap + "' -T fields -E separator=/t -E occurrence=a -E aggregator=,";
  for (const auto& f : kFields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  INFO("tshark must be installed (Debian package tshark): " << cmd);
  REQUIRE(rc == 0);
  std::vector<std::map<std::string, std::string>> frames;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::map<std::string, std::string> m;
    std::size_t at = 0;
    for (const auto& f : kFields) {
      const std::size_t tab = line.find('\t', at);
      std::string v = line.substr(at, tab == std::string::npos ? std::string::npos : tab - at);
      std::erase(v, ':');
      m[f] = v;
      at = tab == std::string::npos ? line.size() : tab + 1;
    }
    frames.push_back(std::move(m));
  }
  return frames;
}

std::string last(const std::string& list) {
  const auto c = list.rfind(',');
  return c == std::string::npos ? list : list.substr(c + 1);
}

KeySet keys() {
  KeySet k;
  k.kvn = KeyVersion(1);
  k.kic = KicKey(parse_hex("000102030405060708090a0b0c0d0e0f").value());
  k.kid = KidKey(parse_hex("101112131415161718191a1b1c1d1e1f").value());
  return k;
}

CommandSpec spec(std::size_t data_len) {
  CommandSpec s;
  s.spi = Spi::decode(0x1619).value();
  s.kic = KicByte(0x15);
  s.kid = KidByte(0x15);
  s.tar = Tar(ByteArray<3>{0xB0, 0x00, 0x11});
  s.counter = *OtaCounter::make(2);
  s.data = Bytes(data_len, 0x5A);
  return s;
}

Bytes envelope_apdu(const Bytes& tp_ud) {
  SmsDeliver d;
  d.originator = SmsAddress{0x91, "447700900123"};
  d.user_data = tp_ud;
  SmsPpDownload e;
  e.tpdu = encode_sms_deliver(d);
  Bytes apdu = encode_sms_pp_download(e);
  apdu.push_back(0x90);
  apdu.push_back(0x00);
  return apdu;
}

}  // namespace

TEST_CASE("tshark decodes our ENVELOPE SMS-PP DOWNLOAD with a single-SMS command packet [REQ-OTA-30][REQ-OTA-32]",
          "[ota][tshark]") {
  const KeySet k = keys();
  const Bytes packet = wrap_command(spec(21), k).value();
  const auto uds = command_packet_user_data(packet, 0);
  REQUIRE(uds.size() == 1);
  auto frames = tshark(write_pcap({gsmtap_sim(envelope_apdu(uds[0]))}, "ota_single"));
  REQUIRE(frames.size() == 1);
  auto& f = frames[0];
  CHECK(f["gsm_sim.apdu.ins"] == "0xc2");
  CHECK(f["gsm_sim.cat.ber_tlv_tag"] == "0xd1");
  CHECK(f["etsi_cat.comp_tlv.src_dev"] == "0x83");
  CHECK(f["etsi_cat.comp_tlv.dst_dev"] == "0x81");
  CHECK(f["gsm_sms.tp-mti"] == "0");
  CHECK(f["gsm_sms.tp-udhi"] == "1");
  CHECK(f["gsm_sms.tp-pid"] == "127");
  CHECK(f["gsm_sms.tp-dcs"] == "246");
  CHECK(f["gsm_sms.tp-oa"] == "447700900123");
  CHECK(f["gsm_sms.tp.user_data_length"] == std::to_string(uds[0].size()));
  CHECK(f["gsm_sms.ie_identifier"] == "0x70");
  CHECK(f["gsm_sms.sms_body"] == to_hex(packet));  // CPL .. end, byte for byte
}

TEST_CASE("tshark reassembles our concatenated command packet (IEI 00 and 08) [REQ-OTA-30][REQ-OTA-31]",
          "[ota][tshark]") {
  const KeySet k = keys();
  for (bool wide : {false, true}) {
    const Bytes packet = wrap_command(spec(300), k).value();
    const std::uint16_t ref = wide ? 0x1234 : 0x42;
    const auto uds = command_packet_user_data(packet, ref, wide);
    REQUIRE(uds.size() == 3);
    std::vector<Bytes> frames_out;
    for (const auto& ud : uds) frames_out.push_back(gsmtap_sim(envelope_apdu(ud)));
    auto frames = tshark(write_pcap(frames_out, wide ? "ota_concat16" : "ota_concat8"));
    REQUIRE(frames.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      INFO("segment " << i + 1);
      CHECK(frames[i]["gsm_sms.udh.mm.msg_id"] == std::to_string(ref));
      CHECK(frames[i]["gsm_sms.udh.mm.msg_parts"] == "3");
      CHECK(frames[i]["gsm_sms.udh.mm.msg_part"] == std::to_string(i + 1));
      CHECK(frames[i]["gsm_sms.tp.user_data_length"] == std::to_string(uds[i].size()));
      CHECK(frames[i]["gsm_sms.ie_identifier"] ==
            (i == 0 ? (wide ? "0x08,0x70" : "0x00,0x70") : (wide ? "0x08" : "0x00")));
    }
    CHECK(frames[2]["gsm_sms.reassembled.length"] == std::to_string(packet.size()));
    CHECK(last(frames[2]["gsm_sms.sms_body"]) == to_hex(packet));
  }
}

TEST_CASE("tshark decodes our PoR in SMS-SUBMIT inside SEND SHORT MESSAGE (FETCH response) [REQ-OTA-33]",
          "[ota][tshark]") {
  KeySet k = keys();
  CommandSpec s = spec(7);
  s.spi = Spi::decode(0x1639).value();  // PoR by SMS-SUBMIT, CC, ciphered
  CardView card;
  card.key_set = [&](KeyVersion) { return &k; };
  card.counter = [](KeyVersion) { return OtaCounter::make(1); };
  card.tar = [](const Tar&) { return std::optional<TarPolicy>(TarPolicy{}); };
  auto v = open_command(wrap_command(s, k).value(), card).value();
  REQUIRE(v.accepted());
  const Bytes por = build_por(v, ResponseStatus::PorOk, parse_hex("019000").value(), card).value();
  SmsSubmit sub;
  sub.destination = SmsAddress{0x91, "447700900123"};
  sub.user_data = por;
  const Bytes proactive = encode_send_short_message(sub, 1);
  Bytes fetch{0x80, 0x12, 0x00, 0x00, static_cast<std::uint8_t>(proactive.size())};
  fetch.insert(fetch.end(), proactive.begin(), proactive.end());
  fetch.push_back(0x90);
  fetch.push_back(0x00);
  auto frames = tshark(write_pcap({gsmtap_sim(fetch)}, "ota_por_submit"));
  REQUIRE(frames.size() == 1);
  auto& f = frames[0];
  CHECK(f["gsm_sim.apdu.ins"] == "0x12");
  CHECK(f["etsi_cat.comp_tlv.cmd_type"] == "0x13");
  CHECK(f["etsi_cat.comp_tlv.src_dev"] == "0x81");
  CHECK(f["etsi_cat.comp_tlv.dst_dev"] == "0x83");
  CHECK(f["gsm_sms.tp-mti"] == "1");
  CHECK(f["gsm_sms.tp-udhi"] == "1");
  CHECK(f["gsm_sms.tp-pid"] == "127");
  CHECK(f["gsm_sms.tp-dcs"] == "246");
  CHECK(f["gsm_sms.tp-da"] == "447700900123");
  CHECK(f["gsm_sms.ie_identifier"] == "0x71");
  CHECK(f["gsm_sms.tp.user_data_length"] == std::to_string(por.size()));
  CHECK(f["gsm_sms.sms_body"] == to_hex(ByteSpan(por).subspan(3)));
}
