// Helpers for the USIM tests: the example card file, a terminal that follows 61xx/91xx, and an OTA server that
// wraps an RFM script into ENVELOPE APDUs with the ota/ server API.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "reference/core/hex.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"
#include "reference/usim/card.hpp"
#include "reference/usim/card_file.hpp"

namespace usim_test {

using namespace mnoswitch;
using namespace mnoswitch::usim;

inline Bytes hx(std::string_view h) {
  auto r = parse_hex(h);
  REQUIRE(r.ok());
  return r.value();
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline const std::string kExampleCard = std::string(MNOSWITCH_TEST_DATA) + "/card_usim_example.json";

inline CardFile example_file() {
  auto f = parse_card_file(read_text(kExampleCard));
  if (f.failed()) FAIL(f.error().message);
  return f.value();
}
inline Card example_card() { return make_card(example_file()); }

// One APDU; returns data ‖ SW as hex.
inline std::string tx(Card& c, std::string_view apdu_hex) { return to_hex(c.transmit(hx(apdu_hex)).encode()); }

// Sends an APDU and, on 61xx, the GET RESPONSE a T=0 terminal would send.
inline ResponseApdu exchange(Card& c, ByteSpan apdu) {
  auto r = c.transmit(apdu);
  if (sw1(r.sw) == 0x61) {
    const std::uint8_t n = sw2(r.sw);
    r = c.transmit(Bytes{0x00, 0xC0, 0x00, 0x00, n});
  }
  return r;
}

// The state without the GET RESPONSE buffer: what "the card is unchanged" means for an ENVELOPE whose PoR
// reports a failure (the PoR itself has to be somewhere).
inline CardState durable(CardState s) {
  s.pending_response.clear();
  return s;
}

struct OtaCommand {
  std::uint16_t spi = 0x1619;  // CC, ciphered, counter higher; PoR always, CC, ciphered, by DELIVER-REPORT
  std::uint8_t kic = 0x12;     // KVN 1, AES-CBC
  std::uint8_t kid = 0x12;     // KVN 1, AES-CMAC
  std::string tar = "b00010";
  std::uint64_t counter = 1;
  ota::ScriptFormat format = ota::ScriptFormat::Compact;
  std::vector<Bytes> script;
  std::optional<Bytes> raw_data;  // secured data as is (instead of encoding `script`)
  std::size_t cc_length = 8;
};

inline ota::Spi spi_of(std::uint16_t raw) {
  auto s = ota::Spi::decode(raw);
  REQUIRE(s.ok());
  return s.value();
}

inline Bytes wrap(const OtaCommand& cmd, const ota::KeySet& keys) {
  ota::CommandSpec spec;
  spec.spi = spi_of(cmd.spi);
  spec.kic = ota::KicByte(cmd.kic);
  spec.kid = ota::KidByte(cmd.kid);
  spec.tar = ota::Tar(parse_hex_array<3>(cmd.tar).value());
  spec.counter = *ota::OtaCounter::make(cmd.counter);
  spec.data = cmd.raw_data ? *cmd.raw_data : ota::encode_script(cmd.script, cmd.format);
  spec.cc_length = cmd.cc_length;
  auto p = ota::wrap_command(spec, keys);
  REQUIRE(p.ok());
  return p.value();
}

inline const ota::SmsAddress kServer{0x91, "491720000000"};

// ENVELOPE (SMS-PP DOWNLOAD) APDUs carrying `packet` (one per SMS).
inline std::vector<Bytes> envelopes(ByteSpan packet, std::uint16_t reference = 7) {
  std::vector<Bytes> out;
  for (auto& ud : ota::command_packet_user_data(packet, reference)) {
    ota::SmsDeliver d;
    d.originator = kServer;
    d.user_data = ud;
    ota::SmsPpDownload dl;
    dl.tpdu = ota::encode_sms_deliver(d);
    out.push_back(ota::encode_sms_pp_download(dl));
  }
  return out;
}

}  // namespace usim_test
