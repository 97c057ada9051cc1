// spec/formats.md "Replay trace" (issue 6 item 3): BMC traces → replay files.
#include "model/replay_export.hpp"

namespace mnoswitch::model {

nlohmann::json replay_trace(const Trace& t, const std::string& variant, const std::string& requirement_off, int depth) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : t.steps) {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [k, v] : s.args) args[k] = v;
    steps.push_back({{"step", s.index}, {"action", s.action}, {"args", args}});
  }
  return {{"format", "mnoswitch-replay/1"},
          {"variant", variant},
          {"requirement_off", requirement_off.empty() ? nlohmann::json(nullptr) : nlohmann::json(requirement_off)},
          {"violated", t.violated},
          {"depth", depth},
          {"devices", t.devices},
          {"statics", t.statics},
          {"initial", t.initial},
          {"steps", steps}};
}

std::vector<std::pair<std::string, nlohmann::json>> replay_traces(const Report& r) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const auto& x : r.results) {
    if (!x.trace || x.verdict != Verdict::Refuted) continue;
    // A `--without` run names its variant "safe-REQ-HO-nn…": the base variant is safe with those off.
    std::string variant = x.variant, off;
    if (variant.rfind("safe-", 0) == 0) {
      off = variant.substr(5);
      variant = "safe";
    }
    out.emplace_back(x.variant + "-" + x.invariant + ".json", replay_trace(*x.trace, variant, off, x.depth));
  }
  for (const auto& x : r.requirements) {
    if (!x.trace || x.verdict != "refuted") continue;
    out.emplace_back("safe-without-" + x.requirement + ".json", replay_trace(*x.trace, "safe", x.requirement, x.depth));
  }
  return out;
}

}  // namespace mnoswitch::model
