// spec/formats.md §Batch files (REQ-HO-53..69): the two operator-to-operator messages of the contribution's steps 3
// and 5 — the IMSI allocation (B → A) and the hand-over (A → B) — as typed values, their rejection reasons, and the
// receiver-side views a batch is validated against.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "reference/core/strong.hpp"
#include "reference/crypto/x25519.hpp"
#include "reference/operators/identity.hpp"
#include "reference/operators/subscription.hpp"
#include "reference/usim/iccid.hpp"
#include "reference/usim/imsi.hpp"

namespace mnoswitch::operators {

// REQ-HO-55: the only format version this code writes and accepts.
inline constexpr std::uint8_t kBatchFormatVersion = 1;
inline constexpr std::size_t kBatchIdSize = 16;
// An upper bound on records per batch, so that a hostile count cannot make the receiver allocate without limit.
inline constexpr std::uint32_t kMaxBatchRecords = 4'000'000;

enum class BatchKind : std::uint8_t {
  ImsiAllocation = 1,  // step 3: B → A, ICCID → new IMSI in B's range
  HandOver = 2,        // step 5: A → B, ICCID, new IMSI, K, AKA profile, OTA key sets, counters
};
[[nodiscard]] std::string_view to_string(BatchKind k) noexcept;

struct BatchIdTag {};
// REQ-HO-53: 128 random bits per batch; the receiver remembers every id it accepted.
using BatchId = FixedBytes<kBatchIdSize, BatchIdTag>;
[[nodiscard]] BatchId random_batch_id();

// The cleartext header: authenticated (AAD of the body and covered by the signature), not secret.
struct BatchHeader {
  std::uint8_t version = kBatchFormatVersion;
  BatchKind kind = BatchKind::ImsiAllocation;
  BatchId id;
  std::uint64_t created = 0;   // seconds since 1970-01-01 UTC, sender's clock (informational)
  std::uint64_t sequence = 0;  // per sender → recipient, strictly increasing (REQ-HO-58)
  OperatorId sender;
  OperatorId recipient;
  crypto::X25519PublicKey ephemeral;  // the sender's one-time X25519 public key for this batch (REQ-HO-56)
};

// Step 3 record: B has set aside `imsi` for the card `iccid`.
struct AllocationRecord {
  usim::Iccid iccid;
  usim::Imsi imsi;
};

// Step 5 record: everything B needs to serve the card under its new IMSI.
struct HandOverRecord {
  usim::Iccid iccid;
  usim::Imsi imsi;
  AkaSubscription aka;
  std::vector<OtaKeySet> ota;
};

using BatchRecords = std::variant<std::vector<AllocationRecord>, std::vector<HandOverRecord>>;

struct Batch {
  BatchHeader header;
  BatchRecords records;
  [[nodiscard]] std::size_t size() const noexcept {
    return std::visit([](const auto& v) { return v.size(); }, records);
  }
};

// REQ-HO-59..68: why a batch was rejected. A rejected batch is rejected whole: nothing of it is applied.
enum class BatchError {
  Truncated,              // the file ends before a field it announces (REQ-HO-59)
  Garbage,                // not a batch file: bad magic, bad lengths, trailing bytes, invalid id text (REQ-HO-59)
  UnsupportedVersion,     // a format version this code does not speak (REQ-HO-55)
  UnknownKind,            // neither allocation nor hand-over (REQ-HO-55)
  WrongRecipient,         // addressed to another operator (REQ-HO-57)
  UnknownSender,          // the sender is not in the receiver's directory (REQ-HO-54)
  BadSignature,           // Ed25519 over header and ciphertext fails: tampered or forged (REQ-HO-56)
  Replayed,               // this batch id was accepted before (REQ-HO-58)
  StaleSequence,          // sequence not above the last accepted from this sender (REQ-HO-58)
  DecryptionFailed,       // AES-GCM authentication fails under the derived key (REQ-HO-56)
  MalformedBody,          // the decrypted body does not parse (REQ-HO-60)
  MalformedIccid,         // an ICCID is not 18-20 digits with a valid Luhn digit (REQ-HO-61)
  MalformedImsi,          // an IMSI is not a valid TS 23.003 IMSI (REQ-HO-61)
  MalformedSubscription,  // bad key set / SQN state / key length in a hand-over record (REQ-HO-63)
  EmptyBatch,             // no records (REQ-HO-60)
  DuplicateIccid,         // the same ICCID twice (REQ-HO-64)
  DuplicateImsi,          // the same IMSI twice (REQ-HO-64)
  ImsiOutOfRange,         // an IMSI outside B's ranges (REQ-HO-65)
  ImsiInUse,              // an IMSI that B's HSS already uses for another card (REQ-HO-66)
};
[[nodiscard]] std::string_view to_string(BatchError e) noexcept;

// The error plus where: `record` is the 0-based index of the offending record when there is one. `detail` is
// human text built from public values only (ICCIDs, IMSIs, ids), never key material.
struct BatchRejection {
  BatchError error;
  std::optional<std::size_t> record;
  std::string detail;
};
[[nodiscard]] std::string describe(const BatchRejection& r);

// ---- what the receiver validates against (caller-supplied, normally its durable store) ----

// REQ-HO-58: the receiver's durable replay state.
class ReplayView {
 public:
  virtual ~ReplayView() = default;
  [[nodiscard]] virtual bool seen(const BatchId& id) const = 0;
  // The highest sequence accepted from `sender`, if any.
  [[nodiscard]] virtual std::optional<std::uint64_t> last_sequence(const OperatorId& sender) const = 0;
};

// REQ-HO-65/66: a view of B's HSS — which IMSIs B owns, and which it already uses.
class ImsiView {
 public:
  virtual ~ImsiView() = default;
  [[nodiscard]] virtual bool in_range(const usim::Imsi& imsi) const = 0;
  // True when the IMSI is active in B's HSS, or set aside for a card other than `iccid`. An IMSI that B set aside
  // for this very card (in its allocation) is not "in use" for that card.
  [[nodiscard]] virtual bool in_use(const usim::Imsi& imsi, const usim::Iccid& iccid) const = 0;
};

}  // namespace mnoswitch::operators
