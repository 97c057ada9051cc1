// spec/mechanism.md §5: the model's formulas (Init, T_a, INV-*/H-*) evaluated over one finite interpretation —
// the universe of a trace. The Z3 expressions the model builds are compiled once into a small tree and evaluated
// ground: every sort is finite, so a quantifier is a loop, a frame is a comparison of two tables, and a check is
// microseconds instead of a solver call (issue 6: validating a fleet's trace in seconds).
#pragma once

#include <z3++.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/vocab.hpp"

namespace mnoswitch::model::validate {

// The finite universe: element names per sort (index = element). Counters are named by their decimal value and
// ordered numerically (the `le` axioms hold by construction).
struct Universe {
  std::array<std::vector<std::string>, kSortCount> names;
  std::array<std::map<std::string, int>, kSortCount> index;
  std::vector<std::uint64_t> ctr_value;  // per Ctr element
  int add(S s, const std::string& name);
  [[nodiscard]] int find(S s, const std::string& name) const;  // -1 when absent
  [[nodiscard]] int size(S s) const { return static_cast<int>(names[static_cast<std::size_t>(s)].size()); }
  [[nodiscard]] const std::string& name(S s, int e) const { return names[static_cast<std::size_t>(s)][static_cast<std::size_t>(e)]; }
};

// One relation's extension: the tuples (elements) it holds, with a packed index for lookups.
struct Relation {
  std::vector<std::vector<int>> tuples;
  std::unordered_set<std::uint64_t> packed;
  static std::uint64_t pack(const int* xs, std::size_t n);
  void insert(const std::vector<int>& t);
  [[nodiscard]] bool contains(const int* xs, std::size_t n) const { return packed.count(pack(xs, n)) != 0; }
  friend bool operator==(const Relation& a, const Relation& b) { return a.packed == b.packed; }
};

// The interpretation of one state: Device-indexed functions as tables, other variables as relations.
struct Interp {
  std::array<std::vector<int>, kVarCount> fn;  // fn[v][device] (Bool as 0/1)
  std::array<Relation, kVarCount> rel;
};
[[nodiscard]] bool device_indexed(V v);

// The rigid symbols (same in every state).
struct Rigid {
  std::vector<char> range_a, range_b;  // per Imsi
  std::vector<char> sup_a, sup_b;      // per Prof
  std::vector<int> old, prof;          // per Device
  int common = 0;
};

struct Node;
using NodeP = std::unique_ptr<Node>;

// A compiled formula: bound variables, action parameters and update slots become numbered slots.
class Compiled {
 public:
  Compiled();
  ~Compiled();
  Compiled(Compiled&&) noexcept;
  Compiled& operator=(Compiled&&) noexcept;
  [[nodiscard]] bool valid() const { return root_ != nullptr; }
  const Node* root() const { return root_.get(); }
  // Bit v: the formula reads state variable v (pre or post). A formula reading nothing that changed between
  // two states has the same value in both (the rigid symbols never change).
  [[nodiscard]] std::uint64_t reads() const { return reads_; }

 private:
  friend class Compiler;
  NodeP root_;
  std::uint64_t reads_ = 0;
};

// Names of the constants that stand for action parameters and for the update slots x0..xn.
struct SlotNames {
  std::vector<std::string> params;  // params[i] -> parameter i
  std::vector<std::string> slots;   // slots[j]  -> update argument j
};

class Compiler {
 public:
  Compiler(const Vocab& v, const State& pre, const State& post, SlotNames names);
  [[nodiscard]] Compiled compile(const z3::expr& e) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Everything an evaluation reads.
struct Env {
  const Universe* u = nullptr;
  const Rigid* rigid = nullptr;
  const Interp* pre = nullptr;
  const Interp* post = nullptr;
  std::vector<int> params;  // action parameters
  std::vector<int> slots;   // update arguments
};

[[nodiscard]] bool holds(const Compiled& f, const Env& env);
[[nodiscard]] int value(const Compiled& f, const Env& env);

// For an update R'(xs) = rhs(xs) of a relation: the tuples that can make rhs true outside pre ∪ post are
// built from the ground terms rhs compares a slot with (per slot), plus one element that no such term and no
// tuple of pre/post uses at that position — every other tuple behaves like it. Returns false when rhs has a
// shape this does not cover (then the caller enumerates).
bool update_candidates(const Compiled& rhs, const Env& env, V var, const Interp& pre, const Interp& post,
                       std::vector<std::vector<int>>& out);

}  // namespace mnoswitch::model::validate
