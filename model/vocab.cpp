// spec/mechanism.md §5: sorts, static symbols, state variables.
#include "model/vocab.hpp"

#include <stdexcept>

namespace mnoswitch::model {
namespace {

const std::array<VarInfo, kVarCount>& table() {
  static const std::array<VarInfo, kVarCount> t{{
      {"imsi", {S::Device}, S::Imsi},
      {"key", {S::Device}, S::Key},
      {"ota", {S::Device}, S::Key},
      {"cctr", {S::Device}, S::Ctr},
      {"hss_a", {S::Imsi, S::Key, S::Prof}, S::Bool},
      {"hss_b", {S::Imsi, S::Key, S::Prof}, S::Bool},
      {"knows_a", {S::Key}, S::Bool},
      {"knows_b", {S::Key}, S::Bool},
      {"knows_m", {S::Key}, S::Bool},
      {"knows_x", {S::Key}, S::Bool},
      {"wanted", {S::Device}, S::Bool},
      {"allocated", {S::Device}, S::Bool},
      {"alloc", {S::Device}, S::Imsi},
      {"ready", {S::Device}, S::Bool},
      {"issued", {S::Device}, S::Bool},
      {"ctr_a", {S::Device}, S::Ctr},
      {"proven", {S::Device}, S::Bool},
      {"still_old", {S::Device}, S::Bool},
      {"done", {S::Device}, S::Bool},
      {"cancelled", {S::Device}, S::Bool},
      {"ctr_b", {S::Device}, S::Ctr},
      {"rekeyed", {S::Device}, S::Bool},
      {"closed", {S::Device}, S::Bool},
      {"replayed", {S::Device}, S::Bool},
      {"sent_set", {S::Device, S::Imsi, S::Ctr, S::Key}, S::Bool},
      {"sent_read", {S::Device, S::Ctr, S::Key}, S::Bool},
      {"sent_por", {S::Device, S::Imsi, S::Ctr}, S::Bool},
      {"sent_rbk", {S::Device, S::Imsi, S::Ctr}, S::Bool},
  }};
  return t;
}

z3::func_decl decl(z3::context& c, const std::string& name, const std::vector<z3::sort>& sorts,
                   const std::vector<S>& dom, S range) {
  z3::sort_vector d(c);
  for (S s : dom) d.push_back(sorts[static_cast<std::size_t>(s)]);
  z3::sort r = range == S::Bool ? c.bool_sort() : sorts[static_cast<std::size_t>(range)];
  return c.function(name.c_str(), d, r);
}

}  // namespace

const VarInfo& info(V v) { return table()[static_cast<std::size_t>(v)]; }

std::string_view sort_name(S s) {
  switch (s) {
    case S::Device: return "Device";
    case S::Imsi: return "Imsi";
    case S::Key: return "Key";
    case S::Ctr: return "Ctr";
    case S::Prof: return "Prof";
    case S::Bool: return "Bool";
  }
  return "?";
}

static std::vector<z3::sort> make_sorts(z3::context& c) {
  std::vector<z3::sort> v;
  for (S s : {S::Device, S::Imsi, S::Key, S::Ctr, S::Prof}) v.push_back(c.uninterpreted_sort(std::string(sort_name(s)).c_str()));
  return v;
}

static Statics make_statics(z3::context& c, const std::vector<z3::sort>& s) {
  return Statics{decl(c, "range_a", s, {S::Imsi}, S::Bool), decl(c, "range_b", s, {S::Imsi}, S::Bool),
                 decl(c, "sup_a", s, {S::Prof}, S::Bool),   decl(c, "sup_b", s, {S::Prof}, S::Bool),
                 decl(c, "le", s, {S::Ctr, S::Ctr}, S::Bool), decl(c, "old", s, {S::Device}, S::Imsi),
                 decl(c, "prof", s, {S::Device}, S::Prof),  c.constant("common", s[static_cast<std::size_t>(S::Prof)])};
}

Vocab::Vocab(z3::context& c) : ctx_(&c), sorts_(make_sorts(c)), statics_(make_statics(c, sorts_)) {}

const z3::sort& Vocab::sort(S s) const {
  if (s == S::Bool) throw std::logic_error("Vocab::sort(Bool)");
  return sorts_[static_cast<std::size_t>(s)];
}

State Vocab::state(const std::string& suffix) const {
  State st{{}, suffix};
  st.fs.reserve(kVarCount);
  for (std::size_t i = 0; i < kVarCount; ++i) {
    const VarInfo& vi = table()[i];
    st.fs.push_back(decl(*ctx_, std::string(vi.name) + suffix, sorts_, vi.domain, vi.range));
  }
  return st;
}

z3::expr Vocab::bound(S s, const std::string& name) const { return ctx_->constant(name.c_str(), sort(s)); }

std::vector<z3::func_decl> Vocab::static_decls() const {
  return {statics_.range_a, statics_.range_b, statics_.sup_a, statics_.sup_b, statics_.le, statics_.old, statics_.prof};
}

}  // namespace mnoswitch::model
