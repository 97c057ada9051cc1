// ETSI TS 102 225 §5.1.2 table 5 (response status codes), as used by TS 31.115 §7.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mnoswitch::ota {

// REQ-OTA-20: every response status code of TS 102 225 table 5, by its spec name.
enum class ResponseStatus : std::uint8_t {
  PorOk = 0x00,
  RcCcDsFailed = 0x01,
  CounterLow = 0x02,
  CounterHigh = 0x03,
  CounterBlocked = 0x04,
  CipheringError = 0x05,
  UnidentifiedSecurityError = 0x06,
  InsufficientMemory = 0x07,
  MoreTimeNeeded = 0x08,
  TarUnknown = 0x09,
  InsufficientSecurityLevel = 0x0A,
  ResponseBySmsSubmit = 0x0B,
  ResponseByUssd = 0x0C,
};

// snake_case names (CLI "status_name"), e.g. "rc_cc_ds_failed".
[[nodiscard]] std::string_view status_name(ResponseStatus s) noexcept;
// 00..0C → the code; anything else → nullopt (reserved).
[[nodiscard]] std::optional<ResponseStatus> status_from_byte(std::uint8_t b) noexcept;

}  // namespace mnoswitch::ota
