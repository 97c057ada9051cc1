// Issue 6 (spec/mechanism.md §5, spec/traceability.md): `mnoswitch validate-trace FILE` — every step of a
// `simulate --trace` run checked against the Z3 model (Init, T_action, INV-*/H-*), thin over model/validate.
#include <fmt/format.h>

#include <algorithm>
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

// --keep-going: after a step the model does not allow, validation goes on from the trace's own state after that
// step (the rest is checked with validate_steps: its first state need not satisfy Init), so one run lists every
// step where the implementation and the model disagree, not only the first (issue 6 item 2: the tests' fleet
// runs are checked past the documented differences, spec/traceability.md). Each problem's index is its line in
// the whole trace; the report adds "problems" (every one, without pre/post states) and "segments".
struct KeepGoing {
  Report first;  // the whole trace's summary: counts summed, the first problem and the first violation
  std::vector<model::validate::Problem> problems;
  std::size_t segments = 0;
};

KeepGoing validate_keep_going(const std::vector<nlohmann::json>& lines, const model::Config& cfg) {
  KeepGoing kg;
  // The helper invariants H-* hold in the states safe reaches; the state a refused step led to may be none of
  // them, so the rest is checked for every step and every INV-*, without the H-* (model/validate.cpp checks them
  // only for the variant named exactly "safe").
  model::Config rest = cfg;
  rest.name += " (after a step it does not allow)";
  // The rest is checked in windows, each window's last state the next one's first: every step and every state
  // once (a window's last state twice). A window starts small after a refused step and doubles while the steps
  // conform, so the work stays near one pass whatever the number of refused steps (a 30-device seed run has
  // one per device, often one after the other).
  constexpr std::size_t kFirstWindow = 2, kMaxWindow = 64;
  std::size_t start = 0, window_size = kFirstWindow;
  for (bool from_init = true;; from_init = false) {
    const std::size_t end = from_init ? lines.size() : std::min(lines.size(), start + window_size);
    std::vector<nlohmann::json> window;
    if (!from_init) window.assign(lines.begin() + static_cast<std::ptrdiff_t>(start), lines.begin() + static_cast<std::ptrdiff_t>(end));
    const auto& part = from_init ? lines : window;
    Report r = from_init ? model::validate::validate_trace(part, cfg) : model::validate::validate_steps(part, rest);
    const bool refused = r.problem && r.problem->kind != "invariant";
    const std::size_t at = refused ? r.problem->index : part.size() - 1;  // where the next window starts
    // That state is checked again as the first of the next window: its invariants are reported from there.
    if (refused && r.violation && r.violation->index == at) r.violation.reset();
    for (auto* p : {&r.problem, &r.violation})
      if (*p) (*p)->index += start;
    if (from_init) {
      kg.first = r;
      kg.first.states = lines.size();
    } else {
      for (const auto& [a, n] : r.actions) kg.first.actions[a] += n;
      for (auto e : r.explained) kg.first.explained.emplace_back(e.first + start, std::move(e.second));
      kg.first.invariant_checks += r.invariant_checks;
      kg.first.seconds += r.seconds;
    }
    if (!kg.first.violation) kg.first.violation = r.violation;
    if (refused) kg.problems.push_back(*r.problem);
    window_size = refused ? kFirstWindow : std::min(kMaxWindow, 2 * window_size);
    if ((refused && at == 0) || (!refused && end == lines.size())) break;  // the first state itself refused, or the end
    start += at;
  }
  kg.segments = kg.problems.size() + 1;
  kg.first.conforms = kg.problems.empty();
  kg.first.valid = kg.first.conforms && !kg.first.violation;
  if (!kg.first.problem) kg.first.problem = kg.first.violation;
  return kg;
}

nlohmann::json keep_going_json(const KeepGoing& kg) {
  nlohmann::json j = model::validate::to_json(kg.first);
  nlohmann::json ps = nlohmann::json::array();
  for (const auto& p : kg.problems) {
    model::validate::Report one;
    one.problem = p;
    nlohmann::json pj = model::validate::to_json(one)["problem"];
    pj.erase("pre");
    pj.erase("post");
    ps.push_back(std::move(pj));
  }
  j["problems"] = std::move(ps);
  j["segments"] = kg.segments;
  return j;
}

const Registration reg{Command{
    "validate-trace",
    "check a `simulate --trace` file against the Z3 model: Init, every step a transition, every invariant",
    [](CLI::App& app) -> std::function<int()> {
      struct Opts {
        std::string file, variant;
        std::vector<std::string> without, with;
        bool json = false, keep_going = false;
      };
      auto o = std::make_shared<Opts>();
      app.add_option("FILE", o->file, "JSON-lines trace (spec/mechanism.md §5)")->required();
      app.add_option("--variant", o->variant, "model variant: seed or safe (default: the trace's own, with the requirements its init line lists under \"with\"; else safe)");
      app.add_option("--without", o->without, "switch a requirement of the variant off (REQ-HO-nn), repeatable");
      app.add_option("--with", o->with, "switch a requirement on (e.g. the implementation's seed keeps REQ-HO-11, -14)");
      app.add_flag("--json", o->json, "print one JSON object");
      app.add_flag("--keep-going", o->keep_going,
                   "after a step the model does not allow, go on from the trace's state after it (no Init asked of\n"
                   "that state): every such step is listed (--json: \"problems\"), not only the first");
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
          const auto cfg = variant_config(v.empty() ? "safe" : v, o->without, with);
          if (o->keep_going) {
            const KeepGoing kg = validate_keep_going(lines, cfg);
            if (o->json) {
              print_json(keep_going_json(kg));
            } else {
              print_text(o->file, kg.first);
              for (std::size_t k = 1; k < kg.problems.size(); ++k)
                fmt::print("then, going on from the trace's state: step {} (state {}, action {}): {}\n", kg.problems[k].step,
                           kg.problems[k].index, kg.problems[k].action, kg.problems[k].reason);
              if (!kg.problems.empty())
                fmt::print("{} step(s) the model does not allow, in {} segment(s)\n", kg.problems.size(), kg.segments);
            }
            return kg.first.valid ? kOk : kNegative;
          }
          r = model::validate::validate_trace(lines, cfg);
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
