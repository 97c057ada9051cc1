// ETSI TS 102 225 §5.1.2 table 5: response status code names.
#include "reference/ota/status.hpp"

namespace mnoswitch::ota {

std::string_view status_name(ResponseStatus s) noexcept {
  switch (s) {
    case ResponseStatus::PorOk:
      return "por_ok";
    case ResponseStatus::RcCcDsFailed:
      return "rc_cc_ds_failed";
    case ResponseStatus::CounterLow:
      return "cntr_low";
    case ResponseStatus::CounterHigh:
      return "cntr_high";
    case ResponseStatus::CounterBlocked:
      return "cntr_blocked";
    case ResponseStatus::CipheringError:
      return "ciphering_error";
    case ResponseStatus::UnidentifiedSecurityError:
      return "unidentified_security_error";
    case ResponseStatus::InsufficientMemory:
      return "insufficient_memory";
    case ResponseStatus::MoreTimeNeeded:
      return "more_time_needed";
    case ResponseStatus::TarUnknown:
      return "tar_unknown";
    case ResponseStatus::InsufficientSecurityLevel:
      return "insufficient_security_level";
    case ResponseStatus::ResponseBySmsSubmit:
      return "response_by_sms_submit";
    case ResponseStatus::ResponseByUssd:
      return "response_by_ussd";
  }
  return "reserved";
}

std::optional<ResponseStatus> status_from_byte(std::uint8_t b) noexcept {
  if (b > 0x0C) return std::nullopt;
  return static_cast<ResponseStatus>(b);
}

}  // namespace mnoswitch::ota
