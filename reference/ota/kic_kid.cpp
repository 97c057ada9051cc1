// ETSI TS 102 225 §5.1.2 (KIc) and §5.1.3.1/§5.1.3.2 (KID for CC / RC).
#include "reference/ota/kic_kid.hpp"

namespace mnoswitch::ota {
namespace {
constexpr std::uint8_t kFamilyImplicit = 0x0, kFamilyDes = 0x1, kFamilyAes = 0x2, kFamilyProprietary = 0x3;
std::uint8_t with_kvn(KeyVersion kvn, unsigned low) noexcept {
  return static_cast<std::uint8_t>(((kvn.value() & 0x0Fu) << 4) | (low & 0x0Fu));
}
}  // namespace

// TS 102 225 §5.1.2: b2b1 = 00 implicit, 01 DES (b4b3: 00 CBC, 01 3DES 2 keys, 10 3DES 3 keys, 11 ECB),
// 10 AES (b4b3 = 00 CBC, others reserved), 11 proprietary.
Result<CipherAlgorithm, AlgorithmError> KicByte::algorithm() const noexcept {
  const unsigned family = raw_ & 0x03u, mode = (raw_ >> 2) & 0x03u;
  switch (family) {
    case kFamilyImplicit:
      return CipherAlgorithm::Implicit;
    case kFamilyDes: {
      constexpr CipherAlgorithm des[] = {CipherAlgorithm::DesCbc, CipherAlgorithm::TripleDes2Key,
                                         CipherAlgorithm::TripleDes3Key, CipherAlgorithm::DesEcb};
      return des[mode];
    }
    case kFamilyAes:
      if (mode != 0) return err(AlgorithmError::Reserved);
      return CipherAlgorithm::AesCbc;
    default:
      return CipherAlgorithm::Proprietary;
  }
}

KicByte KicByte::make(KeyVersion kvn, CipherAlgorithm a) noexcept {
  unsigned low = 0;
  switch (a) {
    case CipherAlgorithm::Implicit:
      low = 0x0;
      break;
    case CipherAlgorithm::DesCbc:
      low = 0x1;
      break;
    case CipherAlgorithm::TripleDes2Key:
      low = 0x5;
      break;
    case CipherAlgorithm::TripleDes3Key:
      low = 0x9;
      break;
    case CipherAlgorithm::DesEcb:
      low = 0xD;
      break;
    case CipherAlgorithm::AesCbc:
      low = 0x2;
      break;
    case CipherAlgorithm::Proprietary:
      low = 0x3;
      break;
  }
  return KicByte(with_kvn(kvn, low));
}

// TS 102 225 §5.1.3.1: as KIc, but DES ECB (b4b3 = 11) is reserved for a CC and AES b4b3 = 00 is CMAC.
Result<CcAlgorithm, AlgorithmError> KidByte::cc_algorithm() const noexcept {
  const unsigned family = raw_ & 0x03u, mode = (raw_ >> 2) & 0x03u;
  switch (family) {
    case kFamilyImplicit:
      return CcAlgorithm::Implicit;
    case kFamilyDes:
      if (mode == 0) return CcAlgorithm::DesCbcMac;
      if (mode == 1) return CcAlgorithm::TripleDes2KeyMac;
      if (mode == 2) return CcAlgorithm::TripleDes3KeyMac;
      return err(AlgorithmError::Reserved);
    case kFamilyAes:
      if (mode != 0) return err(AlgorithmError::Reserved);
      return CcAlgorithm::AesCmac;
    default:
      return CcAlgorithm::Proprietary;
  }
}

// TS 102 225 §5.1.3.2: b2b1 = 01 with b4b3 = 00 CRC16, 01 CRC32; 10/11 reserved. b2b1 = 10 reserved.
Result<RcAlgorithm, AlgorithmError> KidByte::rc_algorithm() const noexcept {
  const unsigned family = raw_ & 0x03u, mode = (raw_ >> 2) & 0x03u;
  switch (family) {
    case kFamilyImplicit:
      return RcAlgorithm::Implicit;
    case kFamilyDes:
      if (mode == 0) return RcAlgorithm::Crc16;
      if (mode == 1) return RcAlgorithm::Crc32;
      return err(AlgorithmError::Reserved);
    case kFamilyAes:
      return err(AlgorithmError::Reserved);
    default:
      return RcAlgorithm::Proprietary;
  }
}

KidByte KidByte::make_cc(KeyVersion kvn, CcAlgorithm a) noexcept {
  unsigned low = 0;
  switch (a) {
    case CcAlgorithm::Implicit:
      low = 0x0;
      break;
    case CcAlgorithm::DesCbcMac:
      low = 0x1;
      break;
    case CcAlgorithm::TripleDes2KeyMac:
      low = 0x5;
      break;
    case CcAlgorithm::TripleDes3KeyMac:
      low = 0x9;
      break;
    case CcAlgorithm::AesCmac:
      low = 0x2;
      break;
    case CcAlgorithm::Proprietary:
      low = 0x3;
      break;
  }
  return KidByte(with_kvn(kvn, low));
}

KidByte KidByte::make_rc(KeyVersion kvn, RcAlgorithm a) noexcept {
  unsigned low = 0;
  switch (a) {
    case RcAlgorithm::Implicit:
      low = 0x0;
      break;
    case RcAlgorithm::Crc16:
      low = 0x1;
      break;
    case RcAlgorithm::Crc32:
      low = 0x5;
      break;
    case RcAlgorithm::Proprietary:
      low = 0x3;
      break;
  }
  return KidByte(with_kvn(kvn, low));
}

}  // namespace mnoswitch::ota
