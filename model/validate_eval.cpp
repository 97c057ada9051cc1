// spec/mechanism.md §5: ground evaluation of the model's Z3 formulas over the finite universe of a trace.
// Quantifiers are loops over the universe; a quantifier whose body is guarded by a relation atom (∀x. R(x) → …,
// ∀x. ¬R(x) ∨ …, ∃x. R(x) ∧ …) loops over R's tuples instead — the same answer, since the body is trivially
// true (false) off R — which keeps 4-ary relations like sent_set cheap.
// The evaluator is the inner loop of trace validation (millions of node visits for a fleet of 50); the test suite
// runs the dev (Debug, -O0) build, where the unique_ptr/vector accessors are not inlined. Optimise this file.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__)
#pragma GCC optimize("O2")
#endif

#include "model/validate_eval.hpp"


#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace mnoswitch::model::validate {

int Universe::add(S s, const std::string& name) {
  auto& ix = index[static_cast<std::size_t>(s)];
  auto it = ix.find(name);
  if (it != ix.end()) return it->second;
  const int e = static_cast<int>(names[static_cast<std::size_t>(s)].size());
  names[static_cast<std::size_t>(s)].push_back(name);
  ix.emplace(name, e);
  return e;
}

int Universe::find(S s, const std::string& name) const {
  const auto& ix = index[static_cast<std::size_t>(s)];
  auto it = ix.find(name);
  return it == ix.end() ? -1 : it->second;
}

std::uint64_t Relation::pack(const int* xs, std::size_t n) {
  std::uint64_t r = 0;
  for (std::size_t j = 0; j < n; ++j) r = (r << 16) | (static_cast<std::uint64_t>(xs[j]) & 0xffffu);
  return r;
}

void Relation::insert(const std::vector<int>& t) {
  if (packed.insert(pack(t.data(), t.size())).second) tuples.push_back(t);
}

bool device_indexed(V v) {
  const auto& in = info(v);
  return in.domain.size() == 1 && in.domain[0] == S::Device;
}

enum class K : std::uint8_t { True, False, And, Or, Not, Implies, Ite, Eq, Distinct, Var, Param, Slot, Fn, Rigid, Forall, Exists };
enum class R : std::uint8_t { RangeA, RangeB, SupA, SupB, Le, Old, Prof, Common };

struct Gen {  // one generator atom of a quantifier plan
  const Node* atom = nullptr;
  std::vector<int> binds;  // per argument: the bound slot it binds, or -1 (evaluate and compare)
};

struct Node {
  K kind = K::True;
  std::vector<NodeP> kids;
  int a = 0;          // Var: absolute slot; Param/Slot: index; Fn: variable; Rigid: R
  bool post = false;  // Fn: the post-state copy
  std::uint64_t vars = 0;   // bound slots used in this subtree
  std::uint64_t slots = 0;  // update slots used in this subtree
  // Quantifiers
  int base = 0;
  std::vector<S> sorts;
  std::vector<Gen> plan;
  std::vector<int> rest;  // slots enumerated over the universe after the plan
};

Compiled::Compiled() = default;
Compiled::~Compiled() = default;
Compiled::Compiled(Compiled&&) noexcept = default;
Compiled& Compiled::operator=(Compiled&&) noexcept = default;

struct Compiler::Impl {
  struct Sym {
    K kind;
    int a;
    bool post;
  };
  std::map<std::string, Sym> syms;
  z3::context* c = nullptr;

  NodeP mk(K k) const {
    auto n = std::make_unique<Node>();
    n->kind = k;
    return n;
  }
  void absorb(Node& n) const {
    for (const auto& k : n.kids) {
      n.vars |= k->vars;
      n.slots |= k->slots;
    }
  }

