// spec/formats.md §Envelope, §Body: encoders beside their strict decoders (REQ-HO-55, REQ-HO-59..63).
#include "reference/operators/batch_codec.hpp"

#include <fmt/format.h>

#include "reference/crypto/wipe.hpp"

namespace mnoswitch::operators {
namespace {

constexpr std::size_t kCreatedSize = 8;
constexpr std::size_t kSequenceSize = 8;
constexpr std::size_t kLengthSize = 4;
constexpr std::uint64_t kMaxHeaderNumber = (std::uint64_t{1} << 63) - 1;
constexpr std::uint8_t kConstantsStandard = 0;  // TS 35.206 §4.1 r1..r5, c1..c5
constexpr std::uint8_t kConstantsExplicit = 1;  // r1..r5 (5 octets) ‖ c1..c5 (5 × 16 octets) follow
constexpr std::uint8_t kOpIsOp = 1;
constexpr std::uint8_t kOpIsOpc = 2;

BatchRejection reject(BatchError e, std::string detail = {}, std::optional<std::size_t> record = std::nullopt) {
  return BatchRejection{e, record, std::move(detail)};
}

void put_text(Writer& w, std::string_view s) {
  w.u8(static_cast<std::uint8_t>(s.size()));
  w.bytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::string_view as_text(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool same_constants(const aka::MilenageProfile& a, const aka::MilenageProfile& b) {
  return a.r == b.r && a.c == b.c;
}

void put_aka(Writer& w, const AkaSubscription& a) {
  w.bytes(a.k.expose());
  if (const auto* op = std::get_if<aka::Op>(&a.op)) {
    w.u8(kOpIsOp).bytes(op->expose());
  } else {
    w.u8(kOpIsOpc).bytes(std::get<aka::Opc>(a.op).expose());
  }
  if (same_constants(a.constants, aka::kStandardConstants)) {
    w.u8(kConstantsStandard);
  } else {
    w.u8(kConstantsExplicit);
    for (auto r : a.constants.r) w.u8(r);
    for (const auto& c : a.constants.c) w.bytes(c);
  }
  w.u8(static_cast<std::uint8_t>(a.sqn.layout.ind_bits()));
  w.be(a.sqn.seq_he, aka::kSqnSize).be(a.sqn.next_ind, 2);
}

void put_key_set(Writer& w, const OtaKeySet& ks) {
  w.u8(ks.kvn).u8(ks.kic).u8(ks.kid);
  w.u8(static_cast<std::uint8_t>(ks.kic_key.size())).bytes(ks.kic_key.expose());
  w.u8(static_cast<std::uint8_t>(ks.kid_key.size())).bytes(ks.kid_key.expose());
  w.be(ks.counter, 5);
}

// Reads "length octet ‖ text"; a failure here is a structural body error.
Result<std::string_view, ReadError> get_text(Reader& r) {
  auto n = MNOSWITCH_TRY(r.u8());
  auto b = MNOSWITCH_TRY(r.take(n));
  return as_text(b);
}

struct Ids {
  usim::Iccid iccid;
  usim::Imsi imsi;
};

// ICCID, IMSI and MNC length of record `i`, parsed into their types (REQ-HO-61).
Result<Ids, BatchRejection> get_ids(Reader& r, std::size_t i) {
  auto iccid_t = get_text(r);
  auto imsi_t = get_text(r);
  auto mnc = r.u8();
  if (iccid_t.failed() || imsi_t.failed() || mnc.failed())
    return err(reject(BatchError::MalformedBody, "record ends early", i));
  auto iccid = usim::Iccid::parse(iccid_t.value());
  if (iccid.failed()) return err(reject(BatchError::MalformedIccid, usim::describe(iccid.error()), i));
  auto mnc_len = usim::mnc_length_from_int(mnc.value());
  if (mnc_len.failed()) return err(reject(BatchError::MalformedImsi, usim::describe(mnc_len.error()), i));
  auto imsi = usim::Imsi::parse(imsi_t.value(), mnc_len.value());
  if (imsi.failed()) return err(reject(BatchError::MalformedImsi, usim::describe(imsi.error()), i));
  return Ids{std::move(iccid).value(), std::move(imsi).value()};
}

template <std::size_t N, class Tag>
Result<Secret<N, Tag>, ReadError> get_secret(Reader& r) {
  auto b = MNOSWITCH_TRY(r.take(N));
  return Secret<N, Tag>(b.template first<N>());
}

Result<AkaSubscription, ReadError> get_aka_raw(Reader& r, bool& bad_value) {
  auto k = MNOSWITCH_TRY((get_secret<aka::kKeySize, aka::KTag>(r)));
  auto op_kind = MNOSWITCH_TRY(r.u8());
  OperatorVariant op;
  if (op_kind == kOpIsOp) {
    op = MNOSWITCH_TRY((get_secret<aka::kKeySize, aka::OpTag>(r)));
  } else {
    if (op_kind != kOpIsOpc) bad_value = true;
    op = MNOSWITCH_TRY((get_secret<aka::kKeySize, aka::OpcTag>(r)));
  }
  aka::MilenageProfile constants = aka::kStandardConstants;
  auto cid = MNOSWITCH_TRY(r.u8());
  if (cid == kConstantsExplicit) {
    for (auto& rot : constants.r) rot = MNOSWITCH_TRY(r.u8());
    for (auto& c : constants.c) c = MNOSWITCH_TRY(r.array<16>());
  } else if (cid != kConstantsStandard) {
    bad_value = true;
  }
  auto ind_bits = MNOSWITCH_TRY(r.u8());
  auto seq_he = MNOSWITCH_TRY(r.be(aka::kSqnSize));
  auto next_ind = MNOSWITCH_TRY(r.be(2));
  auto layout = aka::SqnLayout::make(ind_bits);
  if (layout.failed()) bad_value = true;
  AkaSubscription a{std::move(k), std::move(op), constants,
                    aka::AucSqnState{layout.value_or(aka::SqnLayout{}), seq_he, next_ind}};
  return a;
}

Result<OtaKeySet, ReadError> get_key_set_raw(Reader& r) {
  OtaKeySet ks;
  ks.kvn = MNOSWITCH_TRY(r.u8());
  ks.kic = MNOSWITCH_TRY(r.u8());
  ks.kid = MNOSWITCH_TRY(r.u8());
  auto kic_len = MNOSWITCH_TRY(r.u8());
  ks.kic_key = OtaKicKey(MNOSWITCH_TRY(r.take(kic_len)));
  auto kid_len = MNOSWITCH_TRY(r.u8());
  ks.kid_key = OtaKidKey(MNOSWITCH_TRY(r.take(kid_len)));
  ks.counter = MNOSWITCH_TRY(r.be(5));
  return ks;
}

Result<std::uint32_t, BatchRejection> get_count(Reader& r, std::size_t min_record_size) {
  auto n = r.be(kLengthSize);
  if (n.failed()) return err(reject(BatchError::MalformedBody, "no record count"));
  // A count the remaining octets cannot possibly hold is rejected before anything is allocated for it.
  if (n.value() > kMaxBatchRecords || n.value() * min_record_size > r.remaining())
    return err(reject(BatchError::MalformedBody, fmt::format("record count {} does not fit the body", n.value())));
  return static_cast<std::uint32_t>(n.value());
}

// Smallest possible encoded records (empty texts), for the count plausibility check.
constexpr std::size_t kMinAllocationRecord = 3;
constexpr std::size_t kMinHandOverRecord = 3 + aka::kKeySize + 1 + aka::kKeySize + 1 + 1 + aka::kSqnSize + 2 + 1;
constexpr std::size_t kMinKeySet = 3 + 1 + 1 + 5;

Result<BatchRecords, BatchRejection> decode_allocation(Reader& r) {
  auto n = get_count(r, kMinAllocationRecord);
  if (n.failed()) return err(std::move(n).error());
  std::vector<AllocationRecord> out;
  out.reserve(n.value());
  for (std::size_t i = 0; i < n.value(); ++i) {
    auto ids = get_ids(r, i);
    if (ids.failed()) return err(std::move(ids).error());
    out.push_back(AllocationRecord{std::move(ids.value().iccid), std::move(ids.value().imsi)});
  }
  return BatchRecords{std::move(out)};
}

Result<BatchRecords, BatchRejection> decode_hand_over(Reader& r) {
  auto n = get_count(r, kMinHandOverRecord);
  if (n.failed()) return err(std::move(n).error());
  std::vector<HandOverRecord> out;
  out.reserve(n.value());
  for (std::size_t i = 0; i < n.value(); ++i) {
    auto ids = get_ids(r, i);
    if (ids.failed()) return err(std::move(ids).error());
    bool bad_value = false;
    auto a = get_aka_raw(r, bad_value);
    if (a.failed()) return err(reject(BatchError::MalformedBody, "record ends early", i));
    if (bad_value)
      return err(reject(BatchError::MalformedSubscription, "unknown OP kind, constants id or IND length", i));
    if (auto why = check_aka(a.value()); !why.empty())
      return err(reject(BatchError::MalformedSubscription, std::string(why), i));
    auto nks = r.u8();
    if (nks.failed() || nks.value() * kMinKeySet > r.remaining())
      return err(reject(BatchError::MalformedBody, "key set count does not fit", i));
    std::vector<OtaKeySet> sets;
    sets.reserve(nks.value());
    for (std::size_t j = 0; j < nks.value(); ++j) {
      auto ks = get_key_set_raw(r);
      if (ks.failed()) return err(reject(BatchError::MalformedBody, "key set ends early", i));
      if (auto why = check_key_set(ks.value()); !why.empty())
        return err(reject(BatchError::MalformedSubscription, std::string(why), i));
      for (const auto& other : sets)
        if (other.kvn == ks.value().kvn)
          return err(reject(BatchError::MalformedSubscription, "two key sets with the same KVN", i));
      sets.push_back(std::move(ks).value());
    }
    out.push_back(HandOverRecord{std::move(ids.value().iccid), std::move(ids.value().imsi), std::move(a).value(),
                                 std::move(sets)});
  }
  return BatchRecords{std::move(out)};
}

}  // namespace

Bytes encode_header(const BatchHeader& h) {
  Writer w;
  w.bytes(kBatchMagic).u8(h.version).u8(static_cast<std::uint8_t>(h.kind));
  w.bytes(h.id.span()).be(h.created, kCreatedSize).be(h.sequence, kSequenceSize);
  put_text(w, h.sender.str());
  put_text(w, h.recipient.str());
  w.bytes(h.ephemeral.span());
  return std::move(w).take();
}

Bytes encode_signed_part(ByteSpan header, ByteSpan ciphertext, const crypto::GcmTag& tag) {
  Writer w;
  w.bytes(header).be(ciphertext.size(), kLengthSize).bytes(ciphertext).bytes(tag.span());
  return std::move(w).take();
}

Result<Envelope, BatchRejection> parse_envelope(ByteSpan file) {
  Reader r(file);
  auto magic = r.take(sizeof kBatchMagic);
  if (magic.failed()) return err(reject(BatchError::Truncated, "shorter than the magic"));
  if (!std::equal(magic.value().begin(), magic.value().end(), std::begin(kBatchMagic)))
    return err(reject(BatchError::Garbage, "not a batch file (magic)"));
  auto version = r.u8();
  if (version.failed()) return err(reject(BatchError::Truncated, "no version"));
  if (version.value() != kBatchFormatVersion)
    return err(reject(BatchError::UnsupportedVersion, fmt::format("format version {}", version.value())));
  auto kind = r.u8();
  if (kind.failed()) return err(reject(BatchError::Truncated, "no kind"));
  if (kind.value() != static_cast<std::uint8_t>(BatchKind::ImsiAllocation) &&
      kind.value() != static_cast<std::uint8_t>(BatchKind::HandOver))
    return err(reject(BatchError::UnknownKind, fmt::format("kind {}", kind.value())));
  auto id = r.array<kBatchIdSize>();
  auto created = r.be(kCreatedSize);
  auto sequence = r.be(kSequenceSize);
  if (id.failed() || created.failed() || sequence.failed()) return err(reject(BatchError::Truncated, "header"));
  // Stored as SQLite INTEGER (signed 64-bit): the top bit must be clear.
  if (created.value() > kMaxHeaderNumber || sequence.value() > kMaxHeaderNumber)
    return err(reject(BatchError::Garbage, "created or sequence above 2^63 - 1"));
  auto sender_t = get_text(r);
  auto recipient_t = get_text(r);
  if (sender_t.failed() || recipient_t.failed()) return err(reject(BatchError::Truncated, "operator ids"));
  auto sender = OperatorId::parse(sender_t.value());
  auto recipient = OperatorId::parse(recipient_t.value());
  if (!sender || !recipient) return err(reject(BatchError::Garbage, "invalid operator id text"));
  auto eph = r.array<crypto::kX25519KeySize>();
  if (eph.failed()) return err(reject(BatchError::Truncated, "ephemeral key"));
  std::size_t header_end = r.position();
  auto ct_len = r.be(kLengthSize);
  if (ct_len.failed()) return err(reject(BatchError::Truncated, "ciphertext length"));
  // The rest must be exactly ciphertext ‖ tag ‖ signature.
  std::size_t need = ct_len.value() + crypto::kGcmTagSize + crypto::kEd25519SignatureSize;
  if (r.remaining() < need) return err(reject(BatchError::Truncated, "ciphertext, tag or signature"));
  if (r.remaining() > need) return err(reject(BatchError::Garbage, "trailing bytes"));
  auto ct = r.take(ct_len.value()).value();
  auto tag = r.array<crypto::kGcmTagSize>().value();
  std::size_t signed_end = r.position();
  auto sig = r.array<crypto::kEd25519SignatureSize>().value();

  Envelope e{BatchHeader{version.value(), static_cast<BatchKind>(kind.value()), BatchId(id.value()), created.value(),
                         sequence.value(), *sender, *recipient, crypto::X25519PublicKey(eph.value())},
             file.first(header_end),
             file.first(signed_end),
             ct,
             crypto::GcmTag(tag),
             crypto::Ed25519Signature(sig)};
  return e;
}

BatchBody encode_body(const BatchRecords& records) {
  Writer w;
  // Reserve up front so that growing the buffer never leaves copies of keys in freed memory.
  constexpr std::size_t kGenerousRecordSize = 1024;
  w.buffer().reserve(4 + kGenerousRecordSize * std::visit([](const auto& v) { return v.size(); }, records));
  if (const auto* alloc = std::get_if<std::vector<AllocationRecord>>(&records)) {
    w.be(alloc->size(), kLengthSize);
    for (const auto& rec : *alloc) {
      put_text(w, rec.iccid.digits());
      put_text(w, rec.imsi.digits());
      w.u8(static_cast<std::uint8_t>(rec.imsi.mnc_length()));
    }
  } else {
    const auto& ho = std::get<std::vector<HandOverRecord>>(records);
    w.be(ho.size(), kLengthSize);
    for (const auto& rec : ho) {
      put_text(w, rec.iccid.digits());
      put_text(w, rec.imsi.digits());
      w.u8(static_cast<std::uint8_t>(rec.imsi.mnc_length()));
      put_aka(w, rec.aka);
      w.u8(static_cast<std::uint8_t>(rec.ota.size()));
      for (const auto& ks : rec.ota) put_key_set(w, ks);
    }
  }
  Bytes raw = std::move(w).take();
  BatchBody out(raw);
  crypto::secure_wipe(raw);
  return out;
}

Result<BatchRecords, BatchRejection> decode_body(BatchKind kind, ByteSpan body) {
  Reader r(body);
  auto records = kind == BatchKind::ImsiAllocation ? decode_allocation(r) : decode_hand_over(r);
  if (records.failed()) return records;
  if (r.finish().failed()) return err(reject(BatchError::MalformedBody, "trailing bytes after the last record"));
  return records;
}

}  // namespace mnoswitch::operators
