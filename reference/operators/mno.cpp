// REQ-HO-70..79 (spec/mechanism.md "Durability"): an MNO's state in SQLite, mirrored in memory, written inside
// one transaction per procedure step.
#include "reference/operators/mno.hpp"

#include <fmt/format.h>

namespace mnoswitch::operators {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS hss(
  imsi TEXT PRIMARY KEY, device INTEGER NOT NULL, k BLOB NOT NULL, opc BLOB NOT NULL, generation INTEGER NOT NULL,
  ind_bits INTEGER NOT NULL, seq_he INTEGER NOT NULL, next_ind INTEGER NOT NULL, pending_k BLOB);
CREATE TABLE IF NOT EXISTS ota(
  iccid TEXT PRIMARY KEY, device INTEGER NOT NULL, kvn INTEGER NOT NULL, kic BLOB NOT NULL, kid BLOB NOT NULL,
  next_counter INTEGER NOT NULL CHECK(next_counter >= 1));
CREATE TABLE IF NOT EXISTS change(
  device INTEGER PRIMARY KEY, phase INTEGER NOT NULL, attempts INTEGER NOT NULL, polls INTEGER NOT NULL,
  counter INTEGER NOT NULL, sent_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batches(id BLOB PRIMARY KEY, sender TEXT NOT NULL, sequence INTEGER NOT NULL);
)sql";

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

}  // namespace

Result<Mno, db::DbError> Mno::open(const std::string& path, std::string name, ImsiBlock range, std::uint32_t devices,
                                   db::Synchronous sync) {
  auto database = db::Database::open(path, sync);
  if (database.failed()) return err(database.error());
  Mno m(std::move(database).value(), std::move(name), std::move(range), devices);
  MNOSWITCH_TRY(m.db_.exec(kSchema));
  MNOSWITCH_TRY(m.load());
  return m;
}

Status<db::DbError> Mno::load() {
  {
    auto s = MNOSWITCH_TRY(db_.prepare("SELECT COUNT(*) FROM meta WHERE key = 'provisioned'"));
    (void)MNOSWITCH_TRY(s.step());
    fresh_ = s.int64(0) == 0;
  }
  {
    auto s = MNOSWITCH_TRY(db_.prepare(
        "SELECT imsi, k, opc, generation, ind_bits, seq_he, next_ind, pending_k FROM hss"));
    while (MNOSWITCH_TRY(s.step())) {
      AucRecord r;
      auto k = s.blob(1);
      auto opc = s.blob(2);
      if (k.size() != aka::kKeySize || opc.size() != aka::kKeySize)
        return err(db::DbError{db::DbError::Kind::Schema, 0, "hss key length"});
      r.k = aka::K(std::span<const std::uint8_t, aka::kKeySize>(k.data(), aka::kKeySize));
      r.opc = aka::Opc(std::span<const std::uint8_t, aka::kKeySize>(opc.data(), aka::kKeySize));
      r.generation = static_cast<KeyGeneration>(s.int64(3));
      auto layout = aka::SqnLayout::make(static_cast<unsigned>(s.int64(4)));
      if (layout.failed()) return err(db::DbError{db::DbError::Kind::Schema, 0, "hss ind bits"});
      r.sqn.layout = layout.value();
      r.sqn.seq_he = u64(s.int64(5));
      r.sqn.next_ind = u64(s.int64(6));
      if (!s.is_null(7)) {
        auto p = s.blob(7);
        if (p.size() != aka::kKeySize) return err(db::DbError{db::DbError::Kind::Schema, 0, "hss pending key"});
        r.pending_k = aka::K(std::span<const std::uint8_t, aka::kKeySize>(p.data(), aka::kKeySize));
      }
      hss_.put(s.text(0), std::move(r));
    }
  }
  {
    auto s = MNOSWITCH_TRY(db_.prepare("SELECT iccid, kvn, kic, kid, next_counter FROM ota"));
    while (MNOSWITCH_TRY(s.step())) {
      CardOta c;
      c.keys.kvn = ota::KeyVersion(static_cast<std::uint8_t>(s.int64(1)));
      c.keys.kic = ota::KicKey(s.blob(2));
      c.keys.kid = ota::KidKey(s.blob(3));
      c.next_counter = u64(s.int64(4));
      ota_.put(s.text(0), std::move(c));
    }
  }
  {
    auto s = MNOSWITCH_TRY(db_.prepare("SELECT device, phase, attempts, polls, counter, sent_at FROM change"));
    while (MNOSWITCH_TRY(s.step())) {
      const auto d = u64(s.int64(0));
      if (d >= journal_.size()) return err(db::DbError{db::DbError::Kind::Schema, 0, "journal device index"});
      journal_[d] = DeviceChange{static_cast<std::uint8_t>(s.int64(1)), static_cast<std::uint8_t>(s.int64(2)),
                                 static_cast<std::uint16_t>(s.int64(3)), u64(s.int64(4)), u64(s.int64(5))};
    }
  }
  {
    auto s = MNOSWITCH_TRY(db_.prepare("SELECT id, sender, sequence FROM batches"));
    while (MNOSWITCH_TRY(s.step())) {
      auto id = s.blob(0);
      if (id.size() != kBatchIdSize) return err(db::DbError{db::DbError::Kind::Schema, 0, "batch id"});
      batches_.emplace_back(BatchId(std::span<const std::uint8_t, kBatchIdSize>(id.data(), kBatchIdSize)),
                            std::make_pair(s.text(1), u64(s.int64(2))));
    }
  }
  return ok_unit;
}

