// spec/mechanism.md "Re-key by key agreement" (REQ-HO-12, REQ-HO-13): RFC 7748 X25519 + RFC 5869 HKDF-SHA-256.
#include "reference/usim/rekey_applet.hpp"

#include <array>
#include <string>

#include "reference/crypto/hkdf.hpp"
#include "reference/crypto/wipe.hpp"

namespace mnoswitch::usim {

std::string_view describe(RekeyError e) noexcept {
  switch (e) {
    case RekeyError::Malformed: return "re-key command malformed";
    case RekeyError::DegenerateKey: return "re-key public value is degenerate";
    case RekeyError::Derivation: return "re-key derivation failed";
    case RekeyError::NothingPending: return "re-key commit without a pending agreement";
  }
  return "re-key failed";
}

Result<RekeyMaterial, RekeyError> derive_rekey_material(const crypto::X25519SharedSecret& shared, std::string_view iccid,
                                                        const crypto::X25519PublicKey& network_public,
                                                        const crypto::X25519PublicKey& card_public) {
  static constexpr std::string_view kLabel = "mnoswitch rekey v1";
  Bytes info(kLabel.begin(), kLabel.end());
  info.insert(info.end(), network_public.bytes().begin(), network_public.bytes().end());
  info.insert(info.end(), card_public.bytes().begin(), card_public.bytes().end());
  const Bytes salt(iccid.begin(), iccid.end());
  std::array<std::uint8_t, 48> okm{};
  if (crypto::hkdf_sha256(shared.expose(), salt, info, okm).failed()) return err(RekeyError::Derivation);
  RekeyMaterial m{aka::K(std::span<const std::uint8_t, 16>(okm.data(), 16)),
                  ota::KicKey(ByteSpan(okm.data() + 16, 16)), ota::KidKey(ByteSpan(okm.data() + 32, 16))};
  crypto::secure_wipe(okm);
  return m;
}

Bytes rekey_init_data(const crypto::X25519PublicKey& network_public) {
  Writer w;
  w.u8(kRekeyInit).bytes(network_public.span());
  return std::move(w).take();
}

Result<crypto::X25519PublicKey, RekeyError> parse_rekey_init(ByteSpan data) {
  Reader r(data);
  auto tag = r.u8();
  if (tag.failed() || tag.value() != kRekeyInit) return err(RekeyError::Malformed);
  auto pub = r.array<crypto::kX25519KeySize>();
  if (pub.failed() || r.finish().failed()) return err(RekeyError::Malformed);
  return crypto::X25519PublicKey(pub.value());
}

}  // namespace mnoswitch::usim

// ---- the applet on the card ----
#include "reference/aka/milenage.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/header.hpp"
#include "reference/ota/sms.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::usim {
namespace {

// TS 102 226 §8.2.1.3.2.4 minimum security level, coded like SPI octet 1: CC (b2b1 = 10), ciphered (b3),
// counter "higher than" (b5b4 = 10). REQ-HO-09, REQ-HO-04: the applet never runs an unauthenticated or replayable command.
constexpr std::uint8_t kRekeyMsl = 0x02 | 0x04 | 0x10;
constexpr std::size_t kAesKeySize = 16;

ota::KeySet key_set_from(const RekeyMaterial& m, std::uint8_t kvn) {
  ota::KeySet ks;
  ks.kvn = ota::KeyVersion(kvn);
  ks.kic = m.kic;
  ks.kid = m.kid;
  return ks;
}

ResponseApdu sw_for_queue(const std::vector<Bytes>& queue) {
  if (queue.empty()) return ResponseApdu{{}, StatusWord::Ok};
  return ResponseApdu{{}, make_sw(0x91, static_cast<std::uint8_t>(queue.front().size() & 0xFFu))};
}

}  // namespace

void RekeyCard::replace_card(CardConfig config, CardState state) { card_ = Card(std::move(config), std::move(state)); }

ResponseApdu RekeyCard::transmit(ByteSpan command_apdu) {
  if (auto r = try_applet(command_apdu)) return std::move(*r);
  return card_.transmit(command_apdu);
}

