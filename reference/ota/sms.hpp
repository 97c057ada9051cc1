// 3GPP TS 23.040 §9.2.2.1 (SMS-DELIVER), §9.2.2.2 (SMS-SUBMIT), §9.2.3.24 (UDH, concatenation IEI 00/08)
// with TS 31.115 §4 (command packet IEI 70, response packet IEI 71; TP-PID 7F, TP-DCS F6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::ota {

inline constexpr std::uint8_t kPidSimDataDownload = 0x7F;  // TS 23.040 §9.2.3.9
inline constexpr std::uint8_t kDcsClass2Data = 0xF6;       // TS 23.038: 8-bit data, class 2 (SIM specific)
inline constexpr std::uint8_t kIeiConcat8 = 0x00;
inline constexpr std::uint8_t kIeiConcat16 = 0x08;
inline constexpr std::uint8_t kIeiCommandPacket = 0x70;
inline constexpr std::uint8_t kIeiResponsePacket = 0x71;
inline constexpr std::size_t kMaxUserData = 140;
inline constexpr std::size_t kMaxSegments = 255;  // TS 23.040 §9.2.3.16: 140 octets of 8-bit TP-UD

// TS 23.040 §9.1.2.5: address (TP-OA / TP-DA): type of address octet + BCD digits.
struct SmsAddress {
  std::uint8_t type = 0x91;  // international, ISDN/E.164
  std::string digits;        // 0-9, *, #, a, b, c (BCD)
  friend bool operator==(const SmsAddress&, const SmsAddress&) = default;
};

struct SmsDeliver {
  SmsAddress originator;
  std::uint8_t pid = kPidSimDataDownload;
  std::uint8_t dcs = kDcsClass2Data;
  ByteArray<7> scts{};  // service centre time stamp, semi-octets as sent
  bool udhi = true;
  bool tp_mms = false;  // TP-MMS bit as sent (0: more messages waiting, as OTA SMSCs and pySim send)
  Bytes user_data;      // TP-UD (UDH included when udhi)
  friend bool operator==(const SmsDeliver&, const SmsDeliver&) = default;
};

struct SmsSubmit {
  std::uint8_t message_reference = 0;
  SmsAddress destination;
  std::uint8_t pid = kPidSimDataDownload;
  std::uint8_t dcs = kDcsClass2Data;
  bool udhi = true;
  Bytes user_data;
  friend bool operator==(const SmsSubmit&, const SmsSubmit&) = default;
};

enum class SmsError { Truncated, TrailingBytes, WrongMessageType, BadAddress, UnsupportedDcs, BadUdh, BadConcat };
[[nodiscard]] const char* describe(SmsError e) noexcept;

[[nodiscard]] Bytes encode_sms_deliver(const SmsDeliver& m);
[[nodiscard]] Result<SmsDeliver, SmsError> decode_sms_deliver(ByteSpan tpdu);
[[nodiscard]] Bytes encode_sms_submit(const SmsSubmit& m);
[[nodiscard]] Result<SmsSubmit, SmsError> decode_sms_submit(ByteSpan tpdu);

struct UdhElement {
  std::uint8_t iei = 0;
  Bytes data;
  friend bool operator==(const UdhElement&, const UdhElement&) = default;
};
struct UserData {
  std::vector<UdhElement> header;
  Bytes body;
};
// TS 23.040 §9.2.3.24: split TP-UD into its UDH information elements and the rest.
[[nodiscard]] Result<UserData, SmsError> split_user_data(ByteSpan tp_ud);

// TS 31.115 §4.1 / TS 23.040 §9.2.3.24.1: TP-UD of each SMS carrying `packet` (CPL..end): one SMS with UDH
// 02 70 00 when it fits 140 octets, else concatenated segments, IEI 70 in the first segment only. REQ-OTA-30.
// Empty when the packet needs more than 255 segments (about 34 kB), which the one-octet count cannot express.
[[nodiscard]] std::vector<Bytes> command_packet_user_data(ByteSpan packet, std::uint16_t reference,
                                                          bool sixteen_bit_reference = false);

// One segment as received, for reassembly.
struct Segment {
  std::uint16_t reference = 0;
  std::uint8_t total = 1;
  std::uint8_t sequence = 1;
  bool command_packet_iei = false;  // IEI 70 seen in this segment
  Bytes body;
};
[[nodiscard]] Result<Segment, SmsError> read_segment(ByteSpan tp_ud);

// REQ-OTA-31: reassembles concatenated command packets (TS 23.040 §9.2.3.24.1). A value type: the USIM keeps
// one as state. add() returns the whole packet (CPL..end) once every segment of a reference is in.
class Reassembly {
 public:
  [[nodiscard]] Result<std::optional<Bytes>, SmsError> add(const Segment& s);
  [[nodiscard]] bool pending() const noexcept { return !parts_.empty(); }
  void clear() noexcept { parts_.clear(); }

 private:
  std::uint16_t reference_ = 0;
  std::uint8_t total_ = 0;
  bool command_packet_ = false;
  std::vector<std::optional<Bytes>> parts_;
};

}  // namespace mnoswitch::ota
