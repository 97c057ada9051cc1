// 3GPP TS 31.111 §7.1.1 (ENVELOPE SMS-PP DOWNLOAD, tag D1) and §6.6.9 (proactive SEND SHORT MESSAGE),
// with TS 102 223 §8 (COMPREHENSION-TLVs) and TS 31.115 §4 (PoR in the envelope response or by SMS-SUBMIT).
#pragma once

#include <cstdint>
#include <optional>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/ota/sms.hpp"

namespace mnoswitch::ota {

inline constexpr std::uint8_t kTagSmsPpDownload = 0xD1;
inline constexpr std::uint8_t kTagProactiveCommand = 0xD0;

struct SmsPpDownload {
  std::optional<SmsAddress> service_centre;  // Address TLV (06/86), RP-OA of the SC
  Bytes tpdu;                                // SMS-DELIVER TPDU (SMS TPDU TLV 0B/8B)
};

enum class EnvelopeError {
  NotEnvelope,
  Truncated,
  TrailingBytes,
  WrongTag,
  MissingDevices,
  WrongDevices,
  MissingTpdu,
  BadAddress
};
[[nodiscard]] const char* describe(EnvelopeError e) noexcept;

// REQ-OTA-32: the ENVELOPE command APDU: 80 C2 00 00 Lc D1 … (device identities network → UICC).
[[nodiscard]] Bytes encode_sms_pp_download(const SmsPpDownload& d);
// Parse the whole C-APDU (CLA 80 INS C2) or just its data field (D1 …).
[[nodiscard]] Result<SmsPpDownload, EnvelopeError> decode_sms_pp_download(ByteSpan apdu_or_data);

// TS 31.111 §6.6.9: the proactive command body (D0 …) of SEND SHORT MESSAGE carrying `submit`
// (command number `number`, qualifier 00 = packing not required, UICC → network).
[[nodiscard]] Bytes encode_send_short_message(const SmsSubmit& submit, std::uint8_t number = 1);
struct SendShortMessage {
  std::uint8_t number = 0;
  Bytes tpdu;
};
[[nodiscard]] Result<SendShortMessage, EnvelopeError> decode_send_short_message(ByteSpan proactive);

}  // namespace mnoswitch::ota
