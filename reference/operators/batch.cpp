// spec/formats.md §Crypto construction, §Validation (REQ-HO-53..68): seal and open a batch file.
#include "reference/operators/batch.hpp"

#include <fmt/format.h>

#include <set>

#include "reference/crypto/aes_gcm.hpp"
#include "reference/crypto/ed25519.hpp"
#include "reference/crypto/hkdf.hpp"
#include "reference/crypto/random.hpp"
#include "reference/crypto/x25519.hpp"
#include "reference/operators/batch_codec.hpp"

namespace mnoswitch::operators {
namespace {

constexpr std::string_view kKeyLabel = "mnoswitch/batch/v1/key";
constexpr std::string_view kSigLabel = "mnoswitch/batch/v1/sig";
constexpr std::uint64_t kMaxHeaderNumber = (std::uint64_t{1} << 63) - 1;

ByteSpan text_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

BatchRejection reject(BatchError e, std::string detail = {}, std::optional<std::size_t> record = std::nullopt) {
  return BatchRejection{e, record, std::move(detail)};
}

struct ContentKeyTag {};
// HKDF output: AES-256 key ‖ 96-bit nonce. Each batch has a fresh ephemeral key, so each key is used once.
using ContentKeyMaterial = Secret<crypto::kAes256KeySize + crypto::kGcmNonceSize, ContentKeyTag>;

// REQ-HO-56: salt = batch id; info = label ‖ 0 ‖ version ‖ kind ‖ sender ‖ recipient ‖ ephemeral public key ‖
// recipient's encryption key ‖ sender's signing key. Binding all of them means a body cannot be moved under another
// header, sender, recipient, version or batch id: its key would differ.
Bytes kdf_info(const BatchHeader& h, const crypto::X25519PublicKey& recipient_enc,
               const crypto::Ed25519PublicKey& sender_sig) {
  Writer w;
  w.bytes(text_bytes(kKeyLabel)).u8(0).u8(h.version).u8(static_cast<std::uint8_t>(h.kind));
  w.u8(static_cast<std::uint8_t>(h.sender.str().size())).bytes(text_bytes(h.sender.str()));
  w.u8(static_cast<std::uint8_t>(h.recipient.str().size())).bytes(text_bytes(h.recipient.str()));
  w.bytes(h.ephemeral.span()).bytes(recipient_enc.span()).bytes(sender_sig.span());
  return std::move(w).take();
}

struct ContentKey {
  crypto::Aes256GcmKey key;
  crypto::GcmNonce nonce;
};

ContentKey content_key(const crypto::X25519SharedSecret& shared, const BatchHeader& h,
                       const crypto::X25519PublicKey& recipient_enc, const crypto::Ed25519PublicKey& sender_sig) {
  ContentKeyMaterial okm;
  Bytes info = kdf_info(h, recipient_enc, sender_sig);
  if (crypto::hkdf_sha256(shared.expose(), h.id.span(), info, okm.expose_mut()).failed()) std::abort();
  auto all = okm.expose();
  return ContentKey{crypto::Aes256GcmKey(all.first<crypto::kAes256KeySize>()),
                    crypto::GcmNonce(ByteArray<crypto::kGcmNonceSize>(
                        to_array<crypto::kGcmNonceSize>(all.last<crypto::kGcmNonceSize>())))};
}

Bytes signature_message(ByteSpan signed_part) {
  Writer w;
  w.bytes(text_bytes(kSigLabel)).u8(0).bytes(signed_part);
  return std::move(w).take();
}

// REQ-HO-60, REQ-HO-63, REQ-HO-64: rules that need only the records themselves.
Status<BatchRejection> check_records_alone(const BatchRecords& records) {
  std::set<std::string> iccids;
  std::set<std::string> imsis;
  auto check_ids = [&](const usim::Iccid& iccid, const usim::Imsi& imsi, std::size_t i) -> Status<BatchRejection> {
    if (!iccids.insert(iccid.digits()).second)
      return err(reject(BatchError::DuplicateIccid, fmt::format("ICCID {} appears twice", iccid.digits()), i));
    if (!imsis.insert(imsi.digits()).second)
      return err(reject(BatchError::DuplicateImsi, fmt::format("IMSI {} appears twice", imsi.digits()), i));
    return ok_unit;
  };
  if (std::visit([](const auto& v) { return v.empty(); }, records)) return err(reject(BatchError::EmptyBatch));
  if (std::visit([](const auto& v) { return v.size() > kMaxBatchRecords; }, records))
    return err(reject(BatchError::MalformedBody, "too many records"));
  if (const auto* alloc = std::get_if<std::vector<AllocationRecord>>(&records)) {
    for (std::size_t i = 0; i < alloc->size(); ++i) {
      auto s = check_ids((*alloc)[i].iccid, (*alloc)[i].imsi, i);
      if (s.failed()) return s;
    }
    return ok_unit;
  }
  const auto& ho = std::get<std::vector<HandOverRecord>>(records);
  for (std::size_t i = 0; i < ho.size(); ++i) {
    const auto& rec = ho[i];
    if (auto why = check_aka(rec.aka); !why.empty())
      return err(reject(BatchError::MalformedSubscription, std::string(why), i));
    if (rec.ota.size() > 255) return err(reject(BatchError::MalformedSubscription, "more than 255 key sets", i));
    std::set<std::uint8_t> kvns;
    for (const auto& ks : rec.ota) {
      if (auto why = check_key_set(ks); !why.empty())
        return err(reject(BatchError::MalformedSubscription, std::string(why), i));
      if (!kvns.insert(ks.kvn).second)
        return err(reject(BatchError::MalformedSubscription, "two key sets with the same KVN", i));
    }
    auto s = check_ids(rec.iccid, rec.imsi, i);
    if (s.failed()) return s;
  }
  return ok_unit;
}

// REQ-HO-65, REQ-HO-66: rules against B's HSS.
Status<BatchRejection> check_against_hss(const BatchRecords& records, const ImsiView& imsis) {
  auto check = [&](const usim::Iccid& iccid, const usim::Imsi& imsi, std::size_t i) -> Status<BatchRejection> {
    if (!imsis.in_range(imsi))
      return err(reject(BatchError::ImsiOutOfRange, fmt::format("IMSI {} is outside B's ranges", imsi.digits()), i));
    if (imsis.in_use(imsi, iccid))
      return err(reject(BatchError::ImsiInUse, fmt::format("IMSI {} is already in use", imsi.digits()), i));
    return ok_unit;
  };
  return std::visit(
      [&](const auto& v) -> Status<BatchRejection> {
        for (std::size_t i = 0; i < v.size(); ++i) {
          auto s = check(v[i].iccid, v[i].imsi, i);
          if (s.failed()) return s;
        }
        return ok_unit;
      },
      records);
}

}  // namespace

Result<Bytes, BatchRejection> seal_encoded_body(const OperatorIdentity& sender, const OperatorPublic& recipient,
                                                BatchKind kind, ByteSpan body, const SealOptions& options) {
  if (options.sequence > kMaxHeaderNumber || options.created > kMaxHeaderNumber)
    return err(reject(BatchError::Garbage, "created or sequence above 2^63 - 1"));
  crypto::X25519PrivateKey eph = crypto::x25519_generate();
  BatchHeader h{kBatchFormatVersion,
                kind,
                options.id ? *options.id : random_batch_id(),
                options.created,
                options.sequence,
                sender.id(),
                recipient.id,
                crypto::x25519_public(eph)};

  auto shared = crypto::x25519(eph, recipient.encryption);
  // Only a small-order recipient key makes this fail: that key was never a real operator key.
  if (shared.failed()) return err(reject(BatchError::WrongRecipient, "recipient encryption key is degenerate"));
  ContentKey ck = content_key(shared.value(), h, recipient.encryption, sender.public_keys().signing);

  Bytes header = encode_header(h);
  crypto::GcmSealed sealed = crypto::aes256gcm_seal(ck.key, ck.nonce, header, body);
  Bytes signed_part = encode_signed_part(header, sealed.ciphertext, sealed.tag);
  crypto::Ed25519Signature sig = crypto::ed25519_sign(sender.signing_key(), signature_message(signed_part));
  signed_part.insert(signed_part.end(), sig.bytes().begin(), sig.bytes().end());
  return signed_part;
}

Result<Bytes, BatchRejection> seal_batch(const OperatorIdentity& sender, const OperatorPublic& recipient,
                                         const BatchRecords& records, const SealOptions& options) {
  // REQ-HO-68: the sender applies the receiver's rules on form to its own records first.
  auto ok = check_records_alone(records);
  if (ok.failed()) return err(std::move(ok).error());
  BatchKind kind =
      std::holds_alternative<std::vector<AllocationRecord>>(records) ? BatchKind::ImsiAllocation : BatchKind::HandOver;
  BatchBody body = encode_body(records);
  return seal_encoded_body(sender, recipient, kind, body.expose(), options);
}

Result<BatchHeader, BatchRejection> peek_batch_header(ByteSpan file) {
  auto env = parse_envelope(file);
  if (env.failed()) return err(std::move(env).error());
  return env.value().header;
}

Result<Batch, BatchRejection> open_batch(ByteSpan file, const OperatorIdentity& me, const OperatorDirectory& peers,
                                         const ReplayView& replay, const ImsiView& imsis) {
  auto env_r = parse_envelope(file);
  if (env_r.failed()) return err(std::move(env_r).error());
  const Envelope& env = env_r.value();
  const BatchHeader& h = env.header;

  // REQ-HO-57: addressed to us?
  if (h.recipient != me.id())
    return err(
        reject(BatchError::WrongRecipient, fmt::format("addressed to {}, not {}", h.recipient.str(), me.id().str())));
  // REQ-HO-54: from a peer we know?
  const OperatorPublic* sender = peers.find(h.sender);
  if (sender == nullptr) return err(reject(BatchError::UnknownSender, fmt::format("sender {}", h.sender.str())));
  // REQ-HO-56: signature over header ‖ ciphertext ‖ tag, before anything else is believed.
  if (!crypto::ed25519_verify(sender->signing, signature_message(env.signed_bytes), env.signature))
    return err(reject(BatchError::BadSignature, fmt::format("from {}", h.sender.str())));
  // REQ-HO-58: replay, against the receiver's durable record.
  if (replay.seen(h.id)) return err(reject(BatchError::Replayed, "batch id already accepted"));
  if (auto last = replay.last_sequence(h.sender); last && h.sequence <= *last)
    return err(reject(BatchError::StaleSequence, fmt::format("sequence {} not above {}", h.sequence, *last)));
  // REQ-HO-56: decrypt with the key only this recipient can derive.
  auto shared = crypto::x25519(me.encryption_key(), h.ephemeral);
  if (shared.failed()) return err(reject(BatchError::DecryptionFailed, "degenerate ephemeral key"));
  ContentKey ck = content_key(shared.value(), h, me.public_keys().encryption, sender->signing);
  auto body = crypto::aes256gcm_open(ck.key, ck.nonce, env.header_bytes, env.ciphertext, env.tag);
  if (body.failed()) return err(reject(BatchError::DecryptionFailed));
  // REQ-HO-60..63: body syntax.
  auto records = decode_body(h.kind, body.value().expose());
  if (records.failed()) return err(std::move(records).error());
  // REQ-HO-60, REQ-HO-63, REQ-HO-64: emptiness, key sets, duplicates.
  auto alone = check_records_alone(records.value());
  if (alone.failed()) return err(std::move(alone).error());
  // REQ-HO-65, REQ-HO-66: against B's HSS.
  auto hss = check_against_hss(records.value(), imsis);
  if (hss.failed()) return err(std::move(hss).error());
  return Batch{h, std::move(records).value()};
}

// ---- batch_types.hpp helpers ----
std::string_view to_string(BatchKind k) noexcept {
  switch (k) {
    case BatchKind::ImsiAllocation:
      return "imsi-allocation";
    case BatchKind::HandOver:
      return "hand-over";
  }
  return "unknown";
}

BatchId random_batch_id() {
  ByteArray<kBatchIdSize> b{};
  crypto::random_bytes(b);
  return BatchId(b);
}

std::string_view to_string(BatchError e) noexcept {
  switch (e) {
    case BatchError::Truncated:
      return "truncated";
    case BatchError::Garbage:
      return "garbage";
    case BatchError::UnsupportedVersion:
      return "unsupported-version";
    case BatchError::UnknownKind:
      return "unknown-kind";
    case BatchError::WrongRecipient:
      return "wrong-recipient";
    case BatchError::UnknownSender:
      return "unknown-sender";
    case BatchError::BadSignature:
      return "bad-signature";
    case BatchError::Replayed:
      return "replayed";
    case BatchError::StaleSequence:
      return "stale-sequence";
    case BatchError::DecryptionFailed:
      return "decryption-failed";
    case BatchError::MalformedBody:
      return "malformed-body";
    case BatchError::MalformedIccid:
      return "malformed-iccid";
    case BatchError::MalformedImsi:
      return "malformed-imsi";
    case BatchError::MalformedSubscription:
      return "malformed-subscription";
    case BatchError::EmptyBatch:
      return "empty-batch";
    case BatchError::DuplicateIccid:
      return "duplicate-iccid";
    case BatchError::DuplicateImsi:
      return "duplicate-imsi";
    case BatchError::ImsiOutOfRange:
      return "imsi-out-of-range";
    case BatchError::ImsiInUse:
      return "imsi-in-use";
  }
  return "unknown";
}

// REQ-HO-67: error name, record index, public detail only.
std::string describe(const BatchRejection& r) {
  std::string out(to_string(r.error));
  if (r.record) out += fmt::format(" (record {})", *r.record);
  if (!r.detail.empty()) out += fmt::format(": {}", r.detail);
  return out;
}

}  // namespace mnoswitch::operators