  NodeP go(const z3::expr& e, int depth) const {
    if (e.is_var()) {
      auto n = mk(K::Var);
      const int idx = static_cast<int>(Z3_get_index_value(*c, e));
      n->a = depth - 1 - idx;
      if (n->a < 0 || n->a >= 64) throw std::logic_error("validate: bound variable out of range");
      n->vars = std::uint64_t{1} << n->a;
      return n;
    }
    if (e.is_quantifier()) {
      const unsigned nb = Z3_get_quantifier_num_bound(*c, e);
      std::vector<S> sorts;
      for (unsigned i = 0; i < nb; ++i) {
        z3::sort s(*c, Z3_get_quantifier_bound_sort(*c, e, i));
        sorts.push_back(sort_of(s));
      }
      NodeP body = go(e.body(), depth + static_cast<int>(nb));
      return quant(e.is_forall() ? K::Forall : K::Exists, depth, sorts, std::move(body));
    }
    if (!e.is_app()) throw std::logic_error("validate: unexpected term " + e.to_string());
    z3::func_decl d = e.decl();
    NodeP n;
    switch (d.decl_kind()) {
      case Z3_OP_TRUE: return mk(K::True);
      case Z3_OP_FALSE: return mk(K::False);
      case Z3_OP_AND: n = mk(K::And); break;
      case Z3_OP_OR: n = mk(K::Or); break;
      case Z3_OP_NOT: n = mk(K::Not); break;
      case Z3_OP_IMPLIES: n = mk(K::Implies); break;
      case Z3_OP_ITE: n = mk(K::Ite); break;
      case Z3_OP_EQ:
      case Z3_OP_IFF: n = mk(K::Eq); break;
      case Z3_OP_DISTINCT: n = mk(K::Distinct); break;
      case Z3_OP_UNINTERPRETED: {
        auto it = syms.find(d.name().str());
        if (it == syms.end()) throw std::logic_error("validate: unknown symbol " + d.name().str());
        n = mk(it->second.kind);
        n->a = it->second.a;
        n->post = it->second.post;
        if (n->kind == K::Slot) n->slots = std::uint64_t{1} << n->a;
        break;
      }
      default: throw std::logic_error("validate: unsupported operator in " + e.to_string());
    }
    for (unsigned i = 0; i < e.num_args(); ++i) {
      NodeP k = go(e.arg(i), depth);
      // flatten nested and/or (the C++ API builds them binary)
      if ((n->kind == K::And || n->kind == K::Or) && k->kind == n->kind)
        for (auto& kk : k->kids) n->kids.push_back(std::move(kk));
      else
        n->kids.push_back(std::move(k));
    }
    absorb(*n);
    return n;
  }

  static bool has_quant(const Node& n) {
    if (n.kind == K::Forall || n.kind == K::Exists) return true;
    for (const auto& k : n.kids)
      if (has_quant(*k)) return true;
    return false;
  }
  // Deep copy of a quantifier-free subtree.
  NodeP clone(const Node& n) const {
    auto r = std::make_unique<Node>();
    r->kind = n.kind;
    r->a = n.a;
    r->post = n.post;
    r->vars = n.vars;
    r->slots = n.slots;
    for (const auto& k : n.kids) r->kids.push_back(clone(*k));
    return r;
  }

  S sort_of(const z3::sort& s) const {
    const std::string nm = s.name().str();
    for (S so : {S::Device, S::Imsi, S::Key, S::Ctr, S::Prof})
      if (nm == sort_name(so)) return so;
    throw std::logic_error("validate: quantifier over unknown sort " + nm);
  }

  // ∀x. (P ∧ Q) = (∀x. P) ∧ (∀x. Q): split so each part gets its own generator.
  NodeP quant(K kind, int base, const std::vector<S>& sorts, NodeP body) const {
    if (kind == K::Forall && body->kind == K::And) {
      auto n = mk(K::And);
      for (auto& part : body->kids) n->kids.push_back(quant(kind, base, sorts, std::move(part)));
      absorb(*n);
      return n;
    }
    // ∀x. (… ∧ (P ∨ Q) ∧ …) → B  =  ∀x. (… ∧ P ∧ …) → B  ∧  ∀x. (… ∧ Q ∧ …) → B: each part can be guided.
    if (kind == K::Forall && body->kind == K::Implies && !has_quant(*body)) {
      Node& ante = *body->kids[0];
      std::vector<const Node*> conj;
      if (ante.kind == K::And)
        for (const auto& k : ante.kids) conj.push_back(k.get());
      else
        conj.push_back(&ante);
      for (std::size_t ci = 0; ci < conj.size(); ++ci) {
        if (conj[ci]->kind != K::Or) continue;
        auto n = mk(K::And);
        for (const auto& alt : conj[ci]->kids) {
          auto a2 = mk(K::And);
          for (std::size_t cj = 0; cj < conj.size(); ++cj) a2->kids.push_back(clone(cj == ci ? *alt : *conj[cj]));
          absorb(*a2);
          auto imp = mk(K::Implies);
          imp->kids.push_back(std::move(a2));
          imp->kids.push_back(clone(*body->kids[1]));
          absorb(*imp);
          n->kids.push_back(quant(kind, base, sorts, std::move(imp)));
        }
        absorb(*n);
        return n;
      }
    }
    auto q = mk(kind);
    q->base = base;
    q->sorts = sorts;
    q->kids.push_back(std::move(body));
    std::uint64_t mine = 0;
    for (std::size_t i = 0; i < sorts.size(); ++i) mine |= std::uint64_t{1} << (base + static_cast<int>(i));
    q->vars = q->kids[0]->vars & ~mine;
    q->slots = q->kids[0]->slots;
    plan(*q, mine);
    return q;
  }

