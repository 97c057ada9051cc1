// spec/formats.md §Batch files (REQ-HO-53..69): sealing a batch to its recipient (ephemeral X25519 + HKDF-SHA-256 +
// AES-256-GCM with the header as AAD, Ed25519 signature by the sender) and opening it with every check, in the
// order the spec fixes. Pure functions: the receiver's state comes in as views and is never modified here.
#pragma once

#include <cstdint>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/operators/batch_types.hpp"
#include "reference/operators/identity.hpp"

namespace mnoswitch::operators {

struct SealOptions {
  std::uint64_t sequence = 0;  // the sender's next sequence number for this recipient
  std::uint64_t created = 0;   // seconds since the epoch
  std::optional<BatchId> id;   // random if not given (tests pin it)
};

// REQ-HO-53..56: builds the file. The records are checked with the same syntax rules the receiver applies (a
// sender never emits a batch the receiver must reject for its form): MalformedSubscription, Duplicate*, EmptyBatch.
[[nodiscard]] Result<Bytes, BatchRejection> seal_batch(const OperatorIdentity& sender, const OperatorPublic& recipient,
                                                       const BatchRecords& records, const SealOptions& options);

// The construction alone, over an already encoded body and with NO check of the records: for tests and tools
// that must produce batches a receiver rejects for their content (duplicates, bad ICCIDs). Not for production.
[[nodiscard]] Result<Bytes, BatchRejection> seal_encoded_body(const OperatorIdentity& sender,
                                                              const OperatorPublic& recipient, BatchKind kind,
                                                              ByteSpan body, const SealOptions& options);

// The cleartext header only (for `batch inspect` without keys, and for logs). Verifies nothing.
[[nodiscard]] Result<BatchHeader, BatchRejection> peek_batch_header(ByteSpan file);

// REQ-HO-54..68, in this order: structure (Truncated, Garbage, UnsupportedVersion, UnknownKind), WrongRecipient,
// UnknownSender, BadSignature, Replayed, StaleSequence, DecryptionFailed, body syntax (MalformedBody,
// MalformedIccid, MalformedImsi, MalformedSubscription), EmptyBatch, DuplicateIccid, DuplicateImsi,
// ImsiOutOfRange, ImsiInUse. The first failing check names the rejection; nothing is returned from a rejected file.
// `imsis` is the view of B's HSS: for a hand-over B's own, for an allocation what A knows of B's ranges.
[[nodiscard]] Result<Batch, BatchRejection> open_batch(ByteSpan file, const OperatorIdentity& me,
                                                       const OperatorDirectory& peers, const ReplayView& replay,
                                                       const ImsiView& imsis);

}  // namespace mnoswitch::operators
