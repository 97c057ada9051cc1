// REQ-AKA-04, REQ-AKA-11: authentication vectors per second on one core (TS 33.102 §6.3.2 with Milenage, TS 35.206):
// (a) our AuC with the per-subscriber key schedule and OPc cached, (b) libosmocore's osmo_auth_gen_vec, (c) the AES-128
// limit (5 blocks per vector). Each benchmark reports `vectors/s`; the README quotes the three and the ratio (a)/(b).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "reference/aka/auc.hpp"
#include "reference/aka/milenage.hpp"
#include "reference/crypto/aes.hpp"

#if defined(MNOSWITCH_HAVE_OSMO)
extern "C" {
#include <osmocom/crypt/auth.h>
}
#endif

namespace {

using namespace mnoswitch;
using namespace mnoswitch::aka;

// TS 35.208 set 1 (the subscriber's data is irrelevant to the speed; any K/OPc will do).
constexpr ByteArray<16> kK{0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
                           0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
constexpr ByteArray<16> kOpc{0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                             0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
constexpr Amf kAmf{ByteArray<2>{0x80, 0x00}};

void rate(benchmark::State& state, double vectors) {
  state.counters["vectors/s"] = benchmark::Counter(vectors, benchmark::Counter::kIsRate);
}

// (a) Our AuC: Milenage object built once per subscriber (key schedule + OPc), RANDs from the buffered CSPRNG.
void BM_OurAuc(benchmark::State& state) {
  const Milenage m{K{kK}, Opc{kOpc}};
  AucSqnState sqn{};
  RandPool pool;
  std::uint64_t n = 0;
  for (auto _ : state) {
    auto v = generate_vector(m, sqn, pool, kAmf);
    benchmark::DoNotOptimize(v);
    ++n;
  }
  rate(state, static_cast<double>(n));
}
BENCHMARK(BM_OurAuc);

// (a, Milenage only) The vector computation without the AuC's SQN/RAND bookkeeping: where the time goes.
void BM_MilenageVectorOnly(benchmark::State& state) {
  const Milenage m{K{kK}, Opc{kOpc}};
  const Rand rand(kK);
  std::uint64_t n = 0;
  for (auto _ : state) {
    auto v = m.vector(rand, Sqn::make(n & 0xffff).value(), kAmf);
    benchmark::DoNotOptimize(v);
    ++n;
  }
  rate(state, static_cast<double>(n));
}
BENCHMARK(BM_MilenageVectorOnly);

// The CSPRNG share of (a): drawing RANDs from the buffered pool alone.
void BM_RandPool(benchmark::State& state) {
  RandPool pool;
  for (auto _ : state) {
    auto r = pool.next();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_RandPool);

// (a, batch) Our AuC answering a request for several vectors at once (5: the usual S6a/MAP request size).
void BM_OurAucBatch(benchmark::State& state) {
  const Milenage m{K{kK}, Opc{kOpc}};
  AucSqnState sqn{};
  RandPool pool;
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t n = 0;
  for (auto _ : state) {
    auto v = generate_vectors(m, sqn, pool, kAmf, batch);
    benchmark::DoNotOptimize(v);
    n += batch;
  }
  rate(state, static_cast<double>(n));
}
BENCHMARK(BM_OurAucBatch)->Arg(5)->Arg(16);

// (a') Our AuC building the subscriber's Milenage per vector (what an AuC without a cache pays).
void BM_OurAucUncached(benchmark::State& state) {
  AucSqnState sqn{};
  RandPool pool;
  std::uint64_t n = 0;
  for (auto _ : state) {
    const Milenage m{K{kK}, Opc{kOpc}};
    auto v = generate_vector(m, sqn, pool, kAmf);
    benchmark::DoNotOptimize(v);
    ++n;
  }
  rate(state, static_cast<double>(n));
}
BENCHMARK(BM_OurAucUncached);

#if defined(MNOSWITCH_HAVE_OSMO)
// (b) libosmocore: osmo_auth_gen_vec with Milenage and OPc; RANDs from the same buffered CSPRNG for a fair fight.
void BM_LibosmocoreGenVec(benchmark::State& state) {
  osmo_sub_auth_data aud{};
  aud.type = OSMO_AUTH_TYPE_UMTS;
  aud.algo = OSMO_AUTH_ALG_MILENAGE;
  std::copy(kK.begin(), kK.end(), aud.u.umts.k);
  std::copy(kOpc.begin(), kOpc.end(), aud.u.umts.opc);
  aud.u.umts.opc_is_op = 0;
  aud.u.umts.amf[0] = kAmf.bytes()[0];
  aud.u.umts.amf[1] = kAmf.bytes()[1];
  aud.u.umts.ind_bitlen = 5;
  RandPool pool;
  std::uint64_t n = 0;
  for (auto _ : state) {
    osmo_auth_vector vec{};
    const Rand r = pool.next();
    if (osmo_auth_gen_vec(&vec, &aud, r.bytes().data()) != 0) {
      state.SkipWithError("osmo_auth_gen_vec failed");
      break;
    }
    benchmark::DoNotOptimize(vec);
    ++n;
  }
  rate(state, static_cast<double>(n));
}
BENCHMARK(BM_LibosmocoreGenVec);
#endif

// (c) The physical limit: raw AES-128 blocks through the same cached key schedule, 5 blocks per vector.
void BM_Aes128Limit(benchmark::State& state) {
  const crypto::Aes128 aes(kK);
  std::vector<crypto::AesBlock> blocks(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < blocks.size(); ++i) blocks[i][0] = static_cast<std::uint8_t>(i);
  std::uint64_t n = 0;
  for (auto _ : state) {
    aes.encrypt_blocks(blocks, blocks);
    benchmark::DoNotOptimize(blocks.data());
    n += blocks.size();
  }
  state.counters["blocks/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  rate(state, static_cast<double>(n) / 5.0);
}
// 5: one vector's worth of blocks per call; 1024: the streaming rate of AES-NI.
BENCHMARK(BM_Aes128Limit)->Arg(5)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
