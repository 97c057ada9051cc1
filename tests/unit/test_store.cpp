// The operator store (spec/formats.md §Store): transactions roll back unless committed, OTA counters are reserved
// and journaled atomically and never handed out twice, state survives reopening. REQ-HO-70..78.
#include <catch2/catch.hpp>

#include "tests/support/batch_fixture.hpp"

using namespace mnoswitch;
using namespace mnoswitch::operators;
using namespace mnoswitch::testing;

namespace {
struct StoreSetup {
  TempDir dir;
  OperatorId owner = op_id("mno-b");
  OperatorStore store = OperatorStore::open(dir.file("s.db"), db::Synchronous::Full, owner).value();
  StoreSetup() {
    REQUIRE(store.add_imsi_range(range_b()).ok());
    REQUIRE(store.put_key_set(iccid(1), key_set(1, 41)).ok());
  }
  OperatorStore reopen(db::Synchronous sync = db::Synchronous::Full) {
    return OperatorStore::open(dir.file("s.db"), sync, owner).value();
  }
};
}  // namespace

TEST_CASE("store opens with WAL and the chosen synchronous level", "[store][REQ-HO-71]") {
  TempDir dir;
  for (auto sync : {db::Synchronous::Full, db::Synchronous::Normal}) {
    auto s = OperatorStore::open(dir.file(sync == db::Synchronous::Full ? "f.db" : "n.db"), sync, op_id("x")).value();
    auto q = s.database().prepare("PRAGMA journal_mode").value();
    REQUIRE(q.step().value());
    CHECK(q.text(0) == "wal");
    auto q2 = s.database().prepare("PRAGMA synchronous").value();
    REQUIRE(q2.step().value());
    CHECK(q2.int64(0) == (sync == db::Synchronous::Full ? 2 : 1));
  }
}

TEST_CASE("a store belongs to one operator", "[store][REQ-HO-70]") {
  StoreSetup s;
  auto other = OperatorStore::open(s.dir.file("s.db"), db::Synchronous::Full, op_id("mno-a"));
  REQUIRE(other.failed());
  CHECK(other.error().kind == db::DbError::Kind::Schema);
}

TEST_CASE("a transaction not committed leaves the store unchanged", "[store][REQ-HO-72]") {
  StoreSetup s;
  std::string before = snapshot(s.store);
  {
    auto tx = db::Transaction::begin(s.store.database()).value();
    auto rec = hand_over(3);
    REQUIRE(s.store.put_subscriber(HssRecord{rec.imsi, rec.iccid, rec.aka, SubscriberState::Active}).ok());
    REQUIRE(s.store.reserve_ota_counter(iccid(1), 1, Bytes{0xAA}).ok());
    REQUIRE(s.store.set_device(DeviceRecord{iccid(1), "ota-sent", imsi_b(1), imsi_b(2)}, "x").ok());
    CHECK(snapshot(s.store) != before);
  }  // no commit: rolled back
  CHECK(snapshot(s.store) == before);
  CHECK_FALSE(s.store.database().in_transaction());
}

TEST_CASE("nested transactions are refused, committed ones persist across reopen", "[store][REQ-HO-72][REQ-HO-75]") {
  StoreSetup s;
  {
    auto tx = db::Transaction::begin(s.store.database()).value();
    auto nested = db::Transaction::begin(s.store.database());
    REQUIRE(nested.failed());
    CHECK(nested.error().kind == db::DbError::Kind::Nested);
    REQUIRE(s.store.set_device(DeviceRecord{iccid(1), "allocated", imsi_b(1), std::nullopt}, "allocated").ok());
    REQUIRE(tx.commit().ok());
  }
  auto again = s.reopen(db::Synchronous::Normal);
  auto d = again.device(iccid(1)).value();
  REQUIRE(d.has_value());
  CHECK(d->state == "allocated");
  CHECK(d->imsi == std::optional<usim::Imsi>(imsi_b(1)));
  CHECK_FALSE(d->new_imsi.has_value());
}

TEST_CASE("reserve_ota_counter increments and journals in one step, durably", "[store][REQ-HO-77]") {
  StoreSetup s;
  auto r1 = s.store.reserve_ota_counter(iccid(1), 1, Bytes{0x01});
  auto r2 = s.store.reserve_ota_counter(iccid(1), 1, Bytes{0x02});
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  CHECK(r1.value().counter == 42);
  CHECK(r2.value().counter == 43);
  auto reopened = s.reopen();
  CHECK(reopened.key_sets(iccid(1)).value().at(0).counter == 43);
  auto j = reopened.journal(iccid(1)).value();
  REQUIRE(j.size() == 2);
  CHECK(j[0].event == "ota-sent");
  CHECK(j[0].counter == std::optional<std::uint64_t>(42));
  CHECK(j[1].counter == std::optional<std::uint64_t>(43));
  CHECK(j[1].detail == Bytes{0x02});
  // Next reservation after reopening continues; it never hands out 42 or 43 again.
  CHECK(reopened.reserve_ota_counter(iccid(1), 1, {}).value().counter == 44);
}

TEST_CASE("a failed reservation inside a caller's transaction keeps the caller's earlier work", "[store][REQ-HO-72]") {
  StoreSetup s;
  auto tx = db::Transaction::begin(s.store.database()).value();
  REQUIRE(s.store.reserve_ota_counter(iccid(1), 1, {}).ok());
  auto missing = s.store.reserve_ota_counter(iccid(2), 1, {});
  REQUIRE(missing.failed());
  CHECK(missing.error().kind == db::DbError::Kind::NotFound);
  REQUIRE(tx.commit().ok());
  CHECK(s.store.key_sets(iccid(1)).value().at(0).counter == 42);
}

