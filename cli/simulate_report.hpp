// The human summary of a fleet switch, shared by `simulate` and `demo` (spec/scenario.md "Summary").
#pragma once

#include <fmt/format.h>

#include "reference/mechanism/fleet.hpp"

namespace mnoswitch::cli {

using mechanism::Summary;

inline std::uint64_t total_violations(const Summary& s) {
  std::uint64_t total = 0;
  for (auto v : s.violations) total += v;
  return total;
}

inline void print_summary(const Summary& s) {
  fmt::print("mnoswitch simulate: {} devices, variant {}, seed {}\n", s.devices, s.variant, s.seed);
  fmt::print("  scenario: {}\n", s.scenario);
  fmt::print("  outcome after {} ticks:\n", s.ticks);
  fmt::print("    switched to B       {:>9}\n", s.switched);
  fmt::print("    still pending       {:>9}   (reachable on A's or B's HSS, change not complete)\n", s.pending);
  fmt::print("    rolled back         {:>9}   (stays with A, on read-back evidence)\n", s.rolled_back);
  fmt::print("    stranded            {:>9}   (no working IMSI: the final attach fails)\n", s.stranded);
  fmt::print("    re-keyed by B       {:>9}   (key agreement; A does not know the new K / OTA keys)\n", s.rekeyed);
  fmt::print("  OTA: {} secured packets sent ({} re-sends), {} SMS segments, {} PoRs received\n", s.ota_commands,
             s.ota_retries, s.sms_segments, s.pors_received);
  fmt::print("  network: {} SMS lost, {} duplicated, {} expired in the SMSC; {} PoRs lost\n", s.network.downlink_lost,
             s.network.downlink_duplicated, s.network.downlink_expired, s.network.uplink_lost);
  fmt::print("  attaches (AKA): before the switch {} ({} failed), after a REFRESH {} ({} failed), at the end {} ({} failed)\n",
             s.attaches_before, s.attach_failures_before, s.attaches_during, s.attach_failures_during,
             s.attaches_after, s.attach_failures_after);
  fmt::print("  durability: {} crash(es) of MNO A{}, resumed from SQLite; {} transactions\n", s.crashes,
             s.crashes ? fmt::format(" at tick {}", s.crash_tick) : std::string(), s.transactions);
  const std::uint64_t total = total_violations(s);
  fmt::print("  invariants: checked on all {} abstract state changes: {}\n", s.invariant_checks,
             total == 0 ? std::string("all hold") : std::string("VIOLATED"));
  for (std::size_t i = 0; i < mechanism::kInvariantCount; ++i)
    if (s.violations[i] != 0)
      fmt::print("    {:<13} violated in {} device states\n", mechanism::to_string(mechanism::kAllInvariants[i]), s.violations[i]);
  if (!s.first_violation.empty()) fmt::print("    first: {}\n", s.first_violation);
  if (s.trace_lines) fmt::print("  trace: {} lines\n", s.trace_lines);
  if (s.pcap_frames) fmt::print("  pcap: {} GSMTAP SIM frames\n", s.pcap_frames);
  fmt::print("  time: {:.1f} s\n", s.seconds);
}

}  // namespace mnoswitch::cli
