// spec/invariants.md: INV-CONNECT, INV-UNIQUE, INV-IDENTITY, INV-SECRECY, INV-REPLAY, INV-EVIDENCE, INV-SINGLE,
// INV-PORTABLE and the helpers H-* that make them inductive.
#include "model/invariants.hpp"

#include "model/protocol.hpp"

namespace mnoswitch::model {
namespace {

struct Q {
  const Vocab& v;
  const State& s;
  z3::expr operator()(V var, const std::vector<z3::expr>& a) const { return call(s[var], a); }
  z3::expr operator()(V var, const z3::expr& a) const { return call(s[var], {a}); }
  const Statics& st() const { return v.statics(); }
  z3::expr b(S so, const char* n) const { return v.bound(so, n); }
  z3::expr served(bool a, const z3::expr& d) const {
    z3::expr i = (*this)(V::imsi, d);
    z3::expr p = st().prof(d);
    return (a ? st().range_a(i) : st().range_b(i)) && (*this)(a ? V::hss_a : V::hss_b, {i, (*this)(V::key, d), p}) &&
           (a ? st().sup_a(p) : st().sup_b(p));
  }
};

using F = std::function<z3::expr(const Q&)>;

Invariant mk(std::string id, std::string name, bool safety, std::string words, F f) {
  return Invariant{std::move(id), std::move(name), safety, std::move(words),
                   [f](const Vocab& v, const State& s) { return f(Q{v, s}); }};
}

std::vector<Invariant> build() {
  std::vector<Invariant> I;
  I.push_back(mk("INV-CONNECT", "inv_connect", true, "every USIM IMSI is served with the card's K and profile by some HSS",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   return forall_({d}, q.served(true, d) || q.served(false, d));
                 }));
  I.push_back(mk("INV-UNIQUE", "inv_unique_dev", true, "no IMSI on two devices", [](const Q& q) {
    auto d = q.b(S::Device, "d"), e = q.b(S::Device, "e");
    return forall_({d, e}, z3::implies(q(V::imsi, d) == q(V::imsi, e), d == e));
  }));
  I.push_back(mk("INV-UNIQUE", "inv_unique_hss", true, "no HSS IMSI with two keys or profiles (per HSS and across)",
                 [](const Q& q) {
                   auto i = q.b(S::Imsi, "i");
                   auto k = q.b(S::Key, "k"), k2 = q.b(S::Key, "k2");
                   auto p = q.b(S::Prof, "p"), p2 = q.b(S::Prof, "p2");
                   auto same = k == k2 && p == p2;
                   return forall_({i, k, p, k2, p2},
                                  z3::implies(q(V::hss_a, {i, k, p}) && q(V::hss_a, {i, k2, p2}), same) &&
                                      z3::implies(q(V::hss_b, {i, k, p}) && q(V::hss_b, {i, k2, p2}), same) &&
                                      z3::implies(q(V::hss_a, {i, k, p}) && q(V::hss_b, {i, k2, p2}), same));
                 }));
  I.push_back(mk("INV-IDENTITY", "inv_identity", true, "a device's IMSI is its old or its allocated new one",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   return forall_({d}, q(V::imsi, d) == q.st().old(d) ||
                                           (q(V::allocated, d) && q(V::imsi, d) == q(V::alloc, d)));
                 }));
  I.push_back(mk("INV-SECRECY", "inv_secrecy_third", true, "K and OTA keys never known to the M2M operator or the attacker",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   auto k = q(V::key, d), o = q(V::ota, d);
                   return forall_({d}, !q(V::knows_m, k) && !q(V::knows_m, o) && !q(V::knows_x, k) && !q(V::knows_x, o));
                 }));
  I.push_back(mk("INV-SECRECY", "inv_secrecy_a", true, "after the re-key (or once B closes) MNO A knows neither K nor OTA keys",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   return forall_({d}, z3::implies(q(V::rekeyed, d) || q(V::closed, d),
                                                   !q(V::knows_a, q(V::key, d)) && !q(V::knows_a, q(V::ota, d))));
                 }));
  I.push_back(mk("INV-REPLAY", "inv_replay", true, "no OTA command applied twice or after a newer one", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    return forall_({d}, !q(V::replayed, d));
  }));
  I.push_back(mk("INV-EVIDENCE", "inv_evidence", true, "what A believes about the card (PoR, attach, read-back) is true",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   return forall_({d}, z3::implies(q(V::proven, d) || q(V::done, d),
                                                   q(V::allocated, d) && q(V::imsi, d) == q(V::alloc, d)) &&
                                           z3::implies(q(V::still_old, d) || q(V::cancelled, d), q(V::imsi, d) == q.st().old(d)));
                 }));
  I.push_back(mk("INV-SINGLE", "inv_single", true, "every rewrite the card could accept targets its one allocation",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   auto i = q.b(S::Imsi, "i");
                   auto c = q.b(S::Ctr, "c");
                   return forall_({d, i, c}, z3::implies(q(V::sent_set, {d, i, c, q(V::ota, d)}),
                                                         q(V::allocated, d) && i == q(V::alloc, d)));
                 }));
  I.push_back(mk("INV-PORTABLE", "inv_portable", true, "after the change B holds the OTA keys and a high enough counter",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   return forall_({d}, z3::implies(q(V::done, d), q(V::knows_b, q(V::ota, d)) &&
                                                                      q.st().le(q(V::cctr, d), q(V::ctr_b, d))));
                 }));

  // Helpers.
  I.push_back(mk("H-ALLOC", "h_alloc", false, "an allocated IMSI is in B's ranges, nobody's original, nobody else's allocation",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d"), e = q.b(S::Device, "e");
                   auto a = q(V::alloc, d);
                   return forall_({d, e}, z3::implies(q(V::allocated, d),
                                                      q.st().range_b(a) && q.st().old(e) != a &&
                                                          z3::implies(q(V::allocated, e) && q(V::alloc, e) == a, d == e)));
                 }));
  I.push_back(mk("H-HSS-RANGE", "h_hss_range", false, "each HSS holds records only in its own ranges", [](const Q& q) {
    auto i = q.b(S::Imsi, "i");
    auto k = q.b(S::Key, "k");
    auto p = q.b(S::Prof, "p");
    return forall_({i, k, p}, z3::implies(q(V::hss_a, {i, k, p}), q.st().range_a(i)) &&
                                  z3::implies(q(V::hss_b, {i, k, p}), q.st().range_b(i)));
  }));
  I.push_back(mk("H-HSS-A", "h_hss_a", false, "until A completes, A holds the original record", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    return forall_({d}, z3::implies(!q(V::done, d), q(V::hss_a, {q.st().old(d), q(V::key, d), q.st().prof(d)}) &&
                                                        q.st().sup_a(q.st().prof(d))));
  }));
  I.push_back(mk("H-HSS-B", "h_hss_b", false, "B's record at an allocated IMSI exists iff ready and not cancelled, with the card's K",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   auto k = q.b(S::Key, "k");
                   auto p = q.b(S::Prof, "p");
                   return forall_({d, k, p}, z3::implies(q(V::allocated, d),
                                                         q(V::hss_b, {q(V::alloc, d), k, p}) ==
                                                             (q(V::ready, d) && !q(V::cancelled, d) && k == q(V::key, d) &&
                                                              p == q.st().prof(d))));
                 }));
  I.push_back(mk("H-SENT", "h_sent", false, "every acceptable set/read was sent by A after B was ready, below A's counter",
                 [](const Q& q) {
                   auto d = q.b(S::Device, "d");
                   auto i = q.b(S::Imsi, "i");
                   auto c = q.b(S::Ctr, "c");
                   auto o = q(V::ota, d);
                   return forall_({d, i, c}, z3::implies(q(V::sent_set, {d, i, c, o}),
                                                         q(V::issued, d) && q(V::ready, d) && q.st().le(c, q(V::ctr_a, d)))) &&
                          forall_({d, c}, z3::implies(q(V::sent_read, {d, c, o}), q(V::issued, d) && q.st().le(c, q(V::ctr_a, d))));
                 }));
  I.push_back(mk("H-LIVE", "h_live", false, "no acceptable rewrite is pending once cancelled or shown old", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    auto i = q.b(S::Imsi, "i");
    auto c = q.b(S::Ctr, "c");
    return forall_({d, i, c}, z3::implies(q(V::sent_set, {d, i, c, q(V::ota, d)}) && (q(V::still_old, d) || q(V::cancelled, d)),
                                          q.st().le(c, q(V::cctr, d))));
  }));
  I.push_back(mk("H-ANSWER", "h_answer", false, "an answer to A's latest counter tells the card's current IMSI", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    auto i = q.b(S::Imsi, "i");
    auto c = q.b(S::Ctr, "c");
    auto ans = q(V::sent_por, {d, i, c}) || q(V::sent_rbk, {d, i, c});
    return forall_({d, i, c}, z3::implies(ans, q.st().le(c, q(V::cctr, d))) &&
                                  z3::implies(ans && c == q(V::ctr_a, d), q(V::imsi, d) == i));
  }));
  I.push_back(mk("H-CTR", "h_ctr", false, "the card's counter never exceeds its manager's", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    return forall_({d}, z3::implies(!q(V::done, d), q.st().le(q(V::cctr, d), q(V::ctr_a, d))) &&
                            z3::implies(q(V::done, d), q.st().le(q(V::ctr_a, d), q(V::ctr_b, d))));
  }));
  I.push_back(mk("H-PHASE", "h_phase", false, "the journal flags are consistent", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    auto f = [&](V v) { return q(v, d); };
    return forall_({d}, z3::implies(f(V::allocated), f(V::wanted)) && z3::implies(f(V::ready), f(V::allocated)) &&
                            z3::implies(f(V::issued), f(V::allocated)) && z3::implies(f(V::proven), f(V::allocated)) &&
                            z3::implies(f(V::still_old), f(V::allocated)) &&
                            z3::implies(f(V::done), f(V::proven) && f(V::ready)) &&
                            z3::implies(f(V::cancelled), f(V::allocated) && !f(V::done) && !f(V::proven)) &&
                            z3::implies(f(V::rekeyed) || f(V::closed), f(V::done)) && z3::implies(f(V::closed), f(V::rekeyed)) &&
                            z3::implies(!f(V::issued), f(V::imsi) == q.st().old(d)));
  }));
  I.push_back(mk("H-KEYS", "h_keys", false, "A knows the OTA keys while it manages; B after the hand-over", [](const Q& q) {
    auto d = q.b(S::Device, "d");
    return forall_({d}, z3::implies(!q(V::done, d), q(V::knows_a, q(V::ota, d))) &&
                            z3::implies(q(V::ready, d), q(V::knows_b, q(V::ota, d))));
  }));
  return I;
}

}  // namespace

const std::vector<Invariant>& invariants() {
  static const std::vector<Invariant> i = build();
  return i;
}

const Invariant* find_invariant(std::string_view name) {
  for (const auto& i : invariants())
    if (i.name == name) return &i;
  return nullptr;
}

std::vector<std::string> safety_ids() {
  std::vector<std::string> r;
  for (const auto& i : invariants())
    if (i.safety && (r.empty() || r.back() != i.id)) r.push_back(i.id);
  return r;
}

}  // namespace mnoswitch::model
