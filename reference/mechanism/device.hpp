// The device (spec/mechanism.md "Roles"): a terminal (ME) with its USIM (usim::Card + the re-key applet). The
// terminal hands SMS-PP to the card by ENVELOPE (TS 31.111 §7.1.1), runs the proactive session (FETCH /
// TERMINAL RESPONSE, TS 102 223 §6), sends the card's SMS-SUBMIT PoRs, re-runs the USIM initialisation after a
// REFRESH, and attaches by AKA (AUTHENTICATE, TS 31.102 §7.1.2) against whichever HSS the network routes to.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/mechanism/pcap_writer.hpp"
#include "reference/operators/hss.hpp"
#include "reference/usim/rekey_applet.hpp"

namespace mnoswitch::mechanism {

struct DeviceOutput {
  std::vector<Bytes> uplink;  // SMS-SUBMIT TPDUs the card asked the terminal to send (PoRs)
  bool refreshed = false;     // the card asked for a REFRESH (USIM initialisation, then attach)
};

enum class AttachOutcome : std::uint8_t { Attached, UnknownSubscriber, AuthFailed, NoImsi };

class Device {
 public:
  Device(usim::RekeyCard card, std::string iccid) : card_(std::move(card)), iccid_(std::move(iccid)) {}

  // TS 31.111 §7.1.1: one SMS-DELIVER (SMS-PP data download) through ENVELOPE, then the proactive session.
  [[nodiscard]] DeviceOutput receive_sms(ByteSpan deliver_tpdu, PcapWriter* pcap, std::uint64_t time_us);

  // TS 33.102 §6.3: the terminal reads EF_IMSI, the network picks the HSS owning the IMSI's range, AKA runs
  // with AUTHENTICATE; a MAC failure is retried with the HSS's pending key (re-key window), a synch failure
  // resynchronises once. `find_hss` returns nullptr when no operator owns the IMSI.
  [[nodiscard]] AttachOutcome attach(const std::function<operators::Hss*(const std::string& imsi)>& find_hss,
                                     std::string* imsi_out = nullptr);

  [[nodiscard]] const usim::RekeyCard& card() const noexcept { return card_; }
  [[nodiscard]] const std::string& iccid() const noexcept { return iccid_; }
  // The IMSI in EF_IMSI now (abstraction probe; the terminal itself reads it by APDU in attach()).
  [[nodiscard]] std::optional<std::string> imsi() const;
  [[nodiscard]] std::uint64_t ota_counter(std::uint8_t kvn) const;

 private:
  [[nodiscard]] usim::ResponseApdu exchange(const Bytes& apdu, PcapWriter* pcap, std::uint64_t time_us);
  [[nodiscard]] std::optional<std::string> read_imsi_by_apdu();

  usim::RekeyCard card_;
  std::string iccid_;
};

}  // namespace mnoswitch::mechanism
