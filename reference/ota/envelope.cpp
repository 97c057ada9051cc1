// 3GPP TS 31.111 §7.1.1.2 (ENVELOPE SMS-PP DOWNLOAD) and §6.6.9 (SEND SHORT MESSAGE); TS 102 223 §8.1, §8.7.
#include "reference/ota/envelope.hpp"

#include "reference/ota/tlv.hpp"

namespace mnoswitch::ota {
namespace {

// TS 102 223 §8 tags, with the comprehension-required bit set as terminals send them.
constexpr std::uint8_t kTagCommandDetails = 0x81, kTagDevices = 0x82, kTagAddress = 0x86, kTagTpdu = 0x8B;
constexpr std::uint8_t kDevUicc = 0x81, kDevNetwork = 0x83;
constexpr std::uint8_t kClaEnvelope = 0x80, kInsEnvelope = 0xC2;
constexpr std::uint8_t kTypeSendShortMessage = 0x13;

// TS 102 223 §8.1: TON/NPI then the dialling number in swapped BCD (F filler).
Bytes address_value(const SmsAddress& a) {
  Writer w;
  w.u8(a.type);
  for (std::size_t i = 0; i < a.digits.size(); i += 2) {
    auto v = [](char c) -> unsigned {
      if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
      switch (c) {
        case '*':
          return 0xA;
        case '#':
          return 0xB;
        case 'a':
          return 0xC;
        case 'b':
          return 0xD;
        case 'c':
          return 0xE;
      }
      return 0xF;
    };
    const unsigned lo = v(a.digits[i]);
    const unsigned hi = i + 1 < a.digits.size() ? v(a.digits[i + 1]) : 0xF;
    w.u8(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return std::move(w).take();
}
Result<SmsAddress, EnvelopeError> address_from(ByteSpan v) {
  if (v.empty()) return err(EnvelopeError::BadAddress);
  SmsAddress a;
  a.type = v[0];
  static constexpr char table[] = "0123456789*#abc";
  for (std::size_t i = 1; i < v.size(); ++i) {
    const unsigned lo = v[i] & 0x0Fu, hi = v[i] >> 4;
    if (lo == 0xF) return err(EnvelopeError::BadAddress);
    a.digits.push_back(table[lo]);
    if (hi == 0xF) {
      if (i + 1 != v.size()) return err(EnvelopeError::BadAddress);
      break;
    }
    a.digits.push_back(table[hi]);
  }
  return a;
}

struct Tlv {
  std::uint8_t tag;
  ByteSpan value;
};
Result<std::vector<Tlv>, EnvelopeError> read_tlvs(ByteSpan data) {
  std::vector<Tlv> out;
  Reader r(data);
  while (!r.empty()) {
    auto tag = r.u8();
    if (tag.failed()) return err(EnvelopeError::Truncated);
    auto len = tlv::get_length(r);
    if (!len) return err(EnvelopeError::Truncated);
    auto v = r.take(*len);
    if (v.failed()) return err(EnvelopeError::Truncated);
    out.push_back(Tlv{static_cast<std::uint8_t>(tag.value() & 0x7F), v.value()});  // CR bit ignored on reading
  }
  return out;
}

// One outer BER-TLV (D0/D1) whose value must fill the input.
Result<ByteSpan, EnvelopeError> outer(ByteSpan data, std::uint8_t tag) {
  Reader r(data);
  auto t = r.u8();
  if (t.failed()) return err(EnvelopeError::Truncated);
  if (t.value() != tag) return err(EnvelopeError::WrongTag);
  auto len = tlv::get_length(r);
  if (!len) return err(EnvelopeError::Truncated);
  auto v = r.take(*len);
  if (v.failed()) return err(EnvelopeError::Truncated);
  if (!r.empty()) return err(EnvelopeError::TrailingBytes);
  return v.value();
}

}  // namespace

const char* describe(EnvelopeError e) noexcept {
  switch (e) {
    case EnvelopeError::NotEnvelope:
      return "not an ENVELOPE command (CLA 80 INS C2 P1 00 P2 00)";
    case EnvelopeError::Truncated:
      return "truncated TLV or APDU";
    case EnvelopeError::TrailingBytes:
      return "octets after the BER-TLV";
    case EnvelopeError::WrongTag:
      return "unexpected BER-TLV tag";
    case EnvelopeError::MissingDevices:
      return "device identities missing";
    case EnvelopeError::WrongDevices:
      return "device identities are not the ones of this command";
    case EnvelopeError::MissingTpdu:
      return "SMS TPDU missing";
    case EnvelopeError::BadAddress:
      return "address TLV malformed";
  }
  return "bad envelope";
}

Bytes encode_sms_pp_download(const SmsPpDownload& d) {
  Writer body;
  const ByteArray<2> devices{kDevNetwork, kDevUicc};
  tlv::put_tlv(body, kTagDevices, devices);
  if (d.service_centre) tlv::put_tlv(body, kTagAddress, address_value(*d.service_centre));
  tlv::put_tlv(body, kTagTpdu, d.tpdu);
  Writer data;
  tlv::put_tlv(data, kTagSmsPpDownload, body.buffer());
  Writer apdu;
  apdu.u8(kClaEnvelope).u8(kInsEnvelope).u8(0).u8(0).u8(static_cast<std::uint8_t>(data.size())).bytes(data.buffer());
  return std::move(apdu).take();
}

Result<SmsPpDownload, EnvelopeError> decode_sms_pp_download(ByteSpan in) {
  ByteSpan data = in;
  if (!in.empty() && in[0] != kTagSmsPpDownload) {
    if (in.size() < 5 || in[0] != kClaEnvelope || in[1] != kInsEnvelope || in[2] != 0 || in[3] != 0)
      return err(EnvelopeError::NotEnvelope);
    if (in[4] != in.size() - 5)
      return err(in[4] > in.size() - 5 ? EnvelopeError::Truncated : EnvelopeError::TrailingBytes);
    data = in.subspan(5);
  }
  auto value = MNOSWITCH_TRY(outer(data, kTagSmsPpDownload));
  auto tlvs = MNOSWITCH_TRY(read_tlvs(value));
  SmsPpDownload out;
  bool devices = false, tpdu = false;
  for (const auto& t : tlvs) {
    if (t.tag == (kTagDevices & 0x7F)) {
      if (t.value.size() != 2 || t.value[0] != kDevNetwork || t.value[1] != kDevUicc)
        return err(EnvelopeError::WrongDevices);
      devices = true;
    } else if (t.tag == (kTagAddress & 0x7F)) {
      out.service_centre = MNOSWITCH_TRY(address_from(t.value));
    } else if (t.tag == (kTagTpdu & 0x7F)) {
      out.tpdu = to_bytes(t.value);
      tpdu = true;
    }
  }
  if (!devices) return err(EnvelopeError::MissingDevices);
  if (!tpdu) return err(EnvelopeError::MissingTpdu);
  return out;
}

// REQ-OTA-33: the PoR by SMS-SUBMIT travels in SEND SHORT MESSAGE (UICC → network).
Bytes encode_send_short_message(const SmsSubmit& submit, std::uint8_t number) {
  Writer body;
  const ByteArray<3> details{number, kTypeSendShortMessage, 0x00};
  const ByteArray<2> devices{kDevUicc, kDevNetwork};
  tlv::put_tlv(body, kTagCommandDetails, details);
  tlv::put_tlv(body, kTagDevices, devices);
  tlv::put_tlv(body, kTagTpdu, encode_sms_submit(submit));
  Writer out;
  tlv::put_tlv(out, kTagProactiveCommand, body.buffer());
  return std::move(out).take();
}

Result<SendShortMessage, EnvelopeError> decode_send_short_message(ByteSpan proactive) {
  auto value = MNOSWITCH_TRY(outer(proactive, kTagProactiveCommand));
  auto tlvs = MNOSWITCH_TRY(read_tlvs(value));
  SendShortMessage out;
  bool details = false, devices = false, tpdu = false;
  for (const auto& t : tlvs) {
    if (t.tag == (kTagCommandDetails & 0x7F)) {
      if (t.value.size() != 3 || t.value[1] != kTypeSendShortMessage) return err(EnvelopeError::WrongTag);
      out.number = t.value[0];
      details = true;
    } else if (t.tag == (kTagDevices & 0x7F)) {
      if (t.value.size() != 2 || t.value[0] != kDevUicc || t.value[1] != kDevNetwork)
        return err(EnvelopeError::WrongDevices);
      devices = true;
    } else if (t.tag == (kTagTpdu & 0x7F)) {
      out.tpdu = to_bytes(t.value);
      tpdu = true;
    }
  }
  if (!details) return err(EnvelopeError::WrongTag);
  if (!devices) return err(EnvelopeError::MissingDevices);
  if (!tpdu) return err(EnvelopeError::MissingTpdu);
  return out;
}

}  // namespace mnoswitch::ota
