// proofs/: every obligation written out as SMT-LIB 2 with its expected verdict, for re-checking by the z3 and
// cvc5 command-line solvers. Induction obligations of `safe` (expected unsat) and the refuting BMC queries of
// the requirement table and of `seed` (expected sat).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace mnoswitch::model {

struct ExportedObligation {
  std::string file;      // relative to the directory
  std::string expected;  // "unsat" | "sat"
  std::string name;
};

// A file of the export could not be created or written (the environment), as opposed to an obligation whose
// verdict is not the expected one (std::runtime_error: the model's "no").
struct ExportWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes the files and `manifest.tsv` (file, expected, name) into dir; returns the entries. Throws
// ExportWriteError or std::runtime_error as above.
std::vector<ExportedObligation> export_smt2(const std::string& dir, int bound, unsigned timeout_ms);

}  // namespace mnoswitch::model
