// spec/formats.md §Store (REQ-HO-70..79): one operator's durable state in SQLite — HSS records {IMSI, K, AKA
// profile, SQN state}, IMSI ranges, OTA key sets and counters per card, per-device change state and journal,
// batches sent and seen — and the operations the mechanism needs done atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "reference/core/result.hpp"
#include "reference/operators/batch.hpp"
#include "reference/operators/batch_types.hpp"
#include "reference/operators/identity.hpp"
#include "reference/operators/sqlite.hpp"
#include "reference/operators/subscription.hpp"
#include "reference/usim/iccid.hpp"
#include "reference/usim/imsi.hpp"

namespace mnoswitch::operators {

inline constexpr int kStoreSchemaVersion = 1;

// An IMSI range an operator owns: every IMSI of the same digit count and MNC length with first <= imsi <= last.
struct ImsiRange {
  std::string first;  // digits
  std::string last;   // digits, same count as `first`
  usim::MncLength mnc_length = usim::MncLength::Two;
};

// REQ-HO-73: the lifecycle of an HSS record. Provisioned: created from a hand-over, not yet attached with.
enum class SubscriberState { Provisioned, Active, Suspended };
[[nodiscard]] std::string_view to_string(SubscriberState s) noexcept;

struct HssRecord {
  usim::Imsi imsi;
  usim::Iccid iccid;
  AkaSubscription aka;
  SubscriberState state = SubscriberState::Provisioned;
};

// REQ-HO-75: the per-device change state. `state` is the mechanism's label (spec/mechanism.md names them); the
// store keeps it verbatim so the mechanism, not the store, owns the state machine.
struct DeviceRecord {
  usim::Iccid iccid;
  std::string state;
  std::optional<usim::Imsi> imsi;      // the IMSI the device works with now
  std::optional<usim::Imsi> new_imsi;  // the IMSI it is moving to
};

struct JournalEntry {
  std::int64_t seq = 0;  // order of recording
  std::string iccid;
  std::string event;
  std::optional<std::uint8_t> kvn;
  std::optional<std::uint64_t> counter;
  Bytes detail;  // public bytes only (command packet digests, PoR status)
};

// What reserve_ota_counter hands back: the counter to put in the command packet, already journaled.
struct OtaReservation {
  std::uint8_t kvn;
  std::uint64_t counter;
  std::int64_t journal_seq;
};

struct BatchReceipt {
  BatchHeader header;
  std::size_t records = 0;
};

// accept_batch fails either because the batch was rejected (nothing applied) or because the store failed
// (nothing applied either: the transaction rolled back).
using AcceptError = std::variant<BatchRejection, db::DbError>;
[[nodiscard]] std::string describe(const AcceptError& e);

class OperatorStore final : public ReplayView, public ImsiView {
 public:
  // Opens or creates the store of operator `owner` (REQ-HO-70). A file created for another operator or another
  // schema version is refused (DbError::Schema).
  [[nodiscard]] static Result<OperatorStore, db::DbError> open(const std::string& path, db::Synchronous sync,
                                                               const OperatorId& owner);

  // The connection, for callers composing several of the operations below in one db::Transaction of their own:
  // every operation joins an open transaction instead of starting one.
  [[nodiscard]] db::Database& database() noexcept { return db_; }

  // ---- IMSI ranges (REQ-HO-74) ----
  [[nodiscard]] Status<db::DbError> add_imsi_range(const ImsiRange& r);
  [[nodiscard]] Result<std::vector<ImsiRange>, db::DbError> imsi_ranges();
  // ImsiView over this store: B's own ranges, HSS and reservations. A store error answers "no" (fail closed).
  [[nodiscard]] bool in_range(const usim::Imsi& imsi) const override;
  [[nodiscard]] bool in_use(const usim::Imsi& imsi, const usim::Iccid& iccid) const override;
  // B sets an IMSI aside for a card before sending the allocation (REQ-HO-66). Constraint if already taken.
  [[nodiscard]] Status<db::DbError> reserve_imsi(const usim::Imsi& imsi, const usim::Iccid& iccid);

