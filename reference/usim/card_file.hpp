// The card file (CARD.json, spec/usim.md "Card file"): personalisation (TS 31.102 §4.2.2 IMSI, TS 102 221 §13.2
// ICCID), AKA subscription (TS 35.206), OTA key sets/TARs/counters (TS 102 225 §5.1, TS 102 226 §8) and the
// card's dynamic state, read and written losslessly (REQ-FS-70).
#pragma once

#include <string>
#include <string_view>

#include "reference/core/result.hpp"
#include "reference/usim/card.hpp"
#include "reference/usim/iccid.hpp"
#include "reference/usim/imsi.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::usim {

// What the default file tree is built from; EF contents that differ from it are listed in "files".
struct Personalisation {
  Iccid iccid;
  Imsi imsi;
  UsimOptions options;
};

struct CardFile {
  Personalisation personalisation;
  CardConfig config;
  CardState state;
};

struct CardFileError {
  std::string message;  // names the field: "aka.k: expected 16 octets (32 hex digits), got 15 octets"
};

// REQ-FS-70: parse CARD.json (see spec/usim.md); every field is checked, unknown fields are rejected.
[[nodiscard]] Result<CardFile, CardFileError> parse_card_file(std::string_view json_text);
// The same format back; "imsi"/"mnc_length" follow what EF_IMSI/EF_AD hold now (when they decode). A written file
// parses to an equal state (tested).
[[nodiscard]] std::string write_card_file(const CardFile& file);

[[nodiscard]] inline Card make_card(const CardFile& f) { return Card(f.config, f.state); }
// A freshly personalised card's state (MF selected, nothing pending, SQN array empty, OTA counters 0 for `config`'s
// key sets): for code that builds cards without a file (the fleet simulation).
[[nodiscard]] CardState initial_state(const Personalisation& p, const CardConfig& config,
                                      aka::SqnLayout layout = aka::SqnLayout{});
// After a session: the file with the card's new state.
[[nodiscard]] CardFile with_state(CardFile f, const Card& card);

}  // namespace mnoswitch::usim
