// ETSI TS 102 225 §5.2 with TS 31.115 §4.3: the response packet (PoR), built by the card, read by the server.
#include "reference/crypto/wipe.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/security.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"

namespace mnoswitch::ota {
namespace {

// TS 31.115 §4.3: the UDH of a response packet, covered by its RC/CC/DS.
constexpr ByteArray<3> kPorUdh{0x02, kIeiResponsePacket, 0x00};

bool security_failure(ResponseStatus s) noexcept {
  switch (s) {
    case ResponseStatus::RcCcDsFailed:
    case ResponseStatus::CounterLow:
    case ResponseStatus::CounterHigh:
    case ResponseStatus::CounterBlocked:
    case ResponseStatus::CipheringError:
    case ResponseStatus::UnidentifiedSecurityError:
    case ResponseStatus::TarUnknown:
    case ResponseStatus::InsufficientSecurityLevel:
      return true;
    default:
      return false;
  }
}

PorBuildError build_error(security::Error e) noexcept {
  switch (e) {
    case security::Error::KeyLength:
      return PorBuildError::KeyLength;
    default:
      return PorBuildError::UnsupportedAlgorithm;
  }
}

}  // namespace

const char* describe(PorBuildError e) noexcept {
  switch (e) {
    case PorBuildError::UnsupportedAlgorithm:
      return "PoR algorithm reserved or not supported";
    case PorBuildError::KeyMissing:
      return "no key set for the PoR's KIc/KID key version";
    case PorBuildError::KeyLength:
      return "key length does not fit the PoR algorithm";
    case PorBuildError::TooLong:
      return "response packet too long";
  }
  return "cannot build PoR";
}

const char* describe(PorReadError e) noexcept {
  switch (e) {
    case PorReadError::MissingUdh:
      return "TP-UD does not start with a UDH holding the response packet IEI 71";
    case PorReadError::Malformed:
      return "response packet malformed (RPL/RHL inconsistent, truncated or reserved status)";
    case PorReadError::IntegrityFailed:
      return "PoR RC/CC does not verify";
    case PorReadError::MissingIntegrity:
      return "PoR with status 00 lacks the RC/CC the SPI asked for";
    case PorReadError::CipheringError:
      return "PoR ciphered part not whole blocks, or PCNTR impossible";
    case PorReadError::UnsupportedAlgorithm:
      return "PoR algorithm reserved or not supported";
    case PorReadError::KeyLength:
      return "key length does not fit the PoR algorithm";
  }
  return "cannot read PoR";
}

// REQ-OTA-15: RPL (2), RHL (1) = 10 + RC/CC/DS length, TAR, CNTR (the command's), PCNTR, status, RC/CC/DS,
// data, padding. The CC covers UDH 02 71 00 .. status, data and padding; ciphering covers CNTR .. padding.
Result<Bytes, PorBuildError> build_por(const CommandVerdict& v, ResponseStatus status, ByteSpan response_data_in,
                                       const CardView& card) {
  const bool secure = v.spi.has_value() && !security_failure(status);
  // Nothing ran after a security failure, so there is no response data to send.
  const ByteSpan response_data = secure || !security_failure(status) ? response_data_in : ByteSpan{};
  const Integrity integrity = secure ? v.spi->por_integrity : Integrity::None;
  const bool ciphered = secure && v.spi->por_ciphered;
  const CommandHeader& h = v.header;

  const KeySet* kid_keys = nullptr;
  std::size_t cc_len = 0;
  if (integrity != Integrity::None) {
    kid_keys = card.key_set ? card.key_set(h.kid.key_version()) : nullptr;
    if (kid_keys == nullptr) return err(PorBuildError::KeyMissing);
    // An AES-CMAC PoR takes the truncation the command used (8 unless the command's CC was 4 octets).
    const std::size_t hint = (v.spi->integrity == Integrity::Cc && v.cc_length == 4) ? 4 : 8;
    auto n = security::checksum_length(integrity, h.kid, *kid_keys, hint);
    if (n.failed()) return err(build_error(n.error()));
    cc_len = n.value();
  }
  const KeySet* kic_keys = nullptr;
  CipherAlgorithm alg = CipherAlgorithm::Implicit;
  std::size_t pad = 0;
  if (ciphered) {
    kic_keys = card.key_set ? card.key_set(h.kic.key_version()) : nullptr;
    if (kic_keys == nullptr) return err(PorBuildError::KeyMissing);
    auto a = security::cipher_for(h.kic, *kic_keys);
    if (a.failed()) return err(build_error(a.error()));
    alg = a.value();
    const std::size_t block = security::block_size(alg);
    pad = (block - (kCounterSize + 2 + cc_len + response_data.size()) % block) % block;
  }
  const std::size_t rhl = kResponseHeaderFixed + cc_len;
  const std::size_t rpl = 1 + rhl + response_data.size() + pad;
  if (rpl > 0xFFFF) return err(PorBuildError::TooLong);

  Writer head;  // RPL RHL TAR
  head.be(rpl, 2).u8(static_cast<std::uint8_t>(rhl)).bytes(h.tar.span());
  Writer front;  // CNTR PCNTR status
  front.be(v.counter ? v.counter->value() : 0, kCounterSize)
      .u8(static_cast<std::uint8_t>(pad))
      .u8(static_cast<std::uint8_t>(status));
  Bytes body(response_data.begin(), response_data.end());
  body.resize(body.size() + pad, 0x00);

  Bytes cc;
  if (integrity != Integrity::None) {
    Bytes covered(kPorUdh.begin(), kPorUdh.end());
    covered.insert(covered.end(), head.buffer().begin(), head.buffer().end());
    covered.insert(covered.end(), front.buffer().begin(), front.buffer().end());
    covered.insert(covered.end(), body.begin(), body.end());
    auto c = security::checksum(integrity, h.kid, *kid_keys, covered, cc_len);
    if (c.failed()) return err(build_error(c.error()));
    cc = std::move(c).value();
  }
  Bytes secured = std::move(front).take();
  secured.insert(secured.end(), cc.begin(), cc.end());
  secured.insert(secured.end(), body.begin(), body.end());
  if (ciphered) {
    auto c = security::encipher(alg, *kic_keys, secured);
    if (c.failed()) return err(build_error(c.error()));
    secured = std::move(c).value();
  }
  Bytes out(kPorUdh.begin(), kPorUdh.end());
  out.insert(out.end(), head.buffer().begin(), head.buffer().end());
  out.insert(out.end(), secured.begin(), secured.end());
  return out;
}

// REQ-OTA-16: the server's reading of a PoR.
Result<PorReading, PorReadError> read_por(ByteSpan tp_ud, const Spi& spi, KicByte kic, KidByte kid,
                                          const KeySet& keys) {
  if (tp_ud.empty()) return err(PorReadError::MissingUdh);
  const std::size_t udh_len = std::size_t{1} + tp_ud[0];
  auto ud = split_user_data(tp_ud);
  if (ud.failed()) return err(PorReadError::MissingUdh);
  bool has71 = false;
  for (const auto& e : ud.value().header) has71 = has71 || e.iei == kIeiResponsePacket;
  if (!has71) return err(PorReadError::MissingUdh);
  ByteSpan udh = tp_ud.subspan(0, udh_len);
  ByteSpan pkt = tp_ud.subspan(udh_len);

  Reader r(pkt);
  auto rpl = r.be(2);
  auto rhl = r.u8();
  auto tar = r.array<kTarSize>();
  if (rpl.failed() || rhl.failed() || tar.failed()) return err(PorReadError::Malformed);
  if (rpl.value() != pkt.size() - 2 || rhl.value() < kResponseHeaderFixed) return err(PorReadError::Malformed);
  const std::size_t cc_len = rhl.value() - kResponseHeaderFixed;
  ByteSpan rest = r.rest();  // CNTR .. end

  // Ciphered or not? A PoR that asked for ciphering but arrives as a plain error PoR (no CC when one was asked
  // for, or not a whole number of blocks) is read as plain text: real cards drop security on error PoRs.
  PorReading out;
  out.tar = Tar(tar.value());
  Bytes plain(rest.begin(), rest.end());
  if (spi.por_ciphered) {
    auto a = security::cipher_for(kic, keys);
    if (a.failed())
      return err(a.error() == security::Error::KeyLength ? PorReadError::KeyLength
                                                         : PorReadError::UnsupportedAlgorithm);
    const std::size_t block = security::block_size(a.value());
    const bool plain_error_shape = (cc_len == 0 && spi.por_integrity != Integrity::None) || rest.size() % block != 0;
    if (!plain_error_shape) {
      auto d = security::decipher(a.value(), keys, rest);
      if (d.failed()) return err(PorReadError::CipheringError);
      plain = std::move(d).value();
      out.deciphered = true;
    } else if (cc_len != 0) {
      return err(PorReadError::CipheringError);
    }
  }
  if (plain.size() < kCounterSize + 2 + cc_len) return err(PorReadError::Malformed);
  ByteSpan p(plain);
  out.counter = OtaCounter::make(load_be(p.subspan(0, kCounterSize))).value_or(OtaCounter{});
  const std::uint8_t pcntr = p[kCounterSize];
  ByteSpan cc = p.subspan(kCounterSize + 2, cc_len);
  ByteSpan data = p.subspan(kCounterSize + 2 + cc_len);

  // Integrity before interpretation: a PoR deciphered with the wrong keys, or tampered with, is garbage whose
  // status byte means nothing; the CC (which covers it) says so first, as the card checks CC before counters.
  if (cc_len != 0) {
    if (spi.por_integrity == Integrity::None) return err(PorReadError::Malformed);
    Bytes covered(udh.begin(), udh.end());
    covered.insert(covered.end(), pkt.begin(), pkt.begin() + 6);
    covered.insert(covered.end(), p.begin(), p.begin() + static_cast<std::ptrdiff_t>(kCounterSize + 2));
    covered.insert(covered.end(), data.begin(), data.end());
    auto mine = security::checksum(spi.por_integrity, kid, keys, covered, cc_len);
    if (mine.failed()) {
      if (mine.error() == security::Error::KeyLength) return err(PorReadError::KeyLength);
      if (mine.error() == security::Error::BadLength) return err(PorReadError::Malformed);
      return err(PorReadError::UnsupportedAlgorithm);
    }
    if (!crypto::ct_equal(mine.value(), cc)) return err(PorReadError::IntegrityFailed);
    out.secured = true;
  }
  auto status = status_from_byte(p[kCounterSize + 1]);
  if (!status) return err(PorReadError::Malformed);
  out.status = *status;
  if (cc_len == 0 && spi.por_integrity != Integrity::None && out.status == ResponseStatus::PorOk)
    return err(PorReadError::MissingIntegrity);
  if (pcntr > data.size()) return err(out.deciphered ? PorReadError::CipheringError : PorReadError::Malformed);
  out.data.assign(data.begin(), data.end() - pcntr);
  return out;
}

}  // namespace mnoswitch::ota
