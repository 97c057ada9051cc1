// Issue 6 items 3-4: the fleet's internals, shared by the tick-based run (fleet.cpp) and the step-level driver
// (script.cpp) so that both perform the same operations (no second copy of the procedure). Not a public API.
#pragma once

#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "reference/aka/types.hpp"
#include "reference/crypto/x25519.hpp"
#include "reference/mechanism/device.hpp"
#include "reference/mechanism/fleet.hpp"
#include "reference/operators/batch.hpp"
#include "reference/operators/batch_codec.hpp"
#include "reference/operators/mno.hpp"
#include "reference/ota/rfm.hpp"

namespace mnoswitch::mechanism::detail {
class ScriptDriver;

namespace fs = std::filesystem;
using operators::APhase;
using operators::BPhase;
using operators::DeviceChange;
using operators::Mno;

inline constexpr std::uint8_t kKvnOriginal = 1;
// TS 102 226 §8.2.1.3.2.4 MSL of the card's RFM TAR: CC + ciphering + a counter (at least "no check", the
// seed's standard OTA; the safe server always uses "higher than", REQ-HO-09).
inline constexpr std::uint8_t kRfmMsl = 0x02 | 0x04 | 0x08;
inline constexpr std::uint16_t kMaxReadBacks = 64;  // a device that never answers stays pending (both records kept)
inline constexpr std::size_t kBatchChunk = 50'000;

struct Failure {
  std::string message;
};
template <class T, class E>
T must(Result<T, E> r, std::string_view what) {
  if (r.failed()) {
    if constexpr (std::is_same_v<E, operators::db::DbError>) {
      throw Failure{fmt::format("{}: {}", what, operators::db::describe(r.error()))};
    } else if constexpr (std::is_same_v<E, operators::BatchRejection>) {
      throw Failure{fmt::format("{}: {}", what, operators::describe(r.error()))};
    } else {
      throw Failure{std::string(what)};
    }
  }
  return std::move(r).value();
}

struct CrashNow {};  // thrown at a crash point: MNO A's process dies

// What the replay/duplicate bookkeeping and the abstraction need beyond the components' own state.
struct Ghost {
  std::vector<SentSet> sent_set;
  std::vector<SentRead> sent_read;
  std::vector<SentAnswer> sent_por;
  std::vector<SentAnswer> sent_rbk;
  std::uint64_t max_applied = 0;  // highest set counter the card applied
  // Issue 6 (abstraction of cctr): the highest counter of a command the card ran. With SPI counter mode "no check"
  // (seed) the card stores no counter; the model's cctr is then this ghost.
  std::uint64_t max_processed = 0;
  bool replayed = false;
  bool decided = false;  // the step driver's Init: the M2M operator decided before the procedure (model Init)
  bool rekeyed_by_agreement = false;
  bool evidence_at_drop = false;  // seed: A had evidence (PoR) when it dropped the device (abstraction of proven)
  // Issue 6 (abstraction): KA-INIT is invisible in the model (b_rekey is one atomic step, mechanism.md §6), so
  // the card's and B's counters are shown as before KA-INIT until the card commits.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> before_ka_init;
  // ... and after the commit, B's KA-COMMIT retries (idempotent, under the new keys) are invisible too: the
  // counters stay as b_rekey left them (the model has no B command after the re-key).
  std::optional<std::pair<std::uint64_t, std::uint64_t>> at_rekey;
  std::vector<std::uint64_t> counters_sent;  // every CNTR that left for this card (REQ-HO-09: never twice)
  // Rewrites that do not target alloc(d) (A's rogue rewrites under the REQ-HO-02 switch): counter → target.
  std::vector<std::pair<std::uint64_t, ImsiIs>> other_targets;
  // REQ-HO-14 switch: this device's K and OTA keys (generation 0) crossed the M2M operator's link in clear.
  bool keys_in_clear = false;
  // REQ-HO-13 switch: the agreed keys were derived from B's secret taken from the old KID, which A holds.
  bool rekey_known_to_a = false;
  // Issue 6 (abstraction of ctr_b): the counter B took with the hand-over. The model moves ctr_b at a_complete
  // (REQ-HO-15); B learns A's counter one notice earlier, so until A's completion ctr_b shows this one.
  std::optional<std::uint64_t> ctr_b_at_handover;
};

// Operator-to-operator messages that are not batches (REQ-HO-15 completion with A's counter, cancellation,
// B's attach evidence); like SMS they leave only after the sender's commit.
struct Notice {
  enum class Kind { Counter, CounterAck, Complete, Cancel, AttachedOnB } kind;
  std::uint32_t device = 0;
  std::uint64_t counter = 0;
};

class Fleet {
 public:
  friend class ScriptDriver;  // the step-level driver (script.hpp) calls the per-action methods
  explicit Fleet(const FleetOptions& o) : o_(o), s_(o.scenario), n_(static_cast<std::uint32_t>(s_.devices)),
                                          net_(s_.faults, s_.seed, s_.devices) {}

