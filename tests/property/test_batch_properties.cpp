// Batch files and the store, by property (RapidCheck): random valid batches round trip; every random byte flip,
// truncation or garbage file is rejected without a crash and with the receiver's store unchanged; a transaction
// that is not committed leaves the store unchanged. REQ-HO-56, REQ-HO-59, REQ-HO-62, REQ-HO-72, REQ-HO-79.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>

#include "reference/core/format.hpp"
#include "tests/support/batch_fixture.hpp"

using namespace mnoswitch;
using namespace mnoswitch::operators;
using namespace mnoswitch::testing;

namespace {

// A random but valid hand-over: distinct cards, 0-3 key sets with distinct KVNs, any key length an algorithm uses,
// counters anywhere in 40 bits, SQN state anywhere in its layout.
std::vector<HandOverRecord> gen_hand_overs() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 9);
  const auto base = *rc::gen::inRange<std::uint64_t>(0, 900'000);
  std::vector<HandOverRecord> v;
  for (std::size_t i = 0; i < n; ++i) {
    HandOverRecord r = hand_over(base + i);
    const auto ind_bits = *rc::gen::inRange<unsigned>(0, aka::kMaxIndBits + 1);
    auto layout = aka::SqnLayout::make(ind_bits).value();
    r.aka.sqn = aka::AucSqnState{layout, *rc::gen::inRange<std::uint64_t>(0, layout.seq_limit()),
                                 *rc::gen::inRange<std::uint64_t>(0, layout.ind_count())};
    if (*rc::gen::arbitrary<bool>()) r.aka.op = aka::Op(random_secret<16, aka::OpTag>());
    if (*rc::gen::arbitrary<bool>()) r.aka.constants.r[1] = *rc::gen::inRange<std::uint8_t>(0, 128);
    r.ota.clear();
    const auto sets = *rc::gen::inRange<int>(0, 4);
    for (int k = 1; k <= sets; ++k) {
      OtaKeySet ks = key_set(static_cast<std::uint8_t>(k * 3), *rc::gen::inRange<std::uint64_t>(0, kOtaCounterMax + 1));
      ks.kic_key = random_secret_bytes<OtaKicKeyTag>(*rc::gen::element<std::size_t>(8, 16, 24, 32));
      ks.kid_key = random_secret_bytes<OtaKidKeyTag>(*rc::gen::element<std::size_t>(8, 16, 24, 32));
      r.ota.push_back(std::move(ks));
    }
    v.push_back(std::move(r));
  }
  return v;
}

