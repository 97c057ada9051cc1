// Scenario JSON (spec/scenario.md): parsing with field-by-field validation, and the embedded default.
#include "reference/mechanism/scenario.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mnoswitch::mechanism {
namespace {

using nlohmann::json;

constexpr std::string_view kDefault = R"json({
  "name": "default: 10,000 devices from MNO A to MNO B, realistic faults, MNO A crashes mid-batch",
  "devices": 10000,
  "seed": 1,
  "operators": {
    "A": {"plmn": "00101", "first_msin": 1000000000, "range_size": 1000000},
    "B": {"plmn": "00102", "first_msin": 2000000000, "range_size": 1000000}
  },
  "faults": {
    "sms_loss": 0.02, "por_loss": 0.03, "duplicate": 0.01, "max_delay": 20,
    "offline": 0.05, "offline_min": 50, "offline_max": 400, "never_back": 0.002,
    "smsc_validity": 150
  },
  "crash": {"operator": "A", "after_fraction": 0.5},
  "procedure": {"send_per_tick": 250, "por_timeout": 60, "max_attempts": 4, "deadline": 2000, "rekey": true}
})json";

struct Fail {
  std::string message;
};

template <class T>
T field(const json& obj, std::string_view path, const char* key, T fallback, bool required = false) {
  if (!obj.contains(key)) {
    if (required) throw Fail{fmt::format("{}.{}: missing", path, key)};
    return fallback;
  }
  const json& v = obj.at(key);
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) throw Fail{fmt::format("{}.{}: expected true or false", path, key)};
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) throw Fail{fmt::format("{}.{}: expected a string", path, key)};
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) throw Fail{fmt::format("{}.{}: expected a number", path, key)};
  } else {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
      throw Fail{fmt::format("{}.{}: expected a non-negative integer", path, key)};
    if (v.get<std::uint64_t>() > std::numeric_limits<T>::max())
      throw Fail{fmt::format("{}.{}: too large", path, key)};
  }
  return v.get<T>();
}

double probability(const json& obj, std::string_view path, const char* key, double fallback) {
  const double p = field<double>(obj, path, key, fallback);
  if (!(p >= 0.0 && p <= 1.0)) throw Fail{fmt::format("{}.{}: expected a probability in [0, 1]", path, key)};
  return p;
}

const json& object(const json& obj, std::string_view path, const char* key) {
  static const json empty = json::object();
  if (!obj.contains(key)) return empty;
  if (!obj.at(key).is_object()) throw Fail{fmt::format("{}.{}: expected an object", path, key)};
  return obj.at(key);
}

void check_keys(const json& obj, std::string_view path, std::initializer_list<std::string_view> known) {
  for (const auto& [k, _] : obj.items()) {
    bool found = false;
    for (auto name : known) found = found || k == name;
    if (!found) throw Fail{fmt::format("{}: unknown field \"{}\"", path, k)};
  }
}

OperatorPlan operator_plan(const json& ops, const char* name) {
  const std::string path = fmt::format("operators.{}", name);
  if (!ops.contains(name) || !ops.at(name).is_object()) throw Fail{fmt::format("{}: missing", path)};
  const json& o = ops.at(name);
  check_keys(o, path, {"plmn", "first_msin", "range_size"});
  OperatorPlan p;
  p.name = name;
  p.plmn = field<std::string>(o, path, "plmn", "", true);
  if (p.plmn.size() < 5 || p.plmn.size() > 6 || p.plmn.find_first_not_of("0123456789") != std::string::npos)
    throw Fail{fmt::format("{}.plmn: expected 5 or 6 digits (MCC + MNC)", path)};
  p.first_msin = field<std::uint64_t>(o, path, "first_msin", 0, true);
  p.range_size = field<std::uint64_t>(o, path, "range_size", 0, true);
  const std::size_t msin_digits = 15 - p.plmn.size();
  std::uint64_t limit = 1;
  for (std::size_t i = 0; i < msin_digits; ++i) limit *= 10;
  if (p.range_size == 0 || p.first_msin >= limit || p.range_size > limit - p.first_msin)
    throw Fail{fmt::format("{}: range [first_msin, first_msin + range_size) must be non-empty and fit in {} MSIN digits",
                           path, msin_digits)};
  return p;
}

