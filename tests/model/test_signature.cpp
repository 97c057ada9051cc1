// The decidability guard: no function into Device, functions only from Device (issue 4 item 2).
#include <catch2/catch.hpp>

#include "model/signature.hpp"
#include "model/vocab.hpp"

using namespace mnoswitch::model;

TEST_CASE("every formula of the model passes the signature check", "[model][signature]") {
  auto v = check_model_signature();
  for (const auto& x : v) INFO(x.decl << ": " << x.reason);
  CHECK(v.empty());
}

TEST_CASE("the signature check rejects a function into Device and a function from another sort", "[model][signature]") {
  z3::context c;
  Vocab v(c);
  z3::func_decl owner = c.function("owner", v.sort(S::Imsi), v.sort(S::Device));
  z3::func_decl keyof = c.function("keyof", v.sort(S::Imsi), v.sort(S::Key));
  z3::func_decl rel = c.function("rel", v.sort(S::Imsi), v.sort(S::Device), c.bool_sort());
  z3::expr i = c.constant("i", v.sort(S::Imsi));
  z3::expr d = c.constant("d", v.sort(S::Device));
  auto bad = check_signature({z3::forall(i, owner(i) == d)}, v.sort(S::Device));
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].decl == "owner(Imsi) -> Device");
  auto bad2 = check_signature({keyof(i) == c.constant("k", v.sort(S::Key))}, v.sort(S::Device));
  REQUIRE(bad2.size() == 1);
  CHECK(bad2[0].decl == "keyof(Imsi) -> Key");
  CHECK(check_signature({z3::forall(i, d, rel(i, d))}, v.sort(S::Device)).empty());  // relations are fine
}
