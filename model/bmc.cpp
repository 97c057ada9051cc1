// BMC by incremental unrolling: per step one selector per action (exactly one true), guards under their
// selectors, and per variable one quantified frame whose right-hand side is an ite over the selectors of the
// actions that update it (far fewer quantifiers than one frame per action).
#include "model/bmc.hpp"

#include <fmt/format.h>

#include <chrono>

#include "model/invariants.hpp"
#include "model/protocol.hpp"
#include "model/render.hpp"

namespace mnoswitch::model {
namespace {

class Unroller {
 public:
  Unroller(z3::context& c, const Vocab& v, const Config& cfg, int fleet, unsigned timeout_ms, bool keep_stutter)
      : c_(c), v_(v), cfg_(cfg), s_(make_solver(c, timeout_ms)) {
    State probe = v.state("@probe");
    for (const auto& a : actions()) {
      if (!a.enabled(cfg)) continue;
      auto ps = params_for(v, a, "@probe");
      Body b = a.body(Env{v, probe, ps, cfg});
      // A pure stutter (no guard, no update: message loss, a crash that loses nothing) cannot lead to a
      // violation; leaving it out keeps the unrolling small. reach() keeps it, to show it fires.
      if (keep_stutter || !(b.updates.empty() && b.guard.is_true())) enabled_.push_back(&a);
    }
    s_.add(static_axioms(v, cfg));
    if (fleet > 0) {  // at most `fleet` devices
      z3::expr x = v.bound(S::Device, "x");
      z3::expr any = c.bool_val(false);
      for (int j = 0; j < fleet; ++j) any = any || x == c.constant(fmt::format("dev{}", j).c_str(), v.sort(S::Device));
      s_.add(forall_({x}, any));
    }
    states_.push_back(v.state("@0"));
    s_.add(init(v, states_[0], cfg));
  }

  z3::solver& solver() { return s_; }
  const State& state(int k) const { return states_[static_cast<std::size_t>(k)]; }
  int depth() const { return static_cast<int>(states_.size()) - 1; }
  const z3::expr& sel(int k, std::size_t a) const { return sels_[static_cast<std::size_t>(k)][a]; }
  std::size_t action_index(const std::string& name) const {
    for (std::size_t i = 0; i < enabled_.size(); ++i)
      if (enabled_[i]->name == name) return i;
    return enabled_.size();
  }

  void extend() {
    int k = depth();
    const State& pre = states_.back();
    State post = v_.state(fmt::format("@{}", k + 1));
    std::vector<z3::expr> sel;
    std::vector<std::vector<z3::expr>> ps;
    std::vector<Body> bodies;
    for (const auto* a : enabled_) {
      sel.push_back(c_.bool_const(fmt::format("step{}={}", k + 1, a->name).c_str()));
      ps.push_back(params_for(v_, *a, fmt::format("@{}", k + 1)));
    }
    z3::expr one = c_.bool_val(false);
    for (std::size_t i = 0; i < enabled_.size(); ++i) {
      Env env{v_, pre, ps[i], cfg_};
      bodies.push_back(enabled_[i]->body(env));
      s_.add(z3::implies(sel[i], bodies.back().guard));
      one = one || sel[i];
      for (std::size_t j = 0; j < i; ++j) s_.add(!(sel[i] && sel[j]));
    }
    s_.add(one);
    for (std::size_t vi = 0; vi < kVarCount; ++vi) {
      V var = static_cast<V>(vi);
      const VarInfo& in = info(var);
      std::vector<z3::expr> xs;
      for (std::size_t j = 0; j < in.domain.size(); ++j) xs.push_back(v_.bound(in.domain[j], "x" + std::to_string(j)));
      z3::expr rhs = call(pre[var], xs);
      for (std::size_t i = 0; i < enabled_.size(); ++i)
        for (const auto& u : bodies[i].updates)
          if (u.var == var) rhs = z3::ite(sel[i], u.value(xs), rhs);
      s_.add(forall_(xs, call(post[var], xs) == rhs));
    }
    params_.push_back(std::move(ps));
    sels_.push_back(std::move(sel));
    states_.push_back(std::move(post));
  }

  Trace decode(const z3::model& m, int depth, const std::string& violated) const {
    Naming n(m, v_);
    Trace t;
    t.violated = violated;
    t.devices = static_cast<int>(n.universe(S::Device).size());
    t.statics = n.statics(v_);
    StateView prev = view(n, v_, states_[0]);
    t.initial = render(prev);
    for (int k = 0; k < depth; ++k) {
      TraceStep st;
      st.index = k + 1;
      for (std::size_t i = 0; i < enabled_.size(); ++i) {
        if (!m.eval(sels_[static_cast<std::size_t>(k)][i], true).is_true()) continue;
        st.action = enabled_[i]->name;
        st.actor = enabled_[i]->actor;
        for (std::size_t j = 0; j < enabled_[i]->params.size(); ++j)
          st.args.emplace_back(enabled_[i]->params[j].name, n.name(params_[static_cast<std::size_t>(k)][i][j]));
        break;
      }
      StateView next = view(n, v_, states_[static_cast<std::size_t>(k + 1)]);
      st.changes = diff(prev, next);
      prev = std::move(next);
      t.steps.push_back(std::move(st));
    }
    return t;
  }

