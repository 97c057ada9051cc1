// Known answers for the batch-file crypto: RFC 7748 §5.2/§6.1 (X25519), RFC 8032 §7.1 (Ed25519),
// RFC 5869 App. A (HKDF-SHA-256), McGrew-Viega GCM spec App. B / NIST SP 800-38D test cases 13-16 (AES-256-GCM).
// Every expected value is copied from those documents, none from our own output. REQ-HO-56.
#include <catch2/catch.hpp>

#include "reference/core/hex.hpp"
#include "reference/crypto/aes_gcm.hpp"
#include "reference/crypto/ed25519.hpp"
#include "reference/crypto/hkdf.hpp"
#include "reference/crypto/x25519.hpp"

using namespace mnoswitch;
using namespace mnoswitch::crypto;

namespace {
Bytes h(std::string_view s) {
  return parse_hex(s).value();
}
template <std::size_t N>
ByteArray<N> ha(std::string_view s) {
  return parse_hex_array<N>(s).value();
}
}  // namespace

TEST_CASE("X25519 RFC 7748 §5.2 single-step vector", "[crypto][kat][REQ-HO-56]") {
  X25519PrivateKey k(ha<32>("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));
  X25519PublicKey u(ha<32>("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  auto r = x25519(k, u);
  REQUIRE(r.ok());
  CHECK(to_hex(r.value().expose()) == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
}

TEST_CASE("X25519 RFC 7748 §6.1 Diffie-Hellman", "[crypto][kat][REQ-HO-56]") {
  X25519PrivateKey a(ha<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  X25519PrivateKey b(ha<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  CHECK(to_hex(x25519_public(a).span()) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(to_hex(x25519_public(b).span()) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto ka = x25519(a, x25519_public(b));
  auto kb = x25519(b, x25519_public(a));
  REQUIRE(ka.ok());
  REQUIRE(kb.ok());
  CHECK(to_hex(ka.value().expose()) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  CHECK(ct_equal(ka.value(), kb.value()));
}

TEST_CASE("X25519 rejects a small-order peer (all-zero shared secret)", "[crypto][REQ-HO-56]") {
  X25519PrivateKey a = x25519_generate();
  X25519PublicKey zero{};  // u = 0 is a point of order 4 (RFC 7748 §6.1 all-zero check)
  auto r = x25519(a, zero);
  REQUIRE(r.failed());
  CHECK(r.error() == X25519Error::DegeneratePeerKey);
}

TEST_CASE("Ed25519 RFC 8032 §7.1 TEST 1 and TEST 2", "[crypto][kat][REQ-HO-56]") {
  struct V {
    const char *sk, *pk, *msg, *sig;
  };
  const V vs[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2"
       "4655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302ae"
       "eb00d291612bb0c00"},
  };
  for (const auto& v : vs) {
    Ed25519Seed sk(ha<32>(v.sk));
    auto pk = ed25519_public(sk);
    CHECK(to_hex(pk.span()) == v.pk);
    Bytes msg = h(v.msg);
    auto sig = ed25519_sign(sk, msg);
    CHECK(to_hex(sig.span()) == v.sig);
    CHECK(ed25519_verify(pk, msg, sig));
    auto bad = sig.bytes();
    bad[10] ^= 0x01;
    CHECK_FALSE(ed25519_verify(pk, msg, Ed25519Signature(bad)));
    Bytes other = msg;
    other.push_back(0x00);
    CHECK_FALSE(ed25519_verify(pk, other, sig));
  }
}

TEST_CASE("Ed25519 verify says no to a public key that is not a point", "[crypto][REQ-HO-56]") {
  ByteArray<32> junk{};
  junk.fill(0xFF);
  Ed25519Seed sk = ed25519_generate();
  Bytes msg{1, 2, 3};
  CHECK_FALSE(ed25519_verify(Ed25519PublicKey(junk), msg, ed25519_sign(sk, msg)));
}

TEST_CASE("HKDF-SHA-256 RFC 5869 A.1, A.2, A.3", "[crypto][kat][REQ-HO-56]") {
  struct V {
    const char *ikm, *salt, *info, *prk, *okm;
  };
  const V vs[] = {
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363"
       "738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969"
       "798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e"
       "7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b"
       "8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const auto& v : vs) {
    Bytes ikm = h(v.ikm), salt = h(v.salt), info = h(v.info);
    ByteArray<32> prk{};
    hkdf_sha256_extract(ikm, salt, prk);
    CHECK(to_hex(prk) == v.prk);
    Bytes okm(std::string_view(v.okm).size() / 2);
    REQUIRE(hkdf_sha256(ikm, salt, info, okm).ok());
    CHECK(to_hex(okm) == v.okm);
  }
}

TEST_CASE("HKDF-SHA-256 refuses L > 255*HashLen and L = 0", "[crypto][REQ-HO-56]") {
  Bytes ikm{1}, big(kHkdfSha256MaxOutput + 1), none;
  CHECK(hkdf_sha256(ikm, {}, {}, big).error() == HkdfError::OutputTooLong);
  CHECK(hkdf_sha256(ikm, {}, {}, none).error() == HkdfError::EmptyOutput);
}

TEST_CASE("AES-256-GCM GCM spec test cases 13-16", "[crypto][kat][REQ-HO-56]") {
  struct V {
    const char *key, *iv, *pt, *aad, *ct, *tag;
  };
  const char* k0 = "0000000000000000000000000000000000000000000000000000000000000000";
  const char* kf = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
  const V vs[] = {
      {k0, "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
      {k0, "000000000000000000000000", "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18",
       "d0d1c8a799996bf0265b98b5d48ab919"},
      {kf, "cafebabefacedbaddecaf888",
       "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de65"
       "7ba637b391aafd255",
       "",
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0"
       "abcc9f662898015ad",
       "b094dac5d93471bdec1a502270e3cc6c"},
      {kf, "cafebabefacedbaddecaf888",
       "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de65"
       "7ba637b39",
       "feedfacedeadbeeffeedfacedeadbeefabaddad2",
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0"
       "abcc9f662",
       "76fc6ece0f4e1768cddf8853bb2d551b"},
  };
  for (const auto& v : vs) {
    Aes256GcmKey key(ha<32>(v.key));
    GcmNonce iv(ha<12>(v.iv));
    Bytes pt = h(v.pt), aad = h(v.aad);
    auto sealed = aes256gcm_seal(key, iv, aad, pt);
    CHECK(to_hex(sealed.ciphertext) == v.ct);
    CHECK(to_hex(sealed.tag.span()) == v.tag);
    auto opened = aes256gcm_open(key, iv, aad, sealed.ciphertext, sealed.tag);
    REQUIRE(opened.ok());
    CHECK(to_hex(opened.value().expose()) == v.pt);
    // SP 800-38D §7.2: any change to the tag, the AAD or the ciphertext fails authentication.
    auto t = sealed.tag.bytes();
    t[0] ^= 0x80;
    CHECK(aes256gcm_open(key, iv, aad, sealed.ciphertext, GcmTag(t)).error() == GcmError::AuthenticationFailed);
    Bytes aad2 = aad;
    aad2.push_back(0);
    CHECK(aes256gcm_open(key, iv, aad2, sealed.ciphertext, sealed.tag).failed());
    if (!sealed.ciphertext.empty()) {
      Bytes c2 = sealed.ciphertext;
      c2.back() ^= 0x01;
      CHECK(aes256gcm_open(key, iv, aad, c2, sealed.tag).failed());
    }
  }
}
