// JSON of a check report (spec: issue 4 item 7): {"results": [...], "requirements": [...], ...}.
#pragma once

#include <nlohmann/json.hpp>

#include "model/check.hpp"

namespace mnoswitch::model {

nlohmann::json to_json(const Trace& t);
nlohmann::json to_json(const Report& r);
std::string join_lines(const std::vector<std::string>& lines);

}  // namespace mnoswitch::model
