// ETSI TS 102 225 §5.1 / TS 31.115 §4.2: the command packet header (CPL, CHL, SPI, KIc, KID, TAR) and the
// sizes of its security fields.
#pragma once

#include <cstddef>
#include <cstdint>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/ota/kic_kid.hpp"
#include "reference/ota/spi.hpp"
#include "reference/ota/types.hpp"

namespace mnoswitch::ota {

// The part of a command packet that is never ciphered: read before any key is needed.
struct CommandHeader {
  std::uint16_t cpl = 0;      // octets from CHL to the end (padding included)
  std::uint8_t chl = 0;       // 13 + length of RC/CC/DS
  std::uint16_t spi_raw = 0;  // as received; may be reserved (→ status 06)
  KicByte kic;
  KidByte kid;
  Tar tar;
  [[nodiscard]] std::size_t rc_cc_ds_length() const noexcept { return chl >= 13 ? chl - 13u : 0u; }
};

enum class MalformedPacket {
  Truncated,       // shorter than CPL(2) + CHL(1) + SPI..TAR(7) + CNTR(5) + PCNTR(1)
  LengthMismatch,  // CPL does not match the octets received
  HeaderTooShort,  // CHL < 13
};
[[nodiscard]] const char* describe(MalformedPacket e) noexcept;

// TS 102 225 §5.1: parse CPL..TAR of a reassembled command packet (no UDH). Fails only when not even the
// TAR can be trusted to address a PoR; every later problem is a status code in the card's verdict.
[[nodiscard]] Result<CommandHeader, MalformedPacket> parse_command_header(ByteSpan packet);

inline constexpr std::size_t kCommandHeaderFixed = 13;   // CHL without RC/CC/DS: SPI..PCNTR
inline constexpr std::size_t kResponseHeaderFixed = 10;  // RHL without RC/CC/DS: TAR..status
inline constexpr std::size_t kMaxSingleSmsUserData = 140;

}  // namespace mnoswitch::ota
