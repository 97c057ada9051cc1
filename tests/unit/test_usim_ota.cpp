// The whole OTA path: OTA server (ota/ server API) wraps "set EF_IMSI" → SMS-DELIVER → ENVELOPE (SMS-PP DOWNLOAD) →
// card (TS 102 225 checks, RFM TS 102 226) → PoR → server reads the PoR; proactive REFRESH after the IMSI change
// (TS 102 223 §6.4.7); failed packets change nothing (REQ-FS-13, REQ-FS-40..43, REQ-FS-50..56, REQ-FS-60..62).
#include "reference/ota/card.hpp"
#include "reference/usim/usim_files.hpp"
#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;

namespace {

const std::string kAid = "a0000000871002ffffffff8907090000";
const Imsi kNewImsi = Imsi::parse("001019876543210", MncLength::Two).value();

// REFRESH, mode 02 (NAA initialisation + file change), file list 3F00/7FFF/6F07, AID of the USIM: written out from
// TS 102 223 §6.6.13, §8.6, §8.7, §8.18, §8.60.
std::string expected_refresh(std::uint8_t number) {
  return fmt::format("d024" "8103{:02x}0102" "82028182" "9207013f007fff6f07" "af10", number) + kAid;
}

ota::PorReading read_por(ByteSpan tp_ud, const OtaCommand& cmd, const ota::KeySet& keys) {
  auto r = ota::read_por(tp_ud, spi_of(cmd.spi), ota::KicByte(cmd.kic), ota::KidByte(cmd.kid), keys);
  if (r.failed()) FAIL(ota::describe(r.error()));
  return r.value();
}

OtaCommand set_imsi_command(std::uint64_t counter = 1) {
  OtaCommand cmd;
  cmd.counter = counter;
  cmd.script = ota::script_set_ef_imsi(encode_ef_imsi(kNewImsi));
  return cmd;
}

// Sends one ENVELOPE and returns what a T=0 terminal ends up with (the PoR after GET RESPONSE, and its SW).
ResponseApdu deliver(Card& c, ByteSpan envelope) { return exchange(c, envelope); }

}  // namespace

TEST_CASE("REQ-FS-50 REQ-FS-54 REQ-FS-41 set EF_IMSI over the air: PoR in the envelope response, then REFRESH",
          "[usim][ota][e2e][REQ-FS-50][REQ-FS-54][REQ-FS-41][REQ-FS-13]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(0);
  const OtaCommand cmd = set_imsi_command();
  const auto env = envelopes(wrap(cmd, keys));
  REQUIRE(env.size() == 1);

  // Old identities stored by the terminal before the change.
  REQUIRE(tx(c, "00a4080c047fff6f7e") == "9000");
  REQUIRE(tx(c, "00d600000b11223344" "00f110" "0001" "ff" "00") == "9000");

  const auto r = c.transmit(env[0]);
  REQUIRE(sw1(r.sw) == 0x61);
  const auto por_apdu = c.transmit(Bytes{0x00, 0xC0, 0x00, 0x00, sw2(r.sw)});
  // 91 26: the REFRESH (38 octets with D0 26) is waiting.
  CHECK(static_cast<int>(por_apdu.sw) == 0x9126);

  const auto por = read_por(por_apdu.data, cmd, keys);
  CHECK(por.status == ota::ResponseStatus::PorOk);
  CHECK(por.secured);
  CHECK(por.deciphered);
  CHECK(to_hex(por.tar.span()) == "b00010");
  CHECK(por.counter.value() == 1);
  auto rfm = ota::decode_response(por.data, ota::ScriptFormat::Compact);
  REQUIRE(rfm.ok());
  CHECK(rfm.value().executed == 2);
  CHECK(to_hex(rfm.value().rapdus.back()) == "9000");

  // The card now holds the new IMSI, the counter moved, and what belonged to the old IMSI is gone.
  auto imsi = imsi_of(c.state().fs);
  REQUIRE(imsi.ok());
  CHECK(imsi.value() == kNewImsi);
  CHECK(c.state().ota_counters.at(1) == 1);
  // Every normal ending says 91 26 until the terminal fetches.
  CHECK(tx(c, "00a4080c047fff6f7e") == "9126");
  CHECK(tx(c, "00b000000b") == "ffffffffffffff0000ff01" "9126");
  CHECK(tx(c, "00a4000c026f08") == "9126");
  CHECK(tx(c, "00b0000001") == "07" "9126");

  // The terminal fetches the REFRESH and answers it.
  CHECK(tx(c, "8012000024") == "6c26");
  CHECK(tx(c, "8012000026") == expected_refresh(1) + "9000");
  CHECK(tx(c, "8014000009" "810301010282028281830100") == "6700");  // Lc wrong
  CHECK(tx(c, "801400000c" "810301010282028281830100") == "9000");
  CHECK(c.state().proactive.queue.empty());
  CHECK_FALSE(c.state().proactive.fetched);
}

