// TS 33.102 §6.3 (AKA: the HE/AuC side) for one MNO: subscriber records {IMSI, K, OPc (AKA profile), SQN state},
// the IMSI ranges it owns, and the attach challenge/response. REQ-HO-11, REQ-HO-12 (make-before-break key window).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "reference/aka/auc.hpp"
#include "reference/aka/milenage.hpp"
#include "reference/aka/types.hpp"
#include "reference/core/result.hpp"
#include "reference/operators/imsi_block.hpp"

namespace mnoswitch::operators {

// Which generation of subscriber key a record holds (the abstraction's KeyIs; K itself is never compared in
// the clear outside ct_equal).
enum class KeyGeneration : std::uint8_t { Original = 1, Rekeyed = 2 };

struct AucRecord {
  aka::K k;
  aka::Opc opc;
  KeyGeneration generation = KeyGeneration::Original;
  aka::AucSqnState sqn;
  // REQ-HO-13 (mechanism.md §6 step 2): during a re-key, the agreed K' waits here until the card confirms it; an attach whose AUTN the
  // card rejects with K is retried with K' (so the card is served whichever key it holds).
  std::optional<aka::K> pending_k;
  bool serving_pending = false;  // the last successful attach used pending_k
};

enum class AttachError {
  UnknownSubscriber,  // no HSS record for the IMSI (TS 24.301 cause #8 / "IMSI unknown in HSS")
  MacFailure,         // the card rejected every AUTN (K differs)
  SynchFailure,       // resynchronisation failed
  ResMismatch,        // RES != XRES
  SqnExhausted,
};
[[nodiscard]] std::string_view describe(AttachError e) noexcept;

// One challenge the HSS issues (RAND, AUTN) and what it expects back.
struct Challenge {
  aka::Rand rand;
  aka::Autn autn;
  aka::Res xres;
  bool with_pending = false;
};

class Hss {
 public:
  explicit Hss(ImsiBlock range) : range_(std::move(range)) {}

  [[nodiscard]] const ImsiBlock& range() const noexcept { return range_; }
  [[nodiscard]] bool owns(std::string_view imsi) const noexcept { return range_.contains(imsi); }

  void put(const std::string& imsi, AucRecord record) { records_.insert_or_assign(imsi, std::move(record)); }
  bool erase(const std::string& imsi) { return records_.erase(imsi) != 0; }
  [[nodiscard]] const AucRecord* find(const std::string& imsi) const noexcept;
  [[nodiscard]] AucRecord* find(const std::string& imsi) noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }
  [[nodiscard]] const std::unordered_map<std::string, AucRecord>& records() const noexcept { return records_; }

  // TS 33.102 §6.3.2: an authentication vector for `imsi` (with K, or with the pending K' when asked).
  [[nodiscard]] Result<Challenge, AttachError> challenge(const std::string& imsi, bool use_pending);
  // TS 33.102 §6.3.5: resynchronise on AUTS.
  [[nodiscard]] Status<AttachError> resynchronise(const std::string& imsi, const Challenge& c, const aka::Auts& auts);

 private:
  ImsiBlock range_;
  std::unordered_map<std::string, AucRecord> records_;
  std::unique_ptr<aka::RandPool> rands_ = std::make_unique<aka::RandPool>();  // movable Hss
};

}  // namespace mnoswitch::operators
