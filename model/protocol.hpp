// spec/mechanism.md §2–§5: Init, static axioms and one transition per protocol action and per fault, each a
// guard plus explicit updates; every variable an action does not update is framed (post = pre).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/requirements.hpp"
#include "model/vocab.hpp"

namespace mnoswitch::model {

struct Param {
  std::string name;
  S sort;
};

// New value of one variable at the bound arguments xs.
struct Update {
  V var;
  std::function<z3::expr(const std::vector<z3::expr>& xs)> value;
};

struct Body {
  z3::expr guard;
  std::vector<Update> updates;
};

struct Env {
  const Vocab& v;
  const State& pre;
  const std::vector<z3::expr>& p;
  const Config& cfg;
  z3::context& c() const { return v.ctx(); }
  z3::expr operator()(V var, const std::vector<z3::expr>& args) const;
  z3::expr operator()(V var, const z3::expr& a) const { return (*this)(var, std::vector<z3::expr>{a}); }
  const Statics& st() const { return v.statics(); }
};

struct Action {
  std::string name;
  std::string actor;  // "M2M", "A", "B", "card", "net", "X" (Mermaid participant)
  std::vector<Param> params;
  std::function<bool(const Config&)> enabled;
  std::function<Body(const Env&)> body;
};

const std::vector<Action>& actions();
const Action* find_action(std::string_view name);

// Quantifier helpers.
z3::expr forall_(const std::vector<z3::expr>& xs, const z3::expr& body);
z3::expr call(const z3::func_decl& f, const std::vector<z3::expr>& args);

// Facts about rigid symbols (counter order, disjoint ranges, the original IMSIs, REQ-HO-03).
z3::expr static_axioms(const Vocab& v, const Config& cfg);
z3::expr init(const Vocab& v, const State& s, const Config& cfg);
// guard(pre, params) ∧ updates ∧ frames.
z3::expr transition(const Vocab& v, const Action& a, const State& pre, const State& post,
                    const std::vector<z3::expr>& params, const Config& cfg);
// Fresh parameter constants for an action, named "<action>.<param><suffix>".
std::vector<z3::expr> params_for(const Vocab& v, const Action& a, const std::string& suffix);

}  // namespace mnoswitch::model
