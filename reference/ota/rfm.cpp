// ETSI TS 102 226 §5.1 (command scripts: compact, expanded AA/AE), §5.2 (responses AB/AF), TS 31.116 (USIM RFM).
#include "reference/ota/rfm.hpp"

#include "reference/ota/tlv.hpp"

namespace mnoswitch::ota {
namespace {

constexpr std::uint8_t kTagScriptDefinite = 0xAA, kTagScriptIndefinite = 0xAE;
constexpr std::uint8_t kTagResponseDefinite = 0xAB, kTagResponseIndefinite = 0xAF;
constexpr std::uint8_t kTagCapdu = 0x22, kTagRapdu = 0x23, kTagExecuted = 0x80;
constexpr std::size_t kApduHeader = 4;

// ISO/IEC 7816-4 case 2 instructions (Le only) that RFM scripts use: READ BINARY, READ RECORD, GET RESPONSE,
// STATUS, GET DATA. A compact script carries no length of its own, so the case follows from INS.
bool case2(std::uint8_t ins) noexcept {
  switch (ins) {
    case 0xB0:
    case 0xB2:
    case 0xC0:
    case 0xF2:
    case 0xCA:
      return true;
    default:
      return false;
  }
}

// One complete C-APDU (expanded format: its TLV gives the length) is well formed.
bool well_formed(ByteSpan a) noexcept {
  if (a.size() < kApduHeader) return false;
  if (a.size() == kApduHeader || a.size() == kApduHeader + 1) return true;  // case 1, case 2
  const std::size_t lc = a[kApduHeader];
  return lc != 0 && (a.size() == kApduHeader + 1 + lc || a.size() == kApduHeader + 2 + lc);  // case 3, 4
}

Result<std::vector<Bytes>, RfmError> read_tlv_list(Reader& r, std::uint8_t tag, bool until_eoc) {
  std::vector<Bytes> out;
  while (!r.empty()) {
    auto t = r.u8();
    if (t.failed()) return err(RfmError::Truncated);
    if (until_eoc && t.value() == 0x00) {
      auto z = r.u8();
      if (z.failed() || z.value() != 0x00) return err(RfmError::BadTlv);
      return out;
    }
    auto len = tlv::get_length(r);
    if (!len) return err(RfmError::BadTlv);
    auto v = r.take(*len);
    if (v.failed()) return err(RfmError::Truncated);
    if (t.value() != tag) return err(RfmError::BadTlv);
    out.push_back(to_bytes(v.value()));
  }
  if (until_eoc) return err(RfmError::Truncated);  // no end-of-contents
  return out;
}

}  // namespace

const char* describe(RfmError e) noexcept {
  switch (e) {
    case RfmError::Truncated:
      return "RFM script or response truncated";
    case RfmError::TrailingBytes:
      return "octets after the RFM template";
    case RfmError::BadTemplate:
      return "wrong RFM template tag (expected AA/AE script or AB/AF response)";
    case RfmError::BadTlv:
      return "RFM TLV malformed or unexpected tag";
    case RfmError::BadApdu:
      return "C-APDU malformed";
    case RfmError::Empty:
      return "RFM script or response holds no command";
  }
  return "bad RFM data";
}

// TS 102 226 §5.1.1 compact; §5.1.2 expanded: AA L {22 L C-APDU}…, or AE 80 {22 L C-APDU}… 00 00.
Bytes encode_script(const std::vector<Bytes>& capdus, ScriptFormat f) {
  Writer w;
  if (f == ScriptFormat::Compact) {
    for (const auto& a : capdus) w.bytes(a);
    return std::move(w).take();
  }
  Writer inner;
  for (const auto& a : capdus) tlv::put_tlv(inner, kTagCapdu, a);
  if (f == ScriptFormat::ExpandedDefinite) {
    tlv::put_tlv(w, kTagScriptDefinite, inner.buffer());
  } else {
    w.u8(kTagScriptIndefinite).u8(0x80).bytes(inner.buffer()).u8(0x00).u8(0x00);
  }
  return std::move(w).take();
}

Result<std::vector<Bytes>, RfmError> decode_script(ByteSpan script, ScriptFormat f) {
  std::vector<Bytes> out;
  Reader r(script);
  if (f == ScriptFormat::Compact) {
    while (!r.empty()) {
      auto hdr = r.take(kApduHeader);
      if (hdr.failed()) return err(RfmError::Truncated);
      Bytes apdu = to_bytes(hdr.value());
      if (case2(apdu[1])) {
        auto le = r.u8();
        if (le.failed()) return err(RfmError::Truncated);
        apdu.push_back(le.value());
      } else if (!r.empty()) {
        auto lc = r.u8();
        if (lc.failed()) return err(RfmError::Truncated);
        auto data = r.take(lc.value());
        if (data.failed()) return err(RfmError::Truncated);
        apdu.push_back(lc.value());
        apdu.insert(apdu.end(), data.value().begin(), data.value().end());
      }
      out.push_back(std::move(apdu));
    }
  } else {
    auto tag = r.u8();
    if (tag.failed()) return err(RfmError::Truncated);
    const bool definite = f == ScriptFormat::ExpandedDefinite;
    if (tag.value() != (definite ? kTagScriptDefinite : kTagScriptIndefinite)) return err(RfmError::BadTemplate);
    auto len = tlv::get_length(r, !definite);
    if (!len || (definite == (*len == tlv::kIndefinite))) return err(RfmError::BadTlv);
    if (definite) {
      auto v = r.take(*len);
      if (v.failed()) return err(RfmError::Truncated);
      Reader inner(v.value());
      out = MNOSWITCH_TRY(read_tlv_list(inner, kTagCapdu, false));
    } else {
      out = MNOSWITCH_TRY(read_tlv_list(r, kTagCapdu, true));
    }
    if (!r.empty()) return err(RfmError::TrailingBytes);
    for (const auto& a : out)
      if (!well_formed(a)) return err(RfmError::BadApdu);
  }
  if (out.empty()) return err(RfmError::Empty);
  return out;
}

// TS 102 226 §5.2.1 compact: executed, SW1 SW2 of the last, its data. §5.2.2 expanded: AB/AF, 80, 23 ….
Bytes encode_response(const RfmResponse& resp, ScriptFormat f) {
  Writer w;
  if (f == ScriptFormat::Compact) {
    w.u8(resp.executed);
    if (!resp.rapdus.empty()) {
      const Bytes& last = resp.rapdus.back();
      const std::size_t n = last.size() >= 2 ? last.size() - 2 : 0;
      w.bytes(ByteSpan(last).subspan(n));
      w.bytes(ByteSpan(last).subspan(0, n));
    }
    return std::move(w).take();
  }
  Writer inner;
  const ByteArray<1> executed{resp.executed};
  tlv::put_tlv(inner, kTagExecuted, executed);
  for (const auto& a : resp.rapdus) tlv::put_tlv(inner, kTagRapdu, a);
  if (f == ScriptFormat::ExpandedDefinite)
    tlv::put_tlv(w, kTagResponseDefinite, inner.buffer());
  else
    w.u8(kTagResponseIndefinite).u8(0x80).bytes(inner.buffer()).u8(0x00).u8(0x00);
  return std::move(w).take();
}

Result<RfmResponse, RfmError> decode_response(ByteSpan data, ScriptFormat f) {
  RfmResponse out;
  Reader r(data);
  if (f == ScriptFormat::Compact) {
    auto n = r.u8();
    auto sw = r.take(2);
    if (n.failed() || sw.failed()) return err(RfmError::Truncated);
    out.executed = n.value();
    Bytes last = to_bytes(r.rest());
    last.insert(last.end(), sw.value().begin(), sw.value().end());
    out.rapdus.push_back(std::move(last));
    return out;
  }
  auto tag = r.u8();
  if (tag.failed()) return err(RfmError::Truncated);
  const bool definite = f == ScriptFormat::ExpandedDefinite;
  if (tag.value() != (definite ? kTagResponseDefinite : kTagResponseIndefinite)) return err(RfmError::BadTemplate);
  auto len = tlv::get_length(r, !definite);
  if (!len || (definite == (*len == tlv::kIndefinite))) return err(RfmError::BadTlv);
  ByteSpan body = definite ? ({
    auto v = r.take(*len);
    if (v.failed()) return err(RfmError::Truncated);
    v.value();
  })
                           : r.rest();
  if (definite && !r.empty()) return err(RfmError::TrailingBytes);
  Reader b(body);
  auto t80 = b.u8();
  auto l80 = b.u8();
  auto executed = b.u8();
  if (t80.failed() || l80.failed() || executed.failed()) return err(RfmError::Truncated);
  if (t80.value() != kTagExecuted || l80.value() != 1) return err(RfmError::BadTlv);
  out.executed = executed.value();
  out.rapdus = MNOSWITCH_TRY(read_tlv_list(b, kTagRapdu, !definite));
  if (!definite && !b.empty()) return err(RfmError::TrailingBytes);
  for (const auto& a : out.rapdus)
    if (a.size() < 2) return err(RfmError::BadApdu);
  return out;
}

// REQ-OTA-42 — TS 31.116 / TS 31.102 §4.2.2: SELECT EF_IMSI by FID (P2 0C: no response data), then UPDATE/READ BINARY.
std::vector<Bytes> script_set_ef_imsi(const ByteArray<kEfImsiSize>& ef_imsi) {
  Bytes update{0x00, 0xD6, 0x00, 0x00, static_cast<std::uint8_t>(kEfImsiSize)};
  update.insert(update.end(), ef_imsi.begin(), ef_imsi.end());
  return {Bytes{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x6F, 0x07}, std::move(update)};
}

std::vector<Bytes> script_read_ef_imsi() {
  return {Bytes{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x6F, 0x07},
          Bytes{0x00, 0xB0, 0x00, 0x00, static_cast<std::uint8_t>(kEfImsiSize)}};
}

}  // namespace mnoswitch::ota
