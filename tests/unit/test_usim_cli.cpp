// The mnoswitch usim and imsi subcommands as a user runs them (REQ-FS-80, REQ-FS-81): output, --json, exit codes,
// malformed lines, --save.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

fs::path temp_dir() {
  const auto d = fs::temp_directory_path() / ("mnoswitch_usim_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

Run run(const std::string& args, const std::string& input = "") {
  const auto d = temp_dir();
  const auto in = d / "stdin", out = d / "stdout", err = d / "stderr";
  std::ofstream(in) << input;
  const std::string cmd = std::string(MNOSWITCH_CLI) + " " + args + " <" + in.string() + " >" + out.string() + " 2>" +
                          err.string();
  const int status = std::system(cmd.c_str());
  return Run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out.string()), read_text(err.string())};
}

// Removes this process's scratch directory when a test case ends.
struct Scratch {
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(temp_dir(), ec);
  }
};

}  // namespace

TEST_CASE("REQ-FS-81 imsi encode/decode", "[usim][cli][REQ-FS-81]") {
  const Scratch scratch;
  auto r = run("imsi encode 001010123456789 --json");
  CHECK(r.code == 0);
  CHECK(nlohmann::json::parse(r.out)["ef_imsi"] == "080910101032547698");
  r = run("imsi encode 310260123456 --mnc-length 3");
  CHECK(r.out == "07310162103254f6ff\n");
  r = run("imsi decode 0821261021436587F9 --json");
  CHECK(nlohmann::json::parse(r.out)["imsi"] == "26201123456789");
  r = run("imsi decode 0821261021436587");
  CHECK(r.code == 2);
  CHECK(r.err == "mnoswitch: EF_IMSI: expected 9 octets (18 hex digits), got 8 octets\n");
  r = run("imsi encode 0010101234567890");
  CHECK(r.code == 2);
  CHECK(r.err == "mnoswitch: IMSI has 16 digits, at most 15 are allowed (TS 23.003 §2.2)\n");
  CHECK(run("imsi encode --help").code == 0);
}

TEST_CASE("REQ-FS-80 usim answers each line, a malformed line is reported, skipped, and exit is 2",
          "[usim][cli][REQ-FS-80]") {
  const Scratch scratch;
  auto r = run("usim --card " + kExampleCard,
               "# select EF_IMSI and read it\n00a4080c047fff6f07\n\n00 b0 00 00 09\nnot-hex\n00d6000009080910101032547699\n");
  CHECK(r.code == 2);
  CHECK(r.out == "9000\n0809101010325476989000\n6982\n");
  CHECK(r.err.find("line 5: not a command APDU") != std::string::npos);

  r = run("usim --card " + kExampleCard + " --json", "00a40004023f00\n");
  CHECK(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["response"] == "6112");
  CHECK(j["sw"] == "6112");
  CHECK(j["sw_name"] == "response_available");
  CHECK(j["line"] == 1);

  CHECK(run("usim --card /nonexistent/card.json", "").code == 3);
  const auto bad = temp_dir() / "bad.json";
  std::ofstream(bad) << R"({"format": "mnoswitch-card/1"})";
  r = run("usim --card " + bad.string(), "");
  CHECK(r.code == 2);
  CHECK(r.err.find("missing field \"iccid\"") != std::string::npos);
  CHECK(run("usim --help").code == 0);
}

