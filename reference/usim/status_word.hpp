// ETSI TS 102 221 §10.2 (status conditions returned by the UICC), ISO/IEC 7816-4 §5.1.3, TS 31.102 §7.3.
#pragma once

#include <cstdint>
#include <string_view>

namespace mnoswitch::usim {

// REQ-FS-20: every status word the card returns, by its spec name. The parametrised ones (61xx, 6Cxx, 91xx)
// are built with the functions below; their SW2 is a length.
enum class StatusWord : std::uint16_t {
  Ok = 0x9000,                        // normal ending
  // 91xx: normal ending, proactive command of xx octets pending (TS 102 221 §10.2.1.1)
  // 61xx: xx response octets available, use GET RESPONSE (TS 102 221 §10.2.1.1, ISO 7816-4)
  ToolkitBusy = 0x9300,               // SIM Application Toolkit busy (TS 102 221 §10.2.1.2)
  AuthMacFailure = 0x9862,            // authentication error, incorrect MAC (TS 102 221 §10.2.1.6, TS 31.102 §7.3.1)
  WrongLength = 0x6700,               // wrong length (Lc/Le inconsistent with the command)
  LogicalChannelNotSupported = 0x6881,
  SecureMessagingNotSupported = 0x6882,
  IncompatibleFileStructure = 0x6981, // command incompatible with file structure
  SecurityStatusNotSatisfied = 0x6982,
  ConditionsOfUseNotSatisfied = 0x6985,
  NoCurrentEf = 0x6986,               // command not allowed (no EF selected)
  IncorrectData = 0x6A80,             // incorrect parameters in the data field
  FunctionNotSupported = 0x6A81,
  FileNotFound = 0x6A82,
  RecordNotFound = 0x6A83,
  IncorrectP1P2 = 0x6A86,
  ReferencedDataNotFound = 0x6A88,
  WrongParameters = 0x6B00,           // wrong parameter(s) P1-P2 (offset outside the EF)
  // 6Cxx: wrong Le; xx = the exact length available
  InsNotSupported = 0x6D00,
  ClassNotSupported = 0x6E00,
  TechnicalProblem = 0x6F00,          // no precise diagnosis
};

[[nodiscard]] constexpr std::uint8_t sw1(StatusWord s) noexcept { return static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) >> 8); }
[[nodiscard]] constexpr std::uint8_t sw2(StatusWord s) noexcept { return static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) & 0xFF); }
[[nodiscard]] constexpr StatusWord make_sw(std::uint8_t a, std::uint8_t b) noexcept {
  return static_cast<StatusWord>(static_cast<std::uint16_t>((a << 8) | b));
}
// Length-carrying status words; a length of 256 is coded 00.
[[nodiscard]] constexpr StatusWord sw_response_available(std::size_t n) noexcept { return make_sw(0x61, static_cast<std::uint8_t>(n & 0xFF)); }
[[nodiscard]] constexpr StatusWord sw_wrong_le(std::size_t n) noexcept { return make_sw(0x6C, static_cast<std::uint8_t>(n & 0xFF)); }
[[nodiscard]] constexpr StatusWord sw_proactive_pending(std::size_t n) noexcept { return make_sw(0x91, static_cast<std::uint8_t>(n & 0xFF)); }

// TS 102 221 §10.2: normal processing (90 00, 91 xx, 61 xx) and warnings (62 xx, 63 xx) versus errors. A command
// that ends with an error has changed nothing (REQ-FS-21).
[[nodiscard]] constexpr bool is_success(StatusWord s) noexcept {
  const auto a = sw1(s);
  return a == 0x90 || a == 0x91 || a == 0x61;
}
[[nodiscard]] constexpr bool is_warning(StatusWord s) noexcept { return sw1(s) == 0x62 || sw1(s) == 0x63; }

// snake_case name for reports ("file_not_found", "response_available" for 61xx, …).
[[nodiscard]] std::string_view status_word_name(StatusWord s) noexcept;

}  // namespace mnoswitch::usim
