// spec/formats.md §Batch files, §Envelope and §Body (REQ-HO-55, REQ-HO-59..63): the byte layout of a batch file,
// without any cryptography. Parsing is strict: every length is checked, nothing may trail.
#pragma once

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/core/secret.hpp"
#include "reference/crypto/aes_gcm.hpp"
#include "reference/crypto/ed25519.hpp"
#include "reference/operators/batch_types.hpp"

namespace mnoswitch::operators {

inline constexpr std::uint8_t kBatchMagic[4] = {'M', 'N', 'O', 'B'};

// A parsed but not yet verified file. The spans point into the caller's buffer.
struct Envelope {
  BatchHeader header;
  ByteSpan header_bytes;  // magic .. ephemeral key: the AAD of the body
  ByteSpan signed_bytes;  // everything before the signature
  ByteSpan ciphertext;
  crypto::GcmTag tag;
  crypto::Ed25519Signature signature;
};

[[nodiscard]] Bytes encode_header(const BatchHeader& h);
// header ‖ u32 ciphertext length ‖ ciphertext ‖ tag (the part the signature covers).
[[nodiscard]] Bytes encode_signed_part(ByteSpan header, ByteSpan ciphertext, const crypto::GcmTag& tag);
// REQ-HO-55, REQ-HO-59: Truncated, Garbage, UnsupportedVersion, UnknownKind.
[[nodiscard]] Result<Envelope, BatchRejection> parse_envelope(ByteSpan file);

struct BatchBodyTag {};
// The decrypted body may hold K, OP/OPc and OTA keys: it lives in wiped memory.
using BatchBody = SecretBytes<BatchBodyTag>;
[[nodiscard]] BatchBody encode_body(const BatchRecords& records);
// REQ-HO-60..63: MalformedBody, MalformedIccid, MalformedImsi, MalformedSubscription (structure and syntax of each
// record; duplicates and ranges are checked by the caller, which knows the receiver's state).
[[nodiscard]] Result<BatchRecords, BatchRejection> decode_body(BatchKind kind, ByteSpan body);

}  // namespace mnoswitch::operators
