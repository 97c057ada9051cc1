// ETSI TS 102 226 §5.1 (compact/expanded command scripts), §5.2 (responses), with 3GPP TS 31.116 (USIM RFM).
#pragma once

#include <cstdint>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::ota {

// The format is a property of the TAR (TS 102 226 §5.1), never signalled in the packet.
enum class ScriptFormat : std::uint8_t { Compact, ExpandedDefinite, ExpandedIndefinite };

enum class RfmError { Truncated, TrailingBytes, BadTemplate, BadTlv, BadApdu, Empty };
[[nodiscard]] const char* describe(RfmError e) noexcept;

// REQ-OTA-40: a command script: compact (C-APDUs back to back) or expanded (AA / AE template of 22 TLVs).
[[nodiscard]] Bytes encode_script(const std::vector<Bytes>& capdus, ScriptFormat f);
[[nodiscard]] Result<std::vector<Bytes>, RfmError> decode_script(ByteSpan script, ScriptFormat f);

// REQ-OTA-41: the response. Compact: executed (1), SW of the last (2), its data. Expanded: AB (definite, or
// AF indefinite for an AE script) with 80 (executed) and one 23 R-APDU TLV per executed command.
struct RfmResponse {
  std::uint8_t executed = 0;
  std::vector<Bytes> rapdus;  // data + SW of each executed command (compact: only the last)
  friend bool operator==(const RfmResponse&, const RfmResponse&) = default;
};
[[nodiscard]] Bytes encode_response(const RfmResponse& r, ScriptFormat f);
[[nodiscard]] Result<RfmResponse, RfmError> decode_response(ByteSpan data, ScriptFormat f);

// TS 31.102 §4.2.2 / TS 31.116: the server's first-class operations. The RFM application starts with
// ADF.USIM selected; SELECT by FID 6F07 with P2 = 0C (no FCP), then UPDATE / READ BINARY of the 9 octets.
inline constexpr std::uint16_t kFidEfImsi = 0x6F07;
inline constexpr std::size_t kEfImsiSize = 9;
[[nodiscard]] std::vector<Bytes> script_set_ef_imsi(const ByteArray<kEfImsiSize>& ef_imsi);
[[nodiscard]] std::vector<Bytes> script_read_ef_imsi();

}  // namespace mnoswitch::ota
