// SMT-LIB 2 export of every obligation (STYLE.md: "Every query can be written out and re-checked").
#include "model/export.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "model/bmc.hpp"
#include "model/induction.hpp"
#include "model/invariants.hpp"
#include "model/requirements.hpp"

namespace mnoswitch::model {
namespace {

std::string file_name(std::string name) {
  for (char& ch : name)
    if (ch == '/' || ch == ' ' || ch == '=') ch = '.';
  return name + ".smt2";
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw ExportWriteError("cannot write " + p.string());
}

}  // namespace

std::vector<ExportedObligation> export_smt2(const std::string& dir, int bound, unsigned timeout_ms) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ExportWriteError("cannot create " + dir + ": " + ec.message());
  std::vector<ExportedObligation> out;
  InductionOptions io;
  io.want_smt2 = true;
  io.want_cti = false;
  io.timeout_ms = timeout_ms;
  for (const auto& o : prove(safe_variant(), io)) {
    if (o.verdict != Verdict::Proved) throw std::runtime_error("obligation not proved, not exported: " + o.name);
    out.push_back({file_name(o.name), "unsat", o.name});
    write(fs::path(dir) / out.back().file, o.smt2);
  }
  BmcOptions bo;
  bo.bound = bound;
  bo.want_smt2 = true;
  bo.timeout_ms = timeout_ms;
  for (const auto& ri : requirements()) {
    auto rs = bmc(safe_variant().without(ri.req), {std::string(ri.expected)}, bo);
    if (rs[0].verdict != Verdict::Refuted) throw std::runtime_error("requirement not refuted, not exported: " + std::string(ri.id));
    std::string name = "safe-" + std::string(ri.id) + "/bmc/" + rs[0].id + "/depth" + std::to_string(rs[0].depth);
    out.push_back({file_name(name), "sat", name});
    write(fs::path(dir) / out.back().file, rs[0].smt2);
  }
  // The seed's refutations (spec/invariants.md: the seed refutes every safety property), expected sat.
  for (const auto& id : safety_ids()) {
    auto rs = bmc(seed_variant(), {id}, bo);
    if (rs[0].verdict != Verdict::Refuted) throw std::runtime_error("seed not refuted, not exported: " + id);
    std::string name = "seed/bmc/" + rs[0].id + "/depth" + std::to_string(rs[0].depth);
    out.push_back({file_name(name), "sat", name});
    write(fs::path(dir) / out.back().file, rs[0].smt2);
  }
  std::ofstream m(fs::path(dir) / "manifest.tsv");
  for (const auto& e : out) m << e.file << '\t' << e.expected << '\t' << e.name << '\n';
  if (!m) throw ExportWriteError("cannot write manifest");
  return out;
}

}  // namespace mnoswitch::model
