// Readable states from Z3 models: elements named d0, i1, k2, c0<c1 (counter order), a state as facts, and
// the difference of two states (what an action changed) — for CTIs and BMC traces.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/vocab.hpp"

namespace mnoswitch::model {

class Naming {
 public:
  Naming(const z3::model& m, const Vocab& v);
  std::string name(const z3::expr& value) const;
  const std::vector<z3::expr>& universe(S s) const { return uni_[static_cast<std::size_t>(s)]; }
  const z3::model& model() const { return m_; }
  // rigid facts: counter order, ranges, original IMSIs, profiles
  std::vector<std::string> statics(const Vocab& v) const;

 private:
  z3::model m_;
  std::vector<std::vector<z3::expr>> uni_;
  std::map<std::string, std::string> names_;
};

struct StateView {
  std::map<std::string, std::string> scalars;  // "d0.imsi" -> "i1"
  std::set<std::string> tuples;                // "hss_b(i1,k0,common)"
};

StateView view(const Naming& n, const Vocab& v, const State& s);
std::vector<std::string> diff(const StateView& before, const StateView& after);
std::vector<std::string> render(const StateView& s);

}  // namespace mnoswitch::model
