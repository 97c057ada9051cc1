// Batch files and the operator store (spec/formats.md): seal/open cost per hand-over record, accepting a batch
// into SQLite with synchronous FULL and NORMAL, and the per-command cost of reserving an OTA counter (one
// transaction each), which bounds the fleet switch's OTA rate.
#include <benchmark/benchmark.h>

#include "tests/support/batch_fixture.hpp"

using namespace mnoswitch;
using namespace mnoswitch::operators;
using namespace mnoswitch::testing;

namespace {

Bytes sealed(const Operators& ops, std::size_t n, std::uint64_t seq) {
  return seal_batch(ops.a, ops.b.public_keys(), BatchRecords{hand_overs(1, n)}, SealOptions{seq, 0, {}}).value();
}

void BM_SealHandOver(benchmark::State& state) {
  Operators ops;
  const auto n = static_cast<std::size_t>(state.range(0));
  BatchRecords recs{hand_overs(1, n)};
  for (auto _ : state) {
    auto f = seal_batch(ops.a, ops.b.public_keys(), recs, SealOptions{1, 0, {}});
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_SealHandOver)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OpenHandOver(benchmark::State& state) {
  Operators ops;
  const auto n = static_cast<std::size_t>(state.range(0));
  Bytes f = sealed(ops, n, 1);
  FixedImsiView view;
  for (auto _ : state) {
    auto b = open_batch(f, ops.b, ops.b_peers, NoReplay{}, view);
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_OpenHandOver)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// range(0): records; range(1): 1 = FULL, 0 = NORMAL.
void BM_AcceptHandOver(benchmark::State& state) {
  Operators ops;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto sync = state.range(1) != 0 ? db::Synchronous::Full : db::Synchronous::Normal;
  TempDir dir;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto path = dir.file(fmt::format("b{}.db", seq));
    auto store = OperatorStore::open(path, sync, ops.b.id()).value();
    (void)store.add_imsi_range(range_b());
    Bytes f = sealed(ops, n, ++seq);
    state.ResumeTiming();
    auto r = store.accept_batch(f, ops.b, ops.b_peers);
    if (r.failed()) state.SkipWithError("accept failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
  state.SetLabel(sync == db::Synchronous::Full ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(BM_AcceptHandOver)
    ->Args({10000, 1})
    ->Args({10000, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// One OTA command's durable bookkeeping: counter + 1 and the journal line, committed.
void BM_ReserveOtaCounter(benchmark::State& state) {
  const auto sync = state.range(0) != 0 ? db::Synchronous::Full : db::Synchronous::Normal;
  TempDir dir;
  auto store = OperatorStore::open(dir.file("a.db"), sync, op_id("mno-a")).value();
  constexpr std::uint64_t kCards = 1000;
  for (std::uint64_t c = 0; c < kCards; ++c) (void)store.put_key_set(iccid(c), key_set(1, 0));
  std::uint64_t i = 0;
  Bytes detail(32, 0xAB);
  for (auto _ : state) {
    auto r = store.reserve_ota_counter(iccid(i++ % kCards), 1, detail);
    if (r.failed()) state.SkipWithError("reserve failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(sync == db::Synchronous::Full ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(BM_ReserveOtaCounter)->Arg(1)->Arg(0)->UseRealTime();

// The same, 1000 reservations per caller transaction (each in its own savepoint): how a fleet switch should
// group devices per commit when synchronous=FULL.
void BM_ReserveOtaCounterGrouped(benchmark::State& state) {
  const auto sync = state.range(0) != 0 ? db::Synchronous::Full : db::Synchronous::Normal;
  TempDir dir;
  auto store = OperatorStore::open(dir.file("a.db"), sync, op_id("mno-a")).value();
  constexpr std::uint64_t kCards = 1000;
  for (std::uint64_t c = 0; c < kCards; ++c) (void)store.put_key_set(iccid(c), key_set(1, 0));
  Bytes detail(32, 0xAB);
  for (auto _ : state) {
    auto tx = db::Transaction::begin(store.database()).value();
    for (std::uint64_t c = 0; c < kCards; ++c)
      if (store.reserve_ota_counter(iccid(c), 1, detail).failed()) state.SkipWithError("reserve failed");
    if (tx.commit().failed()) state.SkipWithError("commit failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kCards));
  state.SetLabel(sync == db::Synchronous::Full ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(BM_ReserveOtaCounterGrouped)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
