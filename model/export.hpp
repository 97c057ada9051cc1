// proofs/: every obligation written out as SMT-LIB 2 with its expected verdict, for re-checking by the z3 and
// cvc5 command-line solvers. Induction obligations of `safe` (expected unsat) and the refuting BMC queries of
// the requirement table and of `seed` (expected sat).
#pragma once

#include <string>
#include <vector>

namespace mnoswitch::model {

struct ExportedObligation {
  std::string file;      // relative to the directory
  std::string expected;  // "unsat" | "sat"
  std::string name;
};

// Writes the files and `manifest.tsv` (file, expected, name) into dir; returns the entries.
std::vector<ExportedObligation> export_smt2(const std::string& dir, int bound, unsigned timeout_ms);

}  // namespace mnoswitch::model