TEST_CASE("REQ-FS-55 PoR by SMS-SUBMIT: SEND SHORT MESSAGE to the originator, then REFRESH, toolkit busy meanwhile",
          "[usim][ota][e2e][REQ-FS-55][REQ-FS-42][REQ-FS-43]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(0);
  OtaCommand cmd = set_imsi_command();
  cmd.spi = 0x1639;  // PoR always, CC, ciphered, by SMS-SUBMIT
  const auto env = envelopes(wrap(cmd, keys));
  const auto r = c.transmit(env[0]);
  REQUIRE(sw1(r.sw) == 0x91);
  CHECK(r.data.empty());

  const auto fetched = c.transmit(Bytes{0x80, 0x12, 0x00, 0x00, sw2(r.sw)});
  REQUIRE(fetched.sw == StatusWord::Ok);
  auto ssm = ota::decode_send_short_message(fetched.data);
  REQUIRE(ssm.ok());
  CHECK(ssm.value().number == 1);
  auto submit = ota::decode_sms_submit(ssm.value().tpdu);
  REQUIRE(submit.ok());
  CHECK(submit.value().destination == kServer);
  CHECK(submit.value().pid == 0x7F);
  CHECK(submit.value().dcs == 0xF6);
  REQUIRE(submit.value().user_data.size() > 3);
  CHECK(to_hex(ByteSpan(submit.value().user_data).first(3)) == "027100");
  const auto por = read_por(submit.value().user_data, cmd, keys);
  CHECK(por.status == ota::ResponseStatus::PorOk);
  CHECK(por.secured);

  // A fetched command awaits its TERMINAL RESPONSE: another envelope finds the toolkit busy (and changes nothing).
  const CardState busy = c.state();
  CHECK(tx(c, to_hex(env[0])) == "9300");
  CHECK(c.state() == busy);
  // A TERMINAL RESPONSE for another command is refused.
  CHECK(tx(c, "801400000c" "810301010282028281830100") == "6a80");
  const auto tr = encode_terminal_response(CommandDetails{1, 0x13, 0x00}, 0x00);
  CHECK(tx(c, fmt::format("80140000{:02x}", tr.size()) + to_hex(tr)) == "9126");
  CHECK(tx(c, "8012000000") == expected_refresh(2) + "9000");
}

TEST_CASE("REQ-FS-53 a packet that fails any check is not applied and the card state is unchanged",
          "[usim][ota][REQ-FS-53][REQ-FS-21]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(0);

  struct Case {
    const char* what;
    OtaCommand cmd;
    ota::ResponseStatus status;
    bool flip_last = false;
  };
  OtaCommand tar_unknown = set_imsi_command();
  tar_unknown.tar = "b000ff";
  OtaCommand weak = set_imsi_command();
  weak.spi = 0x1219;  // CC + counter higher, but not ciphered: below the TAR's MSL 16
  OtaCommand no_key = set_imsi_command();
  no_key.kic = 0x32;  // KVN 3 does not exist
  no_key.kid = 0x32;
  OtaCommand low = set_imsi_command(0);  // counter 0 is not higher than the stored 0
  const Case cases[] = {
      {"CC-covered octet flipped", set_imsi_command(), ota::ResponseStatus::RcCcDsFailed, true},
      {"TAR unknown", tar_unknown, ota::ResponseStatus::TarUnknown},
      {"insufficient security level", weak, ota::ResponseStatus::InsufficientSecurityLevel},
      {"no such key set", no_key, ota::ResponseStatus::UnidentifiedSecurityError},
      {"counter not higher", low, ota::ResponseStatus::CounterLow},
  };
  for (const auto& k : cases) {
    INFO(k.what);
    Bytes packet = wrap(k.cmd, keys);
    if (k.flip_last) packet.back() ^= 0x01;
    const CardState before = c.state();
    const auto r = deliver(c, envelopes(packet).at(0));
    REQUIRE(r.sw == StatusWord::Ok);  // the PoR, and no REFRESH
    const auto por = read_por(r.data, k.cmd, keys);
    CHECK(por.status == k.status);
    CHECK_FALSE(por.secured);  // error PoRs go out without CC, as cards send them
    CHECK(durable(c.state()) == durable(before));
    CHECK(imsi_of(c.state().fs).value().digits() == "001010123456789");
  }

  // Replay: the accepted packet once, then again.
  const auto env = envelopes(wrap(set_imsi_command(5), keys)).at(0);
  CHECK(sw1(c.transmit(env).sw) == 0x61);
  CHECK(c.state().ota_counters.at(1) == 5);
  const CardState after_first = c.state();
  const auto again = deliver(c, env);
  CHECK(read_por(again.data, set_imsi_command(5), keys).status == ota::ResponseStatus::CounterLow);
  CHECK(durable(c.state()) == durable(after_first));
}

