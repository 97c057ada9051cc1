// ISO/IEC 7816-4 §5.1: short command APDUs and response APDUs.
#include "reference/usim/apdu.hpp"

namespace mnoswitch::usim {

Result<CommandApdu, StatusWord> parse_command_apdu(ByteSpan apdu) {
  if (apdu.size() < 4) return err(StatusWord::WrongLength);
  CommandApdu c{apdu[0], apdu[1], apdu[2], apdu[3], {}, std::nullopt};
  if (apdu.size() == 4) return c;  // case 1
  if (apdu.size() == 5) {          // case 2: P3 = Le
    c.le = apdu[4] == 0 ? std::uint16_t{256} : std::uint16_t{apdu[4]};
    return c;
  }
  const std::size_t lc = apdu[4];
  if (lc == 0) return err(StatusWord::WrongLength);  // extended lengths are not supported
  const std::size_t rest = apdu.size() - 5;
  if (rest != lc && rest != lc + 1) return err(StatusWord::WrongLength);
  c.data.assign(apdu.begin() + 5, apdu.begin() + 5 + static_cast<std::ptrdiff_t>(lc));
  if (rest == lc + 1) {  // case 4 with Le
    const std::uint8_t le = apdu[5 + lc];
    c.le = le == 0 ? std::uint16_t{256} : std::uint16_t{le};
  }
  return c;
}

Bytes encode_command_apdu(const CommandApdu& c) {
  Bytes out{c.cla, c.ins, c.p1, c.p2};
  if (!c.data.empty()) {
    out.push_back(static_cast<std::uint8_t>(c.data.size()));
    out.insert(out.end(), c.data.begin(), c.data.end());
  }
  if (c.le) out.push_back(static_cast<std::uint8_t>(*c.le & 0xFF));
  return out;
}

Bytes ResponseApdu::encode() const {
  Bytes out = data;
  out.push_back(sw1(sw));
  out.push_back(sw2(sw));
  return out;
}

}  // namespace mnoswitch::usim
