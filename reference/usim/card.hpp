// ETSI TS 102 221 §10-§11 (UICC commands), TS 31.102 §7 (USIM commands), TS 102 223 §6 (proactive UICC),
// TS 31.111 §7.1.1 (SMS-PP data download), TS 102 225/226 (secured packets, RFM): the card as one value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "reference/aka/milenage.hpp"
#include "reference/aka/sqn.hpp"
#include "reference/core/bytes.hpp"
#include "reference/ota/keys.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/types.hpp"
#include "reference/usim/apdu.hpp"
#include "reference/usim/file_system.hpp"
#include "reference/usim/proactive.hpp"

namespace mnoswitch::usim {

// What a TAR leads to on this card (TS 102 226 §8: the RFM application; the TAR values are card configuration).
struct TarConfig {
  ota::Tar tar;
  ota::ScriptFormat format = ota::ScriptFormat::Compact;  // expanded accepts AA (definite) and AE (indefinite)
  std::uint8_t minimum_security_level = 0;  // TS 102 226 §8.2.1.3.2.4, coded like SPI octet 1
  bool adm_access = true;                   // access domain: full (ADM) or the terminal's rights only
  friend bool operator==(const TarConfig&, const TarConfig&) = default;
};

// The card's fixed secrets and settings: set at personalisation, never changed by a command.
struct CardConfig {
  aka::K k;
  aka::Opc opc;
  aka::MilenageProfile milenage = aka::kStandardConstants;
  std::vector<ota::KeySet> key_sets;  // by KVN (TS 102 225 §5.1.2)
  std::vector<TarConfig> tars;
  RefreshMode refresh_mode = RefreshMode::NaaInitAndFileChange;
};

// Proactive UICC (TS 102 223 §4.3): commands waiting for FETCH, and the one fetched awaiting its TERMINAL RESPONSE.
struct ProactiveState {
  std::vector<Bytes> queue;
  std::optional<Bytes> fetched;
  std::uint8_t next_number = 1;
  friend bool operator==(const ProactiveState&, const ProactiveState&) = default;
};

// The current directory and EF (TS 102 221 §8.4): one logical channel (channel 0).
struct Selection {
  std::size_t df = 0;
  std::optional<std::size_t> ef;
  friend bool operator==(const Selection&, const Selection&) = default;
};

// Everything a command can change. A value: copy it to snapshot, compare it to test "nothing changed".
struct CardState {
  FileSystem fs;
  Selection selection;
  Bytes pending_response;  // for GET RESPONSE (61xx)
  ProactiveState proactive;
  aka::UsimSqnState sqn;
  std::map<std::uint8_t, std::uint64_t> ota_counters;  // by KVN (TS 102 225 §5.1.1: one counter per key set)
  std::vector<Bytes> sms_segments;                     // TP-UD of concatenated SMS awaiting the rest
};
[[nodiscard]] bool operator==(const CardState& a, const CardState& b);

// REQ-FS-21: a command that ends with an error status word leaves the state exactly as it was (the card works on
// a copy and commits only on success). Never throws, never aborts on any input.
class Card {
 public:
  Card(CardConfig config, CardState state) : config_(std::move(config)), state_(std::move(state)) {}

  [[nodiscard]] ResponseApdu transmit(ByteSpan command_apdu);
  [[nodiscard]] ResponseApdu transmit(const CommandApdu& c) { return transmit(encode_command_apdu(c)); }

  [[nodiscard]] const CardState& state() const noexcept { return state_; }
  [[nodiscard]] const CardConfig& config() const noexcept { return config_; }

 private:
  CardConfig config_;
  CardState state_;
};

}  // namespace mnoswitch::usim
