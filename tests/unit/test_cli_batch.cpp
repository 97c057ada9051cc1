// `mnoswitch batch`: keygen, example, inspect — exit codes 0/1/2, JSON output, no key material on stdout.
// REQ-HO-51, REQ-HO-52, REQ-HO-56, REQ-HO-57.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reference/operators/identity.hpp"
#include "tests/support/batch_fixture.hpp"

#include "tests/support/cli_run.hpp"

using namespace mnoswitch;
using namespace mnoswitch::testing;

namespace {
mnoswitch::testing::CliRun run(const std::string& args) { return mnoswitch::testing::run_cli(args); }
Bytes slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("cli batch: keygen, example, inspect with exit codes", "[cli][batch][REQ-HO-51][REQ-HO-57]") {
  TempDir dir;
  std::string d = dir.file("keys");
  auto ka = run("batch keygen --operator mno-a --out " + d + " --json");
  REQUIRE(ka.code == 0);
  auto ja = nlohmann::json::parse(ka.out);
  CHECK(ja["operator"] == "mno-a");
  REQUIRE(run("batch keygen --operator mno-b --out " + d).code == 0);
  // The private key never reaches stdout.
  auto priv = operators::decode_identity(slurp(d + "/mno-a.key")).value();
  CHECK(ka.out.find(to_hex(priv.signing_key().expose())) == std::string::npos);
  CHECK(ka.out.find(to_hex(priv.encryption_key().expose())) == std::string::npos);
  CHECK(ja["signing_key"] == to_hex(priv.public_keys().signing.span()));

  std::string f = dir.file("ho.batch");
  REQUIRE(
      run("batch example --from " + d + "/mno-a.key --to " + d + "/mno-b.pub.json --out " + f + " --count 4").code ==
      0);
  auto unverified = run("batch inspect " + f + " --json");
  REQUIRE(unverified.code == 0);
  CHECK(nlohmann::json::parse(unverified.out)["result"] == "unverified");
  auto ok = run("batch inspect " + f + " --key " + d + "/mno-b.key --peer " + d + "/mno-a.pub.json --json");
  REQUIRE(ok.code == 0);
  auto j = nlohmann::json::parse(ok.out);
  CHECK(j["result"] == "verified");
  CHECK(j["records"] == 4);
  CHECK(j["kind"] == "hand-over");
  // Wrong recipient: verification says no -> 1.
  auto wrong = run("batch inspect " + f + " --key " + d + "/mno-a.key --peer " + d + "/mno-b.pub.json --json");
  CHECK(wrong.code == 1);
  CHECK(nlohmann::json::parse(wrong.out)["error"] == "wrong-recipient");
  // Tampered -> 1.
  Bytes b = slurp(f);
  b[b.size() / 2] ^= 1;
  std::ofstream(f, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  CHECK(run("batch inspect " + f + " --key " + d + "/mno-b.key --peer " + d + "/mno-a.pub.json").code == 1);
  // Bad input -> 2.
  CHECK(run("batch inspect " + dir.file("missing")).code == 3);  // a file that cannot be read: environment
  CHECK(run("batch keygen --operator NOT-VALID --out " + d).code == 2);
  CHECK(run("batch keygen --operator mno-a --out " + d).code == 2);  // refuses to overwrite
  CHECK(run("batch inspect " + f + " --key " + d + "/mno-b.pub.json --peer " + d + "/mno-a.pub.json").code == 2);
  CHECK(run("batch").code == 2);
  CHECK(run("batch inspect --help").code == 0);
}
