// Rendering of Z3 models as named, ordered facts (CTI pre/post states, trace steps).
#include "model/render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/protocol.hpp"

namespace mnoswitch::model {
namespace {

std::vector<z3::expr> sort_universe(const z3::model& m, const z3::sort& s) {
  std::vector<z3::expr> r;
  unsigned ns = Z3_model_get_num_sorts(m.ctx(), m);
  for (unsigned i = 0; i < ns; ++i) {
    if (z3::eq(z3::sort(m.ctx(), Z3_model_get_sort(m.ctx(), m, i)), s)) {
      Z3_ast_vector u = Z3_model_get_sort_universe(m.ctx(), m, s);
      z3::expr_vector ev(m.ctx(), u);
      for (unsigned j = 0; j < ev.size(); ++j) r.push_back(ev[static_cast<int>(j)]);
    }
  }
  return r;
}

char prefix(S s) {
  switch (s) {
    case S::Device: return 'd';
    case S::Imsi: return 'i';
    case S::Key: return 'k';
    case S::Ctr: return 'c';
    case S::Prof: return 'p';
    case S::Bool: return 'b';
  }
  return '?';
}

}  // namespace

Naming::Naming(const z3::model& m, const Vocab& v) : m_(m), uni_(kSortCount) {
  for (S s : {S::Device, S::Imsi, S::Key, S::Ctr, S::Prof}) {
    auto u = sort_universe(m, v.sort(s));
    if (s == S::Ctr) {  // name counters by their rank in the order: c0 < c1 < ...
      std::vector<std::pair<int, std::size_t>> ranked;
      for (std::size_t a = 0; a < u.size(); ++a) {
        int r = 0;
        for (const auto& y : u)
          if (!z3::eq(u[a], y) && m.eval(v.statics().le(y, u[a]), true).is_true()) ++r;
        ranked.emplace_back(r, a);
      }
      std::sort(ranked.begin(), ranked.end());
      std::vector<z3::expr> sorted;
      for (const auto& [r, a] : ranked) sorted.push_back(u[a]);
      u = std::move(sorted);
    }
    if (s == S::Imsi) {  // name IMSIs by the range they belong to: iA0 (A's), iB0 (B's), i0 (neither)
      int na = 0, nb = 0, nn = 0;
      for (const auto& x : u) {
        bool a = m.eval(v.statics().range_a(x), true).is_true(), b = m.eval(v.statics().range_b(x), true).is_true();
        names_[x.to_string()] = a ? fmt::format("iA{}", na++) : b ? fmt::format("iB{}", nb++) : fmt::format("i{}", nn++);
      }
    } else {
      for (std::size_t i = 0; i < u.size(); ++i) names_[u[i].to_string()] = fmt::format("{}{}", prefix(s), i);
    }
    if (s == S::Prof) {
      z3::expr c = m.eval(v.statics().common, true);
      names_[c.to_string()] = "common";
    }
    uni_[static_cast<std::size_t>(s)] = std::move(u);
  }
}

std::string Naming::name(const z3::expr& value) const {
  z3::expr x = m_.eval(value, true);
  // Z3 4.8.12 sometimes answers with a term over the previous step's function (a BMC frame's ite) rather than a
  // value; evaluating the answer again resolves it, and failing that the universe element it equals names it.
  for (int i = 0; i < 3 && !x.is_true() && !x.is_false() && !names_.contains(x.to_string()); ++i) x = m_.eval(x, true);
  if (x.is_true()) return "true";
  if (x.is_false()) return "false";
  auto it = names_.find(x.to_string());
  if (it != names_.end()) return it->second;
  if (x.get_sort().is_bool()) return m_.eval(x.simplify(), true).is_true() ? "true" : "false";
  for (const auto& u : uni_)
    for (const auto& e : u)
      if (z3::eq(e.get_sort(), x.get_sort()) && m_.eval(x == e, true).is_true()) return name(e);
  return x.to_string();
}

std::vector<std::string> Naming::statics(const Vocab& v) const {
  const Statics& st = v.statics();
  std::vector<std::string> r;
  std::string order;
  for (const auto& c : universe(S::Ctr)) order += (order.empty() ? "" : " < ") + name(c);
  if (!order.empty()) r.push_back("counters: " + order);
  std::string ra, rb, none;
  for (const auto& i : universe(S::Imsi)) {
    bool a = m_.eval(st.range_a(i), true).is_true(), b = m_.eval(st.range_b(i), true).is_true();
    (a ? ra : b ? rb : none) += (a ? ra : b ? rb : none).empty() ? name(i) : " " + name(i);
  }
  r.push_back(fmt::format("IMSI ranges: A {{{}}}, B {{{}}}{}", ra, rb, none.empty() ? "" : ", neither {" + none + "}"));
  for (const auto& d : universe(S::Device))
    r.push_back(fmt::format("{}: original IMSI {}, AKA profile {}", name(d), name(st.old(d)), name(st.prof(d))));
  std::string sa, sb;
  for (const auto& p : universe(S::Prof)) {
    if (m_.eval(st.sup_a(p), true).is_true()) sa += (sa.empty() ? "" : " ") + name(p);
    if (m_.eval(st.sup_b(p), true).is_true()) sb += (sb.empty() ? "" : " ") + name(p);
  }
  r.push_back(fmt::format("AuC profiles: A {{{}}}, B {{{}}}", sa, sb));
  return r;
}

StateView view(const Naming& n, const Vocab&, const State& st) {
  StateView out;
  const z3::model& m = n.model();
  for (std::size_t vi = 0; vi < kVarCount; ++vi) {
    V var = static_cast<V>(vi);
    const VarInfo& in = info(var);
    // Enumerate all argument tuples over the (finite) universes.
    std::vector<std::vector<z3::expr>> tuples{{}};
    for (S s : in.domain) {
      std::vector<std::vector<z3::expr>> next;
      for (const auto& t : tuples)
        for (const auto& e : n.universe(s)) {
          auto u = t;
          u.push_back(e);
          next.push_back(std::move(u));
        }
      tuples = std::move(next);
    }
    for (const auto& t : tuples) {
      z3::expr val = m.eval(call(st[var], t), true);
      std::string args;
      for (const auto& a : t) args += (args.empty() ? "" : ",") + n.name(a);
      if (in.range == S::Bool && in.domain.size() > 1) {
        if (val.is_true()) out.tuples.insert(fmt::format("{}({})", in.name, args));
      } else if (in.range == S::Bool && in.domain[0] != S::Device) {
        if (val.is_true()) out.tuples.insert(fmt::format("{}({})", in.name, args));
      } else {
        out.scalars[fmt::format("{}.{}", args, in.name)] = n.name(val);
      }
    }
  }
  // An allocation that has not happened has no meaningful value: show it as "-".
  for (auto& [k, val] : out.scalars) {
    if (k.size() < 6 || k.compare(k.size() - 6, 6, ".alloc") != 0) continue;
    auto it = out.scalars.find(k + "ated");
    if (it != out.scalars.end() && it->second == "false") val = "-";
  }
  return out;
}

std::vector<std::string> diff(const StateView& a, const StateView& b) {
  std::vector<std::string> r;
  for (const auto& [k, vb] : b.scalars) {
    auto it = a.scalars.find(k);
    if (it == a.scalars.end() || it->second != vb) r.push_back(fmt::format("{}: {} → {}", k, it == a.scalars.end() ? "?" : it->second, vb));
  }
  for (const auto& t : b.tuples)
    if (!a.tuples.count(t)) r.push_back("+" + t);
  for (const auto& t : a.tuples)
    if (!b.tuples.count(t)) r.push_back("-" + t);
  return r;
}

std::vector<std::string> render(const StateView& s) {
  std::vector<std::string> r;
  // one line per device: its scalars
  std::map<std::string, std::string> lines;
  for (const auto& [k, v] : s.scalars) {
    auto dot = k.find('.');
    std::string dev = k.substr(0, dot), field = k.substr(dot + 1);
    if (v == "false" || v == "-") continue;
    lines[dev] += (lines[dev].empty() ? "" : " ") + (v == "true" ? field : field + "=" + v);
  }
  for (const auto& [d, l] : lines) r.push_back(d + ": " + l);
  std::string rel;
  for (const auto& t : s.tuples) rel += (rel.empty() ? "" : " ") + t;
  if (!rel.empty()) r.push_back(rel);
  return r;
}

}  // namespace mnoswitch::model
