// ETSI TS 102 221 §7.3.1.1.4/§10.1 (CLA/INS checks, 61xx and GET RESPONSE), §11.1.8 GET RESPONSE,
// §11.2.2/§11.2.3 FETCH / TERMINAL RESPONSE, TS 102 223 §4.3 (91xx) and §6.4.7 (REFRESH after the IMSI change).
#include "reference/usim/card.hpp"

#include <algorithm>

#include "reference/usim/commands.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::usim {

bool operator==(const CardState& a, const CardState& b) {
  return a.fs == b.fs && a.selection == b.selection && a.pending_response == b.pending_response &&
         a.proactive == b.proactive && a.sqn.layout == b.sqn.layout && a.sqn.policy.delta == b.sqn.policy.delta &&
         a.sqn.policy.age_limit == b.sqn.policy.age_limit && a.sqn.seq_ms == b.sqn.seq_ms &&
         a.ota_counters == b.ota_counters && a.sms_segments == b.sms_segments;
}

namespace detail {
namespace {

constexpr std::uint8_t kClaIso = 0x00;
constexpr std::uint8_t kClaUicc = 0x80;
constexpr std::size_t kMaxShortResponse = 256;

const Bytes* ef_imsi_data(const CardState& s) {
  auto n = s.fs.adf_ef(fid::kEfImsi);
  return n ? &s.fs.nodes[*n].data : nullptr;
}

bool refresh_queued(const CardState& s) {
  return std::any_of(s.proactive.queue.begin(), s.proactive.queue.end(), [](const Bytes& cmd) {
    auto d = command_details_of(cmd);
    return d.ok() && d.value().type == static_cast<std::uint8_t>(ProactiveType::Refresh);
  });
}

// REQ-FS-41: once EF_IMSI holds a new value, the card asks the terminal (proactive REFRESH, TS 102 223 §6.4.7)
// to run the USIM initialisation again, which reads the new IMSI and leads to a new attach.
void queue_refresh_if_imsi_changed(const CardConfig& cfg, const CardState& before, CardState& after) {
  const Bytes* old_imsi = ef_imsi_data(before);
  const Bytes* new_imsi = ef_imsi_data(after);
  if (!old_imsi || !new_imsi || *old_imsi == *new_imsi || refresh_queued(after)) return;
  const auto adf = after.fs.first_adf();
  const Bytes aid = adf ? after.fs.nodes[*adf].aid : Bytes{};
  const Bytes path{0x3F, 0x00, 0x7F, 0xFF, 0x6F, 0x07};
  queue_proactive(after, encode_refresh(next_command_number(after), cfg.refresh_mode, {path}, aid));
}

// TS 102 221 §11.1.8 (REQ-FS-28): hands out what the previous command left, Le octets at a time.
ResponseApdu get_response(CardState& s, const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_only(StatusWord::IncorrectP1P2);
  if (!c.data.empty() || !c.le) return sw_only(StatusWord::WrongLength);
  if (s.pending_response.empty()) return sw_only(StatusWord::ConditionsOfUseNotSatisfied);
  Bytes& p = s.pending_response;
  if (*c.le == kMaxShortResponse && p.size() <= kMaxShortResponse) return ResponseApdu{std::exchange(p, {}), StatusWord::Ok};
  if (*c.le > p.size()) return sw_only(sw_wrong_le(p.size()));
  Bytes out(p.begin(), p.begin() + *c.le);
  p.erase(p.begin(), p.begin() + *c.le);
  if (p.empty()) return ResponseApdu{std::move(out), StatusWord::Ok};
  return ResponseApdu{std::move(out), sw_response_available(std::min(p.size(), kMaxShortResponse))};
}

}  // namespace

void queue_proactive(CardState& state, Bytes command) { state.proactive.queue.push_back(std::move(command)); }

std::uint8_t next_command_number(CardState& state) {
  // TS 102 223 §8.6: 01..FE; the card's own numbering, wrapping over 00 and FF.
  const std::uint8_t n = state.proactive.next_number;
  state.proactive.next_number = static_cast<std::uint8_t>(n >= 0xFE ? 1 : n + 1);
  return n;
}

// TS 102 221 §11.2.2 (REQ-FS-42): FETCH hands the next proactive command (exact length; 6Cxx otherwise).
ResponseApdu cmd_fetch(Session& s, const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_only(StatusWord::IncorrectP1P2);
  if (!c.data.empty() || !c.le) return sw_only(StatusWord::WrongLength);
  auto& pro = s.state.proactive;
  if (pro.queue.empty()) return sw_only(StatusWord::ConditionsOfUseNotSatisfied);
  const Bytes& cmd = pro.queue.front();
  if (*c.le != kMaxShortResponse && *c.le != cmd.size()) return sw_only(sw_wrong_le(cmd.size()));
  if (cmd.size() > kMaxShortResponse) return sw_only(StatusWord::TechnicalProblem);
  Bytes out = cmd;
  pro.fetched = cmd;
  pro.queue.erase(pro.queue.begin());
  return ResponseApdu{std::move(out), StatusWord::Ok};
}

// TS 102 221 §11.2.3 (REQ-FS-43): the terminal's answer to the fetched command; then 91xx for the next one.
ResponseApdu cmd_terminal_response(Session& s, const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_only(StatusWord::IncorrectP1P2);
  if (c.data.empty() || c.le) return sw_only(StatusWord::WrongLength);
  auto& pro = s.state.proactive;
  if (!pro.fetched) return sw_only(StatusWord::ConditionsOfUseNotSatisfied);
  auto tr = decode_terminal_response(c.data);
  if (tr.failed()) return sw_only(StatusWord::IncorrectData);
  auto expected = command_details_of(*pro.fetched);
  if (expected.failed() || !(expected.value() == tr.value().details)) return sw_only(StatusWord::IncorrectData);
  // A terminal that could not perform the command (result 1x–3x) has told us so; the card does not retry
  // (documented gap: no re-queueing of a failed SEND SHORT MESSAGE).
  pro.fetched.reset();
  return sw_only(StatusWord::Ok);
}

// TS 102 221 §10.1.1 (REQ-FS-22): CLA b8..b5 = 0000 (ISO) or 1000 (this UICC's own commands); b2b1 = logical
// channel (only 0), b4b3 = secure messaging (none). Then INS.
ResponseApdu execute(Session& s, const CommandApdu& c) {
  const std::uint8_t family = c.cla & 0xF0;
  if (family == 0x40 || family == 0xC0) return sw_only(StatusWord::LogicalChannelNotSupported);
  if (family != kClaIso && family != kClaUicc) return sw_only(StatusWord::ClassNotSupported);
  if (c.cla & 0x03) return sw_only(StatusWord::LogicalChannelNotSupported);
  if (c.cla & 0x0C) return sw_only(StatusWord::SecureMessagingNotSupported);
  const bool iso = family == kClaIso;
  auto need = [&](bool want_iso) { return want_iso == iso; };
  switch (static_cast<Ins>(c.ins)) {
    case Ins::Select: return need(true) ? cmd_select(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::ReadBinary: return need(true) ? cmd_read_binary(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::UpdateBinary: return need(true) ? cmd_update_binary(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::ReadRecord: return need(true) ? cmd_read_record(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::UpdateRecord: return need(true) ? cmd_update_record(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::Status: return need(false) ? cmd_status(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::Authenticate:
      if (s.rfm) return sw_only(StatusWord::InsNotSupported);
      return need(true) ? cmd_authenticate(s, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::GetResponse:
      // Only the terminal has a response to get (RFM answers in full); Card::transmit handles it.
      if (s.rfm) return sw_only(StatusWord::InsNotSupported);
      return need(true) ? get_response(s.state, c) : sw_only(StatusWord::ClassNotSupported);
    case Ins::Envelope:
    case Ins::Fetch:
    case Ins::TerminalResponse: {
      if (s.rfm) return sw_only(StatusWord::InsNotSupported);
      if (!need(false)) return sw_only(StatusWord::ClassNotSupported);
      if (c.ins == static_cast<std::uint8_t>(Ins::Envelope)) return cmd_envelope(s, c);
      if (c.ins == static_cast<std::uint8_t>(Ins::Fetch)) return cmd_fetch(s, c);
      return cmd_terminal_response(s, c);
    }
  }
  return sw_only(StatusWord::InsNotSupported);
}

}  // namespace detail

// REQ-FS-21: the command runs on a copy of the state; an error status word discards the copy.
ResponseApdu Card::transmit(ByteSpan raw) {
  using namespace detail;
  auto parsed = parse_command_apdu(raw);
  if (parsed.failed()) return sw_only(parsed.error());
  const CommandApdu& c = parsed.value();

  CardState next = state_;
  const bool get_resp = c.ins == static_cast<std::uint8_t>(Ins::GetResponse) && (c.cla & 0xF0) == kClaIso;
  if (!get_resp) next.pending_response.clear();  // ISO 7816-4: any other command discards the response
  // The terminal holds PIN1 (PIN disabled on this card), never ADM (REQ-FS-10).
  Session s{config_, next, next.selection, Rights{true, false}, false};
  ResponseApdu r = execute(s, c);
  if (!is_success(r.sw) && !is_warning(r.sw)) return r;

  queue_refresh_if_imsi_changed(config_, state_, next);
  // TS 102 221 §7.3.1.1.4 case 4: response data of a command with a data field is announced with 61xx and fetched
  // by GET RESPONSE, unless the command carried an Le that covers it.
  const bool case4 = !c.data.empty();
  if (!get_resp && case4 && !r.data.empty() && (!c.le || *c.le < r.data.size())) {
    next.pending_response = std::move(r.data);
    r = ResponseApdu{{}, sw_response_available(std::min(next.pending_response.size(), kMaxShortResponse))};
  }
  // TS 102 221 §10.2.1.1: a normal ending becomes 91xx while a proactive command waits to be fetched.
  if (r.sw == StatusWord::Ok && !next.proactive.queue.empty() && !next.proactive.fetched)
    r.sw = sw_proactive_pending(next.proactive.queue.front().size());
  state_ = std::move(next);
  return r;
}

}  // namespace mnoswitch::usim
