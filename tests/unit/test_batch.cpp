// Batch files (spec/formats.md §Batch files): round trips and every rejection reason, each rejected whole with the
// receiver's store unchanged. REQ-HO-53..69.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "reference/core/format.hpp"
#include "reference/operators/batch_codec.hpp"
#include "tests/support/batch_fixture.hpp"

using namespace mnoswitch;
using namespace mnoswitch::operators;
using namespace mnoswitch::testing;

namespace {

// B's store with its range, and A's sealed hand-over of `count` cards with sequence `seq`.
struct HandOverSetup {
  Operators ops;
  TempDir dir;
  OperatorStore b_store = OperatorStore::open(dir.file("b.db"), db::Synchronous::Full, ops.b.id()).value();
  HandOverSetup() { REQUIRE(b_store.add_imsi_range(range_b()).ok()); }

  Bytes seal(std::vector<HandOverRecord> recs, std::uint64_t seq = 1) {
    return seal_batch(ops.a, ops.b.public_keys(), BatchRecords{std::move(recs)}, SealOptions{seq, 1'700'000'000, {}})
        .value();
  }
  Bytes seal_raw(BatchKind kind, const BatchRecords& recs, std::uint64_t seq = 1) {
    BatchBody body = encode_body(recs);
    return seal_encoded_body(ops.a, ops.b.public_keys(), kind, body.expose(), SealOptions{seq, 1'700'000'000, {}})
        .value();
  }
  // Accept must fail with `want`, and the store must be byte-for-byte what it was (REQ-HO-69).
  void expect_rejected(ByteSpan file, BatchError want) {
    std::string before = snapshot(b_store);
    auto r = b_store.accept_batch(file, ops.b, ops.b_peers);
    REQUIRE(r.failed());
    const auto* rej = std::get_if<BatchRejection>(&r.error());
    REQUIRE(rej != nullptr);
    INFO(describe(*rej));
    CHECK(rej->error == want);
    CHECK(snapshot(b_store) == before);
  }
};

Bytes patch_digit(Bytes body, std::string_view digits, char replacement) {
  auto it = std::search(body.begin(), body.end(), digits.begin(), digits.end());
  REQUIRE(it != body.end());
  *(it + static_cast<std::ptrdiff_t>(digits.size()) - 1) = static_cast<std::uint8_t>(replacement);
  return body;
}

}  // namespace

TEST_CASE("hand-over batch round trip: B's HSS and OTA tables hold exactly what A sent",
          "[batch][REQ-HO-62][REQ-HO-76][REQ-HO-79]") {
  HandOverSetup s;
  auto recs = hand_overs(1, 3);
  std::vector<HandOverRecord> copy;
  for (const auto& r : recs) copy.push_back(r);
  Bytes f = s.seal(std::move(copy), 7);
  auto receipt = s.b_store.accept_batch(f, s.ops.b, s.ops.b_peers);
  REQUIRE(receipt.ok());
  CHECK(receipt.value().records == 3);
  CHECK(receipt.value().header.kind == BatchKind::HandOver);
  CHECK(receipt.value().header.sequence == 7);
  CHECK(receipt.value().header.sender == s.ops.a.id());
  for (const auto& r : recs) {
    auto got = s.b_store.subscriber(r.imsi).value();
    REQUIRE(got.has_value());
    CHECK(got->iccid == r.iccid);
    CHECK(ct_equal(got->aka.k, r.aka.k));
    REQUIRE(std::holds_alternative<aka::Opc>(got->aka.op));
    CHECK(ct_equal(std::get<aka::Opc>(got->aka.op), std::get<aka::Opc>(r.aka.op)));
    CHECK(got->aka.sqn.seq_he == r.aka.sqn.seq_he);
    CHECK(got->aka.sqn.next_ind == r.aka.sqn.next_ind);
    CHECK(got->state == SubscriberState::Provisioned);
    auto ks = s.b_store.key_sets(r.iccid).value();
    REQUIRE(ks.size() == 1);
    CHECK(ks[0].counter == r.ota[0].counter);
    CHECK(ks[0].kic == r.ota[0].kic);
    CHECK(ct_equal(ks[0].kic_key, r.ota[0].kic_key));
    CHECK(ct_equal(ks[0].kid_key, r.ota[0].kid_key));
  }
  CHECK(s.b_store.batches_seen_count().value() == 1);
  CHECK(s.b_store.last_sequence(s.ops.a.id()) == std::optional<std::uint64_t>(7));
}

TEST_CASE("seal refuses to emit an empty batch", "[batch][REQ-HO-60][REQ-HO-68]") {
  HandOverSetup s;
  auto r =
      seal_batch(s.ops.a, s.ops.b.public_keys(), BatchRecords{std::vector<HandOverRecord>{}}, SealOptions{1, 0, {}});
  REQUIRE(r.failed());
  CHECK(r.error().error == BatchError::EmptyBatch);
}

TEST_CASE("allocation batch round trip B -> A, stored per ICCID on A's side", "[batch][REQ-HO-61][REQ-HO-79]") {
  Operators ops;
  TempDir dir;
  auto a_store = OperatorStore::open(dir.file("a.db"), db::Synchronous::Normal, ops.a.id()).value();
  Bytes f = seal_batch(ops.b, ops.a.public_keys(), BatchRecords{allocations(10, 4)}, SealOptions{1, 1, {}}).value();
  FixedImsiView b_view;
  auto receipt = a_store.accept_batch(f, ops.a, ops.a_peers, &b_view);
  REQUIRE(receipt.ok());
  CHECK(receipt.value().records == 4);
  CHECK(a_store.allocated_imsi(iccid(11)).value() == std::optional<usim::Imsi>(imsi_b(11)));
  CHECK(a_store.journal(iccid(11)).value().at(0).event == "allocation-received");
  // Outside B's range as A knows it: rejected, nothing stored.
  Bytes g = seal_batch(ops.b, ops.a.public_keys(),
                       BatchRecords{std::vector<AllocationRecord>{{iccid(20), imsi_other(20)}}}, SealOptions{2, 1, {}})
                .value();
  std::string before = snapshot(a_store);
  auto r = a_store.accept_batch(g, ops.a, ops.a_peers, &b_view);
  REQUIRE(r.failed());
  CHECK(std::get<BatchRejection>(r.error()).error == BatchError::ImsiOutOfRange);
  CHECK(snapshot(a_store) == before);
}

TEST_CASE("open_batch never returns keys in the clear in the file", "[batch][REQ-HO-56]") {
  HandOverSetup s;
  auto recs = hand_overs(1, 1);
  Bytes k(recs[0].aka.k.expose().begin(), recs[0].aka.k.expose().end());
  Bytes kic(recs[0].ota[0].kic_key.expose().begin(), recs[0].ota[0].kic_key.expose().end());
  std::vector<HandOverRecord> copy{recs[0]};
  Bytes f = s.seal(std::move(copy));
  CHECK(std::search(f.begin(), f.end(), k.begin(), k.end()) == f.end());
  CHECK(std::search(f.begin(), f.end(), kic.begin(), kic.end()) == f.end());
  // ICCIDs and IMSIs are in the encrypted body only, too.
  std::string_view digits = recs[0].iccid.digits();
  CHECK(std::search(f.begin(), f.end(), digits.begin(), digits.end()) == f.end());
}

TEST_CASE("tampering with any part is rejected: signature, header, ciphertext, tag", "[batch][REQ-HO-56]") {
  HandOverSetup s;
  Bytes f = s.seal(hand_overs(1, 2));
  auto env = parse_envelope(f).value();
  std::size_t header_len = env.header_bytes.size();
  SECTION("a ciphertext byte") {
    Bytes t = f;
    t[header_len + 4 + 3] ^= 0x01;
    s.expect_rejected(t, BatchError::BadSignature);
  }
  SECTION("a tag byte") {
    Bytes t = f;
    t[f.size() - 64 - 1] ^= 0x80;
    s.expect_rejected(t, BatchError::BadSignature);
  }
  SECTION("a signature byte") {
    Bytes t = f;
    t.back() ^= 0x01;
    s.expect_rejected(t, BatchError::BadSignature);
  }
  SECTION("the sequence number in the header") {
    Bytes t = f;
    t[4 + 1 + 1 + 16 + 8 + 7] ^= 0x02;
    s.expect_rejected(t, BatchError::BadSignature);
  }
  SECTION("the ephemeral key in the header") {
    Bytes t = f;
    t[header_len - 1] ^= 0x01;
    s.expect_rejected(t, BatchError::BadSignature);
  }
}

TEST_CASE("a validly signed body encrypted under another key fails decryption", "[batch][REQ-HO-56]") {
  HandOverSetup s;
  // A signs, but encrypts to a key that is not B's (a confused or compromised sender).
  OperatorPublic fake = s.ops.b.public_keys();
  fake.encryption = crypto::x25519_public(crypto::x25519_generate());
  std::vector<HandOverRecord> recs = hand_overs(1, 1);
  Bytes f = seal_batch(s.ops.a, fake, BatchRecords{std::move(recs)}, SealOptions{1, 0, {}}).value();
  s.expect_rejected(f, BatchError::DecryptionFailed);
}

TEST_CASE("truncated and garbage files are rejected", "[batch][REQ-HO-59]") {
  HandOverSetup s;
  Bytes f = s.seal(hand_overs(1, 1));
  s.expect_rejected(ByteSpan(f).first(f.size() - 1), BatchError::Truncated);
  s.expect_rejected(ByteSpan(f).first(f.size() / 2), BatchError::Truncated);
  s.expect_rejected(ByteSpan(f).first(3), BatchError::Truncated);
  s.expect_rejected(ByteSpan(), BatchError::Truncated);
  Bytes longer = f;
  longer.push_back(0);
  s.expect_rejected(longer, BatchError::Garbage);
  Bytes junk(300, 0x41);
  s.expect_rejected(junk, BatchError::Garbage);
}

TEST_CASE("unsupported version and unknown kind are rejected", "[batch][REQ-HO-55]") {
  HandOverSetup s;
  Bytes f = s.seal(hand_overs(1, 1));
  Bytes v2 = f;
  v2[4] = 2;
  s.expect_rejected(v2, BatchError::UnsupportedVersion);
  Bytes v0 = f;
  v0[4] = 0;
  s.expect_rejected(v0, BatchError::UnsupportedVersion);
  Bytes k3 = f;
  k3[5] = 3;
  s.expect_rejected(k3, BatchError::UnknownKind);
  // Swapping kind 2 -> 1 parses, but the signature covers the kind.
  Bytes k1 = f;
  k1[5] = 1;
  s.expect_rejected(k1, BatchError::BadSignature);
}

TEST_CASE("a batch addressed to another operator is rejected", "[batch][REQ-HO-57]") {
  HandOverSetup s;
  std::vector<HandOverRecord> recs = hand_overs(1, 1);
  Bytes f = seal_batch(s.ops.a, s.ops.m.public_keys(), BatchRecords{std::move(recs)}, SealOptions{1, 0, {}}).value();
  s.expect_rejected(f, BatchError::WrongRecipient);
}

TEST_CASE("a batch from an operator B does not know is rejected", "[batch][REQ-HO-54]") {
  HandOverSetup s;
  std::vector<HandOverRecord> recs = hand_overs(1, 1);
  Bytes f = seal_batch(s.ops.m, s.ops.b.public_keys(), BatchRecords{std::move(recs)}, SealOptions{1, 0, {}}).value();
  s.expect_rejected(f, BatchError::UnknownSender);
}

TEST_CASE("an impostor using a known sender's name fails the signature", "[batch][REQ-HO-54][REQ-HO-56]") {
  HandOverSetup s;
  // M generates its own keys under A's id: B's directory pins A's real signing key.
  OperatorIdentity fake_a = OperatorIdentity::generate(s.ops.a.id());
  std::vector<HandOverRecord> recs = hand_overs(1, 1);
  Bytes f = seal_batch(fake_a, s.ops.b.public_keys(), BatchRecords{std::move(recs)}, SealOptions{1, 0, {}}).value();
  s.expect_rejected(f, BatchError::BadSignature);
}

TEST_CASE("replays are rejected: the same file, and a stale sequence", "[batch][REQ-HO-58]") {
  HandOverSetup s;
  Bytes f = s.seal(hand_overs(1, 1), 5);
  REQUIRE(s.b_store.accept_batch(f, s.ops.b, s.ops.b_peers).ok());
  s.expect_rejected(f, BatchError::Replayed);
  s.expect_rejected(s.seal(hand_overs(2, 1), 5), BatchError::StaleSequence);
  s.expect_rejected(s.seal(hand_overs(2, 1), 4), BatchError::StaleSequence);
  CHECK(s.b_store.accept_batch(s.seal(hand_overs(2, 1), 6), s.ops.b, s.ops.b_peers).ok());
}

TEST_CASE("the seen set survives closing and reopening the store", "[batch][REQ-HO-58][REQ-HO-70]") {
  Operators ops;
  TempDir dir;
  std::vector<HandOverRecord> recs = hand_overs(1, 1);
  Bytes f = seal_batch(ops.a, ops.b.public_keys(), BatchRecords{std::move(recs)}, SealOptions{1, 0, {}}).value();
  {
    auto b = OperatorStore::open(dir.file("b.db"), db::Synchronous::Full, ops.b.id()).value();
    REQUIRE(b.add_imsi_range(range_b()).ok());
    REQUIRE(b.accept_batch(f, ops.b, ops.b_peers).ok());
  }
  auto b = OperatorStore::open(dir.file("b.db"), db::Synchronous::Full, ops.b.id()).value();
  auto r = b.accept_batch(f, ops.b, ops.b_peers);
  REQUIRE(r.failed());
  CHECK(std::get<BatchRejection>(r.error()).error == BatchError::Replayed);
}

TEST_CASE("malformed ICCID and IMSI in a signed body are rejected", "[batch][REQ-HO-61]") {
  HandOverSetup s;
  auto recs = allocations(1, 2);
  BatchBody body = encode_body(BatchRecords{recs});
  Bytes raw(body.expose().begin(), body.expose().end());
  SECTION("ICCID with a wrong Luhn digit") {
    std::string d = recs[1].iccid.digits();
    char bad = d.back() == '0' ? '1' : '0';
    Bytes b = patch_digit(raw, d, bad);
    Bytes f =
        seal_encoded_body(s.ops.a, s.ops.b.public_keys(), BatchKind::ImsiAllocation, b, SealOptions{1, 0, {}}).value();
    s.expect_rejected(f, BatchError::MalformedIccid);
  }
  SECTION("IMSI with a letter") {
    Bytes b = patch_digit(raw, recs[0].imsi.digits(), 'x');
    Bytes f =
        seal_encoded_body(s.ops.a, s.ops.b.public_keys(), BatchKind::ImsiAllocation, b, SealOptions{1, 0, {}}).value();
    s.expect_rejected(f, BatchError::MalformedImsi);
  }
  SECTION("body cut short inside a record") {
    Bytes b(raw.begin(), raw.end() - 2);
    Bytes f =
        seal_encoded_body(s.ops.a, s.ops.b.public_keys(), BatchKind::ImsiAllocation, b, SealOptions{1, 0, {}}).value();
    s.expect_rejected(f, BatchError::MalformedBody);
  }
  SECTION("a body of the other kind") {
    Bytes f =
        seal_encoded_body(s.ops.a, s.ops.b.public_keys(), BatchKind::HandOver, raw, SealOptions{1, 0, {}}).value();
    s.expect_rejected(f, BatchError::MalformedBody);
  }
}

TEST_CASE("empty batch and malformed key sets are rejected", "[batch][REQ-HO-60][REQ-HO-63]") {
  HandOverSetup s;
  s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{std::vector<HandOverRecord>{}}),
                    BatchError::EmptyBatch);
  auto recs = hand_overs(1, 1);
  SECTION("KVN 0") {
    recs[0].ota[0].kvn = 0;
    s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{recs}), BatchError::MalformedSubscription);
  }
  SECTION("KIc names another KVN") {
    recs[0].ota[0].kic = 0x22;
    s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{recs}), BatchError::MalformedSubscription);
  }
  SECTION("key of 5 octets") {
    recs[0].ota[0].kid_key = random_secret_bytes<OtaKidKeyTag>(5);
    s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{recs}), BatchError::MalformedSubscription);
  }
  SECTION("counter above 40 bits: the 5-octet field cannot carry it, so the sender refuses") {
    recs[0].ota[0].counter = kOtaCounterMax + 1;
    auto r = seal_batch(s.ops.a, s.ops.b.public_keys(), BatchRecords{recs}, SealOptions{1, 0, {}});
    REQUIRE(r.failed());
    CHECK(r.error().error == BatchError::MalformedSubscription);
  }
  SECTION("two key sets with one KVN") {
    recs[0].ota.push_back(key_set(1, 3));
    s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{recs}), BatchError::MalformedSubscription);
  }
  SECTION("SEQ_HE beyond the SQN layout") {
    recs[0].aka.sqn.seq_he = std::uint64_t{1} << 43;  // 48 - 5 IND bits
    s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{recs}), BatchError::MalformedSubscription);
  }
}

