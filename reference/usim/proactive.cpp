// ETSI TS 102 223 §6.4.7, §6.6.13, §6.8, §8: REFRESH and TERMINAL RESPONSE coding (COMPREHENSION-TLVs).
#include "reference/usim/proactive.hpp"

namespace mnoswitch::usim {
namespace {

constexpr std::uint8_t kTagProactive = 0xD0;       // TS 102 223 §9.1 BER-TLV tag
constexpr std::uint8_t kTagCommandDetails = 0x01;  // §9.3 (CR bit 0x80 added when comprehension required)
constexpr std::uint8_t kTagDeviceIdentities = 0x02;
constexpr std::uint8_t kTagResult = 0x03;
constexpr std::uint8_t kTagFileList = 0x12;
constexpr std::uint8_t kTagAid = 0x2F;
constexpr std::uint8_t kCr = 0x80;
constexpr std::uint8_t kDevUicc = 0x81;
constexpr std::uint8_t kDevTerminal = 0x82;

// TS 102 223 §8.1 / TS 102 221 annex D: length 0..127 in one octet, 128..255 as 81 xx.
void put_length(Bytes& out, std::size_t n) {
  if (n > 0x7F) out.push_back(0x81);
  out.push_back(static_cast<std::uint8_t>(n));
}
void tlv(Bytes& out, std::uint8_t tag, ByteSpan v) {
  out.push_back(tag);
  put_length(out, v.size());
  out.insert(out.end(), v.begin(), v.end());
}

struct Tlv {
  std::uint8_t tag;
  ByteSpan value;
};
// Simple COMPREHENSION-TLVs (one-octet tags; the three-octet form 7F… is not used by these commands).
Result<std::vector<Tlv>, ProactiveError> split(ByteSpan s) {
  std::vector<Tlv> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 2 > s.size()) return err(ProactiveError::Malformed);
    const std::uint8_t tag = s[i++];
    std::size_t len = s[i++];
    if (len == 0x81) {
      if (i >= s.size()) return err(ProactiveError::Malformed);
      len = s[i++];
    } else if (len > 0x7F) {
      return err(ProactiveError::Malformed);
    }
    if (i + len > s.size()) return err(ProactiveError::Malformed);
    out.push_back({tag, s.subspan(i, len)});
    i += len;
  }
  return out;
}
const Tlv* find(const std::vector<Tlv>& v, std::uint8_t tag) {
  for (const auto& t : v)
    if ((t.tag & 0x7F) == tag) return &t;
  return nullptr;
}
Result<CommandDetails, ProactiveError> details_in(const std::vector<Tlv>& v) {
  const Tlv* d = find(v, kTagCommandDetails);
  if (!d || d->value.size() != 3) return err(ProactiveError::MissingCommandDetails);
  return CommandDetails{d->value[0], d->value[1], d->value[2]};
}

}  // namespace

// TS 102 223 §6.6.13: REFRESH = command details, device identities, [file list], [AID].
Bytes encode_refresh(std::uint8_t number, RefreshMode mode, const std::vector<Bytes>& file_paths, const Bytes& aid) {
  Bytes body;
  tlv(body, kTagCommandDetails | kCr,
      Bytes{number, static_cast<std::uint8_t>(ProactiveType::Refresh), static_cast<std::uint8_t>(mode)});
  tlv(body, kTagDeviceIdentities | kCr, Bytes{kDevUicc, kDevTerminal});
  if (!file_paths.empty()) {
    // §8.18: number of files, then each full path from the MF.
    Bytes list{static_cast<std::uint8_t>(file_paths.size())};
    for (const auto& p : file_paths) list.insert(list.end(), p.begin(), p.end());
    tlv(body, kTagFileList | kCr, list);
  }
  if (!aid.empty()) tlv(body, kTagAid | kCr, aid);
  Bytes out{kTagProactive};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<CommandDetails, ProactiveError> command_details_of(ByteSpan cmd) {
  if (cmd.size() < 2 || cmd[0] != kTagProactive) return err(ProactiveError::Malformed);
  std::size_t i = 1;
  std::size_t len = cmd[i++];
  if (len == 0x81) {
    if (cmd.size() < 3) return err(ProactiveError::Malformed);
    len = cmd[i++];
  }
  if (i + len != cmd.size()) return err(ProactiveError::Malformed);
  auto tlvs = MNOSWITCH_TRY(split(cmd.subspan(i)));
  return details_in(tlvs);
}

Result<TerminalResponse, ProactiveError> decode_terminal_response(ByteSpan data) {
  auto tlvs = MNOSWITCH_TRY(split(data));
  auto d = MNOSWITCH_TRY(details_in(tlvs));
  const Tlv* r = find(tlvs, kTagResult);
  if (!r || r->value.empty()) return err(ProactiveError::MissingResult);
  return TerminalResponse{d, r->value[0]};
}

Bytes encode_terminal_response(const CommandDetails& d, std::uint8_t general_result) {
  Bytes out;
  tlv(out, kTagCommandDetails | kCr, Bytes{d.number, d.type, d.qualifier});
  tlv(out, kTagDeviceIdentities | kCr, Bytes{kDevTerminal, kDevUicc});
  tlv(out, kTagResult | kCr, Bytes{general_result});
  return out;
}

}  // namespace mnoswitch::usim
