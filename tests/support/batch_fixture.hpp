// Test support for batch files and the operator store: three operators (A, B and an outsider M), typed records,
// temporary store files, and a full snapshot of a store's tables to prove "state unchanged".
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <set>
#include <string>

#include "reference/crypto/random.hpp"
#include "reference/operators/batch.hpp"
#include "reference/operators/store.hpp"

namespace mnoswitch::testing {

using namespace mnoswitch::operators;

inline OperatorId op_id(std::string_view s) {
  return *OperatorId::parse(s);
}

// ICCID 8949 00 ... n with a Luhn digit; IMSI 26201 + 10-digit MSIN (MNC length 2): B's range is 2620100...
inline usim::Iccid iccid(std::uint64_t n) {
  return usim::Iccid::with_check_digit(fmt::format("8949000{:011}", n)).value();
}
inline usim::Imsi imsi_b(std::uint64_t n) {
  return usim::Imsi::parse(fmt::format("26201{:010}", n), usim::MncLength::Two).value();
}
inline usim::Imsi imsi_other(std::uint64_t n) {
  return usim::Imsi::parse(fmt::format("26299{:010}", n), usim::MncLength::Two).value();
}
inline ImsiRange range_b() {
  return ImsiRange{"262010000000000", "262010000999999", usim::MncLength::Two};
}

template <std::size_t N, class Tag>
Secret<N, Tag> random_secret() {
  Secret<N, Tag> s;
  crypto::random_bytes(s.expose_mut());
  return s;
}
template <class Tag>
SecretBytes<Tag> random_secret_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_bytes(b);
  return SecretBytes<Tag>(b);
}

inline OtaKeySet key_set(std::uint8_t kvn, std::uint64_t counter) {
  OtaKeySet ks;
  ks.kvn = kvn;
  ks.kic = static_cast<std::uint8_t>((kvn << 4) | 0x02);  // AES-CBC style coding, KVN in the high nibble
  ks.kid = static_cast<std::uint8_t>((kvn << 4) | 0x02);
  ks.kic_key = random_secret_bytes<OtaKicKeyTag>(16);
  ks.kid_key = random_secret_bytes<OtaKidKeyTag>(16);
  ks.counter = counter;
  return ks;
}

inline HandOverRecord hand_over(std::uint64_t n) {
  AkaSubscription a{random_secret<16, aka::KTag>(), aka::Opc(random_secret<16, aka::OpcTag>()), aka::kStandardConstants,
                    aka::AucSqnState{aka::SqnLayout{}, 1000 + n, n % 32}};
  std::vector<OtaKeySet> ota;
  ota.push_back(key_set(1, 17 + n));
  return HandOverRecord{iccid(n), imsi_b(n), std::move(a), std::move(ota)};
}

inline std::vector<HandOverRecord> hand_overs(std::uint64_t first, std::size_t count) {
  std::vector<HandOverRecord> v;
  for (std::size_t i = 0; i < count; ++i) v.push_back(hand_over(first + i));
  return v;
}
inline std::vector<AllocationRecord> allocations(std::uint64_t first, std::size_t count) {
  std::vector<AllocationRecord> v;
  for (std::size_t i = 0; i < count; ++i) v.push_back(AllocationRecord{iccid(first + i), imsi_b(first + i)});
  return v;
}

// A view of B's HSS with fixed answers: B's range, plus explicit in-use IMSIs.
class FixedImsiView final : public ImsiView {
 public:
  std::set<std::string> used;
  bool in_range(const usim::Imsi& i) const override {
    auto r = range_b();
    return i.digits().size() == r.first.size() && i.digits() >= r.first && i.digits() <= r.last;
  }
  bool in_use(const usim::Imsi& i, const usim::Iccid&) const override { return used.count(i.digits()) != 0; }
};

class NoReplay final : public ReplayView {
 public:
  bool seen(const BatchId&) const override { return false; }
  std::optional<std::uint64_t> last_sequence(const OperatorId&) const override { return std::nullopt; }
};

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    ByteArray<8> r{};
    crypto::random_bytes(r);
    path_ = std::filesystem::temp_directory_path() / ("mnoswitch-test-" + to_hex(r));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Every row of every table, column by column, in a fixed order: equal snapshots mean an unchanged store.
inline std::string snapshot(OperatorStore& s) {
  auto& db = s.database();
  std::vector<std::string> tables;
  {
    auto q = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (q.value().step().value()) tables.push_back(q.value().text(0));
  }
  std::string out;
  for (const auto& t : tables) {
    out += "#" + t + "\n";
    auto q = db.prepare(fmt::format("SELECT * FROM \"{}\" ORDER BY 1, 2", t));
    while (q.value().step().value()) {
      for (int c = 0; c < q.value().column_count(); ++c) out += to_hex(q.value().blob(c)) + "|";
      out += "\n";
    }
  }
  return out;
}

// Three operators: A (donor), B (recipient), M (outsider nobody lists). Directories as each would hold them.
struct Operators {
  OperatorIdentity a = OperatorIdentity::generate(op_id("mno-a"));
  OperatorIdentity b = OperatorIdentity::generate(op_id("mno-b"));
  OperatorIdentity m = OperatorIdentity::generate(op_id("mallory"));
  OperatorDirectory a_peers, b_peers;
  Operators() {
    a_peers.add(b.public_keys());
    b_peers.add(a.public_keys());
  }
};

}  // namespace mnoswitch::testing
