// Concrete states as finite Z3 interpretations: one distinct constant per element, a closure axiom per sort,
// every variable given exactly; then Init, T_a or an invariant is checked against it.
#include "model/concrete.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "model/invariants.hpp"
#include "model/protocol.hpp"

namespace mnoswitch::model {
namespace {

const char* kNone = "-";  // alloc of a device that has none

class Encoder {
 public:
  Encoder(z3::context& c, const Vocab& v, const std::vector<const ConcreteState*>& states, const ConcreteArgs* args,
          const Action* action)
      : c_(c), v_(v) {
    std::size_t n = states.front()->devices.size();
    for (const auto* s : states)
      if (s->devices.size() != n) throw std::invalid_argument("states differ in their number of devices");
    for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) add(S::Device, std::to_string(i));
    add(S::Imsi, kNone);
    add(S::Prof, states.front()->common);
    for (const auto* s : states) collect(*s);
    if (args && action)
      for (const auto& p : action->params)
        if (args->contains(p.name)) add_arg(p.sort, (*args)[p.name]);
    for (S s : {S::Key, S::Ctr})
      if (names_[idx(s)].empty()) add(s, s == S::Ctr ? "0" : "key:none");
  }

  z3::expr elem(S s, const std::string& name) const {
    auto& m = consts_[idx(s)];
    auto it = m.find(name);
    if (it == m.end()) throw std::invalid_argument(fmt::format("unknown {} '{}'", sort_name(s), name));
    return it->second;
  }
  z3::expr ctr(std::uint64_t c) const { return elem(S::Ctr, std::to_string(c)); }
  z3::expr dev(std::size_t i) const { return elem(S::Device, std::to_string(i)); }
  z3::expr arg(S s, const nlohmann::json& j) const {
    if (s == S::Device || s == S::Ctr) return elem(s, std::to_string(j.get<std::uint64_t>()));
    return elem(s, j.get<std::string>());
  }

  // Distinct elements, closure, and the rigid symbols taken from the first state.
  z3::expr universe(const ConcreteState& s) const {
    z3::expr r = c_.bool_val(true);
    for (S so : {S::Device, S::Imsi, S::Key, S::Ctr, S::Prof}) {
      z3::expr_vector all(c_);
      for (const auto& [n, e] : consts_[idx(so)]) all.push_back(e);
      if (all.size() > 1) r = r && z3::distinct(all);
      z3::expr x = v_.bound(so, "u");
      z3::expr any = c_.bool_val(false);
      for (const auto& [n, e] : consts_[idx(so)]) any = any || x == e;
      r = r && forall_({x}, any);
    }
    const Statics& st = v_.statics();
    r = r && set1(st.range_a, S::Imsi, s.range_a) && set1(st.range_b, S::Imsi, s.range_b) &&
        set1(st.sup_a, S::Prof, s.sup_a) && set1(st.sup_b, S::Prof, s.sup_b) && st.common == elem(S::Prof, s.common);
    for (const auto& [a, ea] : consts_[idx(S::Ctr)])
      for (const auto& [b, eb] : consts_[idx(S::Ctr)]) {
        z3::expr le = st.le(ea, eb);
        r = r && (std::stoull(a) <= std::stoull(b) ? le : !le);
      }
    for (std::size_t i = 0; i < s.devices.size(); ++i)
      r = r && st.old(dev(i)) == elem(S::Imsi, s.devices[i].old) && st.prof(dev(i)) == elem(S::Prof, s.devices[i].prof);
    return r;
  }

