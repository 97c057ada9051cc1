// JSON-lines trace of abstract state changes (spec/scenario.md "Trace"): one object per line, in the model's
// vocabulary (spec/mechanism.md action names), so that `mnoswitch validate-trace` can replay it against the model.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "reference/core/result.hpp"

namespace mnoswitch::mechanism {

enum class TraceError { CannotOpen, WriteFailed };

class TraceWriter {
 public:
  [[nodiscard]] static Result<TraceWriter, TraceError> open(const std::string& path);
  TraceWriter(TraceWriter&&) = default;
  TraceWriter& operator=(TraceWriter&&) = default;

  [[nodiscard]] Status<TraceError> write(const nlohmann::json& line);
  [[nodiscard]] std::uint64_t lines() const noexcept { return lines_; }
  [[nodiscard]] Status<TraceError> close();

 private:
  explicit TraceWriter(std::ofstream out) : out_(std::move(out)) {}
  std::ofstream out_;
  std::uint64_t lines_ = 0;
};

}  // namespace mnoswitch::mechanism
