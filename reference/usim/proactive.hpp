// ETSI TS 102 223 §6.4.7 (REFRESH), §6.6.13 (its structure), §6.8 (TERMINAL RESPONSE), §8.6/§8.7/§8.12/§8.18
// (command details, device identities, result, file list), §9.4 (type of command), §9.3 (tags).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::usim {

// TS 102 223 §9.4: type of command.
enum class ProactiveType : std::uint8_t { Refresh = 0x01, SendShortMessage = 0x13 };

// TS 102 223 §8.6: REFRESH command qualifier.
enum class RefreshMode : std::uint8_t {
  NaaInitAndFullFileChange = 0x00,
  FileChange = 0x01,
  NaaInitAndFileChange = 0x02,
  NaaInit = 0x03,
  UiccReset = 0x04,
  NaaApplicationReset = 0x05,
  NaaSessionReset = 0x06,
};

// REQ-FS-40: D0 L { 81 03 (number, 01, mode), 82 02 81 82 (UICC → terminal), [92 file list], [AF AID] }.
// For the IMSI change the card sends NAA initialization + file change (mode 02) with the file list
// 3F00 7FFF 6F07 and the USIM's AID: the terminal runs the USIM initialization (TS 31.102 §5.1.1), which reads
// EF_IMSI anew, and attaches with the new IMSI.
[[nodiscard]] Bytes encode_refresh(std::uint8_t number, RefreshMode mode, const std::vector<Bytes>& file_paths,
                                   const Bytes& aid);

// The command-details TLV of a proactive command (D0 …), as the terminal echoes it.
struct CommandDetails {
  std::uint8_t number = 0;
  std::uint8_t type = 0;
  std::uint8_t qualifier = 0;
  friend bool operator==(const CommandDetails&, const CommandDetails&) = default;
};
enum class ProactiveError { Malformed, MissingCommandDetails, MissingResult };
[[nodiscard]] Result<CommandDetails, ProactiveError> command_details_of(ByteSpan proactive_command);

// TS 102 223 §6.8: what the card needs from a TERMINAL RESPONSE: which command it answers and the general
// result (§8.12: 0x = performed, 1x = temporary problem, 2x/3x = permanent problem).
struct TerminalResponse {
  CommandDetails details;
  std::uint8_t general_result = 0;
  [[nodiscard]] bool performed() const noexcept { return general_result < 0x10; }
};
[[nodiscard]] Result<TerminalResponse, ProactiveError> decode_terminal_response(ByteSpan data);
// What a terminal sends (tests, the fleet simulation).
[[nodiscard]] Bytes encode_terminal_response(const CommandDetails& d, std::uint8_t general_result);

}  // namespace mnoswitch::usim