  z3::expr state(const ConcreteState& s, const State& st) const {
    z3::expr r = c_.bool_val(true);
    for (std::size_t i = 0; i < s.devices.size(); ++i) {
      const auto& d = s.devices[i];
      z3::expr x = dev(i);
      auto b = [&](V var, bool val) { return val ? st[var](x) : !st[var](x); };
      r = r && st[V::imsi](x) == elem(S::Imsi, d.imsi) && st[V::key](x) == elem(S::Key, d.key) &&
          st[V::ota](x) == elem(S::Key, d.ota) && st[V::cctr](x) == ctr(d.cctr) &&
          st[V::alloc](x) == elem(S::Imsi, d.alloc.empty() ? kNone : d.alloc) && st[V::ctr_a](x) == ctr(d.ctr_a) &&
          st[V::ctr_b](x) == ctr(d.ctr_b) && b(V::wanted, d.wanted) && b(V::allocated, d.allocated) &&
          b(V::ready, d.ready) && b(V::issued, d.issued) && b(V::proven, d.proven) && b(V::still_old, d.still_old) &&
          b(V::done, d.done) && b(V::cancelled, d.cancelled) && b(V::rekeyed, d.rekeyed) && b(V::closed, d.closed) &&
          b(V::replayed, d.replayed);
    }
    auto recs = [&](const std::set<ConcreteState::Rec>& in) {
      std::vector<std::vector<z3::expr>> t;
      for (const auto& [i, k, p] : in) t.push_back({elem(S::Imsi, i), elem(S::Key, k), elem(S::Prof, p)});
      return t;
    };
    r = r && rel(st[V::hss_a], {S::Imsi, S::Key, S::Prof}, recs(s.hss_a)) &&
        rel(st[V::hss_b], {S::Imsi, S::Key, S::Prof}, recs(s.hss_b));
    r = r && set1(st[V::knows_a], S::Key, s.knows_a) && set1(st[V::knows_b], S::Key, s.knows_b) &&
        set1(st[V::knows_m], S::Key, s.knows_m) && set1(st[V::knows_x], S::Key, s.knows_x);
    std::vector<std::vector<z3::expr>> t;
    for (const auto& [d, i, c, k] : s.sent_set) t.push_back({dev(d), elem(S::Imsi, i), ctr(c), elem(S::Key, k)});
    r = r && rel(st[V::sent_set], {S::Device, S::Imsi, S::Ctr, S::Key}, t);
    t.clear();
    for (const auto& [d, c, k] : s.sent_read) t.push_back({dev(d), ctr(c), elem(S::Key, k)});
    r = r && rel(st[V::sent_read], {S::Device, S::Ctr, S::Key}, t);
    t.clear();
    for (const auto& [d, i, c] : s.sent_por) t.push_back({dev(d), elem(S::Imsi, i), ctr(c)});
    r = r && rel(st[V::sent_por], {S::Device, S::Imsi, S::Ctr}, t);
    t.clear();
    for (const auto& [d, i, c] : s.sent_rbk) t.push_back({dev(d), elem(S::Imsi, i), ctr(c)});
    r = r && rel(st[V::sent_rbk], {S::Device, S::Imsi, S::Ctr}, t);
    return r;
  }

 private:
  static std::size_t idx(S s) { return static_cast<std::size_t>(s); }
  void add(S s, const std::string& name) {
    auto& m = consts_[idx(s)];
    if (m.count(name)) return;
    m.emplace(name, c_.constant(fmt::format("{}!{}", sort_name(s), name).c_str(), v_.sort(s)));
    names_[idx(s)].push_back(name);
  }
  void add_arg(S s, const nlohmann::json& j) {
    if (s == S::Device) return;  // devices are indices already present
    add(s, s == S::Ctr ? std::to_string(j.get<std::uint64_t>()) : j.get<std::string>());
  }
  void collect(const ConcreteState& s) {
    for (const auto& d : s.devices) {
      add(S::Imsi, d.imsi);
      add(S::Imsi, d.old);
      if (!d.alloc.empty()) add(S::Imsi, d.alloc);
      add(S::Key, d.key);
      add(S::Key, d.ota);
      add(S::Prof, d.prof);
      for (auto c : {d.cctr, d.ctr_a, d.ctr_b}) add(S::Ctr, std::to_string(c));
    }
    for (const auto* h : {&s.hss_a, &s.hss_b})
      for (const auto& [i, k, p] : *h) {
        add(S::Imsi, i);
        add(S::Key, k);
        add(S::Prof, p);
      }
    for (const auto* ks : {&s.knows_a, &s.knows_b, &s.knows_m, &s.knows_x})
      for (const auto& k : *ks) add(S::Key, k);
    for (const auto& [d, i, c, k] : s.sent_set) {
      add(S::Imsi, i);
      add(S::Ctr, std::to_string(c));
      add(S::Key, k);
    }
    for (const auto& [d, c, k] : s.sent_read) {
      add(S::Ctr, std::to_string(c));
      add(S::Key, k);
    }
    for (const auto* m : {&s.sent_por, &s.sent_rbk})
      for (const auto& [d, i, c] : *m) {
        add(S::Imsi, i);
        add(S::Ctr, std::to_string(c));
      }
    for (const auto* r : {&s.range_a, &s.range_b})
      for (const auto& i : *r) add(S::Imsi, i);
    for (const auto* r : {&s.sup_a, &s.sup_b})
      for (const auto& p : *r) add(S::Prof, p);
    add(S::Prof, s.common);
  }
  z3::expr set1(const z3::func_decl& f, S s, const std::set<std::string>& in) const {
    z3::expr r = c_.bool_val(true);
    for (const auto& [n, e] : consts_[idx(s)]) r = r && (in.count(n) ? f(e) : !f(e));
    return r;
  }
  z3::expr rel(const z3::func_decl& f, const std::vector<S>& dom, const std::vector<std::vector<z3::expr>>& tuples) const {
    std::vector<z3::expr> xs;
    for (std::size_t j = 0; j < dom.size(); ++j) xs.push_back(v_.bound(dom[j], "r" + std::to_string(j)));
    z3::expr any = c_.bool_val(false);
    for (const auto& t : tuples) {
      z3::expr eq = c_.bool_val(true);
      for (std::size_t j = 0; j < t.size(); ++j) eq = eq && xs[j] == t[j];
      any = any || eq;
    }
    return forall_(xs, call(f, xs) == any);
  }

