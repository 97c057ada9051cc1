// ETSI TS 102 225 §5.1.1 (SPI coding) with TS 31.115 §4.2.
#include "reference/ota/spi.hpp"

namespace mnoswitch::ota {

// TS 102 225 §5.1.1: octet 1 b8..b6 and octet 2 b8..b7 are reserved; PoR request b2b1 = 11 is reserved.
Result<Spi, SpiError> Spi::decode(std::uint16_t raw) noexcept {
  const auto o1 = static_cast<std::uint8_t>(raw >> 8);
  const auto o2 = static_cast<std::uint8_t>(raw & 0xFF);
  if ((o1 & 0xE0) != 0 || (o2 & 0xC0) != 0) return err(SpiError::ReservedBitsSet);
  if ((o2 & 0x03) == 0x03) return err(SpiError::ReservedPorRequest);
  Spi s;
  s.integrity = static_cast<Integrity>(o1 & 0x03);
  s.ciphered = (o1 & 0x04) != 0;
  s.counter = static_cast<CounterMode>((o1 >> 3) & 0x03);
  s.por = static_cast<PorRequest>(o2 & 0x03);
  s.por_integrity = static_cast<Integrity>((o2 >> 2) & 0x03);
  s.por_ciphered = (o2 & 0x10) != 0;
  s.por_transport = (o2 & 0x20) != 0 ? PorTransport::SmsSubmit : PorTransport::DeliverReport;
  return s;
}

std::uint16_t Spi::encode() const noexcept {
  const unsigned o1 =
      static_cast<unsigned>(integrity) | (ciphered ? 0x04u : 0u) | (static_cast<unsigned>(counter) << 3);
  const unsigned o2 = static_cast<unsigned>(por) | (static_cast<unsigned>(por_integrity) << 2) |
                      (por_ciphered ? 0x10u : 0u) | (por_transport == PorTransport::SmsSubmit ? 0x20u : 0u);
  return static_cast<std::uint16_t>((o1 << 8) | o2);
}

const char* describe(SpiError e) noexcept {
  switch (e) {
    case SpiError::ReservedBitsSet:
      return "SPI has reserved bits set (octet 1 b8-b6 or octet 2 b8-b7)";
    case SpiError::ReservedPorRequest:
      return "SPI PoR request 11 is reserved";
  }
  return "invalid SPI";
}

}  // namespace mnoswitch::ota