  Summary run();

 private:
  // ---- setup ----
  void open_stores();
  void provision();
  void open_a();
  // ---- the tick ----
  void tick(Tick t);
  void deliver_to_cards(Tick t);
  AttachOutcome attach(std::uint32_t d, Tick t, bool count_during);
  void deliver_pors(Tick t);
  void a_step(Tick t);
  void a_accept_allocations(Tick t, bool handover_now);
  void a_confirm_handovers(Tick t);
  void a_timers_and_sends(Tick t);
  void a_drop_seed(std::uint32_t d, Tick t);
  std::string_view deliver_one(Sms& sms, Tick t);
  void b_step(Tick t);
  void a_commit_and_flush(Tick t);
  void b_commit_and_flush(Tick t);
  void handle_notice_at_b(const Notice& n, Tick t);
  void handle_notice_at_a(const Notice& n, Tick t);
  // ---- A's procedure ----
  void a_send_set(std::uint32_t d, Tick t);
  void a_send_read(std::uint32_t d, Tick t);
  void a_on_por(std::uint32_t d, const Sms& sms, Tick t);
  void a_proven(std::uint32_t d, Tick t, std::string_view action);
  void a_complete(std::uint32_t d, Tick t);
  void a_handover(const std::vector<std::uint32_t>& ds, Tick t);
  [[nodiscard]] bool a_may_send(std::uint32_t d) const;
  [[nodiscard]] bool a_may_complete(std::uint32_t d) const;
  bool a_cancel(std::uint32_t d, Tick t);
  void a_rebuild(Tick t);
  void a_send_set_to(std::uint32_t d, const usim::Imsi& target, Tick t);
  // ---- outside the procedure (test switches of the requirement table) ----
  bool a_terminate(std::uint32_t d, Tick t);                                        // REQ-HO-01 broken
  std::optional<std::uint64_t> a_rogue_set(std::uint32_t d, ImsiIs target, Tick t);  // REQ-HO-02 broken
  [[nodiscard]] usim::Imsi imsi_of(std::uint32_t d, ImsiIs which) const;
  // ---- B's procedure ----
  void b_allocate(Tick t, std::optional<std::uint32_t> only = std::nullopt);
  void b_accept_handover(ByteSpan file, Tick t);
  void b_accept_plain_handover(ByteSpan body, Tick t);  // REQ-HO-14 broken: no envelope, no checks of the sender
  void b_provision(std::vector<operators::HandOverRecord>& records, Tick t);
  void b_send_rekey_init(std::uint32_t d, Tick t);
  void b_send_rekey_commit(std::uint32_t d, Tick t);
  void b_on_por(std::uint32_t d, const Sms& sms, Tick t);
  // ---- crash ----
  void crash_point(Tick t);
  void crash_a(Tick t, bool flush_notices = true);
  // ---- abstraction, invariants, trace ----
  AbstractDevice abstract(std::uint32_t d) const;
  // The fields of the abstract state that come from A's store (journal, OTA counter, HSS): recomputed over a
  // state so that a crash can take back what A had not committed (spec/traceability.md, "Observed at commit").
  void apply_a_facts(std::uint32_t d, AbstractDevice& x) const;
  void observe(std::uint32_t d, std::string_view action, Tick t, nlohmann::json args = {});
  void record(std::uint32_t d, AbstractDevice now, std::string_view action, Tick t, nlohmann::json args);
  void release_observations(bool committed);
  void observe_all(std::string_view action, Tick t);
  void write_line(std::string_view action, Tick t, std::optional<std::uint32_t> d, nlohmann::json args);
  void set_a(std::uint32_t d, DeviceChange c) { must(a_->set_change(d, c), "A journal"); }
  void set_b(std::uint32_t d, DeviceChange c) { must(b_->set_change(d, c), "B journal"); }
  [[nodiscard]] bool settled(std::uint32_t d) const;
  [[nodiscard]] bool applied_by_card(std::uint32_t d, const DeviceOutput& out) const;
  void note_counter(std::uint32_t d, std::uint64_t c) {
    auto& v = ghost_[d].counters_sent;
    if (std::find(v.begin(), v.end(), c) != v.end()) ++sum_.counter_reuse;
    v.push_back(c);
  }
  [[nodiscard]] ota::CounterMode mode() const noexcept {
    return o_.variant == Variant::Safe && !o_.test_break_counter_check ? ota::CounterMode::Higher : ota::CounterMode::NoCheck;
  }
  [[nodiscard]] bool safe() const noexcept { return o_.variant == Variant::Safe; }
  std::vector<Bytes> command(const ota::KeySet& keys, const ota::Tar& tar, std::uint64_t counter, ByteSpan data);

