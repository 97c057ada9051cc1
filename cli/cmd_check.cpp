// `mnoswitch check`: the review of the contribution (spec/mechanism.md, spec/invariants.md) — invariants ×
// variants, the requirement table, counterexample traces (numbered steps and Mermaid), non-vacuity.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "model/check.hpp"
#include "model/export.hpp"
#include "model/replay_export.hpp"
#include "model/invariants.hpp"
#include "model/protocol.hpp"
#include "model/report_json.hpp"

namespace mnoswitch::cli {
namespace {

using namespace mnoswitch::model;

struct Options {
  std::string variant = "all";
  std::vector<std::string> without;
  int bound = 8;
  bool json = false;
  bool list = false;
  int jobs = 2;
  unsigned timeout_ms = 30000;
  std::string export_dir;
  std::string traces_dir;  // --export-traces
  bool brief = false;      // --brief: one counterexample printed, the rest counted
  bool all_cti = false;    // --cti: every counterexample to induction
};

std::string verdict_cell(const ResultRow& r) {
  switch (r.verdict) {
    case Verdict::Proved: return "✔ proved for all fleet sizes";
    case Verdict::Refuted: return fmt::format("✘ refuted at depth {}", r.depth);
    case Verdict::Unknown: return "? unknown";
  }
  return "?";
}

// Pad by displayed width (the check marks are one column but several bytes).
std::string pad(const std::string& s, std::size_t w) {
  std::size_t cols = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0U) != 0x80U) ++cols;
  return cols >= w ? s + " " : s + std::string(w - cols, ' ');
}

void print_trace(const std::string& title, const Trace& t, bool with_mermaid = true) {
  fmt::print("\n### {}\n", title);
  for (const auto& l : steps_text(t)) fmt::print("{}\n", l);
  if (!with_mermaid) return;
  fmt::print("\n```mermaid\n");
  for (const auto& l : mermaid(t)) fmt::print("{}\n", l);
  fmt::print("```\n");
}

nlohmann::json list_json() {
  nlohmann::json j{{"invariants", nlohmann::json::array()}, {"actions", nlohmann::json::array()}, {"requirements", nlohmann::json::array()}};
  for (const auto& i : invariants())
    j["invariants"].push_back({{"id", i.id}, {"formula", i.name}, {"kind", i.safety ? "safety" : "helper"}, {"words", i.words}});
  for (const auto& a : actions()) {
    nlohmann::json ps = nlohmann::json::array();
    for (const auto& p : a.params) ps.push_back(p.name);
    j["actions"].push_back({{"name", a.name}, {"params", ps}, {"actor", a.actor}});
  }
  for (const auto& r : requirements())
    j["requirements"].push_back({{"id", std::string(r.id)}, {"title", std::string(r.title)}, {"flaw", std::string(r.flaw)}});
  return j;
}

void print_list() {
  fmt::print("Invariants (spec/invariants.md):\n");
  for (const auto& i : invariants())
    fmt::print("  {} {} {} — {}\n", pad(i.id, 14), pad(i.name, 18), pad(i.safety ? "safety" : "helper", 7), i.words);
  fmt::print("Actions (spec/mechanism.md §5):\n");
  for (const auto& a : actions()) {
    std::string ps;
    for (const auto& p : a.params) ps += (ps.empty() ? "" : ",") + p.name;
    fmt::print("  {}[{}] ({})\n", a.name, ps, a.actor);
  }
  fmt::print("Requirements of safe (spec/mechanism.md §3):\n");
  for (const auto& r : requirements()) fmt::print("  {} {} — without it: {}\n", r.id, pad(std::string(r.title), 32), r.flaw);
}

