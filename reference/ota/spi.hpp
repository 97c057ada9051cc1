// ETSI TS 102 225 §5.1.1 (SPI coding) with TS 31.115 §4.2 (SMS-PP: PoR by SMS-DELIVER-REPORT or SMS-SUBMIT).
#pragma once

#include <cstdint>

#include "reference/core/result.hpp"

namespace mnoswitch::ota {

// SPI octet 1 b2b1 and octet 2 b4b3.
enum class Integrity : std::uint8_t { None = 0, Rc = 1, Cc = 2, Ds = 3 };
// SPI octet 1 b5b4.
enum class CounterMode : std::uint8_t { None = 0, NoCheck = 1, Higher = 2, OneHigher = 3 };
// SPI octet 2 b2b1 (11 is reserved).
enum class PorRequest : std::uint8_t { None = 0, Always = 1, OnError = 2 };
// SPI octet 2 b6 (TS 31.115 §4.2).
enum class PorTransport : std::uint8_t { DeliverReport = 0, SmsSubmit = 1 };

enum class SpiError { ReservedBitsSet, ReservedPorRequest };

// REQ-OTA-01: the two SPI octets; every one of the 65,536 values decodes to exactly one Spi or is rejected
// as reserved, and encode(decode(v)) == v for every accepted v.
struct Spi {
  Integrity integrity = Integrity::None;
  bool ciphered = false;
  CounterMode counter = CounterMode::None;
  PorRequest por = PorRequest::None;
  Integrity por_integrity = Integrity::None;
  bool por_ciphered = false;
  PorTransport por_transport = PorTransport::DeliverReport;

  [[nodiscard]] static Result<Spi, SpiError> decode(std::uint16_t raw) noexcept;
  [[nodiscard]] std::uint16_t encode() const noexcept;
  friend constexpr bool operator==(const Spi&, const Spi&) = default;
};

[[nodiscard]] const char* describe(SpiError e) noexcept;

}  // namespace mnoswitch::ota