TEST_CASE("REQ-FS-61 the RFM script stops at the first error, earlier commands stay, the failed one changes nothing",
          "[usim][ota][rfm][REQ-FS-60][REQ-FS-61][REQ-FS-62]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(0);
  OtaCommand cmd;
  cmd.script = {hx("00a4000c026f7e"), hx("00d6000001aa"), hx("00a4000c026f07"),
                hx("00d600000a00112233445566778899"),  // 10 octets into a 9-octet EF
                hx("00b0000009")};
  const auto r = deliver(c, envelopes(wrap(cmd, keys)).at(0));
  const auto por = read_por(r.data, cmd, keys);
  REQUIRE(por.status == ota::ResponseStatus::PorOk);
  auto rfm = ota::decode_response(por.data, ota::ScriptFormat::Compact);
  REQUIRE(rfm.ok());
  CHECK(rfm.value().executed == 4);
  CHECK(to_hex(rfm.value().rapdus.back()) == "6700");
  CHECK(to_hex(por.data) == "046700");
  CHECK(imsi_of(c.state().fs).value().digits() == "001010123456789");
  CHECK(c.state().fs.nodes[*c.state().fs.adf_ef(fid::kEfLoci)].data.front() == 0xAA);
  CHECK(c.state().proactive.queue.empty());  // the IMSI did not change: no REFRESH
}

TEST_CASE("REQ-FS-60 RFM starts at ADF.USIM, expanded format answers every R-APDU (3DES key set 2)",
          "[usim][ota][rfm][REQ-FS-60][REQ-FS-62]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(1);
  OtaCommand cmd;
  cmd.tar = "b00011";
  cmd.kic = ota::KicByte::make(ota::KeyVersion(2), ota::CipherAlgorithm::TripleDes2Key).raw();
  cmd.kid = ota::KidByte::make_cc(ota::KeyVersion(2), ota::CcAlgorithm::TripleDes2KeyMac).raw();
  cmd.format = ota::ScriptFormat::ExpandedDefinite;
  cmd.script = ota::script_read_ef_imsi();
  const auto r = deliver(c, envelopes(wrap(cmd, keys)).at(0));
  const auto por = read_por(r.data, cmd, keys);
  REQUIRE(por.status == ota::ResponseStatus::PorOk);
  // AB L { 80 01 02, 23 02 90 00, 23 0B EF_IMSI 90 00 } (TS 102 226 §5.2.2)
  CHECK(to_hex(por.data) == "ab14" "800102" "23029000" "230b080910101032547698" "9000");
  auto rfm = ota::decode_response(por.data, ota::ScriptFormat::ExpandedDefinite);
  REQUIRE(rfm.ok());
  CHECK(rfm.value().executed == 2);
  REQUIRE(rfm.value().rapdus.size() == 2);
  CHECK(to_hex(rfm.value().rapdus[0]) == "9000");
  CHECK(to_hex(rfm.value().rapdus[1]) == "0809101010325476989000");
  CHECK(c.state().ota_counters.at(2) == 1);
  CHECK(c.state().ota_counters.at(1) == 0);  // counters are per key set

  // Indefinite-length script (AE) on the same TAR → AF response.
  cmd.counter = 2;
  cmd.format = ota::ScriptFormat::ExpandedIndefinite;
  const auto r2 = deliver(c, envelopes(wrap(cmd, keys)).at(0));
  const auto por2 = read_por(r2.data, cmd, keys);
  auto rfm2 = ota::decode_response(por2.data, ota::ScriptFormat::ExpandedIndefinite);
  REQUIRE(rfm2.ok());
  CHECK(to_hex(rfm2.value().rapdus.at(1)) == "0809101010325476989000");
}

