// ETSI TS 102 225 §5.1 with TS 31.115 §4.2 (sending entity): build a command packet, CPL to the end.
#include "reference/ota/header.hpp"
#include "reference/ota/security.hpp"
#include "reference/ota/server.hpp"

namespace mnoswitch::ota {
namespace {
WrapError from(security::Error e) noexcept {
  switch (e) {
    case security::Error::ReservedAlgorithm:
      return WrapError::ReservedAlgorithm;
    case security::Error::KeyLength:
      return WrapError::KeyLength;
    case security::Error::BadLength:
      return WrapError::BadCcLength;
    default:
      return WrapError::UnsupportedAlgorithm;
  }
}
}  // namespace

const char* describe(WrapError e) noexcept {
  switch (e) {
    case WrapError::ReservedAlgorithm:
      return "KIc/KID algorithm coding is reserved";
    case WrapError::UnsupportedAlgorithm:
      return "algorithm not supported (DS, proprietary, or implicit without configuration)";
    case WrapError::KeyLength:
      return "key length does not fit the KIc/KID algorithm";
    case WrapError::BadCcLength:
      return "CC length must be 8 (or 4 for AES-CMAC)";
    case WrapError::TooLong:
      return "command packet longer than CPL can express (65,535)";
  }
  return "cannot wrap";
}

// REQ-OTA-03: CPL always present; CHL = 13 + RC/CC/DS length; CPL counts CHL .. padding.
// REQ-OTA-04: the CC covers CPL .. PCNTR, the secured data and the padding (not the UDH, not the CC itself).
// REQ-OTA-05: ciphering covers CNTR .. padding, CC computed over the plaintext first; PCNTR is the minimal
// padding to a whole block and 0 without ciphering.
Result<Bytes, WrapError> wrap_command(const CommandSpec& spec, const KeySet& keys) {
  auto cc_len_r = security::checksum_length(spec.spi.integrity, spec.kid, keys, spec.cc_length);
  if (cc_len_r.failed()) return err(from(cc_len_r.error()));
  const std::size_t cc_len = cc_len_r.value();
  std::size_t pad = 0;
  CipherAlgorithm alg = CipherAlgorithm::Implicit;
  if (spec.spi.ciphered) {
    auto a = security::cipher_for(spec.kic, keys);
    if (a.failed()) return err(from(a.error()));
    alg = a.value();
    const std::size_t block = security::block_size(alg);
    const std::size_t ciphered_len = kCounterSize + 1 + cc_len + spec.data.size();
    pad = (block - ciphered_len % block) % block;
  }
  const std::size_t chl = kCommandHeaderFixed + cc_len;
  const std::size_t cpl = 1 + chl + spec.data.size() + pad;
  if (cpl > 0xFFFF) return err(WrapError::TooLong);

  Writer head;  // CPL .. TAR: never ciphered
  head.be(cpl, 2).u8(static_cast<std::uint8_t>(chl)).be(spec.spi.encode(), 2).u8(spec.kic.raw()).u8(spec.kid.raw());
  head.bytes(spec.tar.span());
  Writer tail;  // CNTR PCNTR | data padding
  tail.be(spec.counter.value(), kCounterSize).u8(static_cast<std::uint8_t>(pad));
  const std::size_t data_at = tail.size();
  tail.bytes(spec.data);
  tail.buffer().resize(tail.size() + pad, 0x00);

  Bytes covered = head.buffer();
  covered.insert(covered.end(), tail.buffer().begin(), tail.buffer().end());
  auto cc = security::checksum(spec.spi.integrity, spec.kid, keys, covered, cc_len);
  if (cc.failed()) return err(from(cc.error()));

  Bytes secured(tail.buffer().begin(), tail.buffer().begin() + static_cast<std::ptrdiff_t>(data_at));
  secured.insert(secured.end(), cc.value().begin(), cc.value().end());
  secured.insert(secured.end(), tail.buffer().begin() + static_cast<std::ptrdiff_t>(data_at), tail.buffer().end());
  if (spec.spi.ciphered) {
    auto c = security::encipher(alg, keys, secured);
    if (c.failed()) return err(from(c.error()));
    secured = std::move(c).value();
  }
  Bytes out = std::move(head).take();
  out.insert(out.end(), secured.begin(), secured.end());
  return out;
}

}  // namespace mnoswitch::ota
