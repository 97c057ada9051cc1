// Inductive invariance proofs, one query per (action × conjunct) inside a push/pop scope on a solver that holds
// the static axioms, the full invariant in the pre-state and the action's transition.
#include "model/induction.hpp"

#include <fmt/format.h>

#include "model/invariants.hpp"
#include "model/protocol.hpp"
#include "model/render.hpp"

namespace mnoswitch::model {
namespace {

std::string smt2_of(z3::solver& s, const std::string& name, Verdict expected) {
  std::string body = s.to_smt2(expected == Verdict::Proved ? "unsat" : "sat");
  return fmt::format("; obligation {}\n; expected {}\n(set-logic UF)\n{}", name,
                     expected == Verdict::Proved ? "unsat" : "sat", body);
}

std::vector<std::string> cti_text(const z3::model& m, const Vocab& v, const State& pre, const State* post,
                                  const std::string& action, const std::vector<z3::expr>& params) {
  Naming n(m, v);
  std::vector<std::string> out;
  for (const auto& l : n.statics(v)) out.push_back("  " + l);
  StateView a = view(n, v, pre);
  out.push_back("  pre-state (satisfies every invariant):");
  for (const auto& l : render(a)) out.push_back("    " + l);
  if (post) {
    std::string ps;
    for (const auto& p : params) ps += (ps.empty() ? "" : ", ") + n.name(p);
    out.push_back(fmt::format("  step: {}({})", action, ps));
    StateView b = view(n, v, *post);
    out.push_back("  post-state (violates the invariant):");
    for (const auto& l : render(b)) out.push_back("    " + l);
    out.push_back("  changed:");
    for (const auto& l : diff(a, b)) out.push_back("    " + l);
  }
  return out;
}

ObligationResult run_one(z3::solver& s, const Vocab& v, const Config& cfg, const Invariant& inv, const std::string& action,
                         const State& pre, const State* post, const std::vector<z3::expr>& params,
                         const InductionOptions& opt) {
  ObligationResult r;
  r.name = fmt::format("{}/{}/{}", cfg.name, action, inv.name);
  r.action = action;
  r.invariant = inv.name;
  r.id = inv.id;
  r.safety = inv.safety;
  Scope sc(s);
  s.add(!inv.formula(v, post ? *post : pre));
  if (opt.want_smt2) r.smt2 = smt2_of(s, r.name, Verdict::Proved);
  Outcome o = check(s, r.name);
  r.verdict = o.verdict;
  r.reason = o.reason;
  r.seconds = o.seconds;
  if (o.verdict == Verdict::Refuted && opt.want_cti && o.model)
    r.cti = cti_text(*o.model, v, pre, post, action, params);
  return r;
}

}  // namespace

std::vector<ObligationResult> prove(const Config& cfg, const InductionOptions& opt) {
  std::vector<ObligationResult> out;
  z3::context c;
  Vocab v(c);
  State pre = v.state("");
  State post = v.state("_post");
  const auto& invs = invariants();
  {  // Init ⇒ Inv
    z3::solver s = make_solver(c, opt.timeout_ms);
    s.add(static_axioms(v, cfg));
    s.add(init(v, pre, cfg));
    for (const auto& inv : invs) {
      out.push_back(run_one(s, v, cfg, inv, "init", pre, nullptr, {}, opt));
      if (opt.progress) opt.progress(out.back());
    }
  }
  for (const auto& a : actions()) {
    if (!a.enabled(cfg)) continue;
    z3::solver s = make_solver(c, opt.timeout_ms);
    s.add(static_axioms(v, cfg));
    for (const auto& inv : invs) s.add(inv.formula(v, pre));
    auto ps = params_for(v, a, "");
    s.add(transition(v, a, pre, post, ps, cfg));
    for (const auto& inv : invs) {
      out.push_back(run_one(s, v, cfg, inv, a.name, pre, &post, ps, opt));
      if (opt.progress) opt.progress(out.back());
    }
  }
  return out;
}

}  // namespace mnoswitch::model