  // ---- HSS (REQ-HO-73) ----
  [[nodiscard]] Status<db::DbError> put_subscriber(const HssRecord& r);
  [[nodiscard]] Result<std::optional<HssRecord>, db::DbError> subscriber(const usim::Imsi& imsi);
  [[nodiscard]] Status<db::DbError> set_subscriber_state(const usim::Imsi& imsi, SubscriberState s);
  [[nodiscard]] Status<db::DbError> set_sqn_state(const usim::Imsi& imsi, const aka::AucSqnState& sqn);
  [[nodiscard]] Status<db::DbError> delete_subscriber(const usim::Imsi& imsi);
  [[nodiscard]] Result<std::size_t, db::DbError> subscriber_count();

  // ---- OTA key sets and counters (REQ-HO-76) ----
  [[nodiscard]] Status<db::DbError> put_key_set(const usim::Iccid& iccid, const OtaKeySet& ks);
  [[nodiscard]] Result<std::vector<OtaKeySet>, db::DbError> key_sets(const usim::Iccid& iccid);
  // REQ-HO-77: in ONE transaction, counter := counter + 1 for (iccid, kvn) and journal "ota-sent" with that
  // counter and `detail`. A crash before commit leaves neither; after commit, both. The counter is never handed
  // out twice (a UNIQUE index on the journal backs this). DbError::Exhausted at 2^40 - 1, NotFound if no key set.
  [[nodiscard]] Result<OtaReservation, db::DbError> reserve_ota_counter(const usim::Iccid& iccid, std::uint8_t kvn,
                                                                        ByteSpan detail);

  // ---- per-device change state and journal (REQ-HO-75) ----
  // Upserts the device row and journals `event` in one transaction.
  [[nodiscard]] Status<db::DbError> set_device(const DeviceRecord& d, std::string_view event, ByteSpan detail = {});
  [[nodiscard]] Result<std::optional<DeviceRecord>, db::DbError> device(const usim::Iccid& iccid);
  [[nodiscard]] Result<std::vector<JournalEntry>, db::DbError> journal(const usim::Iccid& iccid);
  [[nodiscard]] Result<std::int64_t, db::DbError> journal_event(const usim::Iccid& iccid, std::string_view event,
                                                                ByteSpan detail = {});

  // ---- allocations received (A's side of step 3) ----
  [[nodiscard]] Result<std::optional<usim::Imsi>, db::DbError> allocated_imsi(const usim::Iccid& iccid);

  // ---- batches (REQ-HO-58, REQ-HO-78, REQ-HO-79) ----
  [[nodiscard]] bool seen(const BatchId& id) const override;  // fail closed: a store error answers "seen"
  [[nodiscard]] std::optional<std::uint64_t> last_sequence(const OperatorId& sender) const override;
  // The next sequence for `recipient`, incremented durably (REQ-HO-78): never reused, also after a crash.
  [[nodiscard]] Result<std::uint64_t, db::DbError> next_outgoing_sequence(const OperatorId& recipient);
  // Keeps the sealed file so a resumed sender re-sends the same bytes instead of a new batch (REQ-HO-78).
  [[nodiscard]] Status<db::DbError> record_sent_batch(const BatchHeader& h, ByteSpan file);
  [[nodiscard]] Result<std::optional<Bytes>, db::DbError> sent_batch(const BatchId& id);
  // REQ-HO-79: opens `file` (all checks of open_batch, with this store as the replay view and, for a hand-over,
  // as B's ImsiView) and applies it, in ONE transaction: batch id and sequence recorded as seen; an allocation
  // stored per ICCID (A's side); a hand-over's HSS records and OTA key sets inserted (B's side). Rejected or
  // failed: nothing changes. `b_view` is B's HSS as A knows it, used for allocations (A receiving); when null,
  // an allocation is checked against this store's own ranges (useful when one store plays both roles in tests).
  [[nodiscard]] Result<BatchReceipt, AcceptError> accept_batch(ByteSpan file, const OperatorIdentity& me,
                                                               const OperatorDirectory& peers,
                                                               const ImsiView* b_view = nullptr);
  [[nodiscard]] Result<std::size_t, db::DbError> batches_seen_count();

 private:
  explicit OperatorStore(db::Database db) : db_(std::move(db)) {}
  [[nodiscard]] Status<db::DbError> create_schema(const OperatorId& owner);
  [[nodiscard]] Status<db::DbError> apply(const Batch& b);
  // Views are const, queries need the statement cache.
  mutable db::Database db_;
};

}  // namespace mnoswitch::operators