TEST_CASE("duplicate ICCID or IMSI is rejected, and seal refuses to produce one", "[batch][REQ-HO-64][REQ-HO-68]") {
  HandOverSetup s;
  auto dup_iccid = hand_overs(1, 2);
  dup_iccid[1].iccid = dup_iccid[0].iccid;
  s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{dup_iccid}), BatchError::DuplicateIccid);
  auto dup_imsi = hand_overs(1, 2);
  dup_imsi[1].imsi = dup_imsi[0].imsi;
  s.expect_rejected(s.seal_raw(BatchKind::HandOver, BatchRecords{dup_imsi}), BatchError::DuplicateImsi);
  auto r = seal_batch(s.ops.a, s.ops.b.public_keys(), BatchRecords{dup_imsi}, SealOptions{1, 0, {}});
  REQUIRE(r.failed());
  CHECK(r.error().error == BatchError::DuplicateImsi);
  CHECK(r.error().record == std::optional<std::size_t>(1));
}

TEST_CASE("an IMSI outside B's ranges is rejected", "[batch][REQ-HO-65]") {
  HandOverSetup s;
  auto recs = hand_overs(1, 3);
  recs[2].imsi = imsi_other(3);
  s.expect_rejected(s.seal(std::move(recs)), BatchError::ImsiOutOfRange);
  // Same digits, other MNC length: not B's range either.
  auto recs2 = hand_overs(1, 1);
  recs2[0].imsi = usim::Imsi::parse(recs2[0].imsi.digits(), usim::MncLength::Three).value();
  s.expect_rejected(s.seal(std::move(recs2)), BatchError::ImsiOutOfRange);
}

