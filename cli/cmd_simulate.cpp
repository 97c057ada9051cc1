// mnoswitch simulate: the fleet switch end to end (issue 5 item 5; spec/scenario.md).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/command.hpp"
#include "cli/simulate_report.hpp"
#include "reference/mechanism/fleet.hpp"
#include "reference/mechanism/replay.hpp"
#include "reference/mechanism/scenario.hpp"

namespace mnoswitch::cli {
namespace {

// Issue 6 item 3: a refutation replayed as a scripted scenario (spec/formats.md "Replay trace"). Exit 0 when
// the implementation behaves as expected (guard off: the same violation at the same step; guard on: a step
// refused, or every step harmless, with no violation), 1 when it does not or a step cannot be mapped.
int replay(const std::string& path, const std::string& guard, bool json) {
  if (guard != "on" && guard != "off") fail(kBadInput, fmt::format("--guard: expected on or off, got \"{}\"", guard));
  const std::string text = read_user_file(path, "replay trace");
  nlohmann::json trace;
  try {
    trace = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(kBadInput, fmt::format("{}: not JSON: {}", path, e.what()));
  }
  mechanism::ReplayReport r;
  try {
    r = mechanism::replay(trace, guard == "on" ? mechanism::GuardMode::On : mechanism::GuardMode::Off);
  } catch (const std::invalid_argument& e) {
    fail(kBadInput, fmt::format("{}: {}", path, e.what()));
  } catch (const std::runtime_error& e) {
    fail(kEnvironment, e.what());
  }
  if (json) {
    print_json(mechanism::to_json(r));
  } else {
    fmt::print("replay of {} ({}{}, guard {}): {}\n", path, r.variant, r.requirement_off.empty() ? "" : " without " + r.requirement_off, guard, r.outcome);
    for (const auto& s : r.steps)
      fmt::print("  {:>2}. {:<15} {:<34} {}{}\n", s.step, s.action, s.args.dump(), s.allowed ? "allowed" : "REFUSED: " + s.refusal,
                 s.violated.empty() ? "" : fmt::format("  ✘ {}", fmt::join(s.violated, ", ")));
    fmt::print("  → {}\n", r.reason);
  }
  if (r.outcome == "unmappable") fmt::print(stderr, "step {} cannot be replayed: {}\n", r.step, r.reason);
  return r.ok ? kOk : kNegative;
}

int run(const std::string& scenario_path, const std::string& variant_text, std::optional<std::uint64_t> devices,
        std::optional<std::uint64_t> seed, const std::string& db_dir, bool json, const std::string& trace_path,
        const std::string& pcap_path, bool sync_full) {
  auto variant = mechanism::parse_variant(variant_text);
  if (!variant) fail(kBadInput, fmt::format("--variant: expected seed or safe, got \"{}\"", variant_text));
  std::string text(mechanism::default_scenario_json());
  if (!scenario_path.empty()) {
    text = read_user_file(scenario_path, "scenario");
  }
  auto scenario = mechanism::parse_scenario(text);
  if (scenario.failed()) fail(kBadInput, scenario.error().message);
  mechanism::FleetOptions o;
  o.scenario = std::move(scenario).value();
  if (devices) {
    if (*devices == 0 || *devices > o.scenario.b.range_size || *devices > o.scenario.a.range_size)
      fail(kBadInput, "--devices: must be at least 1 and fit in both operators' IMSI ranges");
    o.scenario.devices = *devices;
    o.scenario.name += fmt::format(" (resized to {} devices by --devices)", *devices);
  }
  if (seed) o.scenario.seed = *seed;
  o.variant = *variant;
  o.db_dir = db_dir;
  o.sync = sync_full ? operators::db::Synchronous::Full : operators::db::Synchronous::Normal;
  std::optional<mechanism::TraceWriter> trace;
  std::optional<mechanism::PcapWriter> pcap;
  if (!trace_path.empty()) {
    auto t = mechanism::TraceWriter::open(trace_path);
    if (t.failed()) fail(kEnvironment, fmt::format("cannot write {}", trace_path));
    trace.emplace(std::move(t).value());
    o.trace = &*trace;
  }
  if (!pcap_path.empty()) {
    auto p = mechanism::PcapWriter::open(pcap_path);
    if (p.failed()) fail(kEnvironment, fmt::format("cannot write {}", pcap_path));
    pcap.emplace(std::move(p).value());
    o.pcap = &*pcap;
  }
  const bool tty = isatty(fileno(stderr)) != 0;
  if (tty) {
    o.progress = [](std::uint64_t settled, std::uint64_t n, std::uint64_t tick) {
      const int width = 40;
      const auto filled = static_cast<int>(n == 0 ? 0 : settled * width / n);
      fmt::print(stderr, "\r  [{:<{}}] {:>7}/{} settled, tick {}", std::string(static_cast<std::size_t>(filled), '#'),
                 width, settled, n, tick);
    };
  }
  auto summary = mechanism::run_fleet(o);
  if (tty) fmt::print(stderr, "\r{:<80}\r", "");
  if (summary.failed()) fail(kEnvironment, summary.error().message);
  if (trace && trace->close().failed()) fail(kEnvironment, fmt::format("cannot write {}", trace_path));
  if (pcap && pcap->close().failed()) fail(kEnvironment, fmt::format("cannot write {}", pcap_path));
  if (json) {
    print_json(mechanism::to_json(summary.value()));
  } else {
    print_summary(summary.value());
  }
  // README exit codes: a stranded device or an invariant violated is a "no" (the seed's runs end here).
  const auto& sm = summary.value();
  return sm.stranded == 0 && total_violations(sm) == 0 ? kOk : kNegative;
}

Registration reg{Command{
    "simulate",
    "Run the fleet switch end to end (default: 10,000 devices A -> B with faults and a crash of A)",
    [](CLI::App& app) {
      struct Opts {
        std::string scenario, variant = "safe", db, trace, pcap, replay, guard = "off";
        std::optional<std::uint64_t> devices, seed;
        bool json = false, full = false;
      };
      auto o = std::make_shared<Opts>();
      app.add_option("scenario", o->scenario, "scenario JSON (spec/scenario.md); default: the embedded one");
      app.add_option("--variant", o->variant, "seed (the contribution's order) or safe (the refined procedure)");
      app.add_option("--devices", o->devices, "fleet size (overrides the scenario)")->check(kUnsignedDecimal);
      app.add_option("--seed", o->seed, "fault PRNG seed (overrides the scenario)")->check(kUnsignedDecimal);
      app.add_option("--db", o->db, "directory for the operators' SQLite stores (a.db, b.db; replaced)");
      app.add_flag("--json", o->json, "print the summary as JSON");
      app.add_option("--trace", o->trace, "write every abstract state change as JSON lines");
      app.add_option("--pcap", o->pcap, "write the OTA APDU traffic as GSMTAP SIM frames (pcap)");
      app.add_flag("--sync-full", o->full, "SQLite synchronous=FULL (default NORMAL, WAL)");
      app.footer("Exit codes: 0 no device stranded and every invariant kept (a replay: as expected); 1 a device\n"
                 "stranded or an invariant violated (the seed under faults); 2 bad input; 3 a file or database error.");
      app.add_option("--replay", o->replay, "replay a trace of `check --export-traces` step by step (exit 0: as expected)");
      app.add_option("--guard", o->guard, "with --replay: off (the trace's requirement switched off) or on (safe)");
      return [o] {
        if (o->replay.empty() && o->guard != "off") fail(kBadInput, "--guard applies to --replay only");
        if (!o->replay.empty()) {
          // A replay trace fixes its own fleet and scenario: the run's options would be silently ignored.
          if (!o->scenario.empty() || o->devices || o->seed || !o->db.empty() || !o->trace.empty() || !o->pcap.empty() ||
              o->full || o->variant != "safe")
            fail(kBadInput, "--replay takes only --guard and --json (the trace fixes the fleet, the variant and the steps)");
          return replay(o->replay, o->guard, o->json);
        }
        return run(o->scenario, o->variant, o->devices, o->seed, o->db, o->json, o->trace, o->pcap, o->full);
      };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