  // The atoms that must be true for the body to matter (forall) or to hold (exists).
  static void guards(const Node& body, K kind, std::vector<const Node*>& out) {
    auto conj = [&](const Node& x) {
      if (x.kind == K::And)
        for (const auto& k : x.kids) out.push_back(k.get());
      else
        out.push_back(&x);
    };
    if (kind == K::Exists) {
      conj(body);
      return;
    }
    if (body.kind == K::Implies) conj(*body.kids[0]);
    else if (body.kind == K::Not) conj(*body.kids[0]);
    else if (body.kind == K::Or)
      for (const auto& k : body.kids)
        if (k->kind == K::Not) conj(*k->kids[0]);
  }

  void plan(Node& q, std::uint64_t mine) const {
    std::vector<const Node*> atoms;
    guards(*q.kids[0], q.kind, atoms);
    std::uint64_t bound = ~mine;  // everything outside this quantifier is bound already
    std::vector<bool> used(atoms.size(), false);
    for (bool progress = true; progress && (bound & mine) != mine;) {
      progress = false;
      for (std::size_t ai = 0; ai < atoms.size(); ++ai) {
        const Node* at = atoms[ai];
        if (used[ai] || at->kind != K::Fn || device_indexed(static_cast<V>(at->a)) || at->slots) continue;
        std::uint64_t now = bound;
        Gen g{at, {}};
        bool fresh = false;
        for (const auto& arg : at->kids) {
          if (arg->kind == K::Var && (mine >> arg->a & 1u) && !(now >> arg->a & 1u)) {
            g.binds.push_back(arg->a);
            now |= std::uint64_t{1} << arg->a;
            fresh = true;
          } else {
            g.binds.push_back(-1);
          }
        }
        bool ok = fresh;
        for (const auto& arg : at->kids)
          if ((arg->vars & ~now) != 0) ok = false;
        if (!ok) continue;
        used[ai] = true;
        bound = now;
        q.plan.push_back(std::move(g));
        progress = true;
      }
    }
    for (std::size_t i = 0; i < q.sorts.size(); ++i)
      if (!(bound >> (q.base + static_cast<int>(i)) & 1u)) q.rest.push_back(q.base + static_cast<int>(i));
  }
};

Compiler::Compiler(const Vocab& v, const State& pre, const State& post, SlotNames names) : impl_(std::make_shared<Impl>()) {
  impl_->c = &v.ctx();
  for (std::size_t i = 0; i < kVarCount; ++i) {
    impl_->syms[pre.fs[i].name().str()] = {K::Fn, static_cast<int>(i), false};
    impl_->syms[post.fs[i].name().str()] = {K::Fn, static_cast<int>(i), true};
  }
  const Statics& st = v.statics();
  auto rig = [&](const std::string& n, R r) { impl_->syms[n] = {K::Rigid, static_cast<int>(r), false}; };
  rig(st.range_a.name().str(), R::RangeA);
  rig(st.range_b.name().str(), R::RangeB);
  rig(st.sup_a.name().str(), R::SupA);
  rig(st.sup_b.name().str(), R::SupB);
  rig(st.le.name().str(), R::Le);
  rig(st.old.name().str(), R::Old);
  rig(st.prof.name().str(), R::Prof);
  rig(st.common.decl().name().str(), R::Common);
  for (std::size_t i = 0; i < names.params.size(); ++i) impl_->syms[names.params[i]] = {K::Param, static_cast<int>(i), false};
  for (std::size_t j = 0; j < names.slots.size(); ++j) impl_->syms[names.slots[j]] = {K::Slot, static_cast<int>(j), false};
}