TEST_CASE("REQ-FS-10 a TAR with the terminal's access domain cannot write EF_IMSI", "[usim][ota][access][REQ-FS-10]") {
  CardFile f = example_file();
  f.config.tars.push_back(TarConfig{ota::Tar(ByteArray<3>{0xB0, 0x00, 0x20}), ota::ScriptFormat::Compact, 0x00, false});
  Card c = make_card(f);
  OtaCommand cmd = set_imsi_command();
  cmd.tar = "b00020";
  const auto r = deliver(c, envelopes(wrap(cmd, c.config().key_sets.at(0))).at(0));
  const auto por = read_por(r.data, cmd, c.config().key_sets.at(0));
  REQUIRE(por.status == ota::ResponseStatus::PorOk);
  CHECK(to_hex(por.data) == "026982");
  CHECK(imsi_of(c.state().fs).value().digits() == "001010123456789");
}

TEST_CASE("REQ-FS-51 a concatenated command packet is reassembled across two ENVELOPEs",
          "[usim][ota][sms][REQ-FS-51]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(0);
  OtaCommand cmd = set_imsi_command();
  for (int i = 0; i < 30; ++i) cmd.script.push_back(hx("00b0000009"));
  const auto env = envelopes(wrap(cmd, keys), 0x42);
  REQUIRE(env.size() == 2);
  CHECK(to_hex(c.transmit(env[0]).encode()) == "9000");
  CHECK(c.state().sms_segments.size() == 1);
  CHECK(imsi_of(c.state().fs).value().digits() == "001010123456789");
  const auto r = deliver(c, env[1]);
  CHECK(static_cast<int>(r.sw) == 0x9126);
  const auto por = read_por(r.data, cmd, keys);
  CHECK(por.status == ota::ResponseStatus::PorOk);
  CHECK(to_hex(por.data).substr(0, 6) == "209000");  // 32 commands, last SW 9000, then EF_IMSI
  CHECK(c.state().sms_segments.empty());
  CHECK(imsi_of(c.state().fs).value() == kNewImsi);
}

TEST_CASE("REQ-FS-56 a PoR that would not fit one SMS fails the step: nothing applied, not even the counter",
          "[usim][ota][REQ-FS-56][REQ-FS-21]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(1);
  OtaCommand cmd;
  cmd.tar = "b00011";
  cmd.kic = 0x25;
  cmd.kid = 0x25;
  cmd.format = ota::ScriptFormat::ExpandedDefinite;
  cmd.script = ota::script_set_ef_imsi(encode_ef_imsi(kNewImsi));
  for (int i = 0; i < 4; ++i) {
    cmd.script.push_back(hx("00a4000c026f08"));
    cmd.script.push_back(hx("00b0000021"));  // 33 octets of EF_KEYS each
  }
  const CardState before = c.state();
  CHECK(tx(c, to_hex(envelopes(wrap(cmd, keys)).at(0))) == "6f00");
  CHECK(c.state() == before);
}

TEST_CASE("REQ-FS-52 a packet too short to name its TAR is dropped with 6A 80, nothing changes",
          "[usim][ota][REQ-FS-52][REQ-FS-21]") {
  Card c = example_card();
  ota::SmsDeliver d;
  d.originator = kServer;
  d.user_data = hx("027000" "0010" "15" "1619" "12" "12" "b0");  // CPL 16, stops inside the TAR
  ota::SmsPpDownload dl;
  dl.tpdu = ota::encode_sms_deliver(d);
  const CardState before = c.state();
  CHECK(tx(c, to_hex(ota::encode_sms_pp_download(dl))) == "6a80");
  CHECK(c.state() == before);
  // Not a data download SMS (TP-PID 00): 6A 80 as well.
  d.pid = 0x00;
  dl.tpdu = ota::encode_sms_deliver(d);
  CHECK(tx(c, to_hex(ota::encode_sms_pp_download(dl))) == "6a80");
  CHECK(c.state() == before);
}

TEST_CASE("REQ-FS-62 a script that does not parse runs nothing: 0 executed, 6A 80 (the counter still moves)",
          "[usim][ota][rfm][REQ-FS-62]") {
  Card c = example_card();
  const auto& keys = c.config().key_sets.at(0);
  OtaCommand cmd;
  cmd.raw_data = hx("00a4000c05");  // Lc 5, no data
  const auto r = deliver(c, envelopes(wrap(cmd, keys)).at(0));
  const auto por = read_por(r.data, cmd, keys);
  CHECK(por.status == ota::ResponseStatus::PorOk);
  CHECK(to_hex(por.data) == "006a80");
  CHECK(c.state().ota_counters.at(1) == 1);
  CHECK(imsi_of(c.state().fs).value().digits() == "001010123456789");
}
