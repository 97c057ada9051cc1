// Issue 6, spec/mechanism.md §5: trace validation — Init, T_action per step (or the actions that explain an
// unnamed step), every invariant in every state, all evaluated on the finite universe of the trace.
#include "model/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <set>

#include "model/invariants.hpp"
#include "model/protocol.hpp"
#include "model/validate_eval.hpp"

namespace mnoswitch::model::validate {
namespace {

using nlohmann::json;
constexpr const char* kNoImsi = "-";  // alloc(d) of a device that has none: an IMSI no range contains

std::string elem_name(S s, const json& j) {
  if (j.is_null()) {
    if (s == S::Imsi) return kNoImsi;
    throw Malformed("null where a " + std::string(sort_name(s)) + " is expected");
  }
  if (s == S::Device || s == S::Ctr) {
    if (!j.is_number_integer() || j.get<std::int64_t>() < 0) throw Malformed(fmt::format("{} must be a non-negative integer, got {}", sort_name(s), j.dump()));
    return std::to_string(j.get<std::uint64_t>());
  }
  if (!j.is_string()) throw Malformed(fmt::format("{} must be a string, got {}", sort_name(s), j.dump()));
  return j.get<std::string>();
}

// Where a relation lives in the state JSON.
const json* rel_json(const json& st, V v) {
  const std::string n(info(v).name);
  if (n.rfind("knows_", 0) == 0) {
    static const std::map<std::string, std::string> who{{"knows_a", "a"}, {"knows_b", "b"}, {"knows_m", "m2m"}, {"knows_x", "x"}};
    if (!st.contains("knows") || !st["knows"].contains(who.at(n))) return nullptr;
    return &st["knows"][who.at(n)];
  }
  return st.contains(n) ? &st[n] : nullptr;
}

json dev_field(const json& d, V v) {
  const std::string n(info(v).name);
  if (d.contains(n)) return d[n];
  const S r = info(v).range;
  if (r == S::Bool) return false;
  if (r == S::Ctr) return 0;
  if (v == V::alloc) return nullptr;
  throw Malformed("device entry without \"" + n + "\"");
}

std::vector<std::string> tuple_names(const std::vector<S>& dom, const json& t) {
  std::vector<std::string> r;
  if (dom.size() == 1 && !t.is_array()) return {elem_name(dom[0], t)};
  if (!t.is_array() || t.size() != dom.size()) throw Malformed("relation tuple of the wrong arity: " + t.dump());
  for (std::size_t j = 0; j < dom.size(); ++j) r.push_back(elem_name(dom[j], t[j]));
  return r;
}

const json& state_of(const json& line) {
  if (!line.is_object() || !line.contains("state") || !line["state"].is_object())
    throw Malformed("line without a whole abstract \"state\" (fleets above the trace's full-state limit write per-device lines)");
  const json& s = line["state"];
  if (!s.contains("devices") || !s["devices"].is_array()) throw Malformed("state without \"devices\"");
  return s;
}

struct Trace {
  Universe u;
  Rigid rigid;
  std::vector<Interp> states;
};

void collect(Universe& u, const json& st) {
  for (const auto& d : st["devices"]) {
    for (std::size_t vi = 0; vi < kVarCount; ++vi) {
      const V v = static_cast<V>(vi);
      if (!device_indexed(v) || info(v).range == S::Bool) continue;
      u.add(info(v).range, elem_name(info(v).range, dev_field(d, v)));
    }
    if (!d.contains("old")) throw Malformed("device entry without \"old\"");
    u.add(S::Imsi, elem_name(S::Imsi, d["old"]));
    u.add(S::Prof, d.contains("prof") ? elem_name(S::Prof, d["prof"]) : st.value("common", std::string("milenage-op0")));
  }
  for (std::size_t vi = 0; vi < kVarCount; ++vi) {
    const V v = static_cast<V>(vi);
    if (device_indexed(v)) continue;
    const json* r = rel_json(st, v);
    if (!r) continue;
    if (!r->is_array()) throw Malformed(std::string(info(v).name) + " must be an array");
    for (const auto& t : *r) {
      auto names = tuple_names(info(v).domain, t);
      for (std::size_t j = 0; j < names.size(); ++j)
        if (info(v).domain[j] != S::Device) u.add(info(v).domain[j], names[j]);
    }
  }
  for (const char* k : {"range_a", "range_b"})
    if (st.contains(k))
      for (const auto& x : st[k]) u.add(S::Imsi, elem_name(S::Imsi, x));
  for (const char* k : {"sup_a", "sup_b"})
    if (st.contains(k))
      for (const auto& x : st[k]) u.add(S::Prof, elem_name(S::Prof, x));
  u.add(S::Prof, st.value("common", std::string("milenage-op0")));
}

Interp interp(const Universe& u, const json& st, std::size_t n) {
  Interp in;
  if (st["devices"].size() != n) throw Malformed("the number of devices changes within the trace");
  for (std::size_t vi = 0; vi < kVarCount; ++vi) {
    const V v = static_cast<V>(vi);
    if (device_indexed(v)) {
      auto& f = in.fn[vi];
      for (const auto& d : st["devices"]) {
        const json x = dev_field(d, v);
        if (info(v).range == S::Bool) {
          if (!x.is_boolean()) throw Malformed(fmt::format("\"{}\" must be true or false", info(v).name));
          f.push_back(x.get<bool>() ? 1 : 0);
        } else {
          f.push_back(u.find(info(v).range, elem_name(info(v).range, x)));
        }
      }
      continue;
    }
    const json* r = rel_json(st, v);
    if (!r) continue;
    for (const auto& t : *r) {
      auto names = tuple_names(info(v).domain, t);
      std::vector<int> e;
      for (std::size_t j = 0; j < names.size(); ++j) {
        const int x = u.find(info(v).domain[j], names[j]);
        if (x < 0) throw Malformed(fmt::format("{}: device {} does not exist", info(v).name, names[j]));
        e.push_back(x);
      }
      in.rel[vi].insert(e);
    }
  }
  return in;
}

json rigid_part(const json& st) {
  json r{{"range_a", st.value("range_a", json::array())}, {"range_b", st.value("range_b", json::array())},
         {"sup_a", st.value("sup_a", json::array())},     {"sup_b", st.value("sup_b", json::array())},
         {"common", st.value("common", json("milenage-op0"))}};
  json o = json::array(), p = json::array();
  for (const auto& d : st["devices"]) {
    o.push_back(d.value("old", json()));
    p.push_back(d.value("prof", r["common"]));
  }
  r["old"] = o;
  r["prof"] = p;
  for (const char* k : {"range_a", "range_b", "sup_a", "sup_b"}) std::sort(r[k].begin(), r[k].end());
  return r;
}

Rigid make_rigid(const Universe& u, const json& st) {
  Rigid g;
  auto set = [&](S s, const char* key) {
    std::vector<char> m(static_cast<std::size_t>(u.size(s)), 0);
    if (st.contains(key))
      for (const auto& x : st[key]) m[static_cast<std::size_t>(u.find(s, elem_name(s, x)))] = 1;
    return m;
  };
  g.range_a = set(S::Imsi, "range_a");
  g.range_b = set(S::Imsi, "range_b");
  g.sup_a = set(S::Prof, "sup_a");
  g.sup_b = set(S::Prof, "sup_b");
  const std::string common = st.value("common", std::string("milenage-op0"));
  g.common = u.find(S::Prof, common);
  for (const auto& d : st["devices"]) {
    g.old.push_back(u.find(S::Imsi, elem_name(S::Imsi, d["old"])));
    g.prof.push_back(u.find(S::Prof, d.contains("prof") ? elem_name(S::Prof, d["prof"]) : common));
  }
  return g;
}

// One action compiled: guard and one update per variable it modifies (the rest is framed).
struct Compiled1 {
  const Action* a = nullptr;
  Compiled guard;
  std::array<std::optional<Compiled>, kVarCount> upd;
};

class Checker {
 public:
  Checker(const Trace& t, const Config& cfg) : t_(t), cfg_(cfg), v_(ctx_), pre_(v_.state("@pre")), post_(v_.state("@post")) {
    Compiler base(v_, pre_, post_, {});
    axioms_ = base.compile(static_axioms(v_, cfg_));
    init_ = base.compile(init(v_, pre_, cfg_));
    for (const auto& inv : invariants()) invs_.push_back({&inv, base.compile(inv.formula(v_, pre_))});
    for (const auto& a : actions()) acts_.push_back(compile_action(a));
  }

