// GSMTAP v2 (osmocom gsmtap.h, UDP port 4729, type 0x04 SIM) in a classic pcap file (LINKTYPE_ETHERNET): the
// card-side APDU exchanges (ENVELOPE SMS-PP download, FETCH, TERMINAL RESPONSE) as SIMtrace would capture them,
// so that Wireshark/tshark dissects ENVELOPE -> SMS-DELIVER (UDH 0x70) and SEND SHORT MESSAGE -> SMS-SUBMIT (0x71).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

namespace mnoswitch::mechanism {

inline constexpr std::uint16_t kGsmtapPort = 4729;
inline constexpr std::uint8_t kGsmtapVersion = 2;
inline constexpr std::uint8_t kGsmtapTypeSim = 0x04;
inline constexpr std::size_t kGsmtapHeaderLength = 16;

enum class PcapError { CannotOpen, WriteFailed };

// One APDU exchange as GSMTAP SIM payload: the command header and data, then the response data and SW1 SW2.
[[nodiscard]] Bytes gsmtap_sim_payload(ByteSpan command_apdu, ByteSpan response_data, std::uint16_t status_word);
// The GSMTAP header + payload (what goes inside UDP).
[[nodiscard]] Bytes gsmtap_frame(ByteSpan payload);
// Ethernet/IPv4/UDP around a GSMTAP frame (127.0.0.1 -> 127.0.0.2, dst port 4729), IPv4 checksum filled in.
[[nodiscard]] Bytes udp_ethernet_frame(ByteSpan udp_payload);

class PcapWriter {
 public:
  [[nodiscard]] static Result<PcapWriter, PcapError> open(const std::string& path);
  PcapWriter(PcapWriter&&) = default;
  PcapWriter& operator=(PcapWriter&&) = default;

  // Time is simulated: microseconds since the start of the run.
  [[nodiscard]] Status<PcapError> write_apdu(std::uint64_t time_us, ByteSpan command_apdu, ByteSpan response_data,
                                             std::uint16_t status_word);
  [[nodiscard]] std::uint64_t frames() const noexcept { return frames_; }
  [[nodiscard]] Status<PcapError> close();

 private:
  explicit PcapWriter(std::ofstream out) : out_(std::move(out)) {}
  std::ofstream out_;
  std::uint64_t frames_ = 0;
};

}  // namespace mnoswitch::mechanism