TEST_CASE("an IMSI already in use in B's HSS is rejected, one reserved for the same card is not",
          "[batch][REQ-HO-66]") {
  HandOverSetup s;
  // IMSI 2 is active for another card.
  auto other = hand_over(2);
  other.iccid = iccid(900);
  REQUIRE(s.b_store.put_subscriber(HssRecord{other.imsi, other.iccid, other.aka, SubscriberState::Active}).ok());
  s.expect_rejected(s.seal(hand_overs(1, 3)), BatchError::ImsiInUse);
  // IMSI 5 is reserved for another card.
  REQUIRE(s.b_store.reserve_imsi(imsi_b(5), iccid(901)).ok());
  s.expect_rejected(s.seal(hand_overs(5, 1)), BatchError::ImsiInUse);
  // IMSI 6 is reserved for card 6 itself (B's own allocation): accepted, and the reservation is consumed.
  REQUIRE(s.b_store.reserve_imsi(imsi_b(6), iccid(6)).ok());
  REQUIRE(s.b_store.accept_batch(s.seal(hand_overs(6, 1)), s.ops.b, s.ops.b_peers).ok());
  CHECK(s.b_store.subscriber(imsi_b(6)).value().has_value());
}

TEST_CASE("rejections name the record and never print key material", "[batch][REQ-HO-67]") {
  HandOverSetup s;
  auto recs = hand_overs(1, 2);
  recs[1].imsi = imsi_other(2);
  Bytes f = s.seal(std::move(recs));
  auto r = open_batch(f, s.ops.b, s.ops.b_peers, NoReplay{}, s.b_store);
  REQUIRE(r.failed());
  CHECK(r.error().record == std::optional<std::size_t>(1));
  CHECK(describe(r.error()) == "imsi-out-of-range (record 1): IMSI 262990000000002 is outside B's ranges");
  CHECK(fmt::format("{}", hand_over(1).aka.k) == "<redacted>");
}

