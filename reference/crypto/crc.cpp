// ETSI TS 102 225 §5.1.3.2 (ISO/IEC 13239 CRC16 and CRC32). Bitwise: short and checkable against the REQ-OTA-08.
// parameter table; OTA packets are a few hundred octets.
#include "reference/crypto/crc.hpp"

namespace mnoswitch::crypto {

std::uint16_t crc16(ByteSpan data) noexcept {
  std::uint16_t r = 0xFFFF;
  for (std::uint8_t b : data) {
    r = static_cast<std::uint16_t>(r ^ b);
    for (int i = 0; i < 8; ++i) r = static_cast<std::uint16_t>((r & 1u) ? (r >> 1) ^ 0x8408u : (r >> 1));
  }
  return static_cast<std::uint16_t>(~r);
}

std::uint32_t crc32(ByteSpan data) noexcept {
  std::uint32_t r = 0xFFFFFFFFu;
  for (std::uint8_t b : data) {
    r ^= b;
    for (int i = 0; i < 8; ++i) r = (r & 1u) ? (r >> 1) ^ 0xEDB88320u : (r >> 1);
  }
  return ~r;
}

}  // namespace mnoswitch::crypto
