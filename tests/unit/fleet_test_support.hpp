// Small fleets for the mechanism tests (fast: a few devices, short timeouts).
#pragma once

#include "reference/mechanism/fleet.hpp"
#include "reference/mechanism/scenario.hpp"

#include <cstdlib>
#include <filesystem>

namespace mnoswitch::test {

// The fleet tests open and reopen SQLite stores hundreds of times; on tmpfs the fsyncs cost nothing. (The crash
// is simulated in-process — close without commit, reopen — so tmpfs does not weaken what the tests show.)
inline const bool kScratchOnTmpfs = [] {
  if (std::filesystem::is_directory("/dev/shm")) setenv("TMPDIR", "/dev/shm", 0);
  return true;
}();

inline mechanism::Scenario small_scenario(std::uint64_t devices, std::uint64_t seed = 1) {
  auto s = mechanism::default_scenario();
  s.name = "test";
  s.devices = devices;
  s.seed = seed;
  s.faults = mechanism::FaultPlan{};  // no faults unless a test asks
  s.faults.smsc_validity = 100;
  s.crash.enabled = false;
  s.procedure.send_per_tick = 4;
  s.procedure.por_timeout = 6;
  s.procedure.max_attempts = 3;
  s.procedure.deadline = 600;
  return s;
}

inline mechanism::FaultPlan harsh_faults() {
  mechanism::FaultPlan f;
  f.sms_loss = 0.2;
  f.por_loss = 0.2;
  f.duplicate = 0.2;
  f.max_delay = 8;
  f.offline = 0.3;
  f.offline_min = 5;
  f.offline_max = 40;
  f.never_back = 0.0;
  f.smsc_validity = 30;
  return f;
}

inline std::uint64_t total_violations(const mechanism::Summary& s) {
  std::uint64_t t = 0;
  for (auto v : s.violations) t += v;
  return t;
}

inline std::uint64_t violations_of(const mechanism::Summary& s, mechanism::Invariant i) {
  return s.violations[static_cast<std::size_t>(i)];
}

}  // namespace mnoswitch::test