Status<db::DbError> Mno::begin() {
  if (tx_) return err(db::DbError{db::DbError::Kind::Nested, 0, "step already open"});
  tx_.emplace(MNOSWITCH_TRY(db::Transaction::begin(db_)));
  return ok_unit;
}

Status<db::DbError> Mno::commit() {
  if (!tx_) return err(db::DbError{db::DbError::Kind::NotFound, 0, "no step open"});
  auto r = tx_->commit();
  tx_.reset();
  return r;
}

Status<db::DbError> Mno::set_change(std::uint32_t d, const DeviceChange& c) {
  auto s = MNOSWITCH_TRY(db_.prepare(
      "INSERT INTO change(device, phase, attempts, polls, counter, sent_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(device) DO UPDATE SET phase = ?2, attempts = ?3, polls = ?4, counter = ?5, sent_at = ?6"));
  s.bind(1, static_cast<std::int64_t>(d)).bind(2, c.phase).bind(3, c.attempts).bind(4, c.polls);
  s.bind(5, i64(c.counter)).bind(6, i64(c.sent_at));
  MNOSWITCH_TRY(s.run());
  journal_[d] = c;
  return ok_unit;
}

// REQ-HO-77: written before any packet carrying the counter can leave (the outbox is released after commit).
Result<std::uint64_t, db::DbError> Mno::reserve_counter(const std::string& iccid) {
  CardOta* c = ota_.find(iccid);
  if (c == nullptr) return err(db::DbError{db::DbError::Kind::NotFound, 0, "no OTA keys for card"});
  const std::uint64_t counter = c->next_counter;
  auto s = MNOSWITCH_TRY(db_.prepare("UPDATE ota SET next_counter = ?2 WHERE iccid = ?1"));
  s.bind(1, iccid).bind(2, i64(counter + 1));
  MNOSWITCH_TRY(s.run());
  c->next_counter = counter + 1;
  return counter;
}

