// JSON of `mnoswitch check --json`; also the trace format that counterexample replay (issue 6) reads.
#include "model/report_json.hpp"

namespace mnoswitch::model {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

nlohmann::json to_json(const Trace& t) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : t.steps) {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [k, v] : s.args) args[k] = v;
    steps.push_back({{"step", s.index}, {"action", s.action}, {"actor", s.actor}, {"args", args}, {"changes", s.changes}});
  }
  return {{"devices", t.devices}, {"violated", t.violated}, {"statics", t.statics}, {"initial", t.initial},
          {"steps", steps},       {"text", steps_text(t)},  {"mermaid", join_lines(mermaid(t))}};
}

namespace {
nlohmann::json depth_json(int d) { return d < 0 ? nlohmann::json(nullptr) : nlohmann::json(d); }
nlohmann::json trace_json(const std::optional<Trace>& t) { return t ? to_json(*t) : nlohmann::json(nullptr); }
}  // namespace

nlohmann::json to_json(const Report& r) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& x : r.results)
    results.push_back({{"variant", x.variant},
                       {"invariant", x.invariant},
                       {"verdict", std::string(to_string(x.verdict))},
                       {"method", x.method},
                       {"depth", depth_json(x.depth)},
                       {"seconds", x.seconds},
                       {"trace", trace_json(x.trace)},
                       {"expected", x.expected.empty() ? nlohmann::json(nullptr) : nlohmann::json(x.expected)},
                       {"ok", x.ok},
                       {"note", x.note}});
  nlohmann::json reqs = nlohmann::json::array();
  for (const auto& x : r.requirements)
    reqs.push_back({{"requirement", x.requirement},
                    {"title", x.title},
                    {"verdict", x.verdict},
                    {"invariant", x.invariant.empty() ? nlohmann::json(nullptr) : nlohmann::json(x.invariant)},
                    {"expected", x.expected},
                    {"depth", depth_json(x.depth)},
                    {"seconds", x.seconds},
                    {"flaw", x.flaw},
                    {"ok", x.ok},
                    {"trace", trace_json(x.trace)}});
  nlohmann::json reach = nlohmann::json::array();
  for (const auto& x : r.reach)
    reach.push_back({{"goal", x.goal}, {"reached", x.reached}, {"depth", depth_json(x.depth)}, {"seconds", x.seconds},
                     {"trace", trace_json(x.trace)}});
  nlohmann::json obligations = nlohmann::json::array();
  for (const auto& o : r.obligations)
  {
    nlohmann::json ob{{"name", o.name}, {"verdict", std::string(to_string(o.verdict))}, {"seconds", o.seconds}};
    if (o.verdict != Verdict::Proved) {
      ob["cti"] = o.cti;  // the pre/post state that breaks it (spec/invariants.md), one line a string
      if (!o.reason.empty()) ob["reason"] = o.reason;
    }
    obligations.push_back(std::move(ob));
  }
  const EngineTimes& t = r.times;
  return {{"results", results},
          {"requirements", reqs},
          {"reachability", reach},
          {"obligations", obligations},
          {"seconds",
           {{"induction", t.induction}, {"bmc", t.bmc}, {"reachability", t.reach}, {"wall", t.wall},
            {"slowest_obligation", t.slowest_obligation}, {"slowest_obligation_seconds", t.slowest_seconds}}},
          {"ok", r.ok}};
}

}  // namespace mnoswitch::model
