// ETSI TS 102 225 §5.1 (receiving entity checks), TS 102 226 §8.2.1.3.2.4 (minimum security level).
#include "reference/ota/card.hpp"

#include "reference/crypto/wipe.hpp"
#include "reference/ota/security.hpp"

namespace mnoswitch::ota {
namespace {

constexpr unsigned strength(Integrity i) noexcept {
  return static_cast<unsigned>(i);
}
constexpr unsigned strictness(CounterMode c) noexcept {
  return static_cast<unsigned>(c);
}

// The key set whose counter guards a packet: the KID's when the packet carries RC/CC/DS, else the KIc's.
KeyVersion counter_key_set(const CommandHeader& h, const Spi& spi) noexcept {
  return spi.integrity != Integrity::None ? h.kid.key_version() : h.kic.key_version();
}

CommandVerdict with_status(CommandVerdict v, ResponseStatus s) {
  v.status = s;
  v.data.clear();
  v.commit.reset();
  return v;
}

}  // namespace

bool MinimumSecurityLevel::satisfied_by(const Spi& spi) const noexcept {
  const auto want_integrity = static_cast<Integrity>(raw & 0x03u);
  const bool want_cipher = (raw & 0x04u) != 0;
  const auto want_counter = static_cast<CounterMode>((raw >> 3) & 0x03u);
  if (strength(spi.integrity) < strength(want_integrity)) return false;
  if (want_cipher && !spi.ciphered) return false;
  return strictness(spi.counter) >= strictness(want_counter);
}

// REQ-OTA-10..14: the receiving entity's checks, in an order in which no check depends on an unverified field
// beyond what it must: the counter is looked at only after the CC verified (REQ-OTA-12).
Result<CommandVerdict, MalformedPacket> open_command(ByteSpan packet, const CardView& card) {
  auto header = parse_command_header(packet);
  if (header.failed()) return err(header.error());
  CommandVerdict v;
  v.header = header.value();
  const CommandHeader& h = v.header;

  // TS 102 225 §5.1.2 table 5: 09 when no application answers to the TAR.
  auto policy = card.tar ? card.tar(h.tar) : std::nullopt;
  if (!policy) return with_status(std::move(v), ResponseStatus::TarUnknown);

  auto spi_r = Spi::decode(h.spi_raw);
  if (spi_r.failed()) return with_status(std::move(v), ResponseStatus::UnidentifiedSecurityError);
  const Spi spi = spi_r.value();
  v.spi = spi;
  v.cc_length = h.rc_cc_ds_length();

  // TS 102 226 §8.2.1.3.2.4: the TAR's minimum security level (REQ-OTA-14).
  if (!policy->msl.satisfied_by(spi) || (policy->extra_check && !policy->extra_check(h, spi)))
    return with_status(std::move(v), ResponseStatus::InsufficientSecurityLevel);

  const std::size_t after_tar = 2 + 1 + 7;
  ByteSpan body = packet.subspan(after_tar);  // CNTR .. end (ciphered or not)
  Bytes plain;
  std::size_t block = 0;
  if (spi.ciphered) {
    const KeySet* ks = card.key_set ? card.key_set(h.kic.key_version()) : nullptr;
    if (ks == nullptr) return with_status(std::move(v), ResponseStatus::UnidentifiedSecurityError);
    auto alg = security::cipher_for(h.kic, *ks);
    if (alg.failed()) {
      const bool reserved = alg.error() == security::Error::ReservedAlgorithm;
      return with_status(std::move(v),
                         reserved ? ResponseStatus::UnidentifiedSecurityError : ResponseStatus::CipheringError);
    }
    // TS 102 225 §5.1.2: the ciphered part is a whole number of blocks.
    auto d = security::decipher(alg.value(), *ks, body);
    if (d.failed()) return with_status(std::move(v), ResponseStatus::CipheringError);
    plain = std::move(d).value();
    block = security::block_size(alg.value());
  } else {
    plain.assign(body.begin(), body.end());
  }

  const std::size_t cc_len = h.rc_cc_ds_length();
  if (plain.size() < kCounterSize + 1 + cc_len) {
    // CHL claims more than was sent (CHL is CC-covered: a corrupted CHL is an integrity failure).
    crypto::secure_wipe(plain);
    return with_status(std::move(v), spi.integrity == Integrity::None ? ResponseStatus::UnidentifiedSecurityError
                                                                      : ResponseStatus::RcCcDsFailed);
  }
  ByteSpan p(plain);
  const std::uint64_t cntr_raw = load_be(p.subspan(0, kCounterSize));
  const std::uint8_t pcntr = p[kCounterSize];
  ByteSpan received_cc = p.subspan(kCounterSize + 1, cc_len);
  ByteSpan data = p.subspan(kCounterSize + 1 + cc_len);  // secured data + padding

  // TS 102 225 §5.1.3: RC/CC/DS over CPL .. PCNTR, data and padding (REQ-OTA-04), compared in constant time.
  if (spi.integrity == Integrity::None) {
    if (cc_len != 0) return with_status(std::move(v), ResponseStatus::UnidentifiedSecurityError);
  } else {
    const KeySet* ks = card.key_set ? card.key_set(h.kid.key_version()) : nullptr;
    if (ks == nullptr) return with_status(std::move(v), ResponseStatus::UnidentifiedSecurityError);
    Bytes covered(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(after_tar));
    covered.insert(covered.end(), p.begin(), p.begin() + static_cast<std::ptrdiff_t>(kCounterSize + 1));
    covered.insert(covered.end(), data.begin(), data.end());
    auto cc = security::checksum(spi.integrity, h.kid, *ks, covered, cc_len);
    if (cc.failed()) {
      // A CHL that does not fit the algorithm is an RC/CC/DS that cannot verify; a reserved or unsupported
      // algorithm, or a missing key, is a security error the sender must fix.
      const bool length = cc.error() == security::Error::BadLength;
      return with_status(std::move(v),
                         length ? ResponseStatus::RcCcDsFailed : ResponseStatus::UnidentifiedSecurityError);
    }
    if (!crypto::ct_equal(cc.value(), received_cc)) return with_status(std::move(v), ResponseStatus::RcCcDsFailed);
  }
  v.counter = OtaCounter::make(cntr_raw);  // 5 octets: always < 2^40

  // REQ-OTA-06: PCNTR counts padding octets; strip by count, never by value.
  if (pcntr > data.size() || (spi.ciphered && pcntr >= block) || (!spi.ciphered && pcntr != 0))
    return with_status(std::move(v),
                       spi.ciphered ? ResponseStatus::CipheringError : ResponseStatus::UnidentifiedSecurityError);

  // TS 102 225 §5.1.1: counter modes (REQ-OTA-11/12). Checked only now, after the CC. REQ-OTA-13: the stored
  // counter is only read here; the verdict says what to store, and only an accepted verdict says anything.
  if (spi.counter == CounterMode::Higher || spi.counter == CounterMode::OneHigher) {
    const KeyVersion kv = counter_key_set(h, spi);
    auto stored = card.counter ? card.counter(kv) : std::nullopt;
    if (!stored) return with_status(std::move(v), ResponseStatus::UnidentifiedSecurityError);
    if (stored->at_max()) return with_status(std::move(v), ResponseStatus::CounterBlocked);
    if (cntr_raw <= stored->value()) return with_status(std::move(v), ResponseStatus::CounterLow);
    if (spi.counter == CounterMode::OneHigher && cntr_raw > stored->value() + 1)
      return with_status(std::move(v), ResponseStatus::CounterHigh);
    v.commit = CounterCommit{kv, *v.counter};
  }

  v.data.assign(data.begin(), data.end() - pcntr);
  v.status = ResponseStatus::PorOk;
  crypto::secure_wipe(plain);
  return v;
}

// TS 102 225 §5.1.1 SPI octet 2 b2b1.
bool por_wanted(const CommandVerdict& v, ResponseStatus status) noexcept {
  if (!v.spi) return true;  // reserved SPI: tell the sender (unsecured error PoR)
  switch (v.spi->por) {
    case PorRequest::None:
      return false;
    case PorRequest::Always:
      return true;
    case PorRequest::OnError:
      return status != ResponseStatus::PorOk;
  }
  return false;
}

}  // namespace mnoswitch::ota
