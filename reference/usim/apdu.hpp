// ISO/IEC 7816-4 §5.1 (command-response pairs, short length fields), ETSI TS 102 221 §10.1 (coding of CLA/INS).
#pragma once

#include <cstdint>
#include <optional>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/usim/status_word.hpp"

namespace mnoswitch::usim {

// TS 102 221 §10.1.2: the instructions this card knows.
enum class Ins : std::uint8_t {
  Select = 0xA4,
  Status = 0xF2,
  ReadBinary = 0xB0,
  UpdateBinary = 0xD6,
  ReadRecord = 0xB2,
  UpdateRecord = 0xDC,
  Authenticate = 0x88,
  GetResponse = 0xC0,
  Envelope = 0xC2,
  Fetch = 0x12,
  TerminalResponse = 0x14,
};

// A short command APDU (ISO 7816-4 §5.1, cases 1-4). `le` is absent for cases 1 and 3; le = 0 means 256.
struct CommandApdu {
  std::uint8_t cla = 0;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;
  std::optional<std::uint16_t> le;  // Ne: 1..256 (a coded 00 becomes 256)
  friend bool operator==(const CommandApdu&, const CommandApdu&) = default;
};

// REQ-FS-22: header 4 octets; 5 octets = case 2 (P3 = Le); otherwise P3 = Lc and Lc data octets follow, then at
// most one Le octet. Anything else is malformed (→ 67 00, the card's answer to a length it cannot parse).
[[nodiscard]] Result<CommandApdu, StatusWord> parse_command_apdu(ByteSpan apdu);
[[nodiscard]] Bytes encode_command_apdu(const CommandApdu& c);

// data ‖ SW1 SW2
struct ResponseApdu {
  Bytes data;
  StatusWord sw = StatusWord::Ok;
  [[nodiscard]] Bytes encode() const;
  friend bool operator==(const ResponseApdu&, const ResponseApdu&) = default;
};

}  // namespace mnoswitch::usim