  Env env(const Interp& pre, const Interp* post) const {
    Env e;
    e.u = &t_.u;
    e.rigid = &t_.rigid;
    e.pre = &pre;
    e.post = post ? post : &pre;
    return e;
  }
  bool axioms(const Interp& s) const { return holds(axioms_, env(s, nullptr)); }
  bool init_holds(const Interp& s) const { return holds(init_, env(s, nullptr)); }
  // The invariants that fail in s; `prev` holds the verdicts in the previous state and `changed` the variables
  // that differ from it: an invariant reading none of them keeps its verdict.
  std::vector<std::string> failing_invariants(const Interp& s, std::uint64_t changed, std::vector<char>& prev,
                                              std::size_t& checks) const {
    std::vector<std::string> r;
    const Env e = env(s, nullptr);
    prev.resize(invs_.size(), 2);
    for (std::size_t i = 0; i < invs_.size(); ++i) {
      const auto& [inv, f] = invs_[i];
      if (prev[i] == 2 || (f.reads() & changed) != 0) {
        ++checks;
        const auto t0 = std::chrono::steady_clock::now();
        prev[i] = holds(f, e) ? 1 : 0;
        seconds[inv->name] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
      if (!prev[i] && (inv->safety || helpers_)) r.push_back(fmt::format("{} ({})", inv->id, inv->name));
    }
    return r;
  }
  void check_helpers(bool on) { helpers_ = on; }
  mutable std::map<std::string, double> seconds;  // per invariant formula, for the report
  const Compiled1* find(const std::string& name) const {
    for (const auto& c : acts_)
      if (c.a->name == name) return &c;
    return nullptr;
  }
  const std::vector<Compiled1>& all() const { return acts_; }

  // nullopt: T_a allows pre → post with these parameters; else why not.
  std::optional<std::string> allows(const Compiled1& c, const Interp& pre, const Interp& post, const std::vector<int>& ps) const {
    Env e = env(pre, &post);
    e.params = ps;
    if (!holds(c.guard, e)) return fmt::format("the guard of {} is false", c.a->name);
    for (std::size_t vi = 0; vi < kVarCount; ++vi) {
      const V v = static_cast<V>(vi);
      const std::string vn(info(v).name);
      if (!c.upd[vi]) {
        const bool same = device_indexed(v) ? pre.fn[vi] == post.fn[vi] : pre.rel[vi] == post.rel[vi];
        if (!same) return fmt::format("{} changed, but {} does not modify it (frame)", vn, c.a->name);
        continue;
      }
      const Compiled& u = *c.upd[vi];
      if (device_indexed(v)) {
        for (std::size_t d = 0; d < pre.fn[vi].size(); ++d) {
          e.slots = {static_cast<int>(d)};
          const int want = value(u, e);
          if (want != post.fn[vi][d])
            return fmt::format("{} of device {} is {} after the step; {} makes it {}", vn, d, show(v, post.fn[vi][d]), c.a->name,
                               show(v, want));
        }
        continue;
      }
      std::vector<std::vector<int>> cand;
      if (!update_candidates(u, e, v, pre, post, cand)) cand = everything(v);
      for (const auto& t : cand) {
        e.slots = t;
        const bool want = holds(u, e);
        const bool got = post.rel[vi].contains(t.data(), t.size());
        if (want != got)
          return fmt::format("{}{} is {} after the step; {} makes it {}", vn, show_tuple(v, t), got ? "true" : "false", c.a->name,
                             want ? "true" : "false");
      }
    }
    return std::nullopt;
  }

  std::string show(V v, int x) const {
    const S r = info(v).range;
    if (r == S::Bool) return x ? "true" : "false";
    return t_.u.name(r, x);
  }
  std::string show_tuple(V v, const std::vector<int>& t) const {
    std::vector<std::string> xs;
    for (std::size_t j = 0; j < t.size(); ++j) xs.push_back(t_.u.name(info(v).domain[j], t[j]));
    return "(" + fmt::format("{}", fmt::join(xs, ", ")) + ")";
  }
  const Universe& universe() const { return t_.u; }

 private:
  Compiled1 compile_action(const Action& a) {
    Compiled1 c;
    c.a = &a;
    SlotNames names;
    for (const auto& p : a.params) names.params.push_back(a.name + "." + p.name);
    for (int j = 0; j < 4; ++j) names.slots.push_back("__slot" + std::to_string(j));
    Compiler comp(v_, pre_, post_, names);
    std::vector<z3::expr> ps = params_for(v_, a, "");
    model::Env env{v_, pre_, ps, cfg_};
    Body b = a.body(env);
    c.guard = comp.compile(b.guard);
    for (const auto& u : b.updates) {
      const auto& dom = info(u.var).domain;
      std::vector<z3::expr> xs;
      for (std::size_t j = 0; j < dom.size(); ++j) xs.push_back(v_.bound(dom[j], "__slot" + std::to_string(j)));
      c.upd[static_cast<std::size_t>(u.var)] = comp.compile(u.value(xs));  // the last update of a variable wins, as in transition()
    }
    return c;
  }
  std::vector<std::vector<int>> everything(V v) const {
    const auto& dom = info(v).domain;
    std::size_t n = 1;
    for (S s : dom) n *= static_cast<std::size_t>(t_.u.size(s));
    if (n > 4'000'000) throw std::logic_error("validate: update of " + std::string(info(v).name) + " too large to enumerate");
    std::vector<std::vector<int>> r;
    std::vector<int> t(dom.size());
    auto rec = [&](auto& self, std::size_t j) -> void {
      if (j == dom.size()) {
        r.push_back(t);
        return;
      }
      for (int e = 0; e < t_.u.size(dom[j]); ++e) {
        t[j] = e;
        self(self, j + 1);
      }
    };
    rec(rec, 0);
    return r;
  }

  const Trace& t_;
  Config cfg_;
  z3::context ctx_;
  Vocab v_;
  State pre_, post_;
  Compiled axioms_, init_;
  std::vector<std::pair<const Invariant*, Compiled>> invs_;
  std::vector<Compiled1> acts_;
  bool helpers_ = true;
};

std::uint64_t changed_vars(const Interp& a, const Interp& b) {
  std::uint64_t m = 0;
  for (std::size_t vi = 0; vi < kVarCount; ++vi)
    if (device_indexed(static_cast<V>(vi)) ? a.fn[vi] != b.fn[vi] : !(a.rel[vi] == b.rel[vi])) m |= std::uint64_t{1} << vi;
  return m;
}

// Candidate arguments for the parameters a line leaves out: the devices the step touches (or names), and the
// elements of the changed entries and of those devices' messages.
struct Candidates {
  std::array<std::vector<int>, kSortCount> by_sort;
};

Candidates candidates(const Universe& u, const Interp& pre, const Interp& post, const json& args) {
  std::array<std::set<int>, kSortCount> c;
  std::set<int> devs;
  const std::size_t n = pre.fn[static_cast<std::size_t>(V::imsi)].size();
  if (args.is_object() && args.contains("d") && args["d"].is_number_unsigned()) devs.insert(args["d"].get<int>());
  for (std::size_t vi = 0; vi < kVarCount; ++vi) {
    const V v = static_cast<V>(vi);
    if (device_indexed(v)) {
      for (std::size_t d = 0; d < n; ++d)
        if (pre.fn[vi][d] != post.fn[vi][d]) devs.insert(static_cast<int>(d));
      continue;
    }
    for (const auto* side : {&pre, &post}) {
      const auto* other = side == &pre ? &post : &pre;
      for (const auto& t : side->rel[vi].tuples)
        if (!other->rel[vi].contains(t.data(), t.size()))
          for (std::size_t j = 0; j < t.size(); ++j) {
            const S s = info(v).domain[j];
            if (s == S::Device) devs.insert(t[j]);
            else c[static_cast<std::size_t>(s)].insert(t[j]);
          }
    }
  }
  const bool few = !devs.empty() && devs.size() <= 4;
  if (devs.empty())
    for (std::size_t d = 0; d < n; ++d) devs.insert(static_cast<int>(d));
  if (few) {
    for (int d : devs)
      for (std::size_t vi = 0; vi < kVarCount; ++vi) {
        const V v = static_cast<V>(vi);
        if (device_indexed(v) && info(v).range != S::Bool)
          for (const auto* side : {&pre, &post})
            c[static_cast<std::size_t>(info(v).range)].insert(side->fn[vi][static_cast<std::size_t>(d)]);
        if (!device_indexed(v) && info(v).domain[0] == S::Device)
          for (const auto& t : pre.rel[vi].tuples)
            if (t[0] == d)
              for (std::size_t j = 1; j < t.size(); ++j) c[static_cast<std::size_t>(info(v).domain[j])].insert(t[j]);
      }
  }
  c[static_cast<std::size_t>(S::Device)] = devs;
  Candidates r;
  for (std::size_t s = 0; s < kSortCount; ++s) {
    if (c[s].empty() && u.size(static_cast<S>(s)) <= 64)
      for (int e = 0; e < u.size(static_cast<S>(s)); ++e) c[s].insert(e);
    r.by_sort[s].assign(c[s].begin(), c[s].end());
  }
  return r;
}

int arg_elem(const Universe& u, S s, const json& j) {
  const int e = u.find(s, elem_name(s, j));
  if (e < 0) throw Malformed(fmt::format("argument {} names no {} of the trace", j.dump(), sort_name(s)));
  return e;
}

// Try the action with every argument the line does not fix; the first that allows the step wins.
std::optional<std::string> try_action(const Checker& ck, const Compiled1& c, const Interp& pre, const Interp& post,
                                      const json& args, const Candidates& cand) {
  const auto& ps = c.a->params;
  std::vector<std::vector<int>> choice(ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (args.is_object() && args.contains(ps[i].name)) choice[i] = {arg_elem(ck.universe(), ps[i].sort, args[ps[i].name])};
    else choice[i] = cand.by_sort[static_cast<std::size_t>(ps[i].sort)];
    if (choice[i].empty()) return fmt::format("no candidate for parameter {} of {}", ps[i].name, c.a->name);
  }
  std::optional<std::string> first;
  std::size_t tried = 0;
  std::vector<int> cur(ps.size());
  bool found = false;
  auto rec = [&](auto& self, std::size_t i) -> void {
    if (found) return;
    if (i == ps.size()) {
      ++tried;
      auto why = ck.allows(c, pre, post, cur);
      if (!why) found = true;
      else if (!first) first = why;
      return;
    }
    for (int e : choice[i]) {
      cur[i] = e;
      self(self, i + 1);
      if (found) return;
    }
  };
  rec(rec, 0);
  if (found) return std::nullopt;
  if (tried == 1) return first;
  return fmt::format("no arguments make {} allow this step ({} tried; e.g. {})", c.a->name, tried, first.value_or("?"));
}

void set_diff(std::vector<std::string>& out, const std::string& name, const json& a, const json& b) {
  std::set<std::string> sa, sb;
  if (a.is_array())
    for (const auto& x : a) sa.insert(x.dump());
  if (b.is_array())
    for (const auto& x : b) sb.insert(x.dump());
  for (const auto& x : sa)
    if (!sb.count(x)) out.push_back(fmt::format("- {} {}", name, x));
  for (const auto& x : sb)
    if (!sa.count(x)) out.push_back(fmt::format("+ {} {}", name, x));
}

void build_trace(Trace& t, const std::vector<json>& lines, std::size_t n) {
  for (std::size_t d = 0; d < std::max<std::size_t>(n, 1); ++d) t.u.add(S::Device, std::to_string(d));
  t.u.add(S::Imsi, kNoImsi);
  try {
    for (const auto& l : lines) {
      collect(t.u, state_of(l));
      const std::string act = l.value("action", std::string());
      if (const Action* a = find_action(act); a && l.contains("args") && l["args"].is_object())
        for (const auto& p : a->params)
          if (l["args"].contains(p.name) && p.sort != S::Device) t.u.add(p.sort, elem_name(p.sort, l["args"][p.name]));
    }
    for (S s : {S::Key, S::Ctr, S::Prof})
      if (t.u.size(s) == 0) t.u.add(s, s == S::Ctr ? "0" : "none");
    for (const auto& nm : t.u.names[static_cast<std::size_t>(S::Ctr)]) t.u.ctr_value.push_back(std::stoull(nm));
    for (const auto& l : lines) t.states.push_back(interp(t.u, state_of(l), n));
    t.rigid = make_rigid(t.u, state_of(lines.front()));
  } catch (const json::exception& e) {
    throw Malformed(std::string("abstract state: ") + e.what());
  }
}

}  // namespace

std::vector<std::string> state_diff(const json& pre, const json& post) {
  std::vector<std::string> out;
  const json& da = pre.value("devices", json::array());
  const json& db = post.value("devices", json::array());
  for (std::size_t i = 0; i < std::max(da.size(), db.size()); ++i) {
    const json a = i < da.size() ? da[i] : json::object();
    const json b = i < db.size() ? db[i] : json::object();
    std::set<std::string> keys;
    for (const auto& [k, x] : a.items()) keys.insert(k);
    for (const auto& [k, x] : b.items()) keys.insert(k);
    for (const auto& k : keys) {
      const json x = a.value(k, json()), y = b.value(k, json());
      if (x != y) out.push_back(fmt::format("device {}: {} {} → {}", i, k, x.dump(), y.dump()));
    }
  }
  std::set<std::string> keys;
  for (const auto& [k, x] : pre.items()) keys.insert(k);
  for (const auto& [k, x] : post.items()) keys.insert(k);
  for (const auto& k : keys) {
    if (k == "devices") continue;
    const json x = pre.value(k, json()), y = post.value(k, json());
    if (x == y) continue;
    if (k == "knows") {
      for (const char* w : {"a", "b", "m2m", "x"})
        set_diff(out, std::string("knows.") + w, x.is_object() ? x.value(w, json::array()) : json::array(),
                 y.is_object() ? y.value(w, json::array()) : json::array());
    } else if (x.is_array() || y.is_array()) {
      set_diff(out, k, x, y);
    } else {
      out.push_back(fmt::format("{}: {} → {}", k, x.dump(), y.dump()));
    }
  }
  return out;
}

Config with(Config c, Req r) {
  c.on.set(static_cast<std::size_t>(r));
  c.name += std::string("+") + std::string(info(r).id);
  return c;
}

std::vector<json> read_trace(std::istream& in) {
  std::vector<json> lines;
  std::string s;
  std::size_t n = 0;
  while (std::getline(in, s)) {
    ++n;
    if (s.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      lines.push_back(json::parse(s));
    } catch (const json::exception& e) {
      throw Malformed(fmt::format("line {}: not JSON ({})", n, e.what()));
    }
  }
  if (lines.empty()) throw Malformed("empty trace");
  return lines;
}

namespace {
Report validate_lines(const std::vector<json>& lines, const Config& cfg, bool from_init);
}  // namespace

Report validate_trace(const std::vector<json>& lines, const Config& cfg) { return validate_lines(lines, cfg, true); }
Report validate_steps(const std::vector<json>& lines, const Config& cfg) { return validate_lines(lines, cfg, false); }

namespace {
Report validate_lines(const std::vector<json>& lines, const Config& cfg, bool from_init) {
  const auto t0 = std::chrono::steady_clock::now();
  Report rep;
  rep.variant = cfg.name;
  rep.states = lines.size();
  // The shape of each line (spec/mechanism.md §5 "Trace line"); an action name the model lacks is allowed (an
  // implementation event: which actions explain it is reported), a wrongly typed field is not.
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const json& l = lines[k];
    if (!l.is_object()) throw Malformed(fmt::format("line {}: not a JSON object", k + 1));
    if (l.contains("step") && !(l["step"].is_number_integer() && l["step"].get<std::int64_t>() >= 0)) throw Malformed(fmt::format("line {}: \"step\" must be a non-negative integer", k + 1));
    if (l.contains("action") && !l["action"].is_string()) throw Malformed(fmt::format("line {}: \"action\" must be a string", k + 1));
    if (l.contains("args") && !l["args"].is_object()) throw Malformed(fmt::format("line {}: \"args\" must be an object", k + 1));
  }
  Trace t;
  const std::size_t n = state_of(lines.front())["devices"].size();
  rep.devices = n;
  build_trace(t, lines, n);
  for (S s : {S::Device, S::Imsi, S::Key, S::Ctr, S::Prof}) rep.universe[std::string(sort_name(s))] = static_cast<std::size_t>(t.u.size(s));

