// ETSI TS 102 221 §10.2: status word names.
#include "reference/usim/status_word.hpp"

namespace mnoswitch::usim {

std::string_view status_word_name(StatusWord s) noexcept {
  switch (sw1(s)) {
    case 0x61: return "response_available";
    case 0x6C: return "wrong_le";
    case 0x91: return "proactive_command_pending";
    default: break;
  }
  switch (s) {
    case StatusWord::Ok: return "ok";
    case StatusWord::ToolkitBusy: return "toolkit_busy";
    case StatusWord::AuthMacFailure: return "authentication_mac_failure";
    case StatusWord::WrongLength: return "wrong_length";
    case StatusWord::LogicalChannelNotSupported: return "logical_channel_not_supported";
    case StatusWord::SecureMessagingNotSupported: return "secure_messaging_not_supported";
    case StatusWord::IncompatibleFileStructure: return "incompatible_file_structure";
    case StatusWord::SecurityStatusNotSatisfied: return "security_status_not_satisfied";
    case StatusWord::ConditionsOfUseNotSatisfied: return "conditions_of_use_not_satisfied";
    case StatusWord::NoCurrentEf: return "no_current_ef";
    case StatusWord::IncorrectData: return "incorrect_data";
    case StatusWord::FunctionNotSupported: return "function_not_supported";
    case StatusWord::FileNotFound: return "file_not_found";
    case StatusWord::RecordNotFound: return "record_not_found";
    case StatusWord::IncorrectP1P2: return "incorrect_p1_p2";
    case StatusWord::ReferencedDataNotFound: return "referenced_data_not_found";
    case StatusWord::WrongParameters: return "wrong_parameters";
    case StatusWord::InsNotSupported: return "ins_not_supported";
    case StatusWord::ClassNotSupported: return "class_not_supported";
    case StatusWord::TechnicalProblem: return "technical_problem";
  }
  return "unknown";
}

}  // namespace mnoswitch::usim