std::optional<ResponseApdu> RekeyCard::try_applet(ByteSpan command_apdu) {
  auto parsed = parse_command_apdu(command_apdu);
  if (parsed.failed()) return std::nullopt;
  const CommandApdu& c = parsed.value();
  // TS 102 223 §6.3: the applet's own proactive commands, fetched and answered like the card's.
  if (c.ins == static_cast<std::uint8_t>(Ins::Fetch) && !proactive_.empty()) {
    fetched_ = true;
    return ResponseApdu{proactive_.front(), StatusWord::Ok};
  }
  if (c.ins == static_cast<std::uint8_t>(Ins::TerminalResponse) && fetched_) {
    fetched_ = false;
    proactive_.erase(proactive_.begin());
    return sw_for_queue(proactive_);
  }
  if (c.ins != static_cast<std::uint8_t>(Ins::Envelope)) return std::nullopt;
  // Route by TAR (TS 102 225 §5.1.1): only a single-SMS command packet for the applet's TAR is ours.
  auto download = ota::decode_sms_pp_download(command_apdu);
  if (download.failed()) return std::nullopt;
  auto deliver = ota::decode_sms_deliver(download.value().tpdu);
  if (deliver.failed()) return std::nullopt;
  auto segment = ota::read_segment(deliver.value().user_data);
  if (segment.failed() || !segment.value().command_packet_iei || segment.value().total != 1) return std::nullopt;
  const Bytes& packet = segment.value().body;
  auto header = ota::parse_command_header(packet);
  if (header.failed() || header.value().tar != kRekeyAppletTar) return std::nullopt;

  std::optional<ota::KeySet> pending_keys;
  if (pending_) pending_keys = key_set_from(pending_->material, kRekeyKeyVersion);
  auto view_of = [&](const Card& card) {
    ota::CardView v;
    v.key_set = [&card, &pending_keys](ota::KeyVersion kvn) -> const ota::KeySet* {
      for (const auto& ks : card.config().key_sets)
        if (ks.kvn == kvn) return &ks;
      if (pending_keys && pending_keys->kvn == kvn) return &*pending_keys;
      return nullptr;
    };
    v.counter = [&card](ota::KeyVersion kvn) -> std::optional<ota::OtaCounter> {
      auto it = card.state().ota_counters.find(kvn.value());
      return ota::OtaCounter::make(it == card.state().ota_counters.end() ? 0 : it->second);
    };
    v.tar = [](const ota::Tar& t) -> std::optional<ota::TarPolicy> {
      if (t != kRekeyAppletTar) return std::nullopt;
      return ota::TarPolicy{ota::MinimumSecurityLevel{kRekeyMsl}, {}};
    };
    return v;
  };

  auto verdict = ota::open_command(packet, view_of(card_));
  if (verdict.failed()) return ResponseApdu{{}, StatusWord::Ok};  // not even a TAR to answer: dropped
  const ota::CommandVerdict& v = verdict.value();
  ota::ResponseStatus status = v.status;
  Bytes response;
  if (v.accepted()) {
    CardConfig config = card_.config();
    CardState state = card_.state();
    if (v.commit) state.ota_counters[v.commit->key_set.value()] = v.commit->value.value();
    const std::uint8_t op = v.data.empty() ? 0 : v.data[0];
    if (op == kRekeyInit) {
      // REQ-HO-13: a fresh card key pair per INIT; a repeated INIT replaces the pending agreement.
      auto network_public = parse_rekey_init(v.data);
      const auto secret = crypto::x25519_generate();
      const auto card_public = crypto::x25519_public(secret);
      if (network_public.failed()) {
        status = ota::ResponseStatus::UnidentifiedSecurityError;
      } else if (auto shared = crypto::x25519(secret, network_public.value()); shared.failed()) {
        status = ota::ResponseStatus::UnidentifiedSecurityError;
      } else {
        auto iccid = iccid_of(card_.state().fs);
        auto material = derive_rekey_material(shared.value(), iccid.ok() ? iccid.value().digits() : "",
                                              network_public.value(), card_public);
        if (material.failed()) {
          status = ota::ResponseStatus::UnidentifiedSecurityError;
        } else {
          pending_ = Pending{std::move(material).value(), card_public};
          response = to_bytes(card_public.span());
        }
      }
      replace_card(std::move(config), std::move(state));
    } else if (op == kRekeyCommit && v.header.kic.key_version().value() == kRekeyKeyVersion) {
      // REQ-HO-13: COMMIT verified under the agreed keys: switch K and drop every older key set (A's).
      if (pending_) {
        config.k = pending_->material.k;
        // The common AKA profile (seed R3): OP = 0, so OPc follows K.
        config.opc = aka::derive_opc(config.k, aka::Op(ByteArray<16>{}));
        config.key_sets.clear();
        config.key_sets.push_back(key_set_from(pending_->material, kRekeyKeyVersion));
        pending_.reset();
        generation_ = KeyGenerationOnCard::Rekeyed;
      }
      response = Bytes{0x00};
      replace_card(std::move(config), std::move(state));
    } else {
      status = ota::ResponseStatus::UnidentifiedSecurityError;
      replace_card(std::move(config), std::move(state));
    }
  }
  if (ota::por_wanted(v, status)) {
    pending_keys.reset();  // after COMMIT the PoR is protected with the key set now on the card
    if (pending_) pending_keys = key_set_from(pending_->material, kRekeyKeyVersion);
    auto por = ota::build_por(v, status, response, view_of(card_));
    if (por.ok()) {
      ota::SmsSubmit submit;
      submit.destination = ota::SmsAddress{0x91, "4470000001"};
      submit.user_data = std::move(por).value();
      proactive_.push_back(ota::encode_send_short_message(submit));
    }
  }
  (void)kAesKeySize;
  return sw_for_queue(proactive_);
}

}  // namespace mnoswitch::usim
