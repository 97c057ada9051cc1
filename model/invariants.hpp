// spec/invariants.md: the safety properties (INV-*) and the helper invariants (H-*), one function per conjunct.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/requirements.hpp"
#include "model/vocab.hpp"

namespace mnoswitch::model {

struct Invariant {
  std::string id;       // "INV-CONNECT" or "H-SENT"
  std::string name;     // formula name, e.g. "inv_connect"
  bool safety;          // safety property (true) or helper (false)
  std::string words;    // one line, as in spec/invariants.md
  std::function<z3::expr(const Vocab&, const State&)> formula;
};

const std::vector<Invariant>& invariants();
const Invariant* find_invariant(std::string_view name);
// The safety property IDs in table order.
std::vector<std::string> safety_ids();

}  // namespace mnoswitch::model
