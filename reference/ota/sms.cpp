// 3GPP TS 23.040 §9.2.2.1/§9.2.2.2 (SMS-DELIVER, SMS-SUBMIT), §9.1.2.5 (addresses), §9.2.3.24 (UDH).
#include "reference/ota/sms.hpp"

namespace mnoswitch::ota {
namespace {

constexpr std::uint8_t kMtiDeliver = 0x00, kMtiSubmit = 0x01;
constexpr std::uint8_t kUdhiBit = 0x40;

int bcd_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  switch (c) {
    case '*':
      return 0xA;
    case '#':
      return 0xB;
    case 'a':
    case 'A':
      return 0xC;
    case 'b':
    case 'B':
      return 0xD;
    case 'c':
    case 'C':
      return 0xE;
    default:
      return -1;
  }
}
char bcd_char(unsigned v) noexcept {
  static constexpr char table[] = "0123456789*#abc";
  return v < 15 ? table[v] : '?';
}

// TS 23.040 §9.1.2.5: length in digits, type of address, BCD digits low nibble first, F filler.
void put_address(Writer& w, const SmsAddress& a) {
  w.u8(static_cast<std::uint8_t>(a.digits.size())).u8(a.type);
  for (std::size_t i = 0; i < a.digits.size(); i += 2) {
    const int lo = bcd_value(a.digits[i]);
    const int hi = i + 1 < a.digits.size() ? bcd_value(a.digits[i + 1]) : 0xF;
    w.u8(static_cast<std::uint8_t>(((hi & 0xF) << 4) | (lo & 0xF)));
  }
}
Result<SmsAddress, SmsError> get_address(Reader& r) {
  auto n = r.u8();
  auto type = r.u8();
  if (n.failed() || type.failed()) return err(SmsError::Truncated);
  if ((type.value() & 0x70) == 0x50) return err(SmsError::BadAddress);  // alphanumeric: not for OTA
  auto octets = r.take((n.value() + 1u) / 2u);
  if (octets.failed()) return err(SmsError::Truncated);
  SmsAddress a;
  a.type = type.value();
  for (std::size_t i = 0; i < n.value(); ++i) {
    const std::uint8_t b = octets.value()[i / 2];
    const unsigned v = (i % 2 == 0) ? (b & 0x0Fu) : (b >> 4u);
    if (v == 0xF) return err(SmsError::BadAddress);
    a.digits.push_back(bcd_char(v));
  }
  if (n.value() % 2 == 1 && (octets.value().back() >> 4) != 0xF) return err(SmsError::BadAddress);
  return a;
}

// TS 23.038 §4: is TP-UDL counted in octets (8-bit data)?
bool eight_bit(std::uint8_t dcs) noexcept {
  if ((dcs & 0xF0) == 0xF0) return (dcs & 0x04) != 0;
  if ((dcs & 0xC0) == 0x00) return ((dcs >> 2) & 0x03) == 0x01;
  return false;
}

Result<Bytes, SmsError> get_user_data(Reader& r, std::uint8_t dcs) {
  auto udl = r.u8();
  if (udl.failed()) return err(SmsError::Truncated);
  if (!eight_bit(dcs)) return err(SmsError::UnsupportedDcs);
  auto ud = r.take(udl.value());
  if (ud.failed()) return err(SmsError::Truncated);
  if (!r.empty()) return err(SmsError::TrailingBytes);
  return to_bytes(ud.value());
}

}  // namespace

const char* describe(SmsError e) noexcept {
  switch (e) {
    case SmsError::Truncated:
      return "TPDU truncated";
    case SmsError::TrailingBytes:
      return "octets after TP-UD";
    case SmsError::WrongMessageType:
      return "wrong TP-MTI for this message";
    case SmsError::BadAddress:
      return "address malformed or alphanumeric";
    case SmsError::UnsupportedDcs:
      return "TP-DCS is not 8-bit data";
    case SmsError::BadUdh:
      return "user data header malformed or without the expected IEI";
    case SmsError::BadConcat:
      return "concatenated SMS inconsistent (reference, count or sequence)";
  }
  return "bad SMS";
}

