// `mnoswitch check` as a program: JSON shape, exit codes, bad input.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

namespace {
struct Run {
  int code;
  std::string out;
};
Run run(const std::string& args) {
  std::string cmd = fmt::format("{} {} 2>/dev/null", MNOSWITCH_CLI, args);
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  while (auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}
}  // namespace

TEST_CASE("mnoswitch check --variant seed --json: every invariant refuted with a trace, exit 0", "[model][cli]") {
  Run r = run("check --variant seed --json");
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
  Run r = run("check --without REQ-HO-05 --json --bound 4");
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
  Run r = run("check --without REQ-HO-12 --bound 3");
  CHECK(r.code == 1);
}

TEST_CASE("mnoswitch check: bad input is exit 2", "[model][cli]") {
  CHECK(run("check --without REQ-HO-99").code == 2);
  CHECK(run("check --variant other").code == 2);
  CHECK(run("check --bound 99").code == 2);
}
