// ETSI TS 102 225 §5.1.2 (ciphering) and §5.1.3 (RC/CC/DS) for command and response packets.
#include "reference/ota/security.hpp"

#include "reference/crypto/cipher.hpp"
#include "reference/crypto/crc.hpp"
#include "reference/crypto/mac.hpp"

namespace mnoswitch::ota::security {
namespace {

bool des_key_fits(CipherAlgorithm a, std::size_t n) noexcept {
  switch (a) {
    case CipherAlgorithm::DesCbc:
    case CipherAlgorithm::DesEcb:
      return n == 8;
    case CipherAlgorithm::TripleDes2Key:
      return n == 16;
    case CipherAlgorithm::TripleDes3Key:
      return n == 24;
    case CipherAlgorithm::AesCbc:
      return n == 16 || n == 24 || n == 32;
    default:
      return false;
  }
}

Error from(crypto::CipherError e) noexcept {
  switch (e) {
    case crypto::CipherError::KeyLength:
      return Error::KeyLength;
    case crypto::CipherError::DataLength:
      return Error::DataLength;
    default:
      return Error::Backend;
  }
}

Result<CcAlgorithm, Error> cc_for(KidByte kid, const KeySet& keys) {
  auto a = kid.cc_algorithm();
  if (a.failed()) return err(Error::ReservedAlgorithm);
  CcAlgorithm alg = a.value() == CcAlgorithm::Implicit ? keys.implicit_cc : a.value();
  const std::size_t n = keys.kid.size();
  switch (alg) {
    case CcAlgorithm::DesCbcMac:
      return n == 8 ? Result<CcAlgorithm, Error>(alg) : err(Error::KeyLength);
    case CcAlgorithm::TripleDes2KeyMac:
      return n == 16 ? Result<CcAlgorithm, Error>(alg) : err(Error::KeyLength);
    case CcAlgorithm::TripleDes3KeyMac:
      return n == 24 ? Result<CcAlgorithm, Error>(alg) : err(Error::KeyLength);
    case CcAlgorithm::AesCmac:
      return (n == 16 || n == 24 || n == 32) ? Result<CcAlgorithm, Error>(alg) : err(Error::KeyLength);
    default:
      return err(Error::UnsupportedAlgorithm);
  }
}

Result<RcAlgorithm, Error> rc_for(KidByte kid, const KeySet& keys) {
  auto a = kid.rc_algorithm();
  if (a.failed()) return err(Error::ReservedAlgorithm);
  RcAlgorithm alg = a.value() == RcAlgorithm::Implicit ? keys.implicit_rc : a.value();
  if (alg == RcAlgorithm::Crc16 || alg == RcAlgorithm::Crc32) return alg;
  return err(Error::UnsupportedAlgorithm);
}

}  // namespace

Result<CipherAlgorithm, Error> cipher_for(KicByte kic, const KeySet& keys) {
  auto a = kic.algorithm();
  if (a.failed()) return err(Error::ReservedAlgorithm);
  CipherAlgorithm alg = a.value() == CipherAlgorithm::Implicit ? keys.implicit_cipher : a.value();
  if (alg == CipherAlgorithm::Implicit || alg == CipherAlgorithm::Proprietary) return err(Error::UnsupportedAlgorithm);
  if (!des_key_fits(alg, keys.kic.size())) return err(Error::KeyLength);
  return alg;
}

std::size_t block_size(CipherAlgorithm a) noexcept {
  return a == CipherAlgorithm::AesCbc ? crypto::kAesBlock : crypto::kDesBlock;
}

namespace {
Result<Bytes, Error> run(CipherAlgorithm a, const KeySet& keys, ByteSpan in, crypto::Direction d) {
  auto key = keys.kic.expose();
  Result<Bytes, crypto::CipherError> r = err(crypto::CipherError::Backend);
  switch (a) {
    case CipherAlgorithm::DesCbc:
    case CipherAlgorithm::TripleDes2Key:
    case CipherAlgorithm::TripleDes3Key:
      r = crypto::des_cbc(d, key, in);
      break;
    case CipherAlgorithm::DesEcb:
      r = crypto::des_ecb(d, key, in);
      break;
    case CipherAlgorithm::AesCbc:
      r = crypto::aes_cbc(d, key, in);
      break;
    default:
      return err(Error::UnsupportedAlgorithm);
  }
  if (r.failed()) return err(from(r.error()));
  return std::move(r).value();
}
}  // namespace

Result<Bytes, Error> encipher(CipherAlgorithm a, const KeySet& keys, ByteSpan plain) {
  return run(a, keys, plain, crypto::Direction::Encrypt);
}
Result<Bytes, Error> decipher(CipherAlgorithm a, const KeySet& keys, ByteSpan cipher) {
  return run(a, keys, cipher, crypto::Direction::Decrypt);
}

Result<std::size_t, Error> checksum_length(Integrity integrity, KidByte kid, const KeySet& keys,
                                           std::size_t cc_length) {
  switch (integrity) {
    case Integrity::None:
      return std::size_t{0};
    case Integrity::Rc: {
      auto a = MNOSWITCH_TRY(rc_for(kid, keys));
      return a == RcAlgorithm::Crc16 ? std::size_t{2} : std::size_t{4};
    }
    case Integrity::Cc: {
      auto a = MNOSWITCH_TRY(cc_for(kid, keys));
      if (a == CcAlgorithm::AesCmac) {
        if (cc_length != 8 && cc_length != 4) return err(Error::BadLength);
        return cc_length;
      }
      if (cc_length != 8) return err(Error::BadLength);
      return std::size_t{8};
    }
    case Integrity::Ds:
      return err(Error::UnsupportedAlgorithm);
  }
  return err(Error::UnsupportedAlgorithm);
}

Result<Bytes, Error> checksum(Integrity integrity, KidByte kid, const KeySet& keys, ByteSpan covered,
                              std::size_t length) {
  switch (integrity) {
    case Integrity::None:
      if (length != 0) return err(Error::BadLength);
      return Bytes{};
    case Integrity::Rc: {
      auto a = MNOSWITCH_TRY(rc_for(kid, keys));
      Bytes out(a == RcAlgorithm::Crc16 ? 2 : 4);
      if (length != out.size()) return err(Error::BadLength);
      // TS 102 225 §5.1.3.2: the CRC value is sent most significant octet first.
      if (a == RcAlgorithm::Crc16)
        store_be(crypto::crc16(covered), out);
      else
        store_be(crypto::crc32(covered), out);
      return out;
    }
    case Integrity::Cc: {
      auto a = MNOSWITCH_TRY(cc_for(kid, keys));
      if (a == CcAlgorithm::AesCmac) {
        if (length != 8 && length != 4) return err(Error::BadLength);
        auto mac = crypto::aes_cmac(keys.kid.expose(), covered);
        if (mac.failed()) return err(from(mac.error()));
        // TS 102 225 §5.1.3.1: the leftmost octets of the CMAC.
        return Bytes(mac.value().begin(), mac.value().begin() + static_cast<std::ptrdiff_t>(length));
      }
      if (length != 8) return err(Error::BadLength);
      auto mac = crypto::des_cbc_mac(keys.kid.expose(), covered);
      if (mac.failed()) return err(from(mac.error()));
      return Bytes(mac.value().begin(), mac.value().end());
    }
    case Integrity::Ds:
      return err(Error::UnsupportedAlgorithm);
  }
  return err(Error::UnsupportedAlgorithm);
}

}  // namespace mnoswitch::ota::security