namespace {
std::uint64_t reads_of(const Node& n) {
  std::uint64_t r = n.kind == K::Fn ? std::uint64_t{1} << n.a : 0;
  for (const auto& k : n.kids) r |= reads_of(*k);
  for (const auto& g : n.plan) r |= std::uint64_t{1} << g.atom->a;
  return r;
}
}  // namespace

Compiled Compiler::compile(const z3::expr& e) const {
  Compiled c;
  c.root_ = impl_->go(e, 0);
  c.reads_ = reads_of(*c.root_);
  return c;
}

namespace {

struct Ctx {
  const Env& env;
  std::array<int, 64> b{};
};

int eval(const Node& n, Ctx& x);

bool quant(const Node& q, Ctx& x, std::size_t g) {
  const bool forall = q.kind == K::Forall;
  if (g < q.plan.size()) {
    const Gen& gen = q.plan[g];
    const Node& at = *gen.atom;
    const Interp& in = at.post ? *x.env.post : *x.env.pre;
    const Relation& rel = in.rel[static_cast<std::size_t>(at.a)];
    for (const auto& t : rel.tuples) {
      for (std::size_t j = 0; j < t.size(); ++j)
        if (gen.binds[j] >= 0) x.b[static_cast<std::size_t>(gen.binds[j])] = t[j];
      bool match = true;
      for (std::size_t j = 0; j < t.size() && match; ++j)
        if (gen.binds[j] < 0 && eval(*at.kids[j], x) != t[j]) match = false;
      if (!match) continue;
      if (quant(q, x, g + 1) != forall) return !forall;
    }
    return forall;
  }
  // enumerate the remaining variables
  const std::size_t r = g - q.plan.size();
  if (r == q.rest.size()) return eval(*q.kids[0], x) != 0;
  const int slot = q.rest[r];
  const int n = x.env.u->size(q.sorts[static_cast<std::size_t>(slot - q.base)]);
  for (int e = 0; e < n; ++e) {
    x.b[static_cast<std::size_t>(slot)] = e;
    if (quant(q, x, g + 1) != forall) return !forall;
  }
  return forall;
}

int rigid(const Node& n, Ctx& x) {
  const Rigid& rg = *x.env.rigid;
  auto arg = [&](std::size_t i) { return static_cast<std::size_t>(eval(*n.kids[i], x)); };
  switch (static_cast<R>(n.a)) {
    case R::RangeA: return rg.range_a[arg(0)];
    case R::RangeB: return rg.range_b[arg(0)];
    case R::SupA: return rg.sup_a[arg(0)];
    case R::SupB: return rg.sup_b[arg(0)];
    case R::Le: return x.env.u->ctr_value[arg(0)] <= x.env.u->ctr_value[arg(1)] ? 1 : 0;
    case R::Old: return rg.old[arg(0)];
    case R::Prof: return rg.prof[arg(0)];
    case R::Common: return rg.common;
  }
  return 0;
}

int eval(const Node& n, Ctx& x) {
  switch (n.kind) {
    case K::True: return 1;
    case K::False: return 0;
    case K::And:
      for (const auto& k : n.kids)
        if (!eval(*k, x)) return 0;
      return 1;
    case K::Or:
      for (const auto& k : n.kids)
        if (eval(*k, x)) return 1;
      return 0;
    case K::Not: return eval(*n.kids[0], x) ? 0 : 1;
    case K::Implies: return !eval(*n.kids[0], x) || eval(*n.kids[1], x) ? 1 : 0;
    case K::Ite: return eval(*n.kids[0], x) ? eval(*n.kids[1], x) : eval(*n.kids[2], x);
    case K::Eq: {
      const int a = eval(*n.kids[0], x);
      for (std::size_t i = 1; i < n.kids.size(); ++i)
        if (eval(*n.kids[i], x) != a) return 0;
      return 1;
    }
    case K::Distinct: {
      std::vector<int> vs;
      for (const auto& k : n.kids) vs.push_back(eval(*k, x));
      std::sort(vs.begin(), vs.end());
      return std::adjacent_find(vs.begin(), vs.end()) == vs.end() ? 1 : 0;
    }
    case K::Var: return x.b[static_cast<std::size_t>(n.a)];
    case K::Param: return x.env.params.at(static_cast<std::size_t>(n.a));
    case K::Slot: return x.env.slots.at(static_cast<std::size_t>(n.a));
    case K::Fn: {
      const Interp& in = n.post ? *x.env.post : *x.env.pre;
      const auto v = static_cast<std::size_t>(n.a);
      if (device_indexed(static_cast<V>(n.a))) return in.fn[v][static_cast<std::size_t>(eval(*n.kids[0], x))];
      std::array<int, 8> args{};
      for (std::size_t i = 0; i < n.kids.size(); ++i) args[i] = eval(*n.kids[i], x);
      return in.rel[v].contains(args.data(), n.kids.size()) ? 1 : 0;
    }
    case K::Rigid: return rigid(n, x);
    case K::Forall:
    case K::Exists: return quant(n, x, 0) ? 1 : 0;
  }
  return 0;
}

// The ground terms a slot is compared with; false if a slot occurs in any other position.
bool slot_terms(const Node& n, V var, std::vector<std::vector<const Node*>>& eqs) {
  if (!n.slots) return true;
  if ((n.kind == K::Eq || n.kind == K::Distinct) && n.kids.size() == 2) {
    for (int s = 0; s < 2; ++s) {
      const Node& a = *n.kids[static_cast<std::size_t>(s)];
      const Node& b = *n.kids[static_cast<std::size_t>(1 - s)];
      if (a.kind == K::Slot && !b.slots) {
        eqs[static_cast<std::size_t>(a.a)].push_back(&b);
        return true;
      }
    }
    return false;
  }
  if (n.kind == K::Fn && !n.post && n.a == static_cast<int>(var)) {
    for (std::size_t j = 0; j < n.kids.size(); ++j)
      if (n.kids[j]->kind != K::Slot || n.kids[j]->a != static_cast<int>(j)) return false;
    return true;
  }
  if (n.kind == K::Slot || n.kind == K::Fn || n.kind == K::Rigid || n.kind == K::Forall || n.kind == K::Exists) return false;
  for (const auto& k : n.kids)
    if (!slot_terms(*k, var, eqs)) return false;
  return true;
}

}  // namespace

