// issue 5 item 8: the fleet switch end to end (variant safe, the default scenario's faults and crash of A) with
// durable SQLite — devices switched per second, wall time and peak memory for 1,000 and 100,000 devices, with
// synchronous=NORMAL and FULL. 1,000,000 devices when MNOSWITCH_BENCH_1M=1 (about 10 minutes and 7 GB).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>

#include "reference/mechanism/fleet.hpp"

namespace {

using namespace mnoswitch;

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

void BM_FleetSwitch(benchmark::State& state) {
  const auto devices = static_cast<std::uint64_t>(state.range(0));
  const bool full = state.range(1) != 0;
  mechanism::Summary last;
  for (auto _ : state) {
    mechanism::FleetOptions o;
    o.scenario = mechanism::default_scenario();
    o.scenario.devices = devices;
    // The default's SMSC rate (250 commands per tick) sends 10,000 changes in 40 ticks; keep that proportion so
    // that a larger fleet finishes within the deadline instead of being cut off by it.
    o.scenario.procedure.send_per_tick =
        std::max<std::uint32_t>(o.scenario.procedure.send_per_tick, static_cast<std::uint32_t>(devices / 40));
    o.variant = mechanism::Variant::Safe;
    o.sync = full ? operators::db::Synchronous::Full : operators::db::Synchronous::Normal;
    auto r = mechanism::run_fleet(o);
    if (r.failed()) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    last = r.value();
  }
  state.SetLabel(full ? "synchronous=FULL" : "synchronous=NORMAL");
  state.counters["devices"] = static_cast<double>(devices);
  state.counters["switched"] = static_cast<double>(last.switched);
  state.counters["stranded"] = static_cast<double>(last.stranded);
  state.counters["pending"] = static_cast<double>(last.pending);
  state.counters["switched_per_s"] = static_cast<double>(last.switched) / last.seconds;
  state.counters["sim_seconds"] = last.seconds;
  state.counters["ota_packets"] = static_cast<double>(last.ota_commands);
  state.counters["transactions"] = static_cast<double>(last.transactions);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void sizes(benchmark::internal::Benchmark* b) {
  for (long full : {0L, 1L}) b->Args({1'000, full});
  for (long full : {0L, 1L}) b->Args({100'000, full});
  if (const char* e = std::getenv("MNOSWITCH_BENCH_1M"); e != nullptr && e[0] == '1') b->Args({1'000'000, 0});
}

BENCHMARK(BM_FleetSwitch)->Apply(sizes)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
