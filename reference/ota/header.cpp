// ETSI TS 102 225 §5.1 / TS 31.115 §4.2: command packet header (CPL .. TAR).
#include "reference/ota/header.hpp"

namespace mnoswitch::ota {

const char* describe(MalformedPacket e) noexcept {
  switch (e) {
    case MalformedPacket::Truncated:
      return "command packet truncated (CPL, CHL, SPI, KIc, KID, TAR not all present)";
    case MalformedPacket::LengthMismatch:
      return "CPL does not match the length of the command packet";
    case MalformedPacket::HeaderTooShort:
      return "CHL below 13";
  }
  return "malformed command packet";
}

// TS 102 225 §5.1.1: CPL (2) counts CHL to the end; CHL (1) counts SPI to the end of RC/CC/DS.
Result<CommandHeader, MalformedPacket> parse_command_header(ByteSpan packet) {
  Reader r(packet);
  CommandHeader h;
  auto cpl = r.be(2);
  auto chl = r.u8();
  auto spi = r.be(2);
  auto kic = r.u8();
  auto kid = r.u8();
  auto tar = r.array<kTarSize>();
  if (cpl.failed() || chl.failed() || spi.failed() || kic.failed() || kid.failed() || tar.failed())
    return err(MalformedPacket::Truncated);
  h.cpl = static_cast<std::uint16_t>(cpl.value());
  h.chl = chl.value();
  h.spi_raw = static_cast<std::uint16_t>(spi.value());
  h.kic = KicByte(kic.value());
  h.kid = KidByte(kid.value());
  h.tar = Tar(tar.value());
  if (h.cpl != packet.size() - 2) return err(MalformedPacket::LengthMismatch);
  if (h.chl < kCommandHeaderFixed) return err(MalformedPacket::HeaderTooShort);
  return h;
}

}  // namespace mnoswitch::ota