  const FleetOptions& o_;
  const Scenario& s_;
  std::uint32_t n_;
  Network net_;
  std::string dir_;
  bool temp_dir_ = false;
  std::vector<Device> devices_;
  std::vector<DeviceNames> names_;
  std::vector<Ghost> ghost_;
  std::vector<AbstractDevice> last_;
  std::unique_ptr<Mno> a_;
  std::unique_ptr<Mno> b_;
  std::unique_ptr<operators::OperatorIdentity> id_a_, id_b_;
  operators::OperatorDirectory dir_a_, dir_b_;  // whom each trusts
  // A's volatile state (rebuilt from the journal after a crash)
  std::deque<std::uint32_t> a_ready_;
  std::priority_queue<std::pair<Tick, std::uint32_t>, std::vector<std::pair<Tick, std::uint32_t>>, std::greater<>> a_timers_;
  std::deque<std::uint32_t> a_release_;
  std::vector<Notice> a_notices_out_;
  std::vector<Notice> a_inbox_;  // notices from B waiting for A's next step
  std::vector<Bytes> a_batches_out_;
  std::vector<operators::BatchBody> a_plain_batches_out_;  // REQ-HO-14 broken: hand-overs in clear
  std::uint64_t a_batch_seq_ = 0;
  // REQ-HO-11 broken: the journal entries of sent rewrites that a crash loses (device → its change before the send)
  std::unordered_map<std::uint32_t, DeviceChange> a_unjournaled_;
  // B's volatile state (B does not crash in these scenarios; its ephemeral keys are volatile by design)
  std::deque<std::uint32_t> b_rekey_;
  std::priority_queue<std::pair<Tick, std::uint32_t>, std::vector<std::pair<Tick, std::uint32_t>>, std::greater<>> b_timers_;
  std::unordered_map<std::uint32_t, crypto::X25519PrivateKey> b_ephemeral_;
  std::unordered_map<std::uint32_t, crypto::X25519PublicKey> b_ephemeral_pub_;
  std::unordered_map<std::uint32_t, ota::KeySet> b_pending_ota_;
  // REQ-HO-03 broken: B's AuC derives OPc from its own OP instead of the common OP = 0 the cards use.
  std::optional<aka::Op> b_own_op_;
  std::vector<Notice> b_notices_out_;
  std::vector<Bytes> b_batches_out_;
  std::size_t b_batches_taken_ = 0;  // of b_batches_out_, applied in A's open step
  std::uint64_t b_batch_seq_ = 0;
  // bookkeeping
  std::vector<std::uint32_t> attach_queue_;
  std::uint64_t crash_points_ = 0;
  bool crashed_ = false;
  std::uint64_t sets_sent_ = 0;
  Tick last_set_tick_ = 0;
  bool seed_handover_done_ = false;
  Summary sum_;
  std::uint64_t step_ = 0;
  // Issue 6 (observed at commit): inside a tick, A's transaction is open from the first delivery to its commit.
  // What is observed meanwhile is held here in order; A's commit releases it as it was, a crash releases it with
  // A's part taken back (A's uncommitted work never happened; the cards' and B's did).
  struct HeldObservation {
    std::uint32_t d;
    std::string action;
    Tick t;
    nlohmann::json args;
    AbstractDevice state;
  };
  bool a_window_ = false;
  std::vector<HeldObservation> held_obs_;
  std::unordered_map<std::uint32_t, AbstractDevice> held_last_;  // the latest held state per device
};

}  // namespace mnoswitch::mechanism::detail
