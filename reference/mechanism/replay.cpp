// Issue 6 item 3 (spec/formats.md "Replay trace"): model names → implementation values, one driver step per
// trace step, the invariants of spec/invariants.md (reference/mechanism/abstract_state.hpp) after every step.
#include "reference/mechanism/replay.hpp"

#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "reference/mechanism/script.hpp"

namespace mnoswitch::mechanism {
namespace {

using json = nlohmann::json;

std::string str_arg(const json& args, const char* k) {
  if (!args.contains(k)) return {};
  return args[k].is_string() ? args[k].get<std::string>() : args[k].dump();
}

// "d0" or 0 → 0.
std::optional<std::uint32_t> device_of(const json& args) {
  if (!args.contains("d")) return std::nullopt;
  const json& v = args["d"];
  if (v.is_number_unsigned()) return v.get<std::uint32_t>();
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s.size() > 1 && s[0] == 'd' && s.find_first_not_of("0123456789", 1) == std::string::npos)
      return static_cast<std::uint32_t>(std::stoul(s.substr(1)));
  }
  throw std::invalid_argument(fmt::format("bad device argument {}", v.dump()));
}

// The IMSIs the model's statics put in B's range ("IMSI ranges: A {iA0}, B {iB0 iB1}, neither {i0}").
std::optional<std::set<std::string>> range_b(const json& statics) {
  static const std::regex re(R"(B \{([^}]*)\})");
  if (!statics.is_array()) return std::nullopt;
  for (const auto& s : statics) {
    if (!s.is_string() || s.get<std::string>().rfind("IMSI ranges:", 0) != 0) continue;
    std::smatch m;
    const std::string line = s.get<std::string>();
    if (!std::regex_search(line, m, re)) return std::set<std::string>{};
    std::set<std::string> out;
    std::string cur;
    for (char ch : m[1].str()) {
      if (ch == ' ' || ch == ',') {
        if (!cur.empty()) out.insert(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (!cur.empty()) out.insert(cur);
    return out;
  }
  return std::nullopt;
}

// The model's name of each device's original IMSI ("d0: original IMSI iA0, AKA profile common").
std::map<std::uint32_t, std::string> original_imsis(const json& statics) {
  static const std::regex re(R"(^d(\d+): original IMSI (\S+?),)");
  std::map<std::uint32_t, std::string> out;
  if (!statics.is_array()) return out;
  for (const auto& s : statics) {
    if (!s.is_string()) continue;
    std::smatch m;
    const std::string line = s.get<std::string>();
    if (std::regex_search(line, m, re)) out[static_cast<std::uint32_t>(std::stoul(m[1].str()))] = m[2].str();
  }
  return out;
}

// The initial state lists B's own subscribers as "hss_b(i,k,p)".
bool in_use_at_init(const json& initial, const std::string& i) {
  if (!initial.is_array()) return false;
  for (const auto& s : initial)
    if (s.is_string() && s.get<std::string>().find("hss_b(" + i + ",") != std::string::npos) return true;
  return false;
}

std::vector<std::string> violated(const Script& s) {
  std::set<std::string> ids;
  for (const auto& d : s.abstract()) {
    const InvariantReport r = check_device(d);
    for (auto i : kAllInvariants)
      if (!r.holds(i)) ids.insert(std::string(to_string(i)));
  }
  return {ids.begin(), ids.end()};
}

}  // namespace

ReplayReport replay(const json& trace, GuardMode mode) {
  if (!trace.is_object() || !trace.contains("steps") || !trace["steps"].is_array())
    throw std::invalid_argument("not a replay trace: an object with \"steps\" is expected (spec/formats.md)");
  ReplayReport rep;
  rep.mode = mode;
  rep.variant = trace.value("variant", std::string("safe"));
  rep.requirement_off = trace.contains("requirement_off") && trace["requirement_off"].is_string() ? trace["requirement_off"].get<std::string>() : "";
  rep.expected = trace.contains("violated") && trace["violated"].is_string() ? trace["violated"].get<std::string>() : "";
  rep.depth = static_cast<int>(trace["steps"].size());
  const int devices = trace.value("devices", 1);
  if (devices < 1 || devices > 16) throw std::invalid_argument("devices: 1 to 16");
  if (rep.variant != "seed" && rep.variant != "safe") throw std::invalid_argument(fmt::format("variant \"{}\": seed or safe", rep.variant));

  auto stop = [&](std::string outcome, int step, std::string reason) {
    rep.outcome = std::move(outcome);
    rep.step = step;
    rep.reason = std::move(reason);
    rep.ok = rep.outcome == "reproduced" || rep.outcome == "blocked" || rep.outcome == "harmless";
    return rep;
  };

  ScriptOptions so;
  so.devices = static_cast<std::uint32_t>(devices);
  so.variant = mode == GuardMode::On || rep.variant == "safe" ? Variant::Safe : Variant::Seed;
  if (mode == GuardMode::Off && !rep.requirement_off.empty() && !break_guard(so.broken, rep.requirement_off))
    return stop("unmappable", 0, fmt::format("the implementation has no test switch for {} (switches: {}; and the seed variant)", rep.requirement_off, fmt::join(breakable_guards(), ", ")));
  auto opened = Script::open(so);
  if (opened.failed()) throw std::runtime_error(opened.error());
  Script& s = *opened.value();

  const auto b_range = range_b(trace.value("statics", json::array()));
  std::map<std::string, std::uint64_t> counter;   // model counter name → the implementation's counter
  std::map<std::uint32_t, std::string> alloc;     // device → the model's name of its allocated IMSI
  std::map<std::string, std::string> target_of;   // counter name of a rogue or forged rewrite → the IMSI it writes
  const auto originals = original_imsis(trace.value("statics", json::array()));
  int k = 0;
  for (const auto& st : trace["steps"]) {
    ++k;
    ReplayStep rs;
    rs.step = st.value("step", k);
    rs.action = st.value("action", std::string());
    rs.args = st.value("args", json::object());
    const std::string& a = rs.action;
    std::uint32_t d = 0;
    if (auto dd = device_of(rs.args)) d = *dd;
    std::optional<std::uint64_t> c;
    ImsiIs target = ImsiIs::New;
    if (a == "a_rogue_set" || a == "atk_inject") {
      const std::string i = str_arg(rs.args, "i");
      const auto old = originals.find(d);
      target = alloc.contains(d) && alloc[d] == i ? ImsiIs::New : old != originals.end() && old->second == i ? ImsiIs::Old : ImsiIs::Other;
      target_of[str_arg(rs.args, "c")] = i;
    } else if (a == "b_allocate") {
      const std::string i = str_arg(rs.args, "i");
      if (b_range && !b_range->contains(i))
        return stop("unmappable", k, fmt::format("b_allocate: the model allocates {}, outside B's range; B's allocator draws from its own range only (REQ-HO-10 has no switch)", i));
      if (in_use_at_init(trace.value("initial", json::array()), i))
        return stop("unmappable", k, fmt::format("b_allocate: the model's B holds a record at {} in the initial state (one of its own subscribers); B's allocator never hands out an IMSI in use (REQ-HO-10 has no switch)", i));
      for (const auto& [e, name] : alloc)
        if (name == i && e != d)
          return stop("unmappable", k, fmt::format("b_allocate: {} is allocated to d{} already; B's allocator never repeats an IMSI", i, e));
      if (alloc.contains(d))
        return stop("unmappable", k, "b_allocate: a second allocation for the same device; B allocates once per device (REQ-HO-08 has no switch)");
      alloc[d] = i;
    } else if (a == "card_apply_set" || a == "card_read" || a == "a_recv_por" || a == "a_recv_read") {
      const std::string cn = str_arg(rs.args, "c");
      if (!counter.contains(cn))
        return stop("unmappable", k, fmt::format("{}: counter {} names no command the implementation sent (in the model it comes from the initial state, atk_inject or a_rogue_set)", a, cn));
      c = counter[cn];
      if (a == "card_apply_set" && target_of.contains(cn) && str_arg(rs.args, "i") != target_of[cn])
        return stop("unmappable", k, fmt::format("card_apply_set: the model's rewrite targets {}, but the packet with counter {} writes {}", str_arg(rs.args, "i"), cn, target_of[cn]));
      if (a == "card_apply_set" && !target_of.contains(cn) && alloc.contains(d) && str_arg(rs.args, "i") != alloc[d])
        return stop("unmappable", k, fmt::format("card_apply_set: the model's rewrite targets {}, not the device's allocation {}", str_arg(rs.args, "i"), alloc[d]));
    }
    const StepResult r = s.step(a, d, c, target);
    if (!r.known) return stop("unmappable", k, r.refusal);
    rs.allowed = r.allowed;
    rs.refusal = r.refusal;
    if (r.counter) counter[str_arg(rs.args, "c")] = *r.counter;
    rs.violated = violated(s);
    rep.steps.push_back(rs);
    rep.final_state = s.state();
    if (!r.allowed) {
      if (mode == GuardMode::On) return stop("blocked", k, fmt::format("{} refused: {}", a, r.refusal));
      return stop("not-reproduced", k, fmt::format("{} refused: {}", a, r.refusal));
    }
    if (!rs.violated.empty()) {
      const std::string list = fmt::format("{}", fmt::join(rs.violated, ", "));
      if (mode == GuardMode::On) return stop("violated", k, fmt::format("{} violated with every guard on", list));
      const bool same = std::find(rs.violated.begin(), rs.violated.end(), rep.expected) != rs.violated.end();
      if (same && k == rep.depth) {
        std::string also;
        for (const auto& x : rs.violated)
          if (x != rep.expected) also += (also.empty() ? "; also " : ", ") + x;
        return stop("reproduced", k, fmt::format("{} violated after step {} ({}){}", rep.expected, k, a, also));
      }
      // A refutation is a trace to one invariant (bmc checks each alone); the same steps may break another one
      // earlier, in the model as well (a rogue rewrite is outside INV-SINGLE from the moment it is sent). The
      // replay goes on, and the report lists every violation per step.
      if (same || rep.expected.empty())
        return stop("not-reproduced", k, fmt::format("{} violated after step {}; the trace expects {} after step {}", list, k, rep.expected.empty() ? "none" : rep.expected, rep.depth));
    }
  }
  if (mode == GuardMode::On) return stop("harmless", k, "every step allowed and no invariant violated");
  if (rep.expected.empty()) return stop("harmless", k, "every step allowed and no invariant violated (the trace expects none)");
  return stop("not-reproduced", k, fmt::format("no invariant violated; the trace expects {} after step {}", rep.expected, rep.depth));
}

json to_json(const ReplayReport& r) {
  json steps = json::array();
  for (const auto& s : r.steps)
    steps.push_back({{"step", s.step}, {"action", s.action}, {"args", s.args}, {"allowed", s.allowed},
                     {"refusal", s.refusal.empty() ? json(nullptr) : json(s.refusal)}, {"violated", s.violated}});
  return {{"outcome", r.outcome},
          {"ok", r.ok},
          {"guard", r.mode == GuardMode::On ? "on" : "off"},
          {"variant", r.variant},
          {"requirement_off", r.requirement_off.empty() ? json(nullptr) : json(r.requirement_off)},
          {"expected", r.expected.empty() ? json(nullptr) : json(r.expected)},
          {"depth", r.depth},
          {"step", r.step},
          {"reason", r.reason},
          {"steps", steps},
          {"final_state", r.final_state}};
}

}  // namespace mnoswitch::mechanism