bool holds(const Compiled& f, const Env& env) { return value(f, env) != 0; }

int value(const Compiled& f, const Env& env) {
  Ctx x{env, {}};
  return eval(*f.root(), x);
}

bool update_candidates(const Compiled& rhs, const Env& env, V var, const Interp& pre, const Interp& post,
                       std::vector<std::vector<int>>& out) {
  const auto& dom = info(var).domain;
  std::vector<std::vector<const Node*>> eqs(dom.size());
  if (!slot_terms(*rhs.root(), var, eqs)) return false;
  Ctx x{env, {}};
  std::vector<std::vector<int>> choices(dom.size());
  for (std::size_t j = 0; j < dom.size(); ++j) {
    std::vector<char> used(static_cast<std::size_t>(env.u->size(dom[j])), 0);
    for (const Node* t : eqs[j]) {
      const int e = eval(*t, x);
      if (!used[static_cast<std::size_t>(e)]) choices[j].push_back(e);
      used[static_cast<std::size_t>(e)] = 1;
    }
    for (const Interp* in : {&pre, &post})
      for (const auto& t : in->rel[static_cast<std::size_t>(var)].tuples) used[static_cast<std::size_t>(t[j])] = 1;
    auto free = std::find(used.begin(), used.end(), 0);
    if (free != used.end()) {
      choices[j].push_back(static_cast<int>(free - used.begin()));
    } else {  // no generic element left: every element of the sort is a candidate
      choices[j].clear();
      for (int e = 0; e < env.u->size(dom[j]); ++e) choices[j].push_back(e);
    }
  }
  Relation seen;
  for (const Interp* in : {&pre, &post})
    for (const auto& t : in->rel[static_cast<std::size_t>(var)].tuples) seen.insert(t);
  std::vector<int> t(dom.size());
  auto rec = [&](auto& self, std::size_t j) -> void {
    if (j == dom.size()) {
      seen.insert(t);
      return;
    }
    for (int e : choices[j]) {
      t[j] = e;
      self(self, j + 1);
    }
  };
  rec(rec, 0);
  out = std::move(seen.tuples);
  return true;
}

}  // namespace mnoswitch::model::validate
