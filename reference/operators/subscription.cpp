// REQ-HO-63: well-formedness of an AKA subscription and of an OTA key set (TS 102 225 §5.1, TS 33.102 Annex C).
#include "reference/operators/subscription.hpp"

namespace mnoswitch::operators {
namespace {
bool key_length_ok(std::size_t n) noexcept {
  return n == 8 || n == 16 || n == 24 || n == 32;
}
constexpr std::uint8_t kMaxKvn = 15;
constexpr std::uint8_t kMaxRotation = 127;
}  // namespace

std::string_view check_key_set(const OtaKeySet& ks) noexcept {
  if (ks.kvn == 0 || ks.kvn > kMaxKvn) return "key version number must be 1..15";
  if ((ks.kic >> 4) != ks.kvn) return "KIc key version differs from the key set's KVN";
  if ((ks.kid >> 4) != ks.kvn) return "KID key version differs from the key set's KVN";
  if (!key_length_ok(ks.kic_key.size())) return "KIc key length must be 8, 16, 24 or 32 octets";
  if (!key_length_ok(ks.kid_key.size())) return "KID key length must be 8, 16, 24 or 32 octets";
  if (ks.counter > kOtaCounterMax) return "OTA counter exceeds 40 bits";
  return {};
}

std::string_view check_aka(const AkaSubscription& a) noexcept {
  for (auto r : a.constants.r)
    if (r > kMaxRotation) return "Milenage rotation must be 0..127 bits";
  if (a.sqn.seq_he >= a.sqn.layout.seq_limit()) return "SEQ_HE does not fit in 48 - IND bits";
  if (a.sqn.next_ind >= a.sqn.layout.ind_count()) return "next IND does not fit in the IND bits";
  return {};
}

}  // namespace mnoswitch::operators