  z3::context& c_;
  const Vocab& v_;
  std::array<std::map<std::string, z3::expr>, kSortCount> consts_;
  std::array<std::vector<std::string>, kSortCount> names_;
};

// The returned Outcome never carries a model: it belongs to a context that dies with the caller's frame.
Outcome detach(Outcome o) {
  o.model.reset();
  return o;
}

Outcome negate_check(z3::solver& s, const z3::expr& base, const z3::expr& claim, const std::string& name) {
  s.add(base);
  {
    Scope sc(s);
    Outcome o = check(s, name + " (consistency)");
    if (o.verdict == Verdict::Proved) {  // base unsat: the state breaks the static axioms
      o.verdict = Verdict::Refuted;
      o.reason = "the state contradicts the static axioms (ranges, original IMSIs, counter order, profiles)";
      return detach(o);
    }
    if (o.verdict == Verdict::Unknown) return detach(o);
  }
  s.add(!claim);
  return detach(check(s, name));
}

}  // namespace

Outcome ConcreteChecker::consistent(const ConcreteState& st) const {
  z3::context c;
  Vocab v(c);
  State s = v.state("");
  Encoder e(c, v, {&st}, nullptr, nullptr);
  z3::solver sv = make_solver(c, timeout_ms_);
  sv.add(e.universe(st) && static_axioms(v, cfg_) && e.state(st, s));
  Outcome o = check(sv, "consistent");
  o.verdict = o.verdict == Verdict::Refuted ? Verdict::Proved : o.verdict == Verdict::Proved ? Verdict::Refuted : Verdict::Unknown;
  return detach(o);
}

Outcome ConcreteChecker::init(const ConcreteState& st) const {
  z3::context c;
  Vocab v(c);
  State s = v.state("");
  Encoder e(c, v, {&st}, nullptr, nullptr);
  z3::solver sv = make_solver(c, timeout_ms_);
  return negate_check(sv, e.universe(st) && static_axioms(v, cfg_) && e.state(st, s), model::init(v, s, cfg_), "init");
}

Outcome ConcreteChecker::invariant(const std::string& name_or_id, const ConcreteState& st) const {
  z3::context c;
  Vocab v(c);
  State s = v.state("");
  Encoder e(c, v, {&st}, nullptr, nullptr);
  z3::expr claim = c.bool_val(true);
  bool found = false;
  for (const auto& inv : invariants())
    if (inv.name == name_or_id || inv.id == name_or_id) {
      claim = claim && inv.formula(v, s);
      found = true;
    }
  if (!found) throw std::invalid_argument("unknown invariant " + name_or_id);
  z3::solver sv = make_solver(c, timeout_ms_);
  return negate_check(sv, e.universe(st) && static_axioms(v, cfg_) && e.state(st, s), claim, name_or_id);
}

