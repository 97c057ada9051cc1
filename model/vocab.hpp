// spec/mechanism.md §5: the abstract vocabulary — sorts, static symbols and one copy of the state variables.
// Every function goes *from* Device to another sort (or is a relation): that keeps every obligation in the
// decidable (stratified EPR) fragment; signature.cpp checks it.
#pragma once

#include <z3++.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mnoswitch::model {

enum class S : std::uint8_t { Device, Imsi, Key, Ctr, Prof, Bool };
inline constexpr std::size_t kSortCount = 5;  // without Bool

// The state variables (mechanism.md §5), one enumerator per variable.
enum class V : std::uint8_t {
  imsi, key, ota, cctr,                     // card
  hss_a, hss_b,                             // HSS/AuC records
  knows_a, knows_b, knows_m, knows_x,       // knowledge of keys
  wanted, allocated, alloc, ready,          // M2M decision, B's list, B's confirmation
  issued, ctr_a, proven, still_old, done, cancelled,  // A's journal
  ctr_b, rekeyed, closed,                   // B's journal
  replayed,                                 // ghost for INV-REPLAY
  sent_set, sent_read, sent_por, sent_rbk,  // messages ever sent
  Count
};
inline constexpr std::size_t kVarCount = static_cast<std::size_t>(V::Count);

struct VarInfo {
  std::string_view name;
  std::vector<S> domain;
  S range;
};
const VarInfo& info(V v);
std::string_view sort_name(S s);

// One copy of the state: a func_decl per variable, named "<var><suffix>".
struct State {
  std::vector<z3::func_decl> fs;
  std::string suffix;
  const z3::func_decl& operator[](V v) const { return fs[static_cast<std::size_t>(v)]; }
};

// Rigid symbols: the same in every state.
struct Statics {
  z3::func_decl range_a, range_b;  // Imsi -> Bool: IMSI ranges of A and B
  z3::func_decl sup_a, sup_b;      // Prof -> Bool: profiles the AuC can run
  z3::func_decl le;                // Ctr x Ctr -> Bool: total order on counters
  z3::func_decl old;               // Device -> Imsi: the IMSI at Init
  z3::func_decl prof;              // Device -> Prof: the card's AKA profile
  z3::expr common;                 // Prof: Milenage with OP = 0 (TS 35.206)
};

class Vocab {
 public:
  explicit Vocab(z3::context& c);
  z3::context& ctx() const { return *ctx_; }
  const z3::sort& sort(S s) const;
  const Statics& statics() const { return statics_; }
  State state(const std::string& suffix) const;
  // A fresh constant to be bound by a quantifier.
  z3::expr bound(S s, const std::string& name) const;
  std::vector<z3::func_decl> static_decls() const;

 private:
  z3::context* ctx_;
  std::vector<z3::sort> sorts_;
  Statics statics_;
};

}  // namespace mnoswitch::model
