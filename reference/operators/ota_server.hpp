// ETSI TS 102 225 §5 / TS 31.115 §4 / TS 102 226 (the sending entity): an MNO's OTA server with a key set and
// a counter per card; builds secured RFM command packets in SMS-DELIVER TPDUs and reads PoRs. REQ-HO-76, REQ-HO-77, REQ-HO-09.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/ota/keys.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/spi.hpp"
#include "reference/ota/types.hpp"

namespace mnoswitch::operators {

// TARs of the card profile (TS 102 226 / notes: TAR values are card-profile configuration).
inline constexpr ota::Tar kUsimRfmTar{ByteArray<3>{0xB0, 0x00, 0x10}};
// The re-key key-agreement applet (spec/mechanism.md "re-key"): our own USIM extension, its own TAR.
inline constexpr ota::Tar kRekeyTar{ByteArray<3>{0xC0, 0x4B, 0x01}};  // spec/mechanism.md §6
inline constexpr std::size_t kOtaKeySize = 16;  // AES-128 KIc and KID

// What the OTA server holds per card.
struct CardOta {
  ota::KeySet keys;
  std::uint64_t next_counter = 1;  // REQ-HO-77: reserved durably before a packet with it is sent
};

// REQ-HO-09: safe uses counter mode "higher than"; seed uses standard OTA with "counter available, no check".
[[nodiscard]] ota::Spi command_spi(ota::CounterMode mode) noexcept;

enum class OtaServerError { UnknownCard, CounterExhausted, Wrap, PorUnreadable };

class OtaServer {
 public:
  void put(const std::string& iccid, CardOta card) { cards_.insert_or_assign(iccid, std::move(card)); }
  bool erase(const std::string& iccid) { return cards_.erase(iccid) != 0; }
  [[nodiscard]] CardOta* find(const std::string& iccid) noexcept;
  [[nodiscard]] const CardOta* find(const std::string& iccid) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return cards_.size(); }

  // The SMS-DELIVER TPDUs (one, or concatenated) of a command packet to `tar` with counter `counter`.
  [[nodiscard]] static Result<std::vector<Bytes>, OtaServerError> command_sms(const ota::KeySet& keys, const ota::Tar& tar,
                                                                            ota::CounterMode mode, std::uint64_t counter,
                                                                            ByteSpan secured_data, std::uint16_t reference);
  // Reads a PoR carried in an SMS-SUBMIT TPDU, for a command sent with `mode` under `keys`.
  [[nodiscard]] static Result<ota::PorReading, OtaServerError> read_por_sms(const ota::KeySet& keys, ota::CounterMode mode,
                                                                          ByteSpan submit_tpdu);

 private:
  std::unordered_map<std::string, CardOta> cards_;
};

}  // namespace mnoswitch::operators