  Checker ck(t, cfg);
  // The helpers H-* are claimed (proved inductive) only for the full safe variant; elsewhere they are reported
  // only through the safety properties.
  ck.check_helpers(cfg.name == "safe");
  std::vector<char> verdicts;
  const json rigid0 = rigid_part(state_of(lines.front()));
  auto problem = [&](std::string kind, std::size_t k) {
    Problem p;
    p.kind = std::move(kind);
    p.index = k;
    p.step = lines[k].value("step", static_cast<std::uint64_t>(k));
    p.action = lines[k].value("action", std::string());
    p.args = lines[k].value("args", json::object());
    p.post = lines[k]["state"];
    if (k > 0) {
      p.pre = lines[k - 1]["state"];
      p.diff = state_diff(p.pre, p.post);
    }
    return p;
  };
  auto finish = [&](std::optional<Problem> p) {
    rep.invariant_seconds = ck.seconds;
    rep.conforms = !p || p->kind == "invariant";
    rep.problem = std::move(p);
    rep.valid = !rep.problem;
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
  };

  if (!ck.axioms(t.states[0])) {
    Problem p = problem("axioms", 0);
    p.reason = "the first state contradicts the static axioms (disjoint ranges, distinct original IMSIs in A's range, profiles)";
    return finish(p);
  }
  if (from_init && !ck.init_holds(t.states[0])) {
    Problem p = problem("init", 0);
    p.reason = "the first state does not satisfy Init";
    return finish(p);
  }
  // The invariants of state k; the first violation is kept (also when the step into k is not the model's).
  auto check_invariants = [&](std::size_t k) {
    const std::uint64_t changed = k == 0 ? ~std::uint64_t{0} : changed_vars(t.states[k - 1], t.states[k]);
    auto bad = ck.failing_invariants(t.states[k], changed, verdicts, rep.invariant_checks);
    if (!bad.empty() && !rep.violation) {
      Problem p = problem("invariant", k);
      p.invariants = bad;
      p.reason = fmt::format("{} violated", fmt::join(bad, ", "));
      rep.violation = p;
    }
  };
  auto step_failure = [&](std::size_t k, Problem p) {
    check_invariants(k);
    return finish(std::move(p));
  };
  for (std::size_t k = 0; k < t.states.size(); ++k) {
    if (k > 0) {
      if (rigid_part(state_of(lines[k])) != rigid0) {
        Problem p = problem("rigid", k);
        p.reason = "a rigid symbol (ranges, supported profiles, old IMSIs, card profiles) changed";
        return step_failure(k, std::move(p));
      }
      const std::string act = lines[k].value("action", std::string());
      const json args = lines[k].value("args", json::object());
      const Candidates cand = candidates(t.u, t.states[k - 1], t.states[k], args);
      const Compiled1* named = ck.find(act);
      if (named) {
        if (!named->a->enabled(cfg)) {
          Problem p = problem("step", k);
          p.reason = fmt::format("{} is not an action of variant {}", act, cfg.name);
          return step_failure(k, std::move(p));
        }
        if (auto why = try_action(ck, *named, t.states[k - 1], t.states[k], args, cand)) {
          Problem p = problem("step", k);
          p.reason = *why;
          return step_failure(k, std::move(p));
        }
        ++rep.actions[act];
      } else {  // no action, or an implementation event the model does not name: which actions explain it?
        std::vector<std::string> by;
        for (const auto& c : ck.all())
          if (c.a->enabled(cfg) && !try_action(ck, c, t.states[k - 1], t.states[k], json::object(), cand)) by.push_back(c.a->name);
        if (by.empty()) {
          Problem p = problem("step", k);
          p.reason = act.empty() ? "no action of the model allows this step" : fmt::format("\"{}\" is not a model action and no action allows this step", act);
          return step_failure(k, std::move(p));
        }
        ++rep.actions[act.empty() ? "(unnamed)" : act];
        rep.explained.emplace_back(k, by);
      }
    }
    check_invariants(k);
  }
  return finish(rep.violation);
}
}  // namespace

namespace {
json problem_json(const Problem& p) {
  return {{"kind", p.kind},     {"index", p.index},           {"step", p.step},     {"action", p.action},
          {"args", p.args},     {"invariants", p.invariants}, {"reason", p.reason}, {"diff", p.diff},
          {"pre", p.pre},       {"post", p.post}};
}
}  // namespace

json to_json(const Report& r) {
  json j{{"valid", r.valid},     {"conforms", r.conforms}, {"variant", r.variant}, {"states", r.states}, {"devices", r.devices},
         {"actions", r.actions}, {"invariant_checks", r.invariant_checks}, {"seconds", r.seconds},
         {"universe", r.universe}, {"invariant_seconds", r.invariant_seconds}};
  json ex = json::array();
  for (const auto& [k, by] : r.explained) ex.push_back({{"index", k}, {"actions", by}});
  j["explained"] = ex;
  j["problem"] = r.problem ? problem_json(*r.problem) : json(nullptr);
  j["violation"] = r.violation ? problem_json(*r.violation) : json(nullptr);
  return j;
}

std::map<std::string, bool> evaluate_invariants(const json& state, const Config& cfg) {
  const std::vector<json> lines{json{{"action", "init"}, {"state", state}}};
  Trace t;
  build_trace(t, lines, state_of(lines.front())["devices"].size());
  Checker ck(t, cfg);
  std::vector<char> verdicts;
  std::size_t checks = 0;
  (void)ck.failing_invariants(t.states[0], ~std::uint64_t{0}, verdicts, checks);
  std::map<std::string, bool> r;
  for (std::size_t i = 0; i < invariants().size(); ++i) r[invariants()[i].name] = verdicts[i] == 1;
  return r;
}

}  // namespace mnoswitch::model::validate