Bytes encode_sms_deliver(const SmsDeliver& m) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(kMtiDeliver | (m.tp_mms ? 0x04 : 0x00) | (m.udhi ? kUdhiBit : 0x00)));
  put_address(w, m.originator);
  w.u8(m.pid).u8(m.dcs).bytes(m.scts);
  w.u8(static_cast<std::uint8_t>(m.user_data.size())).bytes(m.user_data);
  return std::move(w).take();
}

Result<SmsDeliver, SmsError> decode_sms_deliver(ByteSpan tpdu) {
  Reader r(tpdu);
  auto first = r.u8();
  if (first.failed()) return err(SmsError::Truncated);
  if ((first.value() & 0x03) != kMtiDeliver) return err(SmsError::WrongMessageType);
  SmsDeliver m;
  m.tp_mms = (first.value() & 0x04) != 0;
  m.udhi = (first.value() & kUdhiBit) != 0;
  m.originator = MNOSWITCH_TRY(get_address(r));
  auto pid = r.u8();
  auto dcs = r.u8();
  auto scts = r.array<7>();
  if (pid.failed() || dcs.failed() || scts.failed()) return err(SmsError::Truncated);
  m.pid = pid.value();
  m.dcs = dcs.value();
  m.scts = scts.value();
  m.user_data = MNOSWITCH_TRY(get_user_data(r, m.dcs));
  return m;
}

Bytes encode_sms_submit(const SmsSubmit& m) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(kMtiSubmit | (m.udhi ? kUdhiBit : 0x00)));  // TP-VPF 00: no validity period
  w.u8(m.message_reference);
  put_address(w, m.destination);
  w.u8(m.pid).u8(m.dcs);
  w.u8(static_cast<std::uint8_t>(m.user_data.size())).bytes(m.user_data);
  return std::move(w).take();
}

Result<SmsSubmit, SmsError> decode_sms_submit(ByteSpan tpdu) {
  Reader r(tpdu);
  auto first = r.u8();
  if (first.failed()) return err(SmsError::Truncated);
  if ((first.value() & 0x03) != kMtiSubmit) return err(SmsError::WrongMessageType);
  SmsSubmit m;
  m.udhi = (first.value() & kUdhiBit) != 0;
  auto mr = r.u8();
  if (mr.failed()) return err(SmsError::Truncated);
  m.message_reference = mr.value();
  m.destination = MNOSWITCH_TRY(get_address(r));
  auto pid = r.u8();
  auto dcs = r.u8();
  if (pid.failed() || dcs.failed()) return err(SmsError::Truncated);
  m.pid = pid.value();
  m.dcs = dcs.value();
  // TS 23.040 §9.2.3.3: TP-VPF 10 relative (1 octet), 01 enhanced / 11 absolute (7 octets).
  const unsigned vpf = (first.value() >> 3) & 0x03u;
  if (vpf != 0 && r.take(vpf == 2 ? 1 : 7).failed()) return err(SmsError::Truncated);
  m.user_data = MNOSWITCH_TRY(get_user_data(r, m.dcs));
  return m;
}

Result<UserData, SmsError> split_user_data(ByteSpan tp_ud) {
  Reader r(tp_ud);
  auto udhl = r.u8();
  if (udhl.failed()) return err(SmsError::BadUdh);
  auto udh = r.take(udhl.value());
  if (udh.failed()) return err(SmsError::BadUdh);
  UserData out;
  Reader h(udh.value());
  while (!h.empty()) {
    auto iei = h.u8();
    auto len = h.u8();
    if (iei.failed() || len.failed()) return err(SmsError::BadUdh);
    auto data = h.take(len.value());
    if (data.failed()) return err(SmsError::BadUdh);
    out.header.push_back(UdhElement{iei.value(), to_bytes(data.value())});
  }
  out.body = to_bytes(r.rest());
  return out;
}

