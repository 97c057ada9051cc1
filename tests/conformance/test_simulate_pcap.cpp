// tshark as an independent decoder of `mnoswitch simulate --pcap` (issue 5 item 5; spec/scenario.md "pcap"):
// GSMTAP (UDP 4729, type SIM) → ENVELOPE SMS-PP download → SMS-DELIVER with UDH IEI 0x70; FETCH → SEND SHORT
// MESSAGE → SMS-SUBMIT with UDH IEI 0x71.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/validated_fleet.hpp"

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  return out;
}

}  // namespace

TEST_CASE("tshark dissects the simulated OTA traffic as GSMTAP SIM ENVELOPE/FETCH frames", "[pcap][tshark][REQ-OTA-30]") {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    WARN("tshark not installed: skipped");
    return;
  }
  const std::string pcap = "simulate_conformance.pcap";
  const mnoswitch::testing::ScratchTrace trace;
  const auto out = run(std::string(MNOSWITCH_CLI) + " simulate --devices 3 --variant safe --json --pcap " + pcap + " --trace " + trace.path());
  const auto summary = nlohmann::json::parse(out);
  const auto frames = summary.at("pcap_frames").get<std::uint64_t>();
  REQUIRE(frames > 0);
  // Issue 6 item 2: the same run is a trace the model allows (tests/support/validated_fleet.hpp).
  const auto verdict = mnoswitch::testing::validate_simulate_trace(trace.path(), out);
  INFO(verdict.failure);
  CHECK(verdict.agrees());

  // Every frame is UDP 4729 (GSMTAP) and dissected as a SIM APDU (the GSMTAP SIM sub-dissector).
  const auto gsmtap = run("tshark -r " + pcap + " -Y 'udp.port == 4729 && gsm_sim' 2>/dev/null | wc -l");
  CHECK(std::stoull(gsmtap) == frames);
  const auto stacks = run("tshark -r " + pcap + " -T fields -e frame.protocols 2>/dev/null | grep -c 'udp:gsmtap:gsm_sim'");
  CHECK(std::stoull(stacks) == frames);

  std::map<std::string, int> kinds;
  std::istringstream lines(run("tshark -r " + pcap +
                               " -T fields -E separator=, -e gsm_sim.apdu.ins -e gsm_sms.tp-mti -e gsm_sms.ie_identifier"
                               " -e etsi_cat.comp_tlv.cmd_type 2>/dev/null"));
  for (std::string l; std::getline(lines, l);) ++kinds[l];
  // ENVELOPE (C2) carrying an SMS-DELIVER (MTI 0) with the command-packet IEI 70 (TS 31.115 §4).
  CHECK(kinds["0xc2,0,0x70,"] > 0);
  // FETCH (12) of SEND SHORT MESSAGE (13) carrying an SMS-SUBMIT (MTI 1) with the response-packet IEI 71.
  CHECK(kinds["0x12,1,0x71,0x13"] > 0);
  // FETCH of REFRESH (01) after the EF_IMSI update, answered by TERMINAL RESPONSE (14).
  CHECK(kinds["0x12,,,0x01"] > 0);
  CHECK(kinds["0x14,,,0x01"] > 0);
  std::remove(pcap.c_str());
}
