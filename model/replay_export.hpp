// Issue 6 item 3, spec/formats.md "Replay trace": every refutation of `mnoswitch check` as one JSON file that
// `mnoswitch simulate --replay` reads (variant, the requirement switched off, the invariant, depth, steps).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/check.hpp"

namespace mnoswitch::model {

// One replay trace in the format above (variant: "seed" or "safe"; requirement_off: "" for none).
[[nodiscard]] nlohmann::json replay_trace(const Trace& t, const std::string& variant, const std::string& requirement_off, int depth);
// (file name, trace) for every refutation with a trace in the report: results[] and requirements[].
[[nodiscard]] std::vector<std::pair<std::string, nlohmann::json>> replay_traces(const Report& r);

}  // namespace mnoswitch::model