Scenario parse(const json& j) {
  if (!j.is_object()) throw Fail{"scenario: expected a JSON object"};
  check_keys(j, "scenario", {"name", "devices", "seed", "operators", "faults", "crash", "procedure"});
  Scenario s;
  s.name = field<std::string>(j, "scenario", "name", "unnamed");
  s.devices = field<std::uint64_t>(j, "scenario", "devices", 0, true);
  if (s.devices == 0) throw Fail{"scenario.devices: must be at least 1"};
  s.seed = field<std::uint64_t>(j, "scenario", "seed", 1);

  const json& ops = object(j, "scenario", "operators");
  check_keys(ops, "operators", {"A", "B"});
  s.a = operator_plan(ops, "A");
  s.b = operator_plan(ops, "B");
  if (s.a.plmn == s.b.plmn) throw Fail{"operators: A and B must have different PLMNs"};

  const json& f = object(j, "scenario", "faults");
  check_keys(f, "faults", {"sms_loss", "por_loss", "duplicate", "max_delay", "offline", "offline_min", "offline_max",
                           "never_back", "smsc_validity"});
  s.faults.sms_loss = probability(f, "faults", "sms_loss", 0.0);
  s.faults.por_loss = probability(f, "faults", "por_loss", 0.0);
  s.faults.duplicate = probability(f, "faults", "duplicate", 0.0);
  s.faults.max_delay = field<std::uint32_t>(f, "faults", "max_delay", 0);
  s.faults.offline = probability(f, "faults", "offline", 0.0);
  s.faults.offline_min = field<std::uint32_t>(f, "faults", "offline_min", 0);
  s.faults.offline_max = field<std::uint32_t>(f, "faults", "offline_max", s.faults.offline_min);
  if (s.faults.offline_max < s.faults.offline_min) throw Fail{"faults.offline_max: must be >= offline_min"};
  s.faults.never_back = probability(f, "faults", "never_back", 0.0);
  s.faults.smsc_validity = field<std::uint32_t>(f, "faults", "smsc_validity", 1000);

  const json& c = object(j, "scenario", "crash");
  check_keys(c, "crash", {"operator", "after_fraction", "enabled"});
  s.crash.enabled = j.contains("crash") ? field<bool>(c, "crash", "enabled", true) : false;
  s.crash.operator_name = field<std::string>(c, "crash", "operator", "A");
  // Only MNO A's crash is simulated: it is the operator whose forgotten state can strand a device (REQ-HO-11);
  // B's process keeps nothing volatile that the procedure depends on (the model's crash_b is a stutter).
  if (s.crash.operator_name != "A")
    throw Fail{"crash.operator: only \"A\" is simulated (B's crash is a stutter of the model, spec/scenario.md)"};
  s.crash.after_fraction = probability(c, "crash", "after_fraction", 0.5);

  const json& p = object(j, "scenario", "procedure");
  check_keys(p, "procedure", {"send_per_tick", "por_timeout", "max_attempts", "deadline", "rekey"});
  s.procedure.send_per_tick = field<std::uint32_t>(p, "procedure", "send_per_tick", 250);
  s.procedure.por_timeout = field<std::uint32_t>(p, "procedure", "por_timeout", 60);
  s.procedure.max_attempts = field<std::uint32_t>(p, "procedure", "max_attempts", 4);
  s.procedure.deadline = field<std::uint32_t>(p, "procedure", "deadline", 2000);
  s.procedure.rekey = field<bool>(p, "procedure", "rekey", true);
  if (s.procedure.send_per_tick == 0) throw Fail{"procedure.send_per_tick: must be at least 1"};
  if (s.procedure.max_attempts == 0) throw Fail{"procedure.max_attempts: must be at least 1"};
  if (s.procedure.por_timeout == 0) throw Fail{"procedure.por_timeout: must be at least 1"};
  if (s.devices > s.b.range_size) throw Fail{"scenario.devices: more devices than IMSIs in B's range"};
  if (s.devices > s.a.range_size) throw Fail{"scenario.devices: more devices than IMSIs in A's range"};
  return s;
}

}  // namespace

std::string_view to_string(Variant v) noexcept { return v == Variant::Seed ? "seed" : "safe"; }

std::optional<Variant> parse_variant(std::string_view text) noexcept {
  if (text == "seed") return Variant::Seed;
  if (text == "safe") return Variant::Safe;
  return std::nullopt;
}

Result<Scenario, ScenarioError> parse_scenario(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return err(ScenarioError{fmt::format("scenario: not JSON (byte {})", e.byte)});
  }
  try {
    return parse(j);
  } catch (const Fail& f) {
    return err(ScenarioError{f.message});
  } catch (const json::exception& e) {
    return err(ScenarioError{fmt::format("scenario: {}", e.what())});
  }
}

std::string_view default_scenario_json() noexcept { return kDefault; }

Scenario default_scenario() {
  auto s = parse_scenario(kDefault);
  if (s.failed()) std::abort();  // the embedded default is tested; a failure here is a build defect
  return std::move(s).value();
}

}  // namespace mnoswitch::mechanism
