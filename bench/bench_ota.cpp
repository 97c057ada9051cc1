// OTA command packets (TS 102 225 §5.1, SPI 16 19: CC + ciphering + counter) wrapped by the server and opened by
// the card per second, for 3DES (2 keys) and AES-128 with a 40-octet RFM script, beside the limit: OpenSSL's
// raw pre-keyed CBC over the same bytes (one pass for the CC, one for the ciphering).
#include <benchmark/benchmark.h>

#include <string>

#include "reference/crypto/raw.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/server.hpp"

using namespace mnoswitch;
using namespace mnoswitch::ota;

namespace {

struct Fixture {
  KeySet keys;
  CommandSpec spec;
  Bytes packet;
  OtaCounter stored;
  CardView card;
  explicit Fixture(bool aes) {
    keys.kvn = KeyVersion(1);
    keys.kic = KicKey(Bytes(16, 0x4B));
    keys.kid = KidKey(Bytes(16, 0xB4));
    spec.spi = Spi::decode(0x1619).value();
    spec.kic = aes ? KicByte(0x12) : KicByte(0x15);
    spec.kid = aes ? KidByte(0x12) : KidByte(0x15);
    spec.tar = Tar(ByteArray<3>{0xB0, 0x00, 0x11});
    spec.counter = *OtaCounter::make(2);
    spec.data = Bytes(40, 0xA5);  // a 40-octet script
    packet = wrap_command(spec, keys).value();
    stored = *OtaCounter::make(1);
    card.key_set = [this](KeyVersion) { return &keys; };
    card.counter = [this](KeyVersion) { return std::optional<OtaCounter>(stored); };
    card.tar = [](const Tar&) { return std::optional<TarPolicy>(TarPolicy{}); };
  }
};

std::string fmt_label(bool aes, std::size_t covered, std::size_t ciphered) {
  return std::string(aes ? "AES-128" : "3DES-2key") + " CBC over " + std::to_string(covered) + " + " +
         std::to_string(ciphered) + " octets";
}

void BM_Wrap(benchmark::State& state) {
  Fixture f(state.range(0) == 1);
  for (auto _ : state) {
    auto p = wrap_command(f.spec, f.keys);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 1 ? "AES-128, 40-octet script" : "3DES-2key, 40-octet script");
}

void BM_Unwrap(benchmark::State& state) {
  Fixture f(state.range(0) == 1);
  for (auto _ : state) {
    auto v = open_command(f.packet, f.card);
    if (!v.ok() || !v.value().accepted()) state.SkipWithError("packet refused");
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 1 ? "AES-128, 40-octet script" : "3DES-2key, 40-octet script");
}

// The limit: a pre-keyed CBC pass over the CC input (CPL..padding without the CC: packet - CC length) and one
// over the ciphered part (CNTR..padding), the same byte counts a wrap or an unwrap has to process.
void BM_RawOpenSslLimit(benchmark::State& state) {
  const bool aes = state.range(0) == 1;
  Fixture f(aes);
  const std::size_t block = aes ? 16 : 8;
  const std::size_t ciphered = f.packet.size() - 10;
  std::size_t covered = f.packet.size() - 8;
  covered = (covered + block - 1) / block * block;  // CBC-MAC pads; CMAC's own padding is the same work
  auto mac = crypto::RawCbc::make(aes ? crypto::RawCbc::Algorithm::Aes128 : crypto::RawCbc::Algorithm::TripleDes2Key,
                                  f.keys.kid.expose())
                 .value();
  auto enc = crypto::RawCbc::make(aes ? crypto::RawCbc::Algorithm::Aes128 : crypto::RawCbc::Algorithm::TripleDes2Key,
                                  f.keys.kic.expose())
                 .value();
  Bytes a(covered, 0x11), b(ciphered, 0x22);
  for (auto _ : state) {
    bool ok = mac.encrypt(a) && enc.encrypt(b);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(a.data());
    benchmark::DoNotOptimize(b.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(fmt_label(aes, covered, ciphered));
}

}  // namespace

BENCHMARK(BM_Wrap)->Arg(0)->Arg(1);
BENCHMARK(BM_Unwrap)->Arg(0)->Arg(1);
BENCHMARK(BM_RawOpenSslLimit)->Arg(0)->Arg(1);
BENCHMARK_MAIN();
