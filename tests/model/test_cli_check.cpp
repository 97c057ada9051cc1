// `mnoswitch check` as a program: JSON shape, exit codes, bad input.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

#include "tests/support/cli_run.hpp"

namespace {
mnoswitch::testing::CliRun run(const std::string& args) { return mnoswitch::testing::run_cli(args); }
}  // namespace

TEST_CASE("mnoswitch check --variant seed --json: every invariant refuted with a trace, exit 0", "[model][cli]") {
  const auto r = run("check --variant seed --json");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["results"].size() == 8);
  for (const auto& x : j["results"]) {
    CHECK(x["variant"] == "seed");
    CHECK(x["verdict"] == "refuted");
    CHECK(x["method"] == "bmc");
    CHECK(x["depth"].is_number());
    CHECK(x["seconds"].is_number());
    CHECK(x["trace"]["steps"].size() == x["depth"].get<std::size_t>());
    CHECK(x["trace"]["mermaid"].get<std::string>().rfind("sequenceDiagram", 0) == 0);
  }
  CHECK(j["requirements"].empty());
}

TEST_CASE("mnoswitch check --without REQ-HO-05: INV-CONNECT refuted, exit 0", "[model][cli][REQ-HO-05]") {
  const auto r = run("check --without REQ-HO-05 --json --bound 4");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& x : j["results"])
    if (x["invariant"] == "INV-CONNECT") {
      found = true;
      CHECK(x["verdict"] == "refuted");
      CHECK(x["depth"] == 3);
      CHECK(x["expected"] == "refuted");
    }
  CHECK(found);
}

TEST_CASE("mnoswitch check: an expectation that fails gives exit 1", "[model][cli]") {
  // REQ-HO-12's flaw needs depth 7: with --bound 3 it cannot be shown, so the expectation fails.
  const auto r = run("check --without REQ-HO-12 --bound 3");
  CHECK(r.code == 1);
}

TEST_CASE("mnoswitch check: bad input is exit 2", "[model][cli]") {
  CHECK(run("check --without REQ-HO-99").code == 2);
  CHECK(run("check --variant other").code == 2);
  CHECK(run("check --bound 99").code == 2);
}
