// JSON-lines trace writer (spec/scenario.md "Trace").
#include "reference/mechanism/trace_writer.hpp"

namespace mnoswitch::mechanism {

Result<TraceWriter, TraceError> TraceWriter::open(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return err(TraceError::CannotOpen);
  return TraceWriter(std::move(out));
}

Status<TraceError> TraceWriter::write(const nlohmann::json& line) {
  out_ << line.dump() << '\n';
  if (!out_) return err(TraceError::WriteFailed);
  ++lines_;
  return ok_unit;
}

Status<TraceError> TraceWriter::close() {
  out_.flush();
  if (!out_) return err(TraceError::WriteFailed);
  out_.close();
  return ok_unit;
}

}  // namespace mnoswitch::mechanism
