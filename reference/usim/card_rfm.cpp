// ETSI TS 102 226 §5 (command scripts: compact / expanded, execution stops at the first error, responses) and §8
// (RFM application), 3GPP TS 31.116 (USIM RFM: starts with ADF.USIM selected): REQ-FS-60..63.
#include "reference/usim/commands.hpp"

namespace mnoswitch::usim::detail {
namespace {

// TS 102 226 §5.1.1: the format is configured per TAR; an expanded TAR takes either template (AA definite,
// AE indefinite) and answers in the matching one (AB / AF).
ota::ScriptFormat format_for(const TarConfig& tar, ByteSpan script) {
  constexpr std::uint8_t kTagIndefiniteScript = 0xAE;
  if (tar.format == ota::ScriptFormat::Compact) return ota::ScriptFormat::Compact;
  if (!script.empty() && script[0] == kTagIndefiniteScript) return ota::ScriptFormat::ExpandedIndefinite;
  return ota::ScriptFormat::ExpandedDefinite;
}

}  // namespace

// REQ-FS-60: each C-APDU runs in the RFM session (own selection starting at ADF.USIM, the TAR's access rights);
// a command that fails leaves the state as it was, and execution stops there (REQ-FS-61); the response is the
// number executed and the last R-APDU (compact) or all R-APDUs (expanded) (REQ-FS-62).
Bytes run_rfm(const CardConfig& config, CardState& state, const TarConfig& tar, ByteSpan script, bool& script_ok) {
  const auto fmt = format_for(tar, script);
  ota::RfmResponse resp;
  auto cmds = ota::decode_script(script, fmt);
  if (cmds.failed()) {
    // A script that cannot be parsed runs nothing; the response says so with 0 executed and 6A 80.
    script_ok = false;
    resp.rapdus.push_back(Bytes{sw1(StatusWord::IncorrectData), sw2(StatusWord::IncorrectData)});
    return ota::encode_response(resp, fmt);
  }
  Selection sel{state.fs.first_adf().value_or(0), std::nullopt};
  const Rights rights{true, tar.adm_access};
  script_ok = true;
  for (const Bytes& raw : cmds.value()) {
    ResponseApdu r;
    auto c = parse_command_apdu(raw);
    if (c.failed()) {
      r = sw_only(c.error());
    } else {
      CardState trial = state;
      Selection trial_sel = sel;
      Session s{config, trial, trial_sel, rights, true};
      r = execute(s, c.value());
      if (is_success(r.sw) || is_warning(r.sw)) {
        state = std::move(trial);
        sel = trial_sel;
      }
    }
    resp.executed = static_cast<std::uint8_t>(resp.executed + 1);
    const bool stop = !is_success(r.sw) && !is_warning(r.sw);
    if (fmt == ota::ScriptFormat::Compact) resp.rapdus.clear();
    resp.rapdus.push_back(r.encode());
    if (stop) {
      script_ok = false;
      break;
    }
  }
  return ota::encode_response(resp, fmt);
}

}  // namespace mnoswitch::usim::detail
