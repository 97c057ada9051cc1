// spec/formats.md §Store (REQ-HO-70..79): schema and DAO of one operator's durable state.
#include "reference/operators/store.hpp"

#include <fmt/format.h>

#include <limits>

#include "reference/crypto/wipe.hpp"

namespace mnoswitch::operators {
namespace {

using db::Database;
using db::DbError;
using db::Stmt;
using db::Transaction;

constexpr std::size_t kConstantsBlobSize = 5 + 5 * 16;
constexpr std::int64_t kOpIsOp = 1;
constexpr std::int64_t kOpIsOpc = 2;

// REQ-HO-70: the schema. CHECK constraints restate the spec's ranges so that even a buggy caller cannot store an
// SQN of 2^48 or an OTA counter of 2^40; the partial UNIQUE index on the journal makes "the same counter sent
// twice" a constraint violation (REQ-HO-77).
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS imsi_ranges(
  first TEXT PRIMARY KEY, last TEXT NOT NULL, mnc_length INTEGER NOT NULL CHECK (mnc_length IN (2, 3)),
  CHECK (length(first) = length(last) AND first <= last)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hss(
  imsi TEXT PRIMARY KEY, mnc_length INTEGER NOT NULL CHECK (mnc_length IN (2, 3)), iccid TEXT NOT NULL,
  k BLOB NOT NULL CHECK (length(k) = 16),
  op_kind INTEGER NOT NULL CHECK (op_kind IN (1, 2)), op BLOB NOT NULL CHECK (length(op) = 16),
  constants BLOB NOT NULL CHECK (length(constants) = 85),
  ind_bits INTEGER NOT NULL CHECK (ind_bits BETWEEN 0 AND 10),
  seq_he INTEGER NOT NULL CHECK (seq_he >= 0 AND seq_he < 281474976710656),
  next_ind INTEGER NOT NULL CHECK (next_ind >= 0 AND next_ind < 1024),
  state TEXT NOT NULL CHECK (state IN ('provisioned', 'active', 'suspended'))) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hss_by_iccid ON hss(iccid);
CREATE TABLE IF NOT EXISTS imsi_reservations(imsi TEXT PRIMARY KEY, iccid TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ota_keysets(
  iccid TEXT NOT NULL, kvn INTEGER NOT NULL CHECK (kvn BETWEEN 1 AND 15),
  kic INTEGER NOT NULL CHECK (kic BETWEEN 0 AND 255), kid INTEGER NOT NULL CHECK (kid BETWEEN 0 AND 255),
  kic_key BLOB NOT NULL, kid_key BLOB NOT NULL,
  counter INTEGER NOT NULL CHECK (counter BETWEEN 0 AND 1099511627775),
  PRIMARY KEY (iccid, kvn)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices(
  iccid TEXT PRIMARY KEY, state TEXT NOT NULL, imsi TEXT, imsi_mnc INTEGER, new_imsi TEXT, new_imsi_mnc INTEGER)
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, iccid TEXT NOT NULL, event TEXT NOT NULL,
  kvn INTEGER, counter INTEGER, detail BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS journal_by_iccid ON journal(iccid);
CREATE UNIQUE INDEX IF NOT EXISTS journal_ota_counter_once ON journal(iccid, kvn, counter) WHERE event = 'ota-sent';
CREATE TABLE IF NOT EXISTS allocations(
  iccid TEXT PRIMARY KEY, imsi TEXT NOT NULL UNIQUE, mnc_length INTEGER NOT NULL, batch_id BLOB NOT NULL)
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches_seen(
  batch_id BLOB PRIMARY KEY CHECK (length(batch_id) = 16), sender TEXT NOT NULL, sequence INTEGER NOT NULL,
  kind INTEGER NOT NULL, created INTEGER NOT NULL, records INTEGER NOT NULL, UNIQUE (sender, sequence));
CREATE TABLE IF NOT EXISTS batches_sent(
  batch_id BLOB PRIMARY KEY CHECK (length(batch_id) = 16), recipient TEXT NOT NULL, sequence INTEGER NOT NULL,
  kind INTEGER NOT NULL, created INTEGER NOT NULL, file BLOB NOT NULL, UNIQUE (recipient, sequence));
CREATE TABLE IF NOT EXISTS outgoing_sequences(recipient TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
)sql";

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}
std::uint64_t u64(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}
std::int64_t mnc_int(usim::MncLength m) {
  return static_cast<std::int64_t>(m);
}

// Runs `f` atomically (REQ-HO-72: all or nothing): in a transaction of its own, or, inside the caller's
// transaction, in a savepoint that is rolled back on failure so the caller's earlier work survives untouched.
template <class F>
auto atomically(Database& db, F&& f) -> decltype(f()) {
  if (db.in_transaction()) {
    auto sp = db.exec("SAVEPOINT store_op");
    if (sp.failed()) return err(std::move(sp).error());
    auto r = f();
    if (r.failed()) (void)db.exec("ROLLBACK TO store_op");
    auto rel = db.exec("RELEASE store_op");
    if (r.ok() && rel.failed()) return err(std::move(rel).error());
    return r;
  }
  auto tx = Transaction::begin(db);
  if (tx.failed()) return err(std::move(tx).error());
  auto r = f();
  if (r.failed()) return r;  // tx destructor rolls back
  auto c = tx.value().commit();
  if (c.failed()) return err(std::move(c).error());
  return r;
}

#define STORE_PREPARE(var, sql)                                 \
  auto var##_r = db_.prepare(sql);                              \
  if (var##_r.failed()) return err(std::move(var##_r).error()); \
  Stmt& var = var##_r.value()

Bytes constants_blob(const aka::MilenageProfile& p) {
  Writer w;
  for (auto r : p.r) w.u8(r);
  for (const auto& c : p.c) w.bytes(c);
  return std::move(w).take();
}

aka::MilenageProfile constants_from(ByteSpan b) {
  aka::MilenageProfile p{};
  if (b.size() != kConstantsBlobSize) return p;  // the CHECK constraint makes this unreachable
  for (std::size_t i = 0; i < 5; ++i) p.r[i] = b[i];
  for (std::size_t i = 0; i < 5; ++i)
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(5 + 16 * i), 16, p.c[i].begin());
  return p;
}

Result<usim::Imsi, DbError> imsi_from(const std::string& digits, std::int64_t mnc) {
  auto m = usim::mnc_length_from_int(static_cast<int>(mnc));
  if (m.failed()) return err(DbError{DbError::Kind::Schema, 0, "stored MNC length invalid"});
  auto i = usim::Imsi::parse(digits, m.value());
  if (i.failed()) return err(DbError{DbError::Kind::Schema, 0, "stored IMSI invalid"});
  return std::move(i).value();
}

Result<usim::Iccid, DbError> iccid_from(const std::string& digits) {
  auto i = usim::Iccid::parse(digits);
  if (i.failed()) return err(DbError{DbError::Kind::Schema, 0, "stored ICCID invalid"});
  return std::move(i).value();
}

std::optional<SubscriberState> state_from(std::string_view s) {
  if (s == "provisioned") return SubscriberState::Provisioned;
  if (s == "active") return SubscriberState::Active;
  if (s == "suspended") return SubscriberState::Suspended;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(SubscriberState s) noexcept {
  switch (s) {
    case SubscriberState::Provisioned:
      return "provisioned";
    case SubscriberState::Active:
      return "active";
    case SubscriberState::Suspended:
      return "suspended";
  }
  return "provisioned";
}

std::string describe(const AcceptError& e) {
  if (const auto* r = std::get_if<BatchRejection>(&e)) return "batch rejected: " + describe(*r);
  return "store error: " + db::describe(std::get<db::DbError>(e));
}

// ---- open / schema ----
Result<OperatorStore, DbError> OperatorStore::open(const std::string& path, db::Synchronous sync,
                                                   const OperatorId& owner) {
  auto d = Database::open(path, sync);
  if (d.failed()) return err(std::move(d).error());
  OperatorStore s(std::move(d).value());
  auto c = s.create_schema(owner);
  if (c.failed()) return err(std::move(c).error());
  return s;
}

Status<DbError> OperatorStore::create_schema(const OperatorId& owner) {
  return atomically(db_, [&]() -> Status<DbError> {
    auto e = db_.exec(kSchema);
    if (e.failed()) return e;
    STORE_PREPARE(get, "SELECT key, value FROM meta WHERE key IN ('schema_version', 'operator')");
    std::optional<std::string> version, op;
    for (;;) {
      auto row = get.step();
      if (row.failed()) return err(std::move(row).error());
      if (!row.value()) break;
      (get.text(0) == "schema_version" ? version : op) = get.text(1);
    }
    if (!version && !op) {
      STORE_PREPARE(put, "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('operator', ?2)");
      put.bind(1, std::string_view(std::to_string(kStoreSchemaVersion))).bind(2, std::string_view(owner.str()));
      return put.run();
    }
    if (version != std::to_string(kStoreSchemaVersion))
      return err(DbError{DbError::Kind::Schema, 0, fmt::format("schema version {}", version.value_or("?"))});
    if (op != owner.str())
      return err(DbError{DbError::Kind::Schema, 0, fmt::format("store belongs to {}", op.value_or("?"))});
    return ok_unit;
  });
}

// ---- IMSI ranges ----
Status<DbError> OperatorStore::add_imsi_range(const ImsiRange& r) {
  auto first = usim::Imsi::parse(r.first, r.mnc_length);
  auto last = usim::Imsi::parse(r.last, r.mnc_length);
  if (first.failed() || last.failed() || r.first.size() != r.last.size() || r.first > r.last)
    return err(DbError{DbError::Kind::Constraint, 0, "IMSI range must be two IMSIs of equal length, first <= last"});
  STORE_PREPARE(s, "INSERT INTO imsi_ranges(first, last, mnc_length) VALUES (?1, ?2, ?3)");
  return s.bind(1, std::string_view(r.first)).bind(2, std::string_view(r.last)).bind(3, mnc_int(r.mnc_length)).run();
}

Result<std::vector<ImsiRange>, DbError> OperatorStore::imsi_ranges() {
  STORE_PREPARE(s, "SELECT first, last, mnc_length FROM imsi_ranges ORDER BY first");
  std::vector<ImsiRange> out;
  for (;;) {
    auto row = s.step();
    if (row.failed()) return err(std::move(row).error());
    if (!row.value()) break;
    out.push_back(ImsiRange{s.text(0), s.text(1), s.int64(2) == 3 ? usim::MncLength::Three : usim::MncLength::Two});
  }
  return out;
}

bool OperatorStore::in_range(const usim::Imsi& imsi) const {
  auto s = db_.prepare(
      "SELECT 1 FROM imsi_ranges WHERE length(first) = length(?1) AND first <= ?1 AND last >= ?1 "
      "AND mnc_length = ?2 LIMIT 1");
  if (s.failed()) return false;
  s.value().bind(1, std::string_view(imsi.digits())).bind(2, mnc_int(imsi.mnc_length()));
  auto row = s.value().step();
  return row.ok() && row.value();
}

bool OperatorStore::in_use(const usim::Imsi& imsi, const usim::Iccid& iccid) const {
  {
    auto s = db_.prepare("SELECT 1 FROM hss WHERE imsi = ?1");
    if (s.failed()) return true;
    s.value().bind(1, std::string_view(imsi.digits()));
    auto row = s.value().step();
    if (row.failed() || row.value()) return true;
  }
  auto s = db_.prepare("SELECT iccid FROM imsi_reservations WHERE imsi = ?1");
  if (s.failed()) return true;
  s.value().bind(1, std::string_view(imsi.digits()));
  auto row = s.value().step();
  if (row.failed()) return true;
  return row.value() && s.value().text(0) != iccid.digits();
}

Status<DbError> OperatorStore::reserve_imsi(const usim::Imsi& imsi, const usim::Iccid& iccid) {
  if (in_use(imsi, iccid))
    return err(DbError{DbError::Kind::Constraint, 0, fmt::format("IMSI {} in use", imsi.digits())});
  STORE_PREPARE(s, "INSERT OR IGNORE INTO imsi_reservations(imsi, iccid) VALUES (?1, ?2)");
  return s.bind(1, std::string_view(imsi.digits())).bind(2, std::string_view(iccid.digits())).run();
}

// ---- HSS ----
Status<DbError> OperatorStore::put_subscriber(const HssRecord& r) {
  if (!check_aka(r.aka).empty()) return err(DbError{DbError::Kind::Constraint, 0, std::string(check_aka(r.aka))});
  STORE_PREPARE(
      s,
      "INSERT INTO hss(imsi, mnc_length, iccid, k, op_kind, op, constants, ind_bits, seq_he, next_ind, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  const bool is_op = std::holds_alternative<aka::Op>(r.aka.op);
  ByteSpan op =
      is_op ? ByteSpan(std::get<aka::Op>(r.aka.op).expose()) : ByteSpan(std::get<aka::Opc>(r.aka.op).expose());
  s.bind(1, std::string_view(r.imsi.digits())).bind(2, mnc_int(r.imsi.mnc_length()));
  s.bind(3, std::string_view(r.iccid.digits())).bind_blob(4, r.aka.k.expose());
  s.bind(5, is_op ? kOpIsOp : kOpIsOpc).bind_blob(6, op).bind_blob(7, constants_blob(r.aka.constants));
  s.bind(8, static_cast<std::int64_t>(r.aka.sqn.layout.ind_bits())).bind(9, i64(r.aka.sqn.seq_he));
  s.bind(10, i64(r.aka.sqn.next_ind)).bind(11, to_string(r.state));
  return s.run();
}

Result<std::optional<HssRecord>, DbError> OperatorStore::subscriber(const usim::Imsi& imsi) {
  STORE_PREPARE(s,
                "SELECT mnc_length, iccid, k, op_kind, op, constants, ind_bits, seq_he, next_ind, state FROM hss "
                "WHERE imsi = ?1");
  s.bind(1, std::string_view(imsi.digits()));
  auto row = s.step();
  if (row.failed()) return err(std::move(row).error());
  if (!row.value()) return std::optional<HssRecord>{};
  auto stored_imsi = imsi_from(imsi.digits(), s.int64(0));
  auto iccid = iccid_from(s.text(1));
  auto layout = aka::SqnLayout::make(static_cast<unsigned>(s.int64(6)));
  auto state = state_from(s.text(9));
  ByteSpan k = s.blob(2), op = s.blob(4);
  if (stored_imsi.failed() || iccid.failed() || layout.failed() || !state || k.size() != aka::kKeySize ||
      op.size() != aka::kKeySize)
    return err(DbError{DbError::Kind::Schema, 0, "stored HSS record invalid"});
  OperatorVariant opv = s.int64(3) == kOpIsOp ? OperatorVariant(aka::Op(op.first<aka::kKeySize>()))
                                              : OperatorVariant(aka::Opc(op.first<aka::kKeySize>()));
  AkaSubscription a{aka::K(k.first<aka::kKeySize>()), std::move(opv), constants_from(s.blob(5)),
                    aka::AucSqnState{layout.value(), u64(s.int64(7)), u64(s.int64(8))}};
  return std::optional<HssRecord>(
      HssRecord{std::move(stored_imsi).value(), std::move(iccid).value(), std::move(a), *state});
}

Status<DbError> OperatorStore::set_subscriber_state(const usim::Imsi& imsi, SubscriberState st) {
  STORE_PREPARE(s, "UPDATE hss SET state = ?2 WHERE imsi = ?1");
  auto r = s.bind(1, std::string_view(imsi.digits())).bind(2, to_string(st)).run();
  if (r.failed()) return r;
  if (db_.changes() == 0) return err(DbError{DbError::Kind::NotFound, 0, fmt::format("IMSI {}", imsi.digits())});
  return ok_unit;
}

Status<DbError> OperatorStore::set_sqn_state(const usim::Imsi& imsi, const aka::AucSqnState& sqn) {
  STORE_PREPARE(s, "UPDATE hss SET ind_bits = ?2, seq_he = ?3, next_ind = ?4 WHERE imsi = ?1");
  s.bind(1, std::string_view(imsi.digits())).bind(2, static_cast<std::int64_t>(sqn.layout.ind_bits()));
  auto r = s.bind(3, i64(sqn.seq_he)).bind(4, i64(sqn.next_ind)).run();
  if (r.failed()) return r;
  if (db_.changes() == 0) return err(DbError{DbError::Kind::NotFound, 0, fmt::format("IMSI {}", imsi.digits())});
  return ok_unit;
}

Status<DbError> OperatorStore::delete_subscriber(const usim::Imsi& imsi) {
  STORE_PREPARE(s, "DELETE FROM hss WHERE imsi = ?1");
  return s.bind(1, std::string_view(imsi.digits())).run();
}

Result<std::size_t, DbError> OperatorStore::subscriber_count() {
  STORE_PREPARE(s, "SELECT count(*) FROM hss");
  auto row = s.step();
  if (row.failed()) return err(std::move(row).error());
  return static_cast<std::size_t>(s.int64(0));
}

// ---- OTA ----
// REQ-HO-76: one row per (card, KVN) with the last counter used.
Status<DbError> OperatorStore::put_key_set(const usim::Iccid& iccid, const OtaKeySet& ks) {
  if (auto why = check_key_set(ks); !why.empty()) return err(DbError{DbError::Kind::Constraint, 0, std::string(why)});
  STORE_PREPARE(s,
                "INSERT INTO ota_keysets(iccid, kvn, kic, kid, kic_key, kid_key, counter) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, std::string_view(iccid.digits())).bind(2, std::int64_t{ks.kvn}).bind(3, std::int64_t{ks.kic});
  s.bind(4, std::int64_t{ks.kid}).bind_blob(5, ks.kic_key.expose()).bind_blob(6, ks.kid_key.expose());
  return s.bind(7, i64(ks.counter)).run();
}

Result<std::vector<OtaKeySet>, DbError> OperatorStore::key_sets(const usim::Iccid& iccid) {
  STORE_PREPARE(s, "SELECT kvn, kic, kid, kic_key, kid_key, counter FROM ota_keysets WHERE iccid = ?1 ORDER BY kvn");
  s.bind(1, std::string_view(iccid.digits()));
  std::vector<OtaKeySet> out;
  for (;;) {
    auto row = s.step();
    if (row.failed()) return err(std::move(row).error());
    if (!row.value()) break;
    OtaKeySet ks;
    ks.kvn = static_cast<std::uint8_t>(s.int64(0));
    ks.kic = static_cast<std::uint8_t>(s.int64(1));
    ks.kid = static_cast<std::uint8_t>(s.int64(2));
    ks.kic_key = OtaKicKey(s.blob(3));
    ks.kid_key = OtaKidKey(s.blob(4));
    ks.counter = u64(s.int64(5));
    out.push_back(std::move(ks));
  }
  return out;
}

Result<OtaReservation, DbError> OperatorStore::reserve_ota_counter(const usim::Iccid& iccid, std::uint8_t kvn,
                                                                   ByteSpan detail) {
  return atomically(db_, [&]() -> Result<OtaReservation, DbError> {
    std::uint64_t next = 0;
    {
      STORE_PREPARE(get, "SELECT counter FROM ota_keysets WHERE iccid = ?1 AND kvn = ?2");
      get.bind(1, std::string_view(iccid.digits())).bind(2, std::int64_t{kvn});
      auto row = get.step();
      if (row.failed()) return err(std::move(row).error());
      if (!row.value())
        return err(DbError{DbError::Kind::NotFound, 0, fmt::format("no key set {} for {}", kvn, iccid.digits())});
      std::uint64_t cur = u64(get.int64(0));
      // TS 102 225 §5.1.1: a counter at its maximum cannot be used again; the key set must be replaced.
      if (cur >= kOtaCounterMax)
        return err(DbError{DbError::Kind::Exhausted, 0, fmt::format("key set {} of {}", kvn, iccid.digits())});
      next = cur + 1;
    }
    {
      STORE_PREPARE(up, "UPDATE ota_keysets SET counter = ?3 WHERE iccid = ?1 AND kvn = ?2");
      auto r = up.bind(1, std::string_view(iccid.digits())).bind(2, std::int64_t{kvn}).bind(3, i64(next)).run();
      if (r.failed()) return err(std::move(r).error());
    }
    STORE_PREPARE(j, "INSERT INTO journal(iccid, event, kvn, counter, detail) VALUES (?1, 'ota-sent', ?2, ?3, ?4)");
    auto r = j.bind(1, std::string_view(iccid.digits()))
                 .bind(2, std::int64_t{kvn})
                 .bind(3, i64(next))
                 .bind_blob(4, detail)
                 .run();
    if (r.failed()) return err(std::move(r).error());
    return OtaReservation{kvn, next, db_.last_insert_rowid()};
  });
}

// ---- devices and journal ----
Result<std::int64_t, DbError> OperatorStore::journal_event(const usim::Iccid& iccid, std::string_view event,
                                                           ByteSpan detail) {
  STORE_PREPARE(j, "INSERT INTO journal(iccid, event, detail) VALUES (?1, ?2, ?3)");
  auto r = j.bind(1, std::string_view(iccid.digits())).bind(2, event).bind_blob(3, detail).run();
  if (r.failed()) return err(std::move(r).error());
  return db_.last_insert_rowid();
}

// REQ-HO-75: the device row and its journal entry change together.
Status<DbError> OperatorStore::set_device(const DeviceRecord& d, std::string_view event, ByteSpan detail) {
  return atomically(db_, [&]() -> Status<DbError> {
    STORE_PREPARE(
        s,
        "INSERT INTO devices(iccid, state, imsi, imsi_mnc, new_imsi, new_imsi_mnc) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT(iccid) DO UPDATE SET state = excluded.state, imsi = excluded.imsi, "
        "imsi_mnc = excluded.imsi_mnc, new_imsi = excluded.new_imsi, new_imsi_mnc = excluded.new_imsi_mnc");
    s.bind(1, std::string_view(d.iccid.digits())).bind(2, std::string_view(d.state));
    if (d.imsi)
      s.bind(3, std::string_view(d.imsi->digits())).bind(4, mnc_int(d.imsi->mnc_length()));
    else
      s.bind_null(3).bind_null(4);
    if (d.new_imsi)
      s.bind(5, std::string_view(d.new_imsi->digits())).bind(6, mnc_int(d.new_imsi->mnc_length()));
    else
      s.bind_null(5).bind_null(6);
    auto r = s.run();
    if (r.failed()) return r;
    auto j = journal_event(d.iccid, event, detail);
    if (j.failed()) return err(std::move(j).error());
    return ok_unit;
  });
}

Result<std::optional<DeviceRecord>, DbError> OperatorStore::device(const usim::Iccid& iccid) {
  STORE_PREPARE(s, "SELECT state, imsi, imsi_mnc, new_imsi, new_imsi_mnc FROM devices WHERE iccid = ?1");
  s.bind(1, std::string_view(iccid.digits()));
  auto row = s.step();
  if (row.failed()) return err(std::move(row).error());
  if (!row.value()) return std::optional<DeviceRecord>{};
  DeviceRecord d{iccid, s.text(0), std::nullopt, std::nullopt};
  if (!s.is_null(1)) {
    auto i = imsi_from(s.text(1), s.int64(2));
    if (i.failed()) return err(std::move(i).error());
    d.imsi = std::move(i).value();
  }
  if (!s.is_null(3)) {
    auto i = imsi_from(s.text(3), s.int64(4));
    if (i.failed()) return err(std::move(i).error());
    d.new_imsi = std::move(i).value();
  }
  return std::optional<DeviceRecord>(std::move(d));
}

Result<std::vector<JournalEntry>, DbError> OperatorStore::journal(const usim::Iccid& iccid) {
  STORE_PREPARE(s, "SELECT seq, event, kvn, counter, detail FROM journal WHERE iccid = ?1 ORDER BY seq");
  s.bind(1, std::string_view(iccid.digits()));
  std::vector<JournalEntry> out;
  for (;;) {
    auto row = s.step();
    if (row.failed()) return err(std::move(row).error());
    if (!row.value()) break;
    JournalEntry e;
    e.seq = s.int64(0);
    e.iccid = iccid.digits();
    e.event = s.text(1);
    if (!s.is_null(2)) e.kvn = static_cast<std::uint8_t>(s.int64(2));
    if (!s.is_null(3)) e.counter = u64(s.int64(3));
    e.detail = to_bytes(s.blob(4));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::optional<usim::Imsi>, DbError> OperatorStore::allocated_imsi(const usim::Iccid& iccid) {
  STORE_PREPARE(s, "SELECT imsi, mnc_length FROM allocations WHERE iccid = ?1");
  s.bind(1, std::string_view(iccid.digits()));
  auto row = s.step();
  if (row.failed()) return err(std::move(row).error());
  if (!row.value()) return std::optional<usim::Imsi>{};
  auto i = imsi_from(s.text(0), s.int64(1));
  if (i.failed()) return err(std::move(i).error());
  return std::optional<usim::Imsi>(std::move(i).value());
}

// ---- batches ----
bool OperatorStore::seen(const BatchId& id) const {
  auto s = db_.prepare("SELECT 1 FROM batches_seen WHERE batch_id = ?1");
  if (s.failed()) return true;
  s.value().bind_blob(1, id.span());
  auto row = s.value().step();
  return row.failed() || row.value();
}

std::optional<std::uint64_t> OperatorStore::last_sequence(const OperatorId& sender) const {
  auto s = db_.prepare("SELECT max(sequence) FROM batches_seen WHERE sender = ?1");
  // Fail closed: an unreadable replay state rejects every sequence.
  if (s.failed()) return std::numeric_limits<std::uint64_t>::max();
  s.value().bind(1, std::string_view(sender.str()));
  auto row = s.value().step();
  if (row.failed() || !row.value()) return std::numeric_limits<std::uint64_t>::max();
  if (s.value().is_null(0)) return std::nullopt;
  return u64(s.value().int64(0));
}

Result<std::uint64_t, DbError> OperatorStore::next_outgoing_sequence(const OperatorId& recipient) {
  return atomically(db_, [&]() -> Result<std::uint64_t, DbError> {
    STORE_PREPARE(s,
                  "INSERT INTO outgoing_sequences(recipient, last) VALUES (?1, 1) "
                  "ON CONFLICT(recipient) DO UPDATE SET last = last + 1 RETURNING last");
    s.bind(1, std::string_view(recipient.str()));
    auto row = s.step();
    if (row.failed()) return err(std::move(row).error());
    std::uint64_t v = u64(s.int64(0));
    auto rest = s.run();  // finish the statement so the write completes
    if (rest.failed()) return err(std::move(rest).error());
    return v;
  });
}

Status<DbError> OperatorStore::record_sent_batch(const BatchHeader& h, ByteSpan file) {
  STORE_PREPARE(s,
                "INSERT INTO batches_sent(batch_id, recipient, sequence, kind, created, file) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind_blob(1, h.id.span()).bind(2, std::string_view(h.recipient.str())).bind(3, i64(h.sequence));
  return s.bind(4, static_cast<std::int64_t>(h.kind)).bind(5, i64(h.created)).bind_blob(6, file).run();
}

Result<std::optional<Bytes>, DbError> OperatorStore::sent_batch(const BatchId& id) {
  STORE_PREPARE(s, "SELECT file FROM batches_sent WHERE batch_id = ?1");
  s.bind_blob(1, id.span());
  auto row = s.step();
  if (row.failed()) return err(std::move(row).error());
  if (!row.value()) return std::optional<Bytes>{};
  return std::optional<Bytes>(to_bytes(s.blob(0)));
}

Result<std::size_t, DbError> OperatorStore::batches_seen_count() {
  STORE_PREPARE(s, "SELECT count(*) FROM batches_seen");
  auto row = s.step();
  if (row.failed()) return err(std::move(row).error());
  return static_cast<std::size_t>(s.int64(0));
}

Status<DbError> OperatorStore::apply(const Batch& b) {
  {
    STORE_PREPARE(s,
                  "INSERT INTO batches_seen(batch_id, sender, sequence, kind, created, records) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind_blob(1, b.header.id.span()).bind(2, std::string_view(b.header.sender.str()));
    s.bind(3, i64(b.header.sequence)).bind(4, static_cast<std::int64_t>(b.header.kind));
    auto r = s.bind(5, i64(b.header.created)).bind(6, static_cast<std::int64_t>(b.size())).run();
    if (r.failed()) return r;
  }
  if (const auto* alloc = std::get_if<std::vector<AllocationRecord>>(&b.records)) {
    for (const auto& rec : *alloc) {
      STORE_PREPARE(s, "INSERT INTO allocations(iccid, imsi, mnc_length, batch_id) VALUES (?1, ?2, ?3, ?4)");
      s.bind(1, std::string_view(rec.iccid.digits())).bind(2, std::string_view(rec.imsi.digits()));
      auto r = s.bind(3, mnc_int(rec.imsi.mnc_length())).bind_blob(4, b.header.id.span()).run();
      if (r.failed()) return r;
      auto j = journal_event(rec.iccid, "allocation-received", b.header.id.span());
      if (j.failed()) return err(std::move(j).error());
    }
    return ok_unit;
  }
  for (const auto& rec : std::get<std::vector<HandOverRecord>>(b.records)) {
    auto p = put_subscriber(HssRecord{rec.imsi, rec.iccid, rec.aka, SubscriberState::Provisioned});
    if (p.failed()) return p;
    for (const auto& ks : rec.ota) {
      auto k = put_key_set(rec.iccid, ks);
      if (k.failed()) return k;
    }
    {
      STORE_PREPARE(s, "DELETE FROM imsi_reservations WHERE imsi = ?1");
      auto r = s.bind(1, std::string_view(rec.imsi.digits())).run();
      if (r.failed()) return r;
    }
    auto j = journal_event(rec.iccid, "hand-over-received", b.header.id.span());
    if (j.failed()) return err(std::move(j).error());
  }
  return ok_unit;
}

// REQ-HO-69, REQ-HO-79: check and apply in one transaction; any failure rolls everything back.
Result<BatchReceipt, AcceptError> OperatorStore::accept_batch(ByteSpan file, const OperatorIdentity& me,
                                                              const OperatorDirectory& peers, const ImsiView* b_view) {
  auto run = [&]() -> Result<BatchReceipt, AcceptError> {
    // Peek at the kind to choose B's view: our own for a hand-over (we are B), the caller's for an allocation.
    auto header = peek_batch_header(file);
    const ImsiView* view = this;
    if (header.ok() && header.value().kind == BatchKind::ImsiAllocation && b_view != nullptr) view = b_view;
    auto opened = open_batch(file, me, peers, *this, *view);
    if (opened.failed()) return err(AcceptError(std::move(opened).error()));
    auto a = apply(opened.value());
    if (a.failed()) return err(AcceptError(std::move(a).error()));
    return BatchReceipt{opened.value().header, opened.value().size()};
  };
  return atomically(db_, run);
}

}  // namespace mnoswitch::operators
