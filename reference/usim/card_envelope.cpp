// TS 31.111 §7.1.1 (ENVELOPE SMS-PP DOWNLOAD), TS 31.115 §4-§6 (secured packets over SMS-PP, PoR by
// SMS-DELIVER-REPORT or SMS-SUBMIT), TS 102 225 §5 (card checks via ota::open_command), TS 102 223 §6.4.10
// (SEND SHORT MESSAGE): REQ-FS-50..55.
#include <algorithm>

#include "reference/ota/card.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/header.hpp"
#include "reference/ota/sms.hpp"
#include "reference/usim/commands.hpp"

namespace mnoswitch::usim::detail {
namespace {

const TarConfig* find_tar(const CardConfig& cfg, const ota::Tar& tar) {
  auto it = std::find_if(cfg.tars.begin(), cfg.tars.end(), [&](const TarConfig& t) { return t.tar == tar; });
  return it == cfg.tars.end() ? nullptr : &*it;
}

// The card's key sets, counters and TARs, lent read-only to the OTA layer (which never mutates them).
ota::CardView make_view(const CardConfig& cfg, const CardState& st) {
  ota::CardView v;
  v.key_set = [&cfg](ota::KeyVersion kvn) -> const ota::KeySet* {
    auto it = std::find_if(cfg.key_sets.begin(), cfg.key_sets.end(),
                           [&](const ota::KeySet& k) { return k.kvn == kvn; });
    return it == cfg.key_sets.end() ? nullptr : &*it;
  };
  v.counter = [&cfg, &st](ota::KeyVersion kvn) -> std::optional<ota::OtaCounter> {
    const bool known = std::any_of(cfg.key_sets.begin(), cfg.key_sets.end(),
                                   [&](const ota::KeySet& k) { return k.kvn == kvn; });
    if (!known) return std::nullopt;
    auto it = st.ota_counters.find(kvn.value());
    return ota::OtaCounter::make(it == st.ota_counters.end() ? 0 : it->second);
  };
  v.tar = [&cfg](const ota::Tar& t) -> std::optional<ota::TarPolicy> {
    const TarConfig* tc = find_tar(cfg, t);
    if (!tc) return std::nullopt;
    return ota::TarPolicy{ota::MinimumSecurityLevel{tc->minimum_security_level}, {}};
  };
  return v;
}

// TS 23.040 §9.2.3.24.1 (REQ-FS-51): concatenated command packets are kept (as received TP-UD, so the state
// stays a plain value) until the last segment arrives. Returns the whole packet, nullopt while incomplete.
Result<std::optional<Bytes>, StatusWord> reassemble(CardState& st, ByteSpan tp_ud) {
  auto seg = ota::read_segment(tp_ud);
  if (seg.failed()) return err(StatusWord::IncorrectData);
  ota::Reassembly r;
  if (seg.value().total > 1) {
    for (const auto& earlier : st.sms_segments) {
      auto e = ota::read_segment(earlier);
      if (e.ok()) (void)r.add(e.value());
    }
  }
  auto got = r.add(seg.value());
  if (got.failed()) {
    // A duplicate or a segment of another message: start again from this segment alone.
    ota::Reassembly fresh;
    got = fresh.add(seg.value());
    if (got.failed()) return err(StatusWord::IncorrectData);
    st.sms_segments.clear();
  }
  if (!got.value()) {
    if (!std::any_of(st.sms_segments.begin(), st.sms_segments.end(), [&](const Bytes& b) {
          auto e = ota::read_segment(b);
          return e.ok() && e.value().reference == seg.value().reference;
        }))
      st.sms_segments.clear();
    st.sms_segments.push_back(to_bytes(tp_ud));
    return std::optional<Bytes>();
  }
  st.sms_segments.clear();
  return std::move(got).value();
}

}  // namespace

// TS 31.111 §7.1.1 / TS 31.115 §6 (REQ-FS-50): ENVELOPE (SMS-PP DOWNLOAD) carrying a secured command packet.
// The packet is opened by ota::open_command (TS 102 225 §5.1: TAR, SPI, MSL, keys, cipher, CC, counter). Only an
// accepted packet has an effect: its counter is stored and its script runs in the TAR's RFM application. A PoR,
// when the SPI asks for one, goes back in the ENVELOPE response (→ SMS-DELIVER-REPORT, via 61xx) or in a proactive
// SEND SHORT MESSAGE (SMS-SUBMIT, UDH 71) to the originator of the command.
ResponseApdu cmd_envelope(Session& s, const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_only(StatusWord::IncorrectP1P2);
  if (c.data.empty()) return sw_only(StatusWord::WrongLength);
  // TS 102 221 §10.2.1.2: a proactive command is out and not yet answered: the toolkit is busy.
  if (s.state.proactive.fetched) return sw_only(StatusWord::ToolkitBusy);

  // Other envelopes (menu selection D3, event download D6, …) are not provided by this card.
  if (c.data[0] != ota::kTagSmsPpDownload) return sw_only(StatusWord::FunctionNotSupported);
  auto dl = ota::decode_sms_pp_download(c.data);
  if (dl.failed()) return sw_only(StatusWord::IncorrectData);
  auto sms = ota::decode_sms_deliver(dl.value().tpdu);
  if (sms.failed() || sms.value().pid != ota::kPidSimDataDownload) return sw_only(StatusWord::IncorrectData);

  auto whole = reassemble(s.state, sms.value().user_data);
  if (whole.failed()) return sw_only(whole.error());
  if (!whole.value()) return sw_only(StatusWord::Ok);  // RP-ACK; waiting for more segments
  const Bytes packet = std::move(*whole.value());

  const CardConfig& cfg = s.config;
  auto opened = ota::open_command(packet, make_view(cfg, s.state));
  // Not even a TAR to answer to: the card drops the packet; the terminal answers RP-ERROR (REQ-FS-52).
  if (opened.failed()) return sw_only(StatusWord::IncorrectData);
  const ota::CommandVerdict& v = opened.value();

  ota::ResponseStatus status = v.status;
  Bytes response_data;
  if (v.accepted()) {
    // REQ-FS-53: accepted → the counter advances and the script runs; rejected → nothing is applied.
    if (v.commit) s.state.ota_counters[v.commit->key_set.value()] = v.commit->value.value();
    const TarConfig* tar = find_tar(cfg, v.header.tar);
    if (!tar) return sw_only(StatusWord::TechnicalProblem);  // open_command accepted an unknown TAR: a bug
    bool script_ok = true;
    response_data = run_rfm(cfg, s.state, *tar, v.data, script_ok);
  }
  if (!ota::por_wanted(v, status)) return sw_only(StatusWord::Ok);

  auto por = ota::build_por(v, status, response_data, make_view(cfg, s.state));
  // REQ-FS-56: a PoR that cannot be built, or that does not fit the TP-UD of one SMS (TS 23.040 §9.2.3.24:
  // 140 octets, UDH included), fails the whole step: nothing is applied, not even the counter, and the terminal
  // answers RP-ERROR. (The PoR has no concatenation in TS 31.115; the server must ask for less at once.)
  if (por.failed() || por.value().size() > ota::kMaxSingleSmsUserData) return sw_only(StatusWord::TechnicalProblem);

  const bool by_submit = v.spi && v.spi->por_transport == ota::PorTransport::SmsSubmit;
  if (!by_submit) return ResponseApdu{std::move(por.value()), StatusWord::Ok};  // REQ-FS-54

  // REQ-FS-55: TS 31.115 §6.2: PoR as SMS-SUBMIT (TP-PID 7F, TP-DCS F6, UDH 71) to the command's originator.
  ota::SmsSubmit submit;
  submit.destination = sms.value().originator;
  submit.user_data = std::move(por.value());
  const auto number = next_command_number(s.state);
  queue_proactive(s.state, ota::encode_send_short_message(submit, number));
  return sw_only(StatusWord::Ok);
}

}  // namespace mnoswitch::usim::detail
