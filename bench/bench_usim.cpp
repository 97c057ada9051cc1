// The USIM card's cost per APDU (TS 102 221 READ BINARY, TS 31.102 AUTHENTICATE, TS 31.111 ENVELOPE with a secured
// "set EF_IMSI" packet): what the fleet simulation pays per card operation. Every command runs on a copy of the
// card state (REQ-FS-21), so READ BINARY measures mostly that copy.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "reference/core/hex.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"
#include "reference/usim/card_file.hpp"

using namespace mnoswitch;
using namespace mnoswitch::usim;

namespace {

// The example card of tests/data, inline so that the benchmark needs no file.
constexpr const char* kCard = R"({"format": "mnoswitch-card/1", "iccid": "89014103211118510720", "imsi": "001010123456789",
 "mnc_length": 2, "aka": {"k": "465b5ce8b199b49faa5f0a2ee238a6bc", "opc": "cd63cb71954a9f4e48a5994e37a02baf"},
 "ota": {"key_sets": [{"kvn": 1, "kic": "000102030405060708090a0b0c0d0e0f", "kid": "101112131415161718191a1b1c1d1e1f"}],
         "tars": [{"tar": "b00010", "format": "compact", "minimum_security_level": "16"}]}})";

CardFile card_file() { return parse_card_file(kCard).value(); }
Bytes hx(std::string_view h) { return parse_hex(h).value(); }

void BM_ReadBinary(benchmark::State& st) {
  Card c = make_card(card_file());
  (void)c.transmit(hx("00a4080c047fff6f07"));
  const Bytes read = hx("00b0000009");
  for (auto _ : st) benchmark::DoNotOptimize(c.transmit(read));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_ReadBinary);

// TS 35.208 set 1, replayed: MAC verified, SQN stale → AUTS (the accepting path would need a fresh SQN per call).
void BM_Authenticate3g(benchmark::State& st) {
  Card c = make_card(card_file());
  (void)c.transmit(hx("00a4040c07a0000000871002"));
  const Bytes auth = hx("0088008122" "10" "23553cbe9637a89d218ae64dae47bf35" "10" "55f328b43577b9b94a9ffac354dfafb3");
  (void)c.transmit(auth);
  for (auto _ : st) benchmark::DoNotOptimize(c.transmit(auth));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Authenticate3g);

// AES-128 CBC + CMAC packet, counter "higher", PoR with CC and ciphering; a fresh card copy per iteration so that
// every packet is accepted and applied (EF_IMSI written, REFRESH queued).
void BM_EnvelopeSetImsi(benchmark::State& st) {
  const CardFile f = card_file();
  ota::CommandSpec spec;
  spec.spi = ota::Spi::decode(0x1619).value();
  spec.kic = ota::KicByte(0x12);
  spec.kid = ota::KidByte(0x12);
  spec.tar = ota::Tar(ByteArray<3>{0xB0, 0x00, 0x10});
  spec.counter = *ota::OtaCounter::make(1);
  spec.data = ota::encode_script(
      ota::script_set_ef_imsi(encode_ef_imsi(Imsi::parse("001019876543210", MncLength::Two).value())),
      ota::ScriptFormat::Compact);
  const Bytes packet = ota::wrap_command(spec, f.config.key_sets.at(0)).value();
  ota::SmsDeliver d;
  d.originator = ota::SmsAddress{0x91, "491720000000"};
  d.user_data = ota::command_packet_user_data(packet, 1).at(0);
  ota::SmsPpDownload dl;
  dl.tpdu = ota::encode_sms_deliver(d);
  const Bytes envelope = ota::encode_sms_pp_download(dl);
  const Card fresh = make_card(f);
  for (auto _ : st) {
    Card c = fresh;
    benchmark::DoNotOptimize(c.transmit(envelope));
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_EnvelopeSetImsi);

void BM_CardFileRoundTrip(benchmark::State& st) {
  const CardFile f = card_file();
  for (auto _ : st) benchmark::DoNotOptimize(parse_card_file(write_card_file(f)));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_CardFileRoundTrip);

}  // namespace

BENCHMARK_MAIN();
