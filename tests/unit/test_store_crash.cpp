// Crash safety of the store (REQ-HO-72, REQ-HO-77, REQ-HO-79): a child process accepts batches and reserves OTA
// counters in a loop and is killed with SIGKILL at a random moment; the parent reopens the store and checks that
// every transaction is there whole or not at all.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/support/batch_fixture.hpp"

using namespace mnoswitch;
using namespace mnoswitch::operators;
using namespace mnoswitch::testing;

namespace {
constexpr std::size_t kPerBatch = 200;
constexpr std::uint64_t kCards = 50;

std::int64_t scalar(OperatorStore& s, const char* sql) {
  auto q = s.database().prepare(sql).value();
  REQUIRE(q.step().value());
  return q.int64(0);
}

[[noreturn]] void child(const std::string& path, const Operators& ops, const std::vector<Bytes>& batches) {
  auto store = OperatorStore::open(path, db::Synchronous::Normal, ops.b.id());
  if (store.failed()) ::_exit(3);
  for (std::size_t i = 0;; ++i) {
    if (i < batches.size()) (void)store.value().accept_batch(batches[i], ops.b, ops.b_peers);
    for (std::uint64_t c = 0; c < kCards; ++c) (void)store.value().reserve_ota_counter(iccid(c), 9, Bytes{1, 2});
  }
}
}  // namespace

TEST_CASE("SIGKILL at a random moment leaves every transaction whole or absent",
          "[store][crash][REQ-HO-72][REQ-HO-77][REQ-HO-79]") {
  Operators ops;
  std::vector<Bytes> batches;
  for (std::uint64_t i = 0; i < 20; ++i)
    batches.push_back(seal_batch(ops.a, ops.b.public_keys(), BatchRecords{hand_overs(i * kPerBatch, kPerBatch)},
                                 SealOptions{i + 1, 0, {}})
                          .value());
  for (int round = 0; round < 4; ++round) {
    TempDir dir;
    const std::string path = dir.file("b.db");
    {
      auto s = OperatorStore::open(path, db::Synchronous::Normal, ops.b.id()).value();
      REQUIRE(s.add_imsi_range(range_b()).ok());
      for (std::uint64_t c = 0; c < kCards; ++c) REQUIRE(s.put_key_set(iccid(c), key_set(9, 0)).ok());
    }
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) child(path, ops, batches);
    std::this_thread::sleep_for(std::chrono::milliseconds(40 + 37 * round));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));

    auto s = OperatorStore::open(path, db::Synchronous::Normal, ops.b.id()).value();
    const auto seen = scalar(s, "SELECT count(*) FROM batches_seen");
    INFO("round " << round << ": " << seen << " batches applied before the kill");
    // Batches: all records of every seen batch, and nothing else.
    CHECK(scalar(s, "SELECT count(*) FROM hss") == seen * static_cast<std::int64_t>(kPerBatch));
    CHECK(scalar(s, "SELECT count(*) FROM journal WHERE event = 'hand-over-received'") ==
          seen * static_cast<std::int64_t>(kPerBatch));
    CHECK(scalar(s, "SELECT count(*) FROM ota_keysets WHERE kvn = 1") == seen * static_cast<std::int64_t>(kPerBatch));
    // OTA counters: the stored counter of every card equals the highest journaled "ota-sent" counter, and the
    // journal holds each counter 1..n exactly once.
    CHECK(scalar(s,
                 "SELECT count(*) FROM ota_keysets k WHERE kvn = 9 AND counter != "
                 "(SELECT coalesce(max(counter), 0) FROM journal j WHERE j.iccid = k.iccid AND j.kvn = 9 "
                 "AND j.event = 'ota-sent')") == 0);
    CHECK(scalar(s,
                 "SELECT count(*) FROM ota_keysets k WHERE kvn = 9 AND counter != "
                 "(SELECT count(*) FROM journal j WHERE j.iccid = k.iccid AND j.kvn = 9 AND j.event = 'ota-sent')") ==
          0);
    // Resuming continues above everything journaled.
    auto before = s.key_sets(iccid(0)).value();
    auto it = std::find_if(before.begin(), before.end(), [](const OtaKeySet& k) { return k.kvn == 9; });
    REQUIRE(it != before.end());
    CHECK(s.reserve_ota_counter(iccid(0), 9, {}).value().counter == it->counter + 1);
  }
}
