// TS 33.102 §6.3.2 (AuC generates authentication vectors), §6.3.5 (re-synchronisation from AUTS), Annex C.1.1/C.3
// (SQN = SEQ || IND) (REQ-AKA-06, REQ-AKA-09, REQ-AKA-11, REQ-AKA-12).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "reference/aka/milenage.hpp"
#include "reference/aka/sqn.hpp"
#include "reference/aka/usim_auth.hpp"

namespace mnoswitch::aka {

// RANDs from the CSPRNG, fetched in blocks of kBatch so that the RNG is not entered once per vector. Each RAND is
// handed out once; the buffer is wiped as it is consumed (an unused RAND is still unpredictable, keep it so).
class RandPool {
 public:
  static constexpr std::size_t kBatch = 256;
  RandPool() = default;
  RandPool(const RandPool&) = delete;
  RandPool& operator=(const RandPool&) = delete;
  ~RandPool();
  [[nodiscard]] Rand next();

 private:
  std::array<std::uint8_t, kBatch * kRandSize> buf_{};
  std::size_t used_ = kBatch;  // empty until first use
};

enum class AucError {
  SqnExhausted,  // Annex C: SEQ_HE cannot grow any further; SQN never wraps (REQ-AKA-06)
  MacSFailure,   // §6.3.5: MAC-S in AUTS does not verify; SQN_HE unchanged (REQ-AKA-12)
};
[[nodiscard]] std::string_view describe(AucError e) noexcept;

// §6.3.2: one vector with the given RAND and the next SQN; AMF as configured (its separation bit is the caller's
// choice: set for EPS/5G). On SqnExhausted the state is unchanged.
[[nodiscard]] Result<AuthVector, AucError> make_vector(const Milenage& m, AucSqnState& state, const Rand& rand,
                                                       const Amf& amf);
// Same with a fresh RAND from the CSPRNG.
[[nodiscard]] Result<AuthVector, AucError> generate_vector(const Milenage& m, AucSqnState& state, RandPool& pool,
                                                           const Amf& amf);

// A batch of `count` vectors (an HSS answers a request with several, e.g. up to 5 in S6a/MAP): distinct RANDs,
// increasing SQNs, computed with fewer AES calls. If the batch does not fit below the SEQ limit, nothing is issued
// (SqnExhausted) and the state is unchanged.
[[nodiscard]] Result<std::vector<AuthVector>, AucError> generate_vectors(const Milenage& m, AucSqnState& state,
                                                                         RandPool& pool, const Amf& amf,
                                                                         std::size_t count);

// §6.3.5: SQN_MS = first 6 octets of AUTS xor f5*(RAND); verify MAC-S = f1*(SQN_MS, RAND, AMF = 0000). Pure.
[[nodiscard]] Result<Sqn, AucError> recover_sqn_ms(const Milenage& m, const Rand& rand, const Auts& auts);
// §6.3.5: verify AUTS and, when genuine, continue above SQN_MS. On MacSFailure the state is unchanged.
[[nodiscard]] Result<Sqn, AucError> resynchronise(const Milenage& m, AucSqnState& state, const Rand& rand,
                                                  const Auts& auts);

}  // namespace mnoswitch::aka
