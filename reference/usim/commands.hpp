// Internal to reference/usim/: the command handlers and the session they run in (TS 102 221 §11, TS 31.102 §7).
#pragma once

#include "reference/usim/card.hpp"

namespace mnoswitch::usim::detail {

// Who sends the commands: the terminal (channel 0) or the RFM application of a TAR (TS 102 226 §8).
struct Session {
  const CardConfig& config;
  CardState& state;
  Selection& selection;
  Rights rights;
  bool rfm = false;  // RFM: toolkit/authentication commands are not available
};

// TS 102 221 §10.1.1: check CLA/INS, then run the handler. Handlers return the whole response data (the
// terminal layer turns long or case-4 answers into 61xx); they modify state only on the path that succeeds.
[[nodiscard]] ResponseApdu execute(Session& s, const CommandApdu& c);

[[nodiscard]] ResponseApdu cmd_select(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_status(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_read_binary(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_update_binary(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_read_record(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_update_record(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_authenticate(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_envelope(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_fetch(Session& s, const CommandApdu& c);
[[nodiscard]] ResponseApdu cmd_terminal_response(Session& s, const CommandApdu& c);

// TS 102 226 §5: run an RFM script for a TAR; returns the encoded response (compact or expanded).
[[nodiscard]] Bytes run_rfm(const CardConfig& config, CardState& state, const TarConfig& tar, ByteSpan script,
                            bool& script_ok);

// A case-2 answer honouring Le (ISO 7816-4): Le = 256 (coded 00) takes what there is; a larger Le than available
// gets 6Cxx with the exact length; a smaller one gets that many octets.
// `exact`: the answer is one object (an FCP, a record): an Le other than 256 must match its length (else 6Cxx).
[[nodiscard]] ResponseApdu answer_with_le(Bytes data, std::optional<std::uint16_t> le, bool exact = false);

[[nodiscard]] inline ResponseApdu sw_only(StatusWord sw) { return ResponseApdu{{}, sw}; }

// Queue a proactive command (TS 102 223 §4.3); numbering is the card's.
void queue_proactive(CardState& state, Bytes command);
[[nodiscard]] std::uint8_t next_command_number(CardState& state);

}  // namespace mnoswitch::usim::detail
