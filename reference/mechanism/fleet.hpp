// The fleet switch (spec/mechanism.md §2-§4, issue 5): N devices move from MNO A to MNO B under the scenario's
// faults, with variant `seed` (the contribution's order) or `safe` (REQ-HO-05..15), every attach a real AKA run,
// every IMSI change a real secured packet in real SMS TPDUs delivered by ENVELOPE to a simulated USIM, both
// operators' state in SQLite (one transaction per operator per tick), one crash of MNO A with resume. Every
// abstract state change is checked against the INV-* predicates and can be written as a trace line.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "reference/core/result.hpp"
#include "reference/mechanism/abstract_state.hpp"
#include "reference/mechanism/network.hpp"
#include "reference/mechanism/pcap_writer.hpp"
#include "reference/mechanism/scenario.hpp"
#include "reference/mechanism/trace_writer.hpp"
#include "reference/operators/sqlite.hpp"

namespace mnoswitch::mechanism {

struct FleetOptions {
  Scenario scenario;
  Variant variant = Variant::Safe;
  std::string db_dir;  // where a.db and b.db live (created fresh); empty: a private temporary directory
  operators::db::Synchronous sync = operators::db::Synchronous::Normal;
  TraceWriter* trace = nullptr;
  PcapWriter* pcap = nullptr;
  // Full model state on every trace line up to this many devices; above it, the changed device only.
  std::uint32_t trace_full_state_limit = 64;
  // Called about every 1% of progress with (devices settled, devices, tick).
  std::function<void(std::uint64_t settled, std::uint64_t devices, std::uint64_t tick)> progress;
  // Test hook, asked at every crash point of MNO A (0, 1, 2, ...): true = A's process dies there. When unset,
  // the scenario's crash plan decides (once, mid-batch).
  std::function<bool(std::uint64_t point)> crash_a;
  bool check_invariants = true;
  bool keep_db = false;  // keep a private temporary directory (tests inspect it)
  // Test-only (issue 6): break the REQ-HO-09 guard of `safe` — the OTA servers send with SPI counter mode "no
  // check", so a duplicated or replayed rewrite is applied again. tests/model shows validate-trace catches it.
  bool test_break_counter_check = false;
  // Test-only (issue 6 item 3, counterexample replay): further guards of `safe` switched off, each named after
  // its requirement; off by default. The replay of a refutation of REQ-HO-nn switches exactly that one off.
  bool test_break_make_before_break = false;  // REQ-HO-05: A may send the rewrite before B holds the record
  bool test_break_evidence = false;           // REQ-HO-06: A deletes its record without PoR/read-back/attach
  bool test_break_read_back = false;          // REQ-HO-07: A may cancel a sent rewrite without a read-back
  bool test_break_counter_handover = false;   // REQ-HO-15: A completes without passing its counter to B
  // The rows of the requirement table whose flaw is a party or component acting outside the procedure; each
  // switch adds that behaviour (the step driver performs it as the model's action of the same name).
  bool test_break_contract = false;          // REQ-HO-01: A may end a leaving device's subscription (a_terminate)
  bool test_break_trust = false;             // REQ-HO-02: A's OTA server writes any IMSI it is told (a_rogue_set)
  bool test_break_common_aka = false;        // REQ-HO-03: B's AuC runs Milenage with its own OP, not OP = 0
  bool test_break_secured_ota = false;       // REQ-HO-04: the card's RFM TAR takes packets without CC (MSL 00)
  bool test_break_journal = false;           // REQ-HO-11: A's record of a sent rewrite is lost when A crashes
  bool test_break_key_agreement = false;     // REQ-HO-13: B's re-key secret comes from the old OTA keys A holds
  bool test_break_sealed_handover = false;   // REQ-HO-14: the hand-over leaves A unsealed (K and OTA keys in clear)
};

struct Summary {
  std::string scenario;
  std::string variant;
  std::uint64_t devices = 0;
  std::uint64_t seed = 0;
  std::uint64_t ticks = 0;
  // outcome per device after the final attach round
  std::uint64_t switched = 0;     // attached on B with the new IMSI, A's record gone
  std::uint64_t pending = 0;      // still reachable on one of the HSSs, change not complete
  std::uint64_t rolled_back = 0;  // change cancelled on evidence; the device stays with A
  std::uint64_t stranded = 0;     // no working IMSI: the final attach fails
  std::uint64_t rekeyed = 0;      // B and the card agreed a new K and OTA key set (A does not know them)
  // traffic
  std::uint64_t ota_commands = 0;  // secured command packets sent (A and B)
  std::uint64_t ota_retries = 0;   // of which re-sends (read-backs, repeated changes and re-key steps)
  std::uint64_t sms_segments = 0;
  std::uint64_t pors_received = 0;
  NetworkStats network;
  // attaches (each a full AKA run)
  std::uint64_t attaches_before = 0, attach_failures_before = 0;
  std::uint64_t attaches_during = 0, attach_failures_during = 0;
  std::uint64_t attaches_after = 0, attach_failures_after = 0;
  // durability
  std::uint64_t crashes = 0;
  std::uint64_t crash_tick = 0;
  std::uint64_t transactions = 0;
  std::uint64_t counter_reuse = 0;  // OTA commands sent with a counter already used for the card (must be 0)
  // invariants
  std::uint64_t state_changes = 0;
  std::uint64_t invariant_checks = 0;
  std::array<std::uint64_t, kInvariantCount> violations{};  // device-states violating each invariant
  std::string first_violation;                               // "INV-... device d after action at tick t"
  double seconds = 0.0;
  std::uint64_t trace_lines = 0;
  std::uint64_t pcap_frames = 0;
};

[[nodiscard]] nlohmann::json to_json(const Summary& s);

struct FleetError {
  std::string message;
};

[[nodiscard]] Result<Summary, FleetError> run_fleet(const FleetOptions& options);

}  // namespace mnoswitch::mechanism
