// Redundancy checks of ETSI TS 102 225 §5.1.3.2: CRC16 and CRC32 as ISO/IEC 13239 defines them.
#pragma once

#include <cstdint>

#include "reference/core/bytes.hpp"

namespace mnoswitch::crypto {

// ISO/IEC 13239 16-bit FCS: polynomial x^16 + x^12 + x^5 + 1, register preset to FFFF, bits processed least
// significant first, result complemented (the "CRC-16/X-25" parameter set; check value of "123456789" = 906E).
[[nodiscard]] std::uint16_t crc16(ByteSpan data) noexcept;
// ISO/IEC 13239 32-bit FCS = zlib's crc32 (polynomial 04C11DB7 reflected, preset and complement FFFFFFFF;
// check value of "123456789" = CBF43926).
[[nodiscard]] std::uint32_t crc32(ByteSpan data) noexcept;

}  // namespace mnoswitch::crypto