TEST_CASE("the same OTA counter cannot be journaled as sent twice", "[store][REQ-HO-77]") {
  StoreSetup s;
  auto r = s.store.reserve_ota_counter(iccid(1), 1, {}).value();
  // Even a bypass of the DAO (a buggy resume writing the journal by hand) hits the UNIQUE index.
  auto q = s.store.database()
               .prepare("INSERT INTO journal(iccid, event, kvn, counter, detail) VALUES (?1, 'ota-sent', 1, ?2, x'')")
               .value();
  q.bind(1, std::string_view(iccid(1).digits())).bind(2, static_cast<std::int64_t>(r.counter));
  auto ins = q.run();
  REQUIRE(ins.failed());
  CHECK(ins.error().kind == db::DbError::Kind::Constraint);
}

TEST_CASE("a counter at 2^40 - 1 is exhausted and stays unchanged", "[store][REQ-HO-77]") {
  StoreSetup s;
  REQUIRE(s.store.put_key_set(iccid(2), key_set(3, kOtaCounterMax)).ok());
  std::string before = snapshot(s.store);
  auto r = s.store.reserve_ota_counter(iccid(2), 3, {});
  REQUIRE(r.failed());
  CHECK(r.error().kind == db::DbError::Kind::Exhausted);
  CHECK(snapshot(s.store) == before);
}

TEST_CASE("CHECK constraints keep out-of-range values out even past the DAO", "[store][REQ-HO-73]") {
  StoreSetup s;
  auto q = s.store.database().prepare("UPDATE hss SET seq_he = 281474976710656").value();
  auto rec = hand_over(3);
  REQUIRE(s.store.put_subscriber(HssRecord{rec.imsi, rec.iccid, rec.aka, SubscriberState::Active}).ok());
  auto r = q.run();
  REQUIRE(r.failed());
  CHECK(r.error().kind == db::DbError::Kind::Constraint);
  auto q2 = s.store.database().prepare("UPDATE ota_keysets SET counter = 1099511627776").value();
  CHECK(q2.run().error().kind == db::DbError::Kind::Constraint);
}

TEST_CASE("HSS record round trip with OP, custom constants and SQN updates", "[store][REQ-HO-73]") {
  StoreSetup s;
  auto rec = hand_over(4);
  rec.aka.op = aka::Op(random_secret<16, aka::OpTag>());
  rec.aka.constants.r[0] = 65;
  rec.aka.constants.c[4][15] = 0x42;
  REQUIRE(s.store.put_subscriber(HssRecord{rec.imsi, rec.iccid, rec.aka, SubscriberState::Active}).ok());
  auto dup = s.store.put_subscriber(HssRecord{rec.imsi, iccid(99), rec.aka, SubscriberState::Active});
  CHECK(dup.error().kind == db::DbError::Kind::Constraint);
  auto got = s.store.subscriber(rec.imsi).value().value();
  REQUIRE(std::holds_alternative<aka::Op>(got.aka.op));
  CHECK(ct_equal(std::get<aka::Op>(got.aka.op), std::get<aka::Op>(rec.aka.op)));
  CHECK(got.aka.constants.r == rec.aka.constants.r);
  CHECK(got.aka.constants.c == rec.aka.constants.c);
  aka::AucSqnState next = got.aka.sqn;
  next.seq_he += 5;
  REQUIRE(s.store.set_sqn_state(rec.imsi, next).ok());
  CHECK(s.store.subscriber(rec.imsi).value()->aka.sqn.seq_he == next.seq_he);
  CHECK(s.store.set_subscriber_state(imsi_b(77), SubscriberState::Active).error().kind == db::DbError::Kind::NotFound);
  REQUIRE(s.store.delete_subscriber(rec.imsi).ok());
  CHECK_FALSE(s.store.subscriber(rec.imsi).value().has_value());
}

TEST_CASE("IMSI ranges, reservations and the ImsiView", "[store][REQ-HO-74]") {
  StoreSetup s;
  CHECK(s.store.in_range(imsi_b(5)));
  CHECK_FALSE(s.store.in_range(imsi_other(5)));
  CHECK_FALSE(s.store.in_range(imsi_b(1'000'000)));  // 262010001000000 > last
  CHECK(s.store.add_imsi_range(ImsiRange{"26201", "262019", usim::MncLength::Two}).failed());
  REQUIRE(s.store.reserve_imsi(imsi_b(5), iccid(5)).ok());
  CHECK(s.store.in_use(imsi_b(5), iccid(6)));
  CHECK_FALSE(s.store.in_use(imsi_b(5), iccid(5)));
  CHECK(s.store.reserve_imsi(imsi_b(5), iccid(6)).failed());
}

TEST_CASE("outgoing sequences never repeat, also across reopen, sent files are kept", "[store][REQ-HO-78]") {
  StoreSetup s;
  auto a = op_id("mno-a");
  CHECK(s.store.next_outgoing_sequence(a).value() == 1);
  CHECK(s.store.next_outgoing_sequence(a).value() == 2);
  CHECK(s.store.next_outgoing_sequence(op_id("mno-c")).value() == 1);
  auto again = s.reopen();
  CHECK(again.next_outgoing_sequence(a).value() == 3);
  BatchHeader h{kBatchFormatVersion, BatchKind::ImsiAllocation, random_batch_id(), 5, 3, op_id("mno-b"), a, {}};
  Bytes file{1, 2, 3};
  REQUIRE(again.record_sent_batch(h, file).ok());
  CHECK(again.sent_batch(h.id).value() == std::optional<Bytes>(file));
  CHECK(again.record_sent_batch(h, file).error().kind == db::DbError::Kind::Constraint);
}