Outcome ConcreteChecker::step(const std::string& action, const ConcreteArgs& args, const ConcreteState& pre,
                              const ConcreteState& post) const {
  const Action* a = find_action(action);
  if (!a) throw std::invalid_argument("unknown action " + action);
  Outcome o;
  o.name = action;
  if (!a->enabled(cfg_)) {
    o.verdict = Verdict::Refuted;
    o.reason = "action not part of variant " + cfg_.name;
    return o;
  }
  z3::context c;
  Vocab v(c);
  State s0 = v.state("@pre"), s1 = v.state("@post");
  Encoder e(c, v, {&pre, &post}, &args, a);
  std::vector<z3::expr> ps = params_for(v, *a, "");
  z3::expr bind = c.bool_val(true);
  for (std::size_t i = 0; i < a->params.size(); ++i)
    if (args.is_object() && args.contains(a->params[i].name)) bind = bind && ps[i] == e.arg(a->params[i].sort, args[a->params[i].name]);
  z3::solver sv = make_solver(c, timeout_ms_);
  sv.add(e.universe(pre) && static_axioms(v, cfg_) && e.state(pre, s0) && e.state(post, s1) && bind &&
         transition(v, *a, s0, s1, ps, cfg_));
  o = check(sv, action);
  // sat = the model allows the step
  o.verdict = o.verdict == Verdict::Refuted ? Verdict::Proved : o.verdict == Verdict::Proved ? Verdict::Refuted : Verdict::Unknown;
  if (o.verdict == Verdict::Refuted) o.reason = "the transition relation of " + action + " does not allow this step";
  o.model.reset();
  return o;
}

std::vector<std::string> ConcreteChecker::explaining_actions(const ConcreteState& pre, const ConcreteState& post) const {
  std::vector<std::string> r;
  for (const auto& a : actions())
    if (a.enabled(cfg_) && step(a.name, nlohmann::json::object(), pre, post).verdict == Verdict::Proved) r.push_back(a.name);
  return r;
}

ConcreteState ConcreteState::initial(std::size_t n) {
  ConcreteState s;
  for (std::size_t i = 0; i < n; ++i) {
    ConcreteDevice d;
    d.imsi = d.old = fmt::format("00101{:010}", i);
    d.key = fmt::format("k:{}", i);
    d.ota = fmt::format("ota:{}", i);
    d.prof = s.common;
    s.hss_a.insert({d.imsi, d.key, d.prof});
    s.knows_a.insert(d.key);
    s.knows_a.insert(d.ota);
    s.range_a.insert(d.imsi);
    s.devices.push_back(d);
  }
  s.hss_b.insert({"001019000000000", "k:b-subscriber", s.common});  // B's existing subscriber
  s.range_b.insert("001019000000000");
  for (std::size_t i = 0; i < n; ++i) s.range_b.insert(fmt::format("00101{:010}", 9000000001 + i));
  s.sup_a.insert(s.common);
  s.sup_b.insert(s.common);
  return s;
}

namespace {
template <class T>
T get(const nlohmann::json& j, const char* k, T dflt) {
  return j.contains(k) && !j[k].is_null() ? j[k].get<T>() : dflt;
}
}  // namespace