void print_human(const Report& rep, const Options& o) {
  fmt::print("mnoswitch check — change of MNO over the air (TR 33.812 alternative)\n");
  fmt::print("seed = the contribution in its order; safe = our refinement (spec/mechanism.md)\n\n");
  // Invariants × variants table.
  std::vector<std::string> variants;
  for (const auto& r : rep.results)
    if (std::find(variants.begin(), variants.end(), r.variant) == variants.end()) variants.push_back(r.variant);
  fmt::print("{}", pad("invariant", 15));
  for (const auto& v : variants) fmt::print("{}", pad(v, 32));
  fmt::print("\n");
  for (const auto& id : safety_ids()) {
    fmt::print("{}", pad(id, 15));
    for (const auto& v : variants)
      for (const auto& r : rep.results)
        if (r.variant == v && r.invariant == id) fmt::print("{}", pad(verdict_cell(r) + (r.ok ? "" : " (unexpected)"), 32));
    fmt::print("\n");
  }
  if (!rep.requirements.empty()) {
    fmt::print("\nRequirement table — safe with one requirement switched off (BMC from Init, depth ≤ {}):\n", o.bound);
    fmt::print("{}{}{}{}{}\n", pad("requirement", 12), pad("", 33), pad("refutes", 16), pad("depth", 7), "the flaw");
    for (const auto& r : rep.requirements) {
      std::string verdict = r.verdict == "refuted" ? "✘ " + r.invariant : r.verdict == "redundant" ? "— redundant/under-modelled" : "? unknown";
      fmt::print("{}{}{}{}{}{}\n", pad(r.requirement, 12), pad(r.title, 33), pad(verdict, 16),
                 pad(r.depth < 0 ? "-" : std::to_string(r.depth), 7), r.flaw, r.ok ? "" : "  (expected " + r.expected + ")");
    }
  }
  if (!rep.reach.empty()) {
    fmt::print("\nNon-vacuity (safe): ");
    std::size_t fired = 0, goals = 0;
    for (const auto& r : rep.reach) {
      if (r.goal.rfind("fires: ", 0) == 0) continue;
      ++goals;
      fmt::print("{} {} at depth {}; ", r.reached ? "✔" : "✘", r.goal, r.depth);
    }
    (void)goals;
    std::size_t enabled = 0;
    for (const auto& a : actions())
      if (a.enabled(safe_variant())) ++enabled;
    std::vector<std::string> missing;
    for (const auto& r : rep.reach)
      if (r.goal.rfind("fires: ", 0) == 0 && !r.reached) missing.push_back(r.goal.substr(7));
    fired = enabled - missing.size();
    fmt::print("{} every action fires on a reachable trace ({}/{})\n", missing.empty() ? "✔" : "✘", fired, enabled);
    for (const auto& m : missing) fmt::print("  ✘ never fires: {}\n", m);
  }
  // Traces. --brief (the demo): the seed's order (safe without make-before-break, so that B allocates inside its
  // own range) as numbered steps; the rest counted.
  if (o.brief) {
    std::size_t traces = 0;
    for (const auto& r : rep.results) traces += r.trace ? 1U : 0U;
    const RequirementRow* order = nullptr;
    for (const auto& r : rep.requirements) {
      traces += r.trace ? 1U : 0U;
      if (r.trace && r.requirement == "REQ-HO-05") order = &r;
    }
    if (order != nullptr) {
      fmt::print("\nThe seed's order as a counterexample: the USIM is rewritten before B holds the IMSI and K (the other\n"
                 "{} traces: `mnoswitch check` prints each as numbered steps and a Mermaid diagram; `--export-traces DIR`\n"
                 "writes them for `simulate --replay`):\n", traces - 1);
      print_trace(fmt::format("without {} ({}): {} refuted (depth {})", order->requirement, order->title, order->invariant,
                              order->depth), *order->trace, false);
    }
  }
  bool any = false;
  for (const auto& r : rep.results)
    if (r.trace && !o.brief) {
      if (!any) fmt::print("\n## Counterexamples\n");
      any = true;
      print_trace(fmt::format("{}: {} refuted (depth {})", r.variant, r.invariant, r.depth), *r.trace);
    }
  for (const auto& r : rep.requirements)
    if (r.trace && !o.brief) {
      if (!any) fmt::print("\n## Counterexamples\n");
      any = true;
      print_trace(fmt::format("without {} ({}): {} refuted (depth {})", r.requirement, r.title, r.invariant, r.depth), *r.trace);
    }
  for (const auto& r : rep.reach)
    if (r.trace && !o.brief && r.goal.rfind("fires: ", 0) != 0) print_trace(fmt::format("reachable in safe: {}", r.goal), *r.trace);
  for (const auto& r : rep.results)
    if (!r.note.empty()) fmt::print("\nnote: {} / {}: {}\n", r.variant, r.invariant, r.note);
  // Counterexamples to induction (spec/invariants.md): the obligations that failed, and for the first of each
  // variant (all of them with --cti) the pre and post state that breaks it. A failed obligation of a flawed variant
  // is expected; one of safe would be reported as an unexpected verdict above.
  for (const auto& v : variants) {
    std::vector<const ObligationResult*> failed;
    for (const auto& ob : rep.obligations)
      if (ob.name.rfind(v + "/", 0) == 0 && ob.verdict != Verdict::Proved) failed.push_back(&ob);
    if (failed.empty()) continue;
    fmt::print("\nInduction, {}: {} obligation(s) not proved (Inv ∧ T_a ⇏ conjunct′){}", v, failed.size(),
               o.brief ? " — `mnoswitch check --cti` shows each pre/post state\n" : ":");
    if (!o.brief) {
      for (std::size_t i = 0; i < failed.size(); ++i) fmt::print("{}{}", i % 4 == 0 ? "\n  " : ", ", failed[i]->name);
      fmt::print("\n");
    }
    const std::size_t show = o.all_cti ? failed.size() : (o.brief ? 0 : 1);
    for (std::size_t i = 0; i < show && i < failed.size(); ++i) {
      const auto& ob = *failed[i];
      fmt::print("\n### counterexample to induction: {} ({}){}\n", ob.name, ob.id,
                 ob.verdict == Verdict::Unknown ? " — unknown: " + ob.reason : "");
      for (const auto& l : ob.cti) fmt::print("{}\n", l);
    }
    if (!o.all_cti && !o.brief && failed.size() > 1)
      fmt::print("  (the other {}: `--cti` prints each pre/post state)\n", failed.size() - 1);
  }
  const EngineTimes& t = rep.times;
  fmt::print("\nEngines:\n");
  for (const auto& v : variants) {
    int n = 0, proved = 0;
    double sec = 0;
    for (const auto& ob : rep.obligations)
      if (ob.name.rfind(v + "/", 0) == 0) {
        ++n;
        proved += ob.verdict == Verdict::Proved;
        sec += ob.seconds;
      }
    fmt::print("  induction {}: {} obligations (init + {} actions × {} conjuncts), {} proved, {:.2f} s\n", v, n,
               n / static_cast<int>(invariants().size()) - 1, invariants().size(), proved, sec);
  }
  fmt::print("  slowest obligation: {} ({:.3f} s)\n", t.slowest_obligation, t.slowest_seconds);
  fmt::print("  BMC: {:.1f} s (CPU, all searches); reachability: {:.1f} s; wall clock {:.1f} s on {} threads\n", t.bmc,
             t.reach, t.wall, o.jobs);
  fmt::print("{}\n", rep.ok ? "Result: ✔ every expectation holds (safe proved for any fleet size, every flaw refuted)"
                            : "Result: ✘ some expectation does not hold (see above)");
}