// TS 31.115 §4.1, TS 23.040 §9.2.3.24.1/.8: single SMS with 02 70 00, or concatenated segments.
std::vector<Bytes> command_packet_user_data(ByteSpan packet, std::uint16_t reference, bool sixteen_bit_reference) {
  std::vector<Bytes> out;
  if (packet.size() + 3 <= kMaxUserData) {
    Bytes ud{0x02, kIeiCommandPacket, 0x00};
    ud.insert(ud.end(), packet.begin(), packet.end());
    out.push_back(std::move(ud));
    return out;
  }
  const std::size_t concat_ie = sixteen_bit_reference ? 6 : 5;
  const std::size_t first_room = kMaxUserData - 1 - concat_ie - 2;
  const std::size_t other_room = kMaxUserData - 1 - concat_ie;
  const std::size_t total = 1 + (packet.size() - first_room + other_room - 1) / other_room;
  if (total > kMaxSegments) return out;  // does not fit: TP-UDH counts segments in one octet
  std::size_t at = 0;
  for (std::size_t seq = 1; seq <= total; ++seq) {
    const std::size_t room = seq == 1 ? first_room : other_room;
    const std::size_t n = std::min(room, packet.size() - at);
    Writer w;
    w.u8(static_cast<std::uint8_t>(concat_ie + (seq == 1 ? 2 : 0)));
    if (sixteen_bit_reference)
      w.u8(kIeiConcat16).u8(4).be(reference, 2);
    else
      w.u8(kIeiConcat8).u8(3).u8(static_cast<std::uint8_t>(reference & 0xFF));
    w.u8(static_cast<std::uint8_t>(total)).u8(static_cast<std::uint8_t>(seq));
    if (seq == 1) w.u8(kIeiCommandPacket).u8(0);
    w.bytes(packet.subspan(at, n));
    at += n;
    out.push_back(std::move(w).take());
  }
  return out;
}

Result<Segment, SmsError> read_segment(ByteSpan tp_ud) {
  auto ud = MNOSWITCH_TRY(split_user_data(tp_ud));
  Segment s;
  bool concat = false;
  for (const auto& e : ud.header) {
    if (e.iei == kIeiCommandPacket) {
      if (!e.data.empty()) return err(SmsError::BadUdh);
      s.command_packet_iei = true;
    } else if (e.iei == kIeiConcat8 || e.iei == kIeiConcat16) {
      const std::size_t ref_len = e.iei == kIeiConcat8 ? 1 : 2;
      if (e.data.size() != ref_len + 2 || concat) return err(SmsError::BadConcat);
      concat = true;
      s.reference = static_cast<std::uint16_t>(load_be(ByteSpan(e.data).subspan(0, ref_len)));
      s.total = e.data[ref_len];
      s.sequence = e.data[ref_len + 1];
      if (s.total == 0 || s.sequence == 0 || s.sequence > s.total) return err(SmsError::BadConcat);
    }
  }
  s.body = std::move(ud.body);
  return s;
}

Result<std::optional<Bytes>, SmsError> Reassembly::add(const Segment& s) {
  if (s.total == 1) {
    if (!s.command_packet_iei) return err(SmsError::BadUdh);
    return std::optional<Bytes>(s.body);
  }
  if (parts_.empty() || reference_ != s.reference || total_ != s.total) {
    // A new concatenated message replaces an unfinished one (the card has room for one).
    parts_.assign(s.total, std::nullopt);
    reference_ = s.reference;
    total_ = s.total;
    command_packet_ = false;
  }
  auto& slot = parts_[static_cast<std::size_t>(s.sequence - 1)];
  if (slot) return err(SmsError::BadConcat);  // duplicate segment
  slot = s.body;
  if (s.sequence == 1) command_packet_ = s.command_packet_iei;
  for (const auto& p : parts_)
    if (!p) return std::optional<Bytes>();
  Bytes whole;
  for (const auto& p : parts_) whole.insert(whole.end(), p->begin(), p->end());
  const bool is_command = command_packet_;
  parts_.clear();
  if (!is_command) return err(SmsError::BadUdh);
  return std::optional<Bytes>(std::move(whole));
}

}  // namespace mnoswitch::ota
