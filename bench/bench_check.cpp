// Issue 4 item 8: the review (`mnoswitch check`, spec/invariants.md) as a benchmark, not a timed test. Goals on
// this 2-core machine: the whole default check under 60 s, the induction obligations of `safe` under 5 s in total.
// Beside our in-process Z3 (C++ API) the same run measures the peers that re-check our proofs: the z3 and cvc5
// command-line solvers on the very same obligations exported as SMT-LIB 2 (proofs/recheck.sh does the
// verdict check; here only the time counts). BMC is reported as depth per second on a search that finds nothing
// (safe, INV-CONNECT), so every depth up to the bound is explored.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/bmc.hpp"
#include "model/check.hpp"
#include "model/export.hpp"
#include "model/induction.hpp"
#include "model/requirements.hpp"

namespace {

using namespace mnoswitch::model;

// The whole default `mnoswitch check` (both variants, requirement table, non-vacuity) on 2 solver threads.
void BM_CheckDefault(benchmark::State& state) {
  Report rep;
  for (auto _ : state) {
    CheckOptions o;  // the CLI's defaults: bound 8, 2 jobs
    rep = run_check(o);
    if (!rep.ok) state.SkipWithError("check: some expectation does not hold");
  }
  state.counters["obligations"] = rep.times.obligations;
  state.counters["induction_cpu_s"] = rep.times.induction;
  state.counters["bmc_cpu_s"] = rep.times.bmc;
  state.counters["reach_cpu_s"] = rep.times.reach;
  state.counters["wall_s"] = rep.times.wall;
}
BENCHMARK(BM_CheckDefault)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// Induction alone: every obligation of `safe` (Init ⇒ Inv, Inv ∧ T_a ⇒ Inv′ per action × conjunct), one thread.
void BM_InductionSafe(benchmark::State& state) {
  std::size_t n = 0;
  double slowest = 0;
  for (auto _ : state) {
    InductionOptions o;
    o.want_cti = false;
    const auto r = prove(safe_variant(), o);
    n = r.size();
    for (const auto& ob : r) {
      if (ob.verdict != Verdict::Proved) state.SkipWithError("an obligation of safe is not proved");
      slowest = std::max(slowest, ob.seconds);
    }
  }
  state.counters["obligations"] = static_cast<double>(n);
  state.counters["obligations/s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                       benchmark::Counter::kIsRate);
  state.counters["slowest_ms"] = slowest * 1000.0;
}
BENCHMARK(BM_InductionSafe)->Unit(benchmark::kMillisecond)->UseRealTime();

// BMC from Init to depth d with no violation to find: the cost of the unrolling itself.
void BM_BmcDepth(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  for (auto _ : state) {
    BmcOptions o;
    o.bound = d;
    o.max_fleet = 1;
    const auto r = bmc(safe_variant(), {"INV-CONNECT"}, o);
    if (r.empty() || r.front().verdict == Verdict::Refuted) state.SkipWithError("safe refuted: not a no-violation search");
  }
  state.counters["depth/s"] = benchmark::Counter(static_cast<double>(d) * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BmcDepth)->Arg(4)->Arg(6)->Arg(8)->Unit(benchmark::kSecond)->UseRealTime();

// The peers: the same induction obligations of `safe` through the z3 and cvc5 command-line solvers (one
// process per obligation, as proofs/recheck.sh runs them). range(0): 0 = z3, 1 = cvc5.
struct Exported {
  std::filesystem::path dir;
  std::vector<std::string> induction;  // files of safe's induction obligations
};
const Exported& exported() {
  static const Exported e = [] {
    Exported x;
    x.dir = std::filesystem::temp_directory_path() / fmt::format("mnoswitch-bench-check-{}", ::getpid());
    for (const auto& ob : export_smt2(x.dir.string(), 8, 30000))
      if (ob.name.rfind("safe/", 0) == 0) x.induction.push_back((x.dir / ob.file).string());
    return x;
  }();
  return e;
}

void BM_PeerSolverInduction(benchmark::State& state) {
  const bool cvc5 = state.range(0) == 1;
  const auto& e = exported();
  state.SetLabel(cvc5 ? "cvc5 CLI" : "z3 CLI");
  for (auto _ : state) {
    for (const auto& f : e.induction) {
      const std::string cmd = cvc5 ? fmt::format("cvc5 --finite-model-find --tlimit=60000 '{}' 2>&1", f)
                                   : fmt::format("z3 -T:60 '{}' 2>&1", f);
      FILE* p = ::popen(cmd.c_str(), "r");
      if (p == nullptr) {
        state.SkipWithError("cannot start the solver");
        return;
      }
      char buf[64] = {};
      const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
      ::pclose(p);
      if (!got || std::string(buf).rfind("unsat", 0) != 0) {
        state.SkipWithError("peer solver did not answer unsat");
        return;
      }
    }
  }
  state.counters["obligations"] = static_cast<double>(e.induction.size());
  state.counters["obligations/s"] = benchmark::Counter(
      static_cast<double>(e.induction.size()) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PeerSolverInduction)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / fmt::format("mnoswitch-bench-check-{}", ::getpid()), ec);
  return 0;
}