int run(const Options& o) {
  if (o.bound < 0 || o.bound > 12) fail(kBadInput, "--bound must be between 0 and 12");
  if (o.jobs < 1 || o.jobs > 16) fail(kBadInput, "--jobs must be between 1 and 16");
  if (o.list) {
    if (o.json) print_json(list_json());
    else print_list();
    return kOk;
  }
  if (!o.export_dir.empty()) {
    try {
      auto e = export_smt2(o.export_dir, o.bound, o.timeout_ms);
      if (o.json) print_json({{"exported", e.size()}, {"dir", o.export_dir}, {"manifest", "manifest.tsv"}});
      else fmt::print("{} obligations written to {} (manifest.tsv)\n", e.size(), o.export_dir);
      return kOk;
    } catch (const ExportWriteError& e) {
      fail(kEnvironment, e.what());
    } catch (const std::runtime_error& e) {
      fail(kNegative, e.what());  // an obligation whose verdict is not the expected one
    }
  }
  CheckOptions co;
  co.bound = o.bound;
  co.jobs = o.jobs;
  co.timeout_ms = o.timeout_ms;
  if (o.variant == "seed") co.safe = false;
  else if (o.variant == "safe") co.seed = false;
  else if (o.variant != "all") fail(kBadInput, "--variant must be seed, safe or all");
  for (const auto& w : o.without) {
    auto r = parse_req(w);
    if (!r) fail(kBadInput, fmt::format("unknown requirement '{}' (REQ-HO-01 … REQ-HO-{:02})", w, kReqCount));
    co.without.push_back(*r);
  }
  if (!co.without.empty() && o.variant == "seed") fail(kBadInput, "--without applies to the safe variant");
  if (isatty(STDERR_FILENO)) {
    co.progress = [](const std::string& s) { fmt::print(stderr, "\r\033[K… {}", s); };
  }
  Report rep = run_check(co);
  if (isatty(STDERR_FILENO)) fmt::print(stderr, "\r\033[K");
  if (!o.traces_dir.empty()) {
    // Issue 6 item 3: one replay file per refutation (spec/formats.md "Replay trace").
    std::error_code ec;
    std::filesystem::create_directories(o.traces_dir, ec);
    if (ec) fail(kEnvironment, fmt::format("cannot create {}: {}", o.traces_dir, ec.message()));
    const auto traces = replay_traces(rep);
    for (const auto& [name, j] : traces) {
      std::ofstream out(std::filesystem::path(o.traces_dir) / name);
      out << j.dump(2) << "\n";
      if (!out) fail(kEnvironment, fmt::format("cannot write {}/{}", o.traces_dir, name));
    }
    fmt::print(stderr, "{} replay traces written to {}\n", traces.size(), o.traces_dir);
  }
  if (o.json) print_json(to_json(rep));
  else print_human(rep, o);
  return rep.ok ? kOk : kNegative;
}

Registration reg{Command{
    "check", "Check the model: invariants of seed and safe (induction for any fleet size, BMC traces), requirement table",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--variant", o->variant, "seed, safe or all")->default_val("all");
      app.add_option("--without", o->without, "switch a requirement of safe off (REQ-HO-nn); repeatable");
      app.add_option("--bound", o->bound, "BMC depth (default 8)")->default_val(8);
      app.add_option("--jobs", o->jobs, "solver threads (default 2)")->default_val(2);
      app.add_option("--timeout-ms", o->timeout_ms, "per solver call; a timeout is never a pass")->default_val(30000);
      app.add_flag("--json", o->json, "print the report as JSON");
      app.add_flag("--list", o->list, "list invariants, actions and requirements");
      app.add_flag("--cti", o->all_cti, "print the counterexample to induction of every obligation not proved");
      app.add_flag("--brief", o->brief, "print the tables and the seed's stranding trace only (the demo's view)");
      app.add_option("--export-traces", o->traces_dir, "write every refutation as a replay trace into DIR (simulate --replay)");
      app.add_option("--export-smt2", o->export_dir, "write every obligation as SMT-LIB 2 into DIR (with manifest.tsv)");
      return [o] { return run(*o); };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