ConcreteState ConcreteState::from_json(const nlohmann::json& j) {
  try {
    ConcreteState s;
    s.common = get<std::string>(j, "common", s.common);
    for (const auto& d : j.at("devices")) {
      ConcreteDevice x;
      x.imsi = d.at("imsi").get<std::string>();
      x.key = d.at("key").get<std::string>();
      x.ota = d.at("ota").get<std::string>();
      x.cctr = d.at("cctr").get<std::uint64_t>();
      x.prof = get<std::string>(d, "prof", s.common);
      x.old = d.at("old").get<std::string>();
      x.alloc = get<std::string>(d, "alloc", "");
      x.ctr_a = get<std::uint64_t>(d, "ctr_a", 0);
      x.ctr_b = get<std::uint64_t>(d, "ctr_b", 0);
      x.wanted = get(d, "wanted", false);
      x.allocated = get(d, "allocated", false);
      x.ready = get(d, "ready", false);
      x.issued = get(d, "issued", false);
      x.proven = get(d, "proven", false);
      x.still_old = get(d, "still_old", false);
      x.done = get(d, "done", false);
      x.cancelled = get(d, "cancelled", false);
      x.rekeyed = get(d, "rekeyed", false);
      x.closed = get(d, "closed", false);
      x.replayed = get(d, "replayed", false);
      s.devices.push_back(x);
    }
    for (const auto& [name, dst] : {std::pair{"hss_a", &s.hss_a}, std::pair{"hss_b", &s.hss_b}})
      if (j.contains(name))
        for (const auto& r : j[name]) dst->insert({r.at(0).get<std::string>(), r.at(1).get<std::string>(), r.at(2).get<std::string>()});
    if (j.contains("knows"))
      for (const auto& [name, dst] : {std::pair{"a", &s.knows_a}, std::pair{"b", &s.knows_b}, std::pair{"m2m", &s.knows_m},
                                      std::pair{"x", &s.knows_x}})
        if (j["knows"].contains(name))
          for (const auto& k : j["knows"][name]) dst->insert(k.get<std::string>());
    if (j.contains("sent_set"))
      for (const auto& r : j["sent_set"])
        s.sent_set.insert({r.at(0).get<std::uint32_t>(), r.at(1).get<std::string>(), r.at(2).get<std::uint64_t>(), r.at(3).get<std::string>()});
    if (j.contains("sent_read"))
      for (const auto& r : j["sent_read"]) s.sent_read.insert({r.at(0).get<std::uint32_t>(), r.at(1).get<std::uint64_t>(), r.at(2).get<std::string>()});
    for (const auto& [name, dst] : {std::pair{"sent_por", &s.sent_por}, std::pair{"sent_rbk", &s.sent_rbk}})
      if (j.contains(name))
        for (const auto& r : j[name]) dst->insert({r.at(0).get<std::uint32_t>(), r.at(1).get<std::string>(), r.at(2).get<std::uint64_t>()});
    for (const auto& [name, dst] : {std::pair{"range_a", &s.range_a}, std::pair{"range_b", &s.range_b},
                                    std::pair{"sup_a", &s.sup_a}, std::pair{"sup_b", &s.sup_b}})
      if (j.contains(name))
        for (const auto& x : j[name]) dst->insert(x.get<std::string>());
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("abstract state: ") + e.what());
  }
}

nlohmann::json ConcreteState::to_json() const {
  nlohmann::json devs = nlohmann::json::array();
  for (const auto& d : devices)
    devs.push_back({{"imsi", d.imsi}, {"key", d.key}, {"ota", d.ota}, {"cctr", d.cctr}, {"prof", d.prof}, {"old", d.old},
                    {"wanted", d.wanted}, {"allocated", d.allocated},
                    {"alloc", d.alloc.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.alloc)}, {"ready", d.ready},
                    {"issued", d.issued}, {"ctr_a", d.ctr_a}, {"proven", d.proven}, {"still_old", d.still_old},
                    {"done", d.done}, {"cancelled", d.cancelled}, {"ctr_b", d.ctr_b}, {"rekeyed", d.rekeyed},
                    {"closed", d.closed}, {"replayed", d.replayed}});
  auto recs = [](const std::set<Rec>& in) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [i, k, p] : in) a.push_back({i, k, p});
    return a;
  };
  nlohmann::json j{{"devices", devs},
                   {"hss_a", recs(hss_a)},
                   {"hss_b", recs(hss_b)},
                   {"knows", {{"a", knows_a}, {"b", knows_b}, {"m2m", knows_m}, {"x", knows_x}}},
                   {"range_a", range_a},
                   {"range_b", range_b},
                   {"sup_a", sup_a},
                   {"sup_b", sup_b},
                   {"common", common}};
  j["sent_set"] = nlohmann::json::array();
  for (const auto& [d, i, c, k] : sent_set) j["sent_set"].push_back({d, i, c, k});
  j["sent_read"] = nlohmann::json::array();
  for (const auto& [d, c, k] : sent_read) j["sent_read"].push_back({d, c, k});
  j["sent_por"] = nlohmann::json::array();
  for (const auto& [d, i, c] : sent_por) j["sent_por"].push_back({d, i, c});
  j["sent_rbk"] = nlohmann::json::array();
  for (const auto& [d, i, c] : sent_rbk) j["sent_rbk"].push_back({d, i, c});
  return j;
}

}  // namespace mnoswitch::model
