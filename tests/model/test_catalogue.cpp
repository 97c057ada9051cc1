// spec/invariants.md and spec/mechanism.md name every invariant, helper, action and requirement of the model.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "model/invariants.hpp"
#include "model/protocol.hpp"
#include "model/requirements.hpp"

using namespace mnoswitch::model;

namespace {
std::string slurp(const std::string& rel) {
  std::ifstream in(std::string(MNOSWITCH_TEST_DATA) + "/../../spec/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("spec/invariants.md lists every invariant ID and formula name", "[model][spec]") {
  std::string text = slurp("invariants.md");
  REQUIRE(!text.empty());
  for (const auto& i : invariants()) {
    INFO(i.id << " " << i.name);
    CHECK(text.find(i.id) != std::string::npos);
    CHECK(text.find("`" + i.name + "`") != std::string::npos);
  }
}

TEST_CASE("spec/mechanism.md names every action and requirement", "[model][spec]") {
  std::string text = slurp("mechanism.md");
  REQUIRE(!text.empty());
  for (const auto& a : actions()) {
    INFO(a.name);
    CHECK(text.find("`" + a.name) != std::string::npos);
  }
  for (const auto& r : requirements()) {
    INFO(r.id);
    CHECK(text.find(std::string(r.id)) != std::string::npos);
  }
}
