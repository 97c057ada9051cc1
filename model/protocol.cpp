// spec/mechanism.md §2–§5: the procedure as a transition system — one function per action (REQ-HO-01..15).
#include "model/protocol.hpp"

#include <stdexcept>

namespace mnoswitch::model {

z3::expr call(const z3::func_decl& f, const std::vector<z3::expr>& args) {
  z3::expr_vector a(f.ctx());
  for (const auto& x : args) a.push_back(x);
  return f(a);
}

z3::expr forall_(const std::vector<z3::expr>& xs, const z3::expr& body) {
  z3::expr_vector b(body.ctx());
  for (const auto& x : xs) b.push_back(x);
  return z3::forall(b, body);
}

z3::expr Env::operator()(V var, const std::vector<z3::expr>& args) const { return call(pre[var], args); }

namespace {

using Xs = std::vector<z3::expr>;

bool always(const Config&) { return true; }

// f'(x) = ite(x = d, val, f(x)) for a Device-indexed variable.
Update point(const Env& e, V var, const z3::expr& d, const z3::expr& val) {
  const State& pre = e.pre;
  return {var, [pre, var, d, val](const Xs& xs) { return z3::ite(xs[0] == d, val, call(pre[var], xs)); }};
}

z3::expr tuple_eq(const Xs& xs, const Xs& t) {
  z3::expr r = xs[0].ctx().bool_val(true);
  for (std::size_t i = 0; i < xs.size(); ++i) r = r && xs[i] == t[i];
  return r;
}

// R'(xs) = R(xs) ∨ xs = t
Update insert(const Env& e, V var, const Xs& t) {
  const State& pre = e.pre;
  return {var, [pre, var, t](const Xs& xs) { return call(pre[var], xs) || tuple_eq(xs, t); }};
}

// HSS record removal: R'(i,k,p) = R(i,k,p) ∧ i ≠ imsi.
Update drop_imsi(const Env& e, V var, const z3::expr& imsi) {
  const State& pre = e.pre;
  return {var, [pre, var, imsi](const Xs& xs) { return call(pre[var], xs) && xs[0] != imsi; }};
}

z3::expr served(const Env& e, bool a, const z3::expr& d) {
  const Statics& st = e.st();
  z3::expr i = e(V::imsi, d);
  z3::expr p = st.prof(d);
  return (a ? st.range_a(i) : st.range_b(i)) && e(a ? V::hss_a : V::hss_b, {i, e(V::key, d), p}) &&
         (a ? st.sup_a(p) : st.sup_b(p));
}

// A key nobody knows, nobody holds and no message used (the abstraction of a completed key agreement).
z3::expr fresh(const Env& e, const z3::expr& k) {
  z3::expr dd = e.v.bound(S::Device, "fd");
  z3::expr ii = e.v.bound(S::Imsi, "fi");
  z3::expr pp = e.v.bound(S::Prof, "fp");
  z3::expr cc = e.v.bound(S::Ctr, "fc");
  return !e(V::knows_a, k) && !e(V::knows_b, k) && !e(V::knows_m, k) && !e(V::knows_x, k) &&
         forall_({dd}, e(V::key, dd) != k && e(V::ota, dd) != k) &&
         forall_({ii, pp}, !e(V::hss_a, {ii, k, pp}) && !e(V::hss_b, {ii, k, pp})) &&
         forall_({dd, ii, cc}, !e(V::sent_set, {dd, ii, cc, k})) && forall_({dd, cc}, !e(V::sent_read, {dd, cc, k}));
}

// The card's counter check (TS 102 225 §5.1.1, REQ-HO-09) and its effect.
z3::expr counter_ok(const Env& e, const z3::expr& d, const z3::expr& c) {
  if (!e.cfg.has(Req::CounterHigher)) return e.c().bool_val(true);
  return !e.st().le(c, e(V::cctr, d));
}
void card_counter(const Env& e, std::vector<Update>& u, const z3::expr& d, const z3::expr& c) {
  z3::expr stale = e.st().le(c, e(V::cctr, d));
  u.push_back(point(e, V::cctr, d, z3::ite(stale, e(V::cctr, d), c)));
  u.push_back(point(e, V::replayed, d, e(V::replayed, d) || stale));
}

std::vector<Action> build() {
  std::vector<Action> A;

  // Step 2: the M2M operator decides to move d.
  A.push_back({"m2m_decide", "M2M", {{"d", S::Device}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 return Body{!e(V::wanted, d), {point(e, V::wanted, d, e.c().bool_val(true))}};
               }});

  // Step 3: B allocates a new IMSI (REQ-HO-08 one change, REQ-HO-10 validated list).
  A.push_back({"b_allocate", "B", {{"d", S::Device}, {"i", S::Imsi}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& i = e.p[1];
                 z3::expr g = e(V::wanted, d) && !e(V::done, d) && !e(V::cancelled, d);
                 if (e.cfg.has(Req::SingleChange)) g = g && !e(V::allocated, d);
                 if (e.cfg.has(Req::ValidatedList)) {
                   z3::expr x = e.v.bound(S::Device, "ad");
                   z3::expr k = e.v.bound(S::Key, "ak");
                   z3::expr p = e.v.bound(S::Prof, "ap");
                   g = g && e.st().range_b(i) &&
                       forall_({x}, e(V::imsi, x) != i && e.st().old(x) != i && !(e(V::allocated, x) && e(V::alloc, x) == i)) &&
                       forall_({k, p}, !e(V::hss_b, {i, k, p}));
                 }
                 auto t = e.c().bool_val(true);
                 auto f = e.c().bool_val(false);
                 return Body{g, {point(e, V::allocated, d, t), point(e, V::alloc, d, i), point(e, V::ready, d, f)}};
               }});

  // Step 5 (safe: before step 4, REQ-HO-05): A hands K, profile and OTA keys to B; B provisions its HSS.
  A.push_back({"a_handover", "A", {{"d", S::Device}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 z3::expr g = e(V::allocated, d) && !e(V::ready, d) && !e(V::cancelled, d) && !e(V::done, d);
                 if (e.cfg.seed_order) g = g && e(V::issued, d);
                 z3::expr k = e(V::key, d), o = e(V::ota, d);
                 std::vector<Update> u{insert(e, V::hss_b, {e(V::alloc, d), k, e.st().prof(d)}),
                                       point(e, V::ready, d, e.c().bool_val(true))};
                 const State& pre = e.pre;
                 auto learn = [pre, k, o](V var) {
                   return Update{var, [pre, var, k, o](const Xs& xs) { return pre[var](xs[0]) || xs[0] == k || xs[0] == o; }};
                 };
                 u.push_back(learn(V::knows_b));
                 if (!e.cfg.has(Req::ConfidentialHandover)) {  // batch in clear: relayed by M2M, read by X
                   u.push_back(learn(V::knows_x));
                   u.push_back(learn(V::knows_m));
                 }
                 return Body{g, u};
               }});

  // Step 4: A sends SET EF_IMSI := alloc(d) with a fresh counter (journalled first, REQ-HO-11).
  A.push_back({"a_send_set", "A", {{"d", S::Device}, {"c", S::Ctr}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& c = e.p[1];
                 z3::expr g = e(V::allocated, d) && !e(V::done, d) && !e(V::cancelled, d) && !e(V::proven, d) &&
                              e(V::knows_a, e(V::ota, d)) && !e.st().le(c, e(V::ctr_a, d));
                 if (e.cfg.has(Req::MakeBeforeBreak)) g = g && e(V::ready, d);
                 auto t = e.c().bool_val(true);
                 return Body{g,
                             {insert(e, V::sent_set, {d, e(V::alloc, d), c, e(V::ota, d)}), point(e, V::ctr_a, d, c),
                              point(e, V::issued, d, t), point(e, V::still_old, d, e.c().bool_val(false))}};
               }});

  // The card receives a SET (any sent one: delay, duplication, reordering, replay) and answers with a PoR.
  A.push_back({"card_apply_set", "card", {{"d", S::Device}, {"i", S::Imsi}, {"c", S::Ctr}, {"k", S::Key}}, always,
               [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& i = e.p[1];
                 const auto& c = e.p[2];
                 const auto& k = e.p[3];
                 z3::expr g = e(V::sent_set, {d, i, c, k}) && k == e(V::ota, d) && counter_ok(e, d, c);
                 std::vector<Update> u{point(e, V::imsi, d, i), insert(e, V::sent_por, {d, i, c})};
                 card_counter(e, u, d, c);
                 return Body{g, u};
               }});

  // A accepts the PoR of its latest command reporting the new IMSI: evidence (REQ-HO-06).
  A.push_back({"a_recv_por", "A", {{"d", S::Device}, {"c", S::Ctr}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& c = e.p[1];
                 z3::expr g = e(V::sent_por, {d, e(V::alloc, d), c}) && c == e(V::ctr_a, d) && e(V::allocated, d) &&
                              !e(V::done, d) && !e(V::cancelled, d);
                 return Body{g, {point(e, V::proven, d, e.c().bool_val(true))}};
               }});

  // REQ-HO-07: A sends an RFM READ of EF_IMSI with a counter higher than every rewrite it sent.
  A.push_back({"a_send_read", "A", {{"d", S::Device}, {"c", S::Ctr}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& c = e.p[1];
                 z3::expr g = e(V::issued, d) && !e(V::done, d) && !e(V::cancelled, d) && !e(V::proven, d) &&
                              e(V::knows_a, e(V::ota, d)) && !e.st().le(c, e(V::ctr_a, d));
                 return Body{g, {insert(e, V::sent_read, {d, c, e(V::ota, d)}), point(e, V::ctr_a, d, c)}};
               }});

  A.push_back({"card_read", "card", {{"d", S::Device}, {"c", S::Ctr}, {"k", S::Key}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& c = e.p[1];
                 const auto& k = e.p[2];
                 z3::expr g = e(V::sent_read, {d, c, k}) && k == e(V::ota, d) && counter_ok(e, d, c);
                 std::vector<Update> u{insert(e, V::sent_rbk, {d, e(V::imsi, d), c})};
                 card_counter(e, u, d, c);
                 return Body{g, u};
               }});

  // A reads the answer to its latest command: the new IMSI proves the change, the old one proves it never lands.
  A.push_back({"a_recv_read", "A", {{"d", S::Device}, {"i", S::Imsi}, {"c", S::Ctr}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& i = e.p[1];
                 const auto& c = e.p[2];
                 z3::expr g = e(V::sent_rbk, {d, i, c}) && c == e(V::ctr_a, d) && e(V::allocated, d) && !e(V::done, d) &&
                              !e(V::cancelled, d) && !e(V::proven, d);
                 return Body{g,
                             {point(e, V::proven, d, e(V::proven, d) || i == e(V::alloc, d)),
                              point(e, V::still_old, d, e(V::still_old, d) || i == e.st().old(d))}};
               }});

  // The device attaches (AKA) where its IMSI routes; an attach on B with the new IMSI is evidence for A.
  A.push_back({"dev_attach", "card", {{"d", S::Device}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 z3::expr on_b = e(V::allocated, d) && e(V::imsi, d) == e(V::alloc, d) && served(e, false, d) &&
                                 !e(V::cancelled, d) && !e(V::done, d);
                 return Body{served(e, true, d) || served(e, false, d), {point(e, V::proven, d, e(V::proven, d) || on_b)}};
               }});

  // A completes: deletes the old record (REQ-HO-06: only with evidence) and passes its counter (REQ-HO-15).
  A.push_back({"a_complete", "A", {{"d", S::Device}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 z3::expr g = e(V::ready, d) && !e(V::done, d) && !e(V::cancelled, d);
                 if (e.cfg.has(Req::EvidenceBeforeDelete)) g = g && e(V::proven, d);
                 if (e.cfg.seed_order) g = g && e(V::issued, d);
                 std::vector<Update> u{point(e, V::done, d, e.c().bool_val(true)), drop_imsi(e, V::hss_a, e.st().old(d))};
                 if (e.cfg.has(Req::CounterHandover)) u.push_back(point(e, V::ctr_b, d, e(V::ctr_a, d)));
                 return Body{g, u};
               }});

  // A cancels (REQ-HO-07: only if no rewrite was sent or a read-back showed the old IMSI); B drops its record.
  A.push_back({"a_cancel", "A", {{"d", S::Device}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 z3::expr g = e(V::allocated, d) && !e(V::done, d) && !e(V::proven, d) && !e(V::cancelled, d);
                 if (e.cfg.has(Req::ReadBack)) g = g && (e(V::still_old, d) || !e(V::issued, d));
                 return Body{g, {point(e, V::cancelled, d, e.c().bool_val(true)), drop_imsi(e, V::hss_b, e(V::alloc, d))}};
               }});

  // Step 6 / §6: B re-keys K and the OTA key set (REQ-HO-13: by key agreement, else under the old OTA keys).
  A.push_back({"b_rekey", "B", {{"d", S::Device}, {"k1", S::Key}, {"k2", S::Key}, {"c", S::Ctr}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& k1 = e.p[1];
                 const auto& k2 = e.p[2];
                 const auto& c = e.p[3];
                 z3::expr g = e(V::done, d) && !e(V::rekeyed, d) && e(V::knows_b, e(V::ota, d)) && fresh(e, k1) &&
                              fresh(e, k2) && k1 != k2 && !e.st().le(c, e(V::ctr_b, d)) && counter_ok(e, d, c);
                 const State& pre = e.pre;
                 z3::expr old_ota = e(V::ota, d);
                 z3::expr alloc = e(V::alloc, d);
                 z3::expr prof = e.st().prof(d);
                 std::vector<Update> u{point(e, V::key, d, k1), point(e, V::ota, d, k2), point(e, V::ctr_b, d, c),
                                       point(e, V::rekeyed, d, e.c().bool_val(true))};
                 card_counter(e, u, d, c);
                 u.push_back({V::hss_b, [pre, alloc, k1, prof](const Xs& xs) {
                                return z3::ite(xs[0] == alloc, xs[1] == k1 && xs[2] == prof, call(pre[V::hss_b], xs));
                              }});
                 u.push_back({V::knows_b, [pre, k1, k2](const Xs& xs) { return pre[V::knows_b](xs[0]) || xs[0] == k1 || xs[0] == k2; }});
                 if (!e.cfg.has(Req::KeyAgreement)) {  // new keys inside packets under the old OTA key set
                   for (V w : {V::knows_a, V::knows_m, V::knows_x})
                     u.push_back({w, [pre, w, k1, k2, old_ota](const Xs& xs) {
                                    return pre[w](xs[0]) || ((xs[0] == k1 || xs[0] == k2) && pre[w](old_ota));
                                  }});
                 }
                 return Body{g, u};
               }});

  // B closes the change (REQ-HO-12: only after the re-key).
  A.push_back({"b_close", "B", {{"d", S::Device}}, always, [](const Env& e) {
                 const auto& d = e.p[0];
                 z3::expr g = e(V::done, d) && !e(V::closed, d);
                 if (e.cfg.has(Req::Rekey)) g = g && e(V::rekeyed, d);
                 return Body{g, {point(e, V::closed, d, e.c().bool_val(true))}};
               }});

  // Faults.
  A.push_back({"crash_a", "A", {}, always, [](const Env& e) {
                 if (e.cfg.has(Req::Journal)) return Body{e.c().bool_val(true), {}};
                 z3::context& c = e.c();
                 return Body{c.bool_val(true), {{V::issued, [&c](const Xs&) { return c.bool_val(false); }}}};
               }});
  A.push_back({"crash_b", "B", {}, always, [](const Env& e) { return Body{e.c().bool_val(true), {}}; }});
  A.push_back({"net_lose", "net", {{"d", S::Device}}, always, [](const Env& e) { return Body{e.c().bool_val(true), {}}; }});

  // The attacker sends a packet under a key it knows; without REQ-HO-04 (no CC) any packet is accepted.
  A.push_back({"atk_inject", "X", {{"d", S::Device}, {"i", S::Imsi}, {"c", S::Ctr}, {"k", S::Key}}, always,
               [](const Env& e) {
                 const auto& d = e.p[0];
                 const auto& k = e.p[3];
                 z3::expr g = e(V::knows_x, k);
                 if (!e.cfg.has(Req::SecuredOta)) g = g || k == e(V::ota, d);
                 return Body{g, {insert(e, V::sent_set, {d, e.p[1], e.p[2], k})}};
               }});

  // Without trust (REQ-HO-02): A uses the OTA keys it holds outside the procedure.
  A.push_back({"a_rogue_set", "A", {{"d", S::Device}, {"i", S::Imsi}, {"c", S::Ctr}},
               [](const Config& c) { return !c.has(Req::Trust); },
               [](const Env& e) {
                 const auto& d = e.p[0];
                 return Body{e(V::knows_a, e(V::ota, d)), {insert(e, V::sent_set, {d, e.p[1], e.p[2], e(V::ota, d)})}};
               }});

  // Without the contract (REQ-HO-01): A drops a leaving device's record before the change is complete.
  A.push_back({"a_terminate", "A", {{"d", S::Device}}, [](const Config& c) { return !c.has(Req::Contract); },
               [](const Env& e) {
                 const auto& d = e.p[0];
                 return Body{e(V::wanted, d) && !e(V::done, d), {drop_imsi(e, V::hss_a, e.st().old(d))}};
               }});
  return A;
}

}  // namespace

const std::vector<Action>& actions() {
  static const std::vector<Action> a = build();
  return a;
}

const Action* find_action(std::string_view name) {
  for (const auto& a : actions())
    if (a.name == name) return &a;
  return nullptr;
}

z3::expr static_axioms(const Vocab& v, const Config& cfg) {
  const Statics& st = v.statics();
  z3::expr x = v.bound(S::Ctr, "x"), y = v.bound(S::Ctr, "y"), z = v.bound(S::Ctr, "z");
  z3::expr i = v.bound(S::Imsi, "i");
  z3::expr d = v.bound(S::Device, "d"), e = v.bound(S::Device, "e");
  z3::expr ax = forall_({x}, st.le(x, x)) && forall_({x, y}, z3::implies(st.le(x, y) && st.le(y, x), x == y)) &&
                forall_({x, y, z}, z3::implies(st.le(x, y) && st.le(y, z), st.le(x, z))) &&
                forall_({x, y}, st.le(x, y) || st.le(y, x)) &&
                forall_({i}, !(st.range_a(i) && st.range_b(i))) &&
                forall_({d}, st.range_a(st.old(d))) && forall_({d, e}, z3::implies(st.old(d) == st.old(e), d == e));
  if (cfg.has(Req::CommonAka))  // R3: every card runs Milenage with OP = 0 and both AuCs support it
    ax = ax && forall_({d}, st.prof(d) == st.common) && st.sup_a(st.common) && st.sup_b(st.common);
  return ax;
}

z3::expr init(const Vocab& v, const State& s, const Config&) {
  const Statics& st = v.statics();
  auto f = [&](V var, const std::vector<z3::expr>& a) { return call(s[var], a); };
  z3::expr d = v.bound(S::Device, "d");
  z3::expr i = v.bound(S::Imsi, "i");
  z3::expr k = v.bound(S::Key, "k"), k2 = v.bound(S::Key, "k2");
  z3::expr p = v.bound(S::Prof, "p"), p2 = v.bound(S::Prof, "p2");
  z3::expr c = v.bound(S::Ctr, "c");
  // `wanted` is free: the M2M operator may have decided before the procedure starts (seed steps 1-2).
  z3::expr r = forall_({d}, f(V::imsi, {d}) == st.old(d) && !f(V::allocated, {d}) &&
                                !f(V::ready, {d}) && !f(V::issued, {d}) && !f(V::proven, {d}) && !f(V::still_old, {d}) &&
                                !f(V::done, {d}) && !f(V::cancelled, {d}) && !f(V::rekeyed, {d}) && !f(V::closed, {d}) &&
                                !f(V::replayed, {d}) && st.le(f(V::cctr, {d}), f(V::ctr_a, {d})) &&
                                f(V::hss_a, {st.old(d), f(V::key, {d}), st.prof(d)}) && st.sup_a(st.prof(d)) &&
                                f(V::knows_a, {f(V::key, {d})}) && f(V::knows_a, {f(V::ota, {d})}));
  // Nobody but A knows a device key; B has its own subscribers (arbitrary records in its ranges).
  r = r && forall_({d}, !f(V::knows_b, {f(V::key, {d})}) && !f(V::knows_b, {f(V::ota, {d})}) &&
                            !f(V::knows_m, {f(V::key, {d})}) && !f(V::knows_m, {f(V::ota, {d})}) &&
                            !f(V::knows_x, {f(V::key, {d})}) && !f(V::knows_x, {f(V::ota, {d})}));
  r = r && forall_({i, k, p}, z3::implies(f(V::hss_a, {i, k, p}), st.range_a(i)) &&
                                  z3::implies(f(V::hss_b, {i, k, p}), st.range_b(i)));
  r = r && forall_({i, k, p, k2, p2},
                   z3::implies(f(V::hss_a, {i, k, p}) && f(V::hss_a, {i, k2, p2}), k == k2 && p == p2) &&
                       z3::implies(f(V::hss_b, {i, k, p}) && f(V::hss_b, {i, k2, p2}), k == k2 && p == p2));
  r = r && forall_({d, i, c, k}, !f(V::sent_set, {d, i, c, k})) && forall_({d, c, k}, !f(V::sent_read, {d, c, k})) &&
      forall_({d, i, c}, !f(V::sent_por, {d, i, c}) && !f(V::sent_rbk, {d, i, c}));
  return r;
}

std::vector<z3::expr> params_for(const Vocab& v, const Action& a, const std::string& suffix) {
  std::vector<z3::expr> ps;
  for (const auto& p : a.params) ps.push_back(v.ctx().constant((a.name + "." + p.name + suffix).c_str(), v.sort(p.sort)));
  return ps;
}

z3::expr transition(const Vocab& v, const Action& a, const State& pre, const State& post,
                    const std::vector<z3::expr>& params, const Config& cfg) {
  Env env{v, pre, params, cfg};
  Body b = a.body(env);
  z3::expr r = b.guard;
  for (std::size_t vi = 0; vi < kVarCount; ++vi) {
    V var = static_cast<V>(vi);
    const VarInfo& in = info(var);
    std::vector<z3::expr> xs;
    for (std::size_t j = 0; j < in.domain.size(); ++j) xs.push_back(v.bound(in.domain[j], "x" + std::to_string(j)));
    z3::expr rhs = call(pre[var], xs);
    for (const auto& u : b.updates)
      if (u.var == var) rhs = u.value(xs);
    r = r && forall_(xs, call(post[var], xs) == rhs);
  }
  return r;
}

}  // namespace mnoswitch::model