TEST_CASE("REQ-FS-80 usim --save keeps the OTA counter and the new IMSI across runs", "[usim][cli][REQ-FS-80]") {
  const Scratch scratch;
  const auto card = temp_dir() / "card.json";
  fs::copy_file(kExampleCard, card, fs::copy_options::overwrite_existing);
  Card reference = example_card();
  OtaCommand cmd;
  cmd.script = ota::script_set_ef_imsi(encode_ef_imsi(Imsi::parse("001019876543210", MncLength::Two).value()));
  const std::string envelope = to_hex(envelopes(wrap(cmd, reference.config().key_sets.at(0))).at(0));

  auto r = run("usim --card " + card.string() + " --save", envelope + "\n");
  CHECK(r.code == 0);
  CHECK(r.out.substr(0, 2) == "61");
  auto saved = parse_card_file(read_text(card.string()));
  REQUIRE(saved.ok());
  CHECK(saved.value().personalisation.imsi.digits() == "001019876543210");
  CHECK(saved.value().state.ota_counters.at(1) == 1);
  CHECK(saved.value().state.proactive.queue.size() == 1);

  // The same packet again, in a new run: replay (PoR status 02), nothing applied.
  r = run("usim --card " + card.string() + " --save", envelope + "\n00c0000000\n");
  CHECK(r.code == 0);
  const auto lines = r.out;
  const auto second = lines.substr(lines.find('\n') + 1);
  const auto por = ota::read_por(hx(second.substr(0, second.size() - 5)), spi_of(cmd.spi), ota::KicByte(cmd.kic),
                                 ota::KidByte(cmd.kid), reference.config().key_sets.at(0));
  REQUIRE(por.ok());
  CHECK(por.value().status == ota::ResponseStatus::CounterLow);
}

// The README example, as a user types it (bash, no jq): wrap an IMSI change, run it through `mnoswitch usim`,
// read the PoR back with `mnoswitch ota por`; then the replay is refused.
TEST_CASE("REQ-FS-80 README example: ota wrap | usim --save | ota por", "[usim][cli][e2e][REQ-FS-80]") {
  const Scratch scratch;
  const auto dir = temp_dir();
  fs::copy_file(kExampleCard, dir / "card.json", fs::copy_options::overwrite_existing);
  const std::string keys = "--kic-key 000102030405060708090a0b0c0d0e0f --kid-key 101112131415161718191a1b1c1d1e1f";
  const std::string script = "set -e; cd " + dir.string() + "; M=" + MNOSWITCH_CLI +
                             "\n"
                             "EF=$($M imsi encode 001019876543210)\n"
                             "SCRIPT=$($M ota rfm --set-imsi-ef \"$EF\")\n"
                             "ENV=$($M ota wrap --spi 1619 --kic 12 --kid 12 --tar b00010 --counter 0000000001 " +
                             keys +
                             " --data \"$SCRIPT\" --originator 491720000000 | sed -n 's/^envelope: *//p')\n"
                             "printf '%s\\n00c0000000\\n8012000000\\n801400000c810301010282028281830100\\n' \"$ENV\" "
                             "| $M usim --card card.json --save > session.txt\n"
                             "POR=$(sed -n 2p session.txt | sed 's/....$//')\n"
                             "$M ota por --spi 1619 --kic 12 --kid 12 " +
                             keys +
                             " --tp-ud \"$POR\" --json > por.json\n"
                             "printf '%s\\n00c0000000\\n' \"$ENV\" | $M usim --card card.json --save > replay.txt\n"
                             "POR=$(sed -n 2p replay.txt | sed 's/....$//')\n"
                             "$M ota por --spi 1619 --kic 12 --kid 12 " +
                             keys + " --tp-ud \"$POR\" --json > replay.json\n";
  std::ofstream(dir / "example.sh") << script;
  REQUIRE(std::system(("bash " + (dir / "example.sh").string()).c_str()) == 0);
  const auto session = read_text((dir / "session.txt").string());
  CHECK(session.substr(0, 5) == "6129\n");
  CHECK(session.find("d0248103010102820281829207013f007fff6f07af10") != std::string::npos);
  const auto por = nlohmann::json::parse(read_text((dir / "por.json").string()));
  CHECK(por["status_name"] == "por_ok");
  CHECK(por["data"] == "029000");
  CHECK(por["rfm"]["executed"] == 2);
  const auto replay = nlohmann::json::parse(read_text((dir / "replay.json").string()));
  CHECK(replay["status"] == "02");
  const auto saved = parse_card_file(read_text((dir / "card.json").string()));
  REQUIRE(saved.ok());
  CHECK(saved.value().personalisation.imsi.digits() == "001019876543210");
  CHECK(saved.value().state.ota_counters.at(1) == 1);
}