Status<db::DbError> Mno::put_subscriber(std::uint32_t d, const std::string& imsi, AucRecord record) {
  auto s = MNOSWITCH_TRY(db_.prepare(
      "INSERT OR REPLACE INTO hss(imsi, device, k, opc, generation, ind_bits, seq_he, next_ind, pending_k) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  s.bind(1, imsi).bind(2, static_cast<std::int64_t>(d)).bind_blob(3, record.k.expose()).bind_blob(4, record.opc.expose());
  s.bind(5, static_cast<std::int64_t>(record.generation)).bind(6, static_cast<std::int64_t>(record.sqn.layout.ind_bits()));
  s.bind(7, i64(record.sqn.seq_he)).bind(8, i64(record.sqn.next_ind));
  if (record.pending_k) {
    s.bind_blob(9, record.pending_k->expose());
  } else {
    s.bind_null(9);
  }
  MNOSWITCH_TRY(s.run());
  hss_.put(imsi, std::move(record));
  return ok_unit;
}

Status<db::DbError> Mno::erase_subscriber(const std::string& imsi) {
  auto s = MNOSWITCH_TRY(db_.prepare("DELETE FROM hss WHERE imsi = ?1"));
  s.bind(1, imsi);
  MNOSWITCH_TRY(s.run());
  hss_.erase(imsi);
  return ok_unit;
}

// TS 33.102 Annex C.1.1: SEQ_HE is durable, so that after a crash the AuC never issues an SQN twice.
Status<db::DbError> Mno::save_sqn(const std::string& imsi) {
  const AucRecord* r = hss_.find(imsi);
  if (r == nullptr) return err(db::DbError{db::DbError::Kind::NotFound, 0, "no subscriber"});
  auto s = MNOSWITCH_TRY(db_.prepare("UPDATE hss SET seq_he = ?2, next_ind = ?3 WHERE imsi = ?1"));
  s.bind(1, imsi).bind(2, i64(r->sqn.seq_he)).bind(3, i64(r->sqn.next_ind));
  return s.run();
}

Status<db::DbError> Mno::put_card(std::uint32_t d, const std::string& iccid, CardOta card) {
  auto s = MNOSWITCH_TRY(db_.prepare(
      "INSERT OR REPLACE INTO ota(iccid, device, kvn, kic, kid, next_counter) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  s.bind(1, iccid).bind(2, static_cast<std::int64_t>(d)).bind(3, card.keys.kvn.value());
  s.bind_blob(4, card.keys.kic.expose()).bind_blob(5, card.keys.kid.expose()).bind(6, i64(card.next_counter));
  MNOSWITCH_TRY(s.run());
  ota_.put(iccid, std::move(card));
  return ok_unit;
}

Result<std::optional<std::int64_t>, db::DbError> Mno::meta(std::string_view key) {
  auto s = MNOSWITCH_TRY(db_.prepare("SELECT value FROM meta WHERE key = ?1"));
  s.bind(1, key);
  if (!MNOSWITCH_TRY(s.step())) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{s.int64(0)};
}

Status<db::DbError> Mno::set_meta(std::string_view key, std::int64_t value) {
  auto s = MNOSWITCH_TRY(db_.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"));
  s.bind(1, key).bind(2, value);
  return s.run();
}

Status<db::DbError> Mno::record_batch(const BatchHeader& h) {
  auto s = MNOSWITCH_TRY(db_.prepare("INSERT INTO batches(id, sender, sequence) VALUES(?1, ?2, ?3)"));
  s.bind_blob(1, h.id.span()).bind(2, h.sender.str()).bind(3, i64(h.sequence));
  MNOSWITCH_TRY(s.run());
  batches_.emplace_back(h.id, std::make_pair(h.sender.str(), h.sequence));
  return ok_unit;
}

bool Mno::batch_seen(const BatchId& id) const {
  for (const auto& b : batches_)
    if (b.first == id) return true;
  return false;
}

std::optional<std::uint64_t> Mno::last_sequence(const OperatorId& sender) const {
  std::optional<std::uint64_t> best;
  for (const auto& b : batches_)
    if (b.second.first == sender.str() && (!best || b.second.second > *best)) best = b.second.second;
  return best;
}

}  // namespace mnoswitch::operators