bool same(const HandOverRecord& a, const HandOverRecord& b) {
  if (a.iccid != b.iccid || a.imsi != b.imsi || !ct_equal(a.aka.k, b.aka.k)) return false;
  if (a.aka.op.index() != b.aka.op.index()) return false;
  bool op_same =
      std::visit([&](const auto& x) { return ct_equal(x, std::get<std::decay_t<decltype(x)>>(b.aka.op)); }, a.aka.op);
  if (!op_same || a.aka.constants.r != b.aka.constants.r || a.aka.constants.c != b.aka.constants.c) return false;
  if (a.aka.sqn.layout != b.aka.sqn.layout || a.aka.sqn.seq_he != b.aka.sqn.seq_he ||
      a.aka.sqn.next_ind != b.aka.sqn.next_ind || a.ota.size() != b.ota.size())
    return false;
  for (std::size_t i = 0; i < a.ota.size(); ++i) {
    const auto &x = a.ota[i], &y = b.ota[i];
    if (x.kvn != y.kvn || x.kic != y.kic || x.kid != y.kid || x.counter != y.counter ||
        !ct_equal(x.kic_key, y.kic_key) || !ct_equal(x.kid_key, y.kid_key))
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("random valid hand-over batches round trip exactly", "[property][batch][REQ-HO-62]") {
  Operators ops;
  FixedImsiView view;
  rc::prop("seal then open gives back every field", [&] {
    auto recs = gen_hand_overs();
    const auto seq = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 62);
    std::vector<HandOverRecord> copy(recs.begin(), recs.end());
    Bytes f = seal_batch(ops.a, ops.b.public_keys(), BatchRecords{std::move(copy)}, SealOptions{seq, 99, {}}).value();
    auto opened = open_batch(f, ops.b, ops.b_peers, NoReplay{}, view);
    RC_ASSERT(opened.ok());
    RC_ASSERT(opened.value().header.sequence == seq);
    const auto& got = std::get<std::vector<HandOverRecord>>(opened.value().records);
    RC_ASSERT(got.size() == recs.size());
    for (std::size_t i = 0; i < got.size(); ++i) RC_ASSERT(same(got[i], recs[i]));
  });
}

TEST_CASE("random valid allocation batches round trip exactly", "[property][batch][REQ-HO-61]") {
  Operators ops;
  FixedImsiView view;
  rc::prop("seal then open gives back every pair", [&] {
    const auto n = *rc::gen::inRange<std::size_t>(1, 40);
    const auto base = *rc::gen::inRange<std::uint64_t>(0, 900'000);
    auto recs = allocations(base, n);
    Bytes f = seal_batch(ops.b, ops.a.public_keys(), BatchRecords{recs}, SealOptions{1, 1, {}}).value();
    auto opened = open_batch(f, ops.a, ops.a_peers, NoReplay{}, view);
    RC_ASSERT(opened.ok());
    const auto& got = std::get<std::vector<AllocationRecord>>(opened.value().records);
    RC_ASSERT(got.size() == n);
    for (std::size_t i = 0; i < n; ++i) RC_ASSERT(got[i].iccid == recs[i].iccid && got[i].imsi == recs[i].imsi);
  });
}

TEST_CASE("corrupted batches are always rejected, never crash, never change the store",
          "[property][batch][REQ-HO-56][REQ-HO-59]") {
  Operators ops;
  TempDir dir;
  auto b_store = OperatorStore::open(dir.file("b.db"), db::Synchronous::Normal, ops.b.id()).value();
  REQUIRE(b_store.add_imsi_range(range_b()).ok());
  std::vector<HandOverRecord> recs = hand_overs(1, 3);
  const Bytes good =
      seal_batch(ops.a, ops.b.public_keys(), BatchRecords{std::move(recs)}, SealOptions{9, 1, {}}).value();
  const std::string before = snapshot(b_store);

  auto rejected_unchanged = [&](ByteSpan file) {
    auto r = b_store.accept_batch(file, ops.b, ops.b_peers);
    RC_ASSERT(r.failed());
    RC_ASSERT(std::holds_alternative<BatchRejection>(r.error()));
    RC_ASSERT(snapshot(b_store) == before);
  };

  rc::prop("one flipped byte anywhere", [&] {
    Bytes t = good;
    const auto pos = *rc::gen::inRange<std::size_t>(0, t.size());
    const auto mask = *rc::gen::inRange<int>(1, 256);
    t[pos] = static_cast<std::uint8_t>(t[pos] ^ mask);
    rejected_unchanged(t);
  });
  rc::prop("several flipped bytes", [&] {
    Bytes t = good;
    const auto flips = *rc::gen::inRange<std::size_t>(2, 12);
    for (std::size_t i = 0; i < flips; ++i) t[*rc::gen::inRange<std::size_t>(0, t.size())] ^= 0x5A;
    RC_PRE(t != good);
    rejected_unchanged(t);
  });
  rc::prop("truncated at any length", [&] {
    const auto len = *rc::gen::inRange<std::size_t>(0, good.size());
    rejected_unchanged(ByteSpan(good).first(len));
  });
  rc::prop("extended by any bytes", [&] {
    Bytes t = good;
    auto extra = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()));
    t.insert(t.end(), extra.begin(), extra.end());
    rejected_unchanged(t);
  });
  rc::prop("random garbage, also behind a valid magic and version", [&] {
    auto junk = *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>());
    if (*rc::gen::arbitrary<bool>()) {
      Bytes prefix(good.begin(), good.begin() + 6);
      junk.insert(junk.begin(), prefix.begin(), prefix.end());
    }
    rejected_unchanged(junk);
  });
  // Not vacuous: the untouched file is accepted.
  REQUIRE(b_store.accept_batch(good, ops.b, ops.b_peers).ok());
  CHECK(snapshot(b_store) != before);
}

TEST_CASE("a transaction that is not committed leaves the store as it was", "[property][store][REQ-HO-72]") {
  TempDir dir;
  auto store = OperatorStore::open(dir.file("s.db"), db::Synchronous::Normal, op_id("mno-b")).value();
  REQUIRE(store.add_imsi_range(range_b()).ok());
  for (std::uint64_t c = 0; c < 4; ++c) REQUIRE(store.put_key_set(iccid(c), key_set(1, c)).ok());
  std::uint64_t next_card = 100;
  rc::prop("any sequence of store operations, committed or dropped", [&] {
    const std::string before = snapshot(store);
    const bool commit = *rc::gen::arbitrary<bool>();
    bool changed = false;  // at least one operation succeeded
    {
      auto tx = db::Transaction::begin(store.database()).value();
      const auto ops = *rc::gen::inRange<int>(1, 12);
      for (int i = 0; i < ops; ++i) {
        bool ok = false;
        switch (*rc::gen::inRange<int>(0, 6)) {
          case 0:
            ok = store.reserve_ota_counter(iccid(*rc::gen::inRange<std::uint64_t>(0, 6)), 1, Bytes{1}).ok();
            break;
          case 1: {
            auto rec = hand_over(next_card++);
            ok = store.put_subscriber(HssRecord{rec.imsi, rec.iccid, rec.aka, SubscriberState::Active}).ok();
            break;
          }
          case 2:
            ok = store
                     .set_device(
                         DeviceRecord{iccid(*rc::gen::inRange<std::uint64_t>(0, 4)), "s", std::nullopt, imsi_b(1)}, "e")
                     .ok();
            break;
          case 3:
            ok = store.next_outgoing_sequence(op_id("mno-a")).ok();
            break;
          case 4: {
            auto card = next_card++;
            ok = store.reserve_imsi(imsi_b(card), iccid(card)).ok();
            break;
          }
          default:
            ok = store.journal_event(iccid(0), "note").ok();
            break;
        }
        changed = changed || ok;
      }
      if (commit) RC_ASSERT(tx.commit().ok());
    }
    if (commit) {
      RC_ASSERT(changed == (snapshot(store) != before));  // committed work is there (not vacuous)
    } else {
      RC_ASSERT(snapshot(store) == before);
    }
  });
}
