// Issue 6 (spec/mechanism.md §5, spec/traceability.md): `mnoswitch validate-trace FILE` — every step of a
// `simulate --trace` run checked against the Z3 model (Init, T_action, INV-*/H-*), thin over model/validate.
#include <fmt/format.h>

#include <fstream>
#include <memory>

#include "cli/command.hpp"
#include "model/protocol.hpp"
#include "model/validate.hpp"

namespace mnoswitch::cli {
namespace {

using model::validate::Report;

model::Config variant_config(const std::string& variant, const std::vector<std::string>& without,
                             const std::vector<std::string>& with) {
  model::Config cfg;
  if (variant == "safe") cfg = model::safe_variant();
  else if (variant == "seed") cfg = model::seed_variant();
  else fail(kBadInput, "--variant: expected seed or safe, got '" + variant + "'");
  for (const auto& w : without) {
    auto r = model::parse_req(w);
    if (!r) fail(kBadInput, "--without: unknown requirement '" + w + "' (REQ-HO-01..15)");
    cfg = cfg.without(*r);
  }
  for (const auto& w : with) {
    auto r = model::parse_req(w);
    if (!r) fail(kBadInput, "--with: unknown requirement '" + w + "' (REQ-HO-01..15)");
    cfg = model::validate::with(cfg, *r);
  }
  return cfg;
}

// The variant recorded in the trace's first line, if any (simulate writes it there).
std::string trace_variant(const std::vector<nlohmann::json>& lines) {
  const auto& l = lines.front();
  if (l.contains("variant") && l["variant"].is_string()) return l["variant"].get<std::string>();
  return "";
}

void print_text(const std::string& file, const Report& r) {
  const double per_step = r.states > 1 ? r.seconds / static_cast<double>(r.states - 1) : r.seconds;
  fmt::print("{}: {} states, {} devices, variant {} — universe: {} Device, {} Imsi, {} Key, {} Ctr, {} Prof\n", file, r.states,
             r.devices, r.variant, r.universe.at("Device"), r.universe.at("Imsi"), r.universe.at("Key"), r.universe.at("Ctr"),
             r.universe.at("Prof"));
  std::vector<std::string> acts;
  for (const auto& [a, n] : r.actions)
    acts.push_back(model::find_action(a) != nullptr ? fmt::format("{} {}", a, n) : fmt::format("{} {} (no model action: explained below)", a, n));
  fmt::print("steps allowed by the model: {}\n", acts.empty() ? "none" : fmt::format("{}", fmt::join(acts, ", ")));
  std::size_t shown = 0;
  for (const auto& [k, by] : r.explained) {
    if (shown++ == 5) {
      fmt::print("  … {} more unnamed steps\n", r.explained.size() - 5);
      break;
    }
    fmt::print("  state {} names no model action; explained by: {}\n", k, fmt::join(by, ", "));
  }
  fmt::print("invariant evaluations: {} ({:.3f} s, {:.2f} ms per step)\n", r.invariant_checks, r.seconds, per_step * 1000);
  if (r.valid) {
    fmt::print("VALID: Init holds, every step is a transition of the model, every invariant holds in every state\n");
    return;
  }
  auto show = [](const char* head, const model::validate::Problem& p) {
    fmt::print("{} at step {} (state {}{}): {}\n", head, p.step, p.index, p.action.empty() ? "" : ", action " + p.action, p.reason);
    if (!p.args.empty()) fmt::print("  args: {}\n", p.args.dump());
    if (!p.invariants.empty()) fmt::print("  invariants violated: {}\n", fmt::join(p.invariants, ", "));
    if (!p.diff.empty()) {
      fmt::print("  pre → post:\n");
      for (const auto& d : p.diff) fmt::print("    {}\n", d);
    }
  };
  if (r.violation) show("INVARIANT VIOLATED", *r.violation);
  if (r.conforms) fmt::print("CONFORMS: every step is a transition of the model (variant {}); the run is still INVALID\n", r.variant);
  else show("INVALID: the model does not allow this", *r.problem);
}

const Registration reg{Command{
    "validate-trace",
    "check a `simulate --trace` file against the Z3 model: Init, every step a transition, every invariant",
    [](CLI::App& app) -> std::function<int()> {
      struct Opts {
        std::string file, variant;
        std::vector<std::string> without, with;
        bool json = false;
      };
      auto o = std::make_shared<Opts>();
      app.add_option("FILE", o->file, "JSON-lines trace (spec/mechanism.md §5)")->required();
      app.add_option("--variant", o->variant, "model variant: seed or safe (default: the trace's own, with the requirements its init line lists under \"with\"; else safe)");
      app.add_option("--without", o->without, "switch a requirement of the variant off (REQ-HO-nn), repeatable");
      app.add_option("--with", o->with, "switch a requirement on (e.g. the implementation's seed keeps REQ-HO-11, -14)");
      app.add_flag("--json", o->json, "print one JSON object");
      app.footer("Exit codes: 0 valid; 1 the model does not allow a step or an invariant fails (the first is named,\n"
                 "with the pre and post state); 2 malformed trace or bad option; 3 the file cannot be read.");
      return [o] {
        std::istringstream in(read_user_file(o->file, "trace"));
        std::vector<nlohmann::json> lines;
        Report r;
        try {
          lines = model::validate::read_trace(in);
          std::string v = o->variant.empty() ? trace_variant(lines) : o->variant;
          std::vector<std::string> with = o->with;
          if (o->variant.empty() && lines.front().contains("with") && lines.front()["with"].is_array())
            for (const auto& w : lines.front()["with"])
              if (w.is_string()) with.push_back(w.get<std::string>());
          r = model::validate::validate_trace(lines, variant_config(v.empty() ? "safe" : v, o->without, with));
        } catch (const model::validate::Malformed& e) {
          fail(kBadInput, o->file + ": " + e.what());
        }
        if (o->json) print_json(model::validate::to_json(r));
        else print_text(o->file, r);
        return r.valid ? kOk : kNegative;
      };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