TEST_CASE("identity key file and public JSON round trip, bad files are refused",
          "[batch][REQ-HO-50][REQ-HO-51][REQ-HO-52]") {
  auto id = OperatorIdentity::generate(op_id("mno-a"));
  auto file = encode_identity(id);
  auto back = decode_identity(file.expose());
  REQUIRE(back.ok());
  CHECK(back.value().id() == id.id());
  CHECK(ct_equal(back.value().signing_key(), id.signing_key()));
  CHECK(ct_equal(back.value().encryption_key(), id.encryption_key()));
  CHECK(back.value().public_keys().signing == id.public_keys().signing);
  Bytes cut(file.expose().begin(), file.expose().end() - 1);
  CHECK(decode_identity(cut).error() == KeyFileError::Truncated);
  auto j = public_to_json(id.public_keys());
  auto p = public_from_json(j);
  REQUIRE(p.ok());
  CHECK(p.value().encryption == id.public_keys().encryption);
  j["signing_key"] = "00";
  CHECK(public_from_json(j).failed());
  CHECK_FALSE(OperatorId::parse("MNO-A"));
  CHECK_FALSE(OperatorId::parse(""));
  CHECK_FALSE(OperatorId::parse("-a"));
  CHECK(OperatorId::parse("mno.b_2-x"));
}