 private:
  z3::context& c_;
  const Vocab& v_;
  const Config& cfg_;
  z3::solver s_;
  std::vector<const Action*> enabled_;
  std::vector<State> states_;
  std::vector<std::vector<z3::expr>> sels_;
  std::vector<std::vector<std::vector<z3::expr>>> params_;
};

z3::expr target_formula(const Vocab& v, const State& s, const std::string& id) {
  z3::expr r = v.ctx().bool_val(true);
  for (const auto& inv : invariants())
    if (inv.id == id) r = r && inv.formula(v, s);
  return r;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<BmcResult> bmc(const Config& cfg, const std::vector<std::string>& ids, const BmcOptions& opt) {
  std::vector<BmcResult> out;
  for (const auto& id : ids) out.push_back(BmcResult{id, Verdict::Unknown, -1, 0, std::nullopt, 0, "", ""});
  z3::context c;
  Vocab v(c);
  auto t0 = std::chrono::steady_clock::now();
  std::size_t open = ids.size();
  for (int fleet = 1; fleet <= opt.max_fleet && open > 0; ++fleet) {
    Unroller u(c, v, cfg, fleet, opt.timeout_ms, false);
    for (int k = 0; k <= opt.bound && open > 0; ++k) {
      if (k > 0) u.extend();
      for (auto& r : out) {
        if (r.verdict == Verdict::Refuted) continue;
        auto tq = std::chrono::steady_clock::now();
        Scope sc(u.solver());
        u.solver().add(!target_formula(v, u.state(k), r.id));
        std::string name = fmt::format("{}/bmc/{}/fleet{}/depth{}", cfg.name, r.id, fleet, k);
        if (opt.progress) opt.progress(name);
        Outcome o = check(u.solver(), name);
        r.seconds += since(tq);
        if (o.verdict == Verdict::Proved) continue;  // no violation at this depth
        if (o.verdict == Verdict::Unknown) {
          r.reason = fmt::format("solver unknown at fleet {} depth {}: {}", fleet, k, o.reason);
          continue;
        }
        r.verdict = Verdict::Refuted;
        r.depth = k;
        r.devices = fleet;
        r.trace = u.decode(*o.model, k, r.id);
        if (opt.want_smt2)
          r.smt2 = fmt::format("; obligation {}\n; expected sat\n(set-logic UF)\n{}", name, u.solver().to_smt2("sat"));
        --open;
      }
    }
  }
  for (auto& r : out)
    if (r.verdict != Verdict::Refuted && r.reason.empty())
      r.reason = fmt::format("no violation up to depth {} with up to {} devices", opt.bound, opt.max_fleet);
  (void)t0;
  return out;
}

BmcResult reach(const Config& cfg, const Goal& goal, const BmcOptions& opt) {
  BmcResult r{goal.name, Verdict::Unknown, -1, 0, std::nullopt, 0, "", ""};
  z3::context c;
  Vocab v(c);
  auto t0 = std::chrono::steady_clock::now();
  for (int fleet = 1; fleet <= opt.max_fleet; ++fleet) {
    Unroller u(c, v, cfg, fleet, opt.timeout_ms, true);
    std::size_t ai = goal.last_action.empty() ? 0 : u.action_index(goal.last_action);
    for (int k = 0; k <= opt.bound; ++k) {
      if (k > 0) u.extend();
      if (!goal.last_action.empty() && k == 0) continue;
      Scope sc(u.solver());
      if (goal.formula) u.solver().add(goal.formula(v, u.state(k)));
      if (!goal.last_action.empty()) u.solver().add(u.sel(k - 1, ai));
      Outcome o = check(u.solver(), goal.name);
      if (o.verdict == Verdict::Refuted) {  // sat: reachable
        r.verdict = Verdict::Refuted;
        r.depth = k;
        r.devices = fleet;
        r.trace = u.decode(*o.model, k, goal.name);
        r.seconds = since(t0);
        return r;
      }
      if (o.verdict == Verdict::Unknown) r.reason = o.reason;
    }
  }
  r.seconds = since(t0);
  if (r.reason.empty()) r.reason = fmt::format("not reachable up to depth {}", opt.bound);
  return r;
}

std::vector<std::string> steps_text(const Trace& t) {
  std::vector<std::string> out;
  out.push_back(fmt::format("fleet of {} device{}; {}{}", t.devices, t.devices == 1 ? "" : "s",
                            t.violated.rfind("INV-", 0) == 0 ? "violates " : "reaches: ", t.violated));
  for (const auto& s : t.statics) out.push_back("  " + s);
  out.push_back("  initial state:");
  for (const auto& s : t.initial) out.push_back("    " + s);
  for (const auto& st : t.steps) {
    std::string args;
    for (const auto& [k, val] : st.args) args += (args.empty() ? "" : ", ") + k + "=" + val;
    out.push_back(fmt::format("  {}. {}({})", st.index, st.action, args));
    std::string ch;
    for (const auto& c : st.changes) ch += (ch.empty() ? "" : "; ") + c;
    out.push_back(fmt::format("       {}", ch.empty() ? "(no state change)" : ch));
  }
  return out;
}

namespace {
std::string arg(const TraceStep& s, const std::string& k) {
  for (const auto& [n, v] : s.args)
    if (n == k) return v;
  return "?";
}
}  // namespace

std::vector<std::string> mermaid(const Trace& t) {
  std::vector<std::string> m{"sequenceDiagram", "  participant M2M as M2M operator", "  participant A as MNO A",
                             "  participant B as MNO B"};
  std::vector<std::string> devs;
  for (int i = 0; i < t.devices; ++i) m.push_back(fmt::format("  participant d{0} as card d{0}", i));
  m.push_back("  participant X as attacker");
  for (const auto& s : t.steps) {
    std::string d = arg(s, "d");
    std::string n = fmt::format("{}. ", s.index);
    const std::string& a = s.action;
    if (a == "m2m_decide") m.push_back(fmt::format("  M2M->>B: {}move {} to B", n, d));
    else if (a == "b_allocate") m.push_back(fmt::format("  B->>A: {}IMSI list: {} → {}", n, d, arg(s, "i")));
    else if (a == "a_handover") m.push_back(fmt::format("  A->>B: {}hand-over {} (K, profile, OTA keys)", n, d));
    else if (a == "a_send_set") m.push_back(fmt::format("  A-){}: {}SET EF_IMSI (CNTR {})", d, n, arg(s, "c")));
    else if (a == "card_apply_set") m.push_back(fmt::format("  {}-)A: {}applied SET EF_IMSI={} (CNTR {}), PoR", d, n, arg(s, "i"), arg(s, "c")));
    else if (a == "a_recv_por") m.push_back(fmt::format("  Note over A: {}PoR (CNTR {}) accepted: {} proven", n, arg(s, "c"), d));
    else if (a == "a_send_read") m.push_back(fmt::format("  A-){}: {}READ EF_IMSI (CNTR {})", d, n, arg(s, "c")));
    else if (a == "card_read") m.push_back(fmt::format("  {}-)A: {}EF_IMSI read-back (CNTR {})", d, n, arg(s, "c")));
    else if (a == "a_recv_read") m.push_back(fmt::format("  Note over A: {}read-back says {}", n, arg(s, "i")));
    else if (a == "dev_attach") m.push_back(fmt::format("  {}->>B: {}attach (AKA)", d, n));
    else if (a == "a_complete") m.push_back(fmt::format("  Note over A: {}complete {}: old record deleted", n, d));
    else if (a == "a_cancel") m.push_back(fmt::format("  A->>B: {}cancel {} (B deletes the new record)", n, d));
    else if (a == "b_rekey") m.push_back(fmt::format("  B-){}: {}re-key (new K {}, OTA keys {})", d, n, arg(s, "k1"), arg(s, "k2")));
    else if (a == "b_close") m.push_back(fmt::format("  Note over B: {}close {}", n, d));
    else if (a == "crash_a") m.push_back(fmt::format("  Note over A: {}crash and restart", n));
    else if (a == "crash_b") m.push_back(fmt::format("  Note over B: {}crash and restart", n));
    else if (a == "net_lose") m.push_back(fmt::format("  Note over {}: {}SMS lost", d, n));
    else if (a == "atk_inject") m.push_back(fmt::format("  X-){}: {}injected SET EF_IMSI={} (CNTR {})", d, n, arg(s, "i"), arg(s, "c")));
    else if (a == "a_rogue_set") m.push_back(fmt::format("  A-){}: {}rogue SET EF_IMSI={} (CNTR {})", d, n, arg(s, "i"), arg(s, "c")));
    else if (a == "a_terminate") m.push_back(fmt::format("  Note over A: {}drops the record of {}", n, d));
    else m.push_back(fmt::format("  Note over A: {}{}", n, a));
  }
  if (t.violated.rfind("INV-", 0) == 0) m.push_back(fmt::format("  Note over A,X: {} violated", t.violated));
  else if (!t.violated.empty()) m.push_back(fmt::format("  Note over A,X: reached: {}", t.violated));
  return m;
}

}  // namespace mnoswitch::model
