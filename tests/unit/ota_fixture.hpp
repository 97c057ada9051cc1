// Shared test fixture: a card with key sets, counters and TARs, lent to the OTA codecs through CardView.
#pragma once

#include <map>

#include "reference/core/hex.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/server.hpp"

namespace ota_test {

using namespace mnoswitch;
using namespace mnoswitch::ota;

inline Bytes hx(const char* s) {
  return parse_hex(s).value();
}

struct FakeCard {
  std::map<std::uint8_t, KeySet> keys;
  std::map<std::uint8_t, OtaCounter> counters;
  std::map<Tar, TarPolicy> tars;

  CardView view() const {
    CardView v;
    v.key_set = [this](KeyVersion kv) -> const KeySet* {
      auto it = keys.find(kv.value());
      return it == keys.end() ? nullptr : &it->second;
    };
    v.counter = [this](KeyVersion kv) -> std::optional<OtaCounter> {
      auto it = counters.find(kv.value());
      if (it == counters.end()) return std::nullopt;
      return it->second;
    };
    v.tar = [this](const Tar& t) -> std::optional<TarPolicy> {
      auto it = tars.find(t);
      if (it == tars.end()) return std::nullopt;
      return it->second;
    };
    return v;
  }
  // What a USIM does with a verdict: commit the counter only when accepted.
  void apply(const CommandVerdict& v) {
    if (v.accepted() && v.commit) counters[v.commit->key_set.value()] = v.commit->value;
  }
};

inline const Tar kRfmTar{ByteArray<3>{0xB0, 0x00, 0x11}};

inline KeySet make_keys(std::uint8_t kvn, std::size_t kic_len, std::size_t kid_len) {
  KeySet k;
  k.kvn = KeyVersion(kvn);
  Bytes a(kic_len), b(kid_len);
  for (std::size_t i = 0; i < kic_len; ++i) a[i] = static_cast<std::uint8_t>(0x11 * (i + 1) + kvn);
  for (std::size_t i = 0; i < kid_len; ++i) b[i] = static_cast<std::uint8_t>(0x23 * (i + 3) + kvn);
  k.kic = KicKey(a);
  k.kid = KidKey(b);
  return k;
}

inline OtaCounter ctr(std::uint64_t v) {
  return *OtaCounter::make(v);
}

}  // namespace ota_test
