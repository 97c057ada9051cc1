// TS 31.111 §7.1.1 (SMS-PP data download by ENVELOPE), TS 102 223 §6 (proactive session: FETCH, TERMINAL
// RESPONSE, REFRESH, SEND SHORT MESSAGE), TS 31.102 §7.1.2 (AUTHENTICATE), TS 33.102 §6.3 (AKA).
#include "reference/mechanism/device.hpp"

#include "reference/aka/types.hpp"
#include "reference/crypto/wipe.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/usim/apdu.hpp"
#include "reference/usim/proactive.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::mechanism {
namespace {

constexpr std::uint8_t kClaUicc = 0x80;       // TS 102 221 §10.1.1: CLA for ENVELOPE, FETCH, TERMINAL RESPONSE
constexpr std::uint8_t kClaIso = 0x00;        // AUTHENTICATE, GET RESPONSE
constexpr std::uint8_t kP2Usim3gContext = 0x81;  // TS 31.102 §7.1.2: P2 = 81, 3G security context
constexpr std::uint8_t kTagAuthOk = 0xDB;
constexpr std::uint8_t kTagAuthSync = 0xDC;
constexpr std::uint8_t kResultPerformed = 0x00;  // TS 102 223 §8.12

Bytes apdu(std::uint8_t cla, usim::Ins ins, std::uint8_t p1, std::uint8_t p2, ByteSpan data,
           std::optional<std::uint16_t> le) {
  return usim::encode_command_apdu(usim::CommandApdu{cla, static_cast<std::uint8_t>(ins), p1, p2, to_bytes(data), le});
}

}  // namespace

usim::ResponseApdu Device::exchange(const Bytes& command, PcapWriter* pcap, std::uint64_t time_us) {
  auto r = card_.transmit(command);
  if (pcap != nullptr) (void)pcap->write_apdu(time_us, command, r.data, static_cast<std::uint16_t>(r.sw));
  // ISO 7816-4 §5.1.3 / TS 102 221 §7.3.1.1.4: 61xx means "xx octets waiting": fetch them with GET RESPONSE.
  while (usim::sw1(r.sw) == 0x61) {
    const Bytes get = apdu(kClaIso, usim::Ins::GetResponse, 0, 0, {}, usim::sw2(r.sw) == 0 ? 256 : usim::sw2(r.sw));
    auto more = card_.transmit(get);
    if (pcap != nullptr) (void)pcap->write_apdu(time_us, get, more.data, static_cast<std::uint16_t>(more.sw));
    r = std::move(more);
  }
  return r;
}

DeviceOutput Device::receive_sms(ByteSpan deliver_tpdu, PcapWriter* pcap, std::uint64_t time_us) {
  DeviceOutput out;
  ota::SmsPpDownload download;
  download.service_centre = ota::SmsAddress{0x91, "4470000000"};
  download.tpdu = to_bytes(deliver_tpdu);
  auto r = exchange(ota::encode_sms_pp_download(download), pcap, time_us);
  // TS 102 223 §6.3: while the card reports a pending proactive command (91xx), FETCH it, act, answer it.
  for (int guard = 0; usim::sw1(r.sw) == 0x91 && guard < 8; ++guard) {
    const std::uint8_t length = usim::sw2(r.sw);
    auto fetched = exchange(apdu(kClaUicc, usim::Ins::Fetch, 0, 0, {}, length == 0 ? 256 : length), pcap, time_us);
    auto details = usim::command_details_of(fetched.data);
    if (details.failed()) break;
    if (details.value().type == static_cast<std::uint8_t>(usim::ProactiveType::SendShortMessage)) {
      auto sms = ota::decode_send_short_message(fetched.data);
      if (sms.ok()) out.uplink.push_back(std::move(sms).value().tpdu);
    } else if (details.value().type == static_cast<std::uint8_t>(usim::ProactiveType::Refresh)) {
      out.refreshed = true;
    }
    const Bytes tr = usim::encode_terminal_response(details.value(), kResultPerformed);
    r = exchange(apdu(kClaUicc, usim::Ins::TerminalResponse, 0, 0, tr, std::nullopt), pcap, time_us);
  }
  return out;
}

std::optional<std::string> Device::imsi() const {
  auto i = usim::imsi_of(card_.card().state().fs);
  if (i.failed()) return std::nullopt;
  return i.value().digits();
}

std::uint64_t Device::ota_counter(std::uint8_t kvn) const {
  const auto& counters = card_.card().state().ota_counters;
  auto it = counters.find(kvn);
  return it == counters.end() ? 0 : it->second;
}

AttachOutcome Device::attach(const std::function<operators::Hss*(const std::string& imsi)>& find_hss,
                             std::string* imsi_out) {
  // TS 31.102 §5.1.1: the USIM initialisation reads EF_IMSI (modelled by reading the card's file).
  auto digits = imsi();
  if (!digits) return AttachOutcome::NoImsi;
  if (imsi_out != nullptr) *imsi_out = *digits;
  operators::Hss* hss = find_hss(*digits);
  if (hss == nullptr || hss->find(*digits) == nullptr) return AttachOutcome::UnknownSubscriber;
  // Up to: K, (resync, K), K' when the card rejects K's MAC (the HSS's re-key window, REQ-HO-13).
  bool use_pending = false;
  bool resynced = false;
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto challenge = hss->challenge(*digits, use_pending);
    if (challenge.failed()) return AttachOutcome::AuthFailed;
    const auto& c = challenge.value();
    Writer data;
    data.u8(aka::kRandSize).bytes(c.rand.span()).u8(aka::kAutnSize).bytes(c.autn.span());
    auto r = exchange(apdu(kClaIso, usim::Ins::Authenticate, 0, kP2Usim3gContext, data.buffer(), 256), nullptr, 0);
    if (r.sw == usim::StatusWord::Ok && r.data.size() >= 2 + aka::kResSize && r.data[0] == kTagAuthOk &&
        r.data[1] == aka::kResSize) {
      // TS 33.102 §6.3.3: the serving network compares RES with XRES.
      const aka::Res res(std::span<const std::uint8_t, aka::kResSize>(r.data.data() + 2, aka::kResSize));
      return crypto::ct_equal(res.span(), c.xres.span()) ? AttachOutcome::Attached : AttachOutcome::AuthFailed;
    }
    if (r.sw == usim::StatusWord::Ok && r.data.size() == 2 + aka::kAutsSize && r.data[0] == kTagAuthSync && !resynced) {
      const aka::Auts auts(std::span<const std::uint8_t, aka::kAutsSize>(r.data.data() + 2, aka::kAutsSize));
      if (hss->resynchronise(*digits, c, auts).failed()) return AttachOutcome::AuthFailed;
      resynced = true;
      continue;
    }
    // MAC failure (98 62): the card holds another K. Try the pending K' if the HSS has one, once.
    if (!use_pending && hss->find(*digits)->pending_k) {
      use_pending = true;
      continue;
    }
    return AttachOutcome::AuthFailed;
  }
  return AttachOutcome::AuthFailed;
}

}  // namespace mnoswitch::mechanism
