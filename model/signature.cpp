// Signature check over the ASTs of all model formulas (see signature.hpp for why).
#include "model/signature.hpp"

#include <fmt/format.h>

#include <set>

#include "model/invariants.hpp"
#include "model/protocol.hpp"

namespace mnoswitch::model {
namespace {

void walk(const z3::expr& e, const z3::sort& device, std::set<unsigned>& seen, std::set<std::string>& reported,
          std::vector<SignatureViolation>& out) {
  if (!seen.insert(Z3_get_ast_id(e.ctx(), e)).second) return;
  if (e.is_quantifier()) {
    walk(e.body(), device, seen, reported, out);
    return;
  }
  if (!e.is_app()) return;
  z3::func_decl f = e.decl();
  if (f.decl_kind() == Z3_OP_UNINTERPRETED && f.arity() > 0) {
    std::string dom;
    bool all_device = true;
    for (unsigned i = 0; i < f.arity(); ++i) {
      dom += (i ? ", " : "") + f.domain(i).name().str();
      all_device = all_device && z3::eq(f.domain(i), device);
    }
    std::string sig = fmt::format("{}({}) -> {}", f.name().str(), dom, f.range().name().str());
    std::string why;
    if (z3::eq(f.range(), device)) why = "a function into Device (breaks the acyclic sort graph)";
    else if (!f.range().is_bool() && !all_device) why = "a function whose domain is not Device (use a relation)";
    if (!why.empty() && reported.insert(sig).second) out.push_back({sig, why});
  }
  for (unsigned i = 0; i < e.num_args(); ++i) walk(e.arg(i), device, seen, reported, out);
}

}  // namespace

std::vector<SignatureViolation> check_signature(const std::vector<z3::expr>& formulas, const z3::sort& device) {
  std::vector<SignatureViolation> out;
  std::set<unsigned> seen;
  std::set<std::string> reported;
  for (const auto& f : formulas) walk(f, device, seen, reported, out);
  return out;
}

std::vector<SignatureViolation> check_model_signature() {
  z3::context c;
  Vocab v(c);
  State pre = v.state(""), post = v.state("_post");
  std::vector<Config> cfgs{safe_variant(), seed_variant()};
  for (const auto& r : requirements()) cfgs.push_back(safe_variant().without(r.req));
  std::vector<z3::expr> fs;
  for (const auto& cfg : cfgs) {
    fs.push_back(static_axioms(v, cfg));
    fs.push_back(init(v, pre, cfg));
    for (const auto& a : actions())
      if (a.enabled(cfg)) fs.push_back(transition(v, a, pre, post, params_for(v, a, ""), cfg));
  }
  for (const auto& inv : invariants()) fs.push_back(inv.formula(v, pre));
  return check_signature(fs, v.sort(S::Device));
}

}  // namespace mnoswitch::model
