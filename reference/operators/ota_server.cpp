// ETSI TS 102 225 §5.1 (command packet), §5.2 (PoR), TS 31.115 §4 (SMS-PP), TS 23.040 §9.2.2 (TPDUs).
#include "reference/operators/ota_server.hpp"

#include "reference/ota/sms.hpp"

namespace mnoswitch::operators {

// TS 102 225 §5.1.1: CC, ciphered, the variant's counter mode; PoR always, with CC, ciphered, by SMS-SUBMIT.
ota::Spi command_spi(ota::CounterMode mode) noexcept {
  ota::Spi s;
  s.integrity = ota::Integrity::Cc;
  s.ciphered = true;
  s.counter = mode;
  s.por = ota::PorRequest::Always;
  s.por_integrity = ota::Integrity::Cc;
  s.por_ciphered = true;
  s.por_transport = ota::PorTransport::SmsSubmit;
  return s;
}

CardOta* OtaServer::find(const std::string& iccid) noexcept {
  auto it = cards_.find(iccid);
  return it == cards_.end() ? nullptr : &it->second;
}
const CardOta* OtaServer::find(const std::string& iccid) const noexcept {
  auto it = cards_.find(iccid);
  return it == cards_.end() ? nullptr : &it->second;
}

Result<std::vector<Bytes>, OtaServerError> OtaServer::command_sms(const ota::KeySet& keys, const ota::Tar& tar,
                                                                  ota::CounterMode mode, std::uint64_t counter,
                                                                  ByteSpan secured_data, std::uint16_t reference) {
  auto cntr = ota::OtaCounter::make(counter);
  if (!cntr) return err(OtaServerError::CounterExhausted);
  ota::CommandSpec spec;
  spec.spi = command_spi(mode);
  spec.kic = ota::KicByte::make(keys.kvn, ota::CipherAlgorithm::AesCbc);
  spec.kid = ota::KidByte::make_cc(keys.kvn, ota::CcAlgorithm::AesCmac);
  spec.tar = tar;
  spec.counter = *cntr;
  spec.data = to_bytes(secured_data);
  auto packet = ota::wrap_command(spec, keys);
  if (packet.failed()) return err(OtaServerError::Wrap);
  std::vector<Bytes> tpdus;
  for (auto& ud : ota::command_packet_user_data(packet.value(), reference)) {
    ota::SmsDeliver d;
    d.originator = ota::SmsAddress{0x91, "4470000001"};
    d.user_data = std::move(ud);
    tpdus.push_back(ota::encode_sms_deliver(d));
  }
  return tpdus;
}

Result<ota::PorReading, OtaServerError> OtaServer::read_por_sms(const ota::KeySet& keys, ota::CounterMode mode,
                                                                ByteSpan submit_tpdu) {
  auto submit = ota::decode_sms_submit(submit_tpdu);
  if (submit.failed()) return err(OtaServerError::PorUnreadable);
  const auto spi = command_spi(mode);
  auto por = ota::read_por(submit.value().user_data, spi, ota::KicByte::make(keys.kvn, ota::CipherAlgorithm::AesCbc),
                           ota::KidByte::make_cc(keys.kvn, ota::CcAlgorithm::AesCmac), keys);
  if (por.failed()) return err(OtaServerError::PorUnreadable);
  return std::move(por).value();
}

}  // namespace mnoswitch::operators
