// spec/mechanism.md "Re-key by key agreement" (REQ-HO-12, REQ-HO-13): our USIM extension, not a standard applet. Behind
// its own TAR (operators::kRekeyTar), secured by standard OTA (TS 102 225) like any other TAR: INIT carries B's
// ephemeral X25519 value (RFC 7748); the card answers with its own in the PoR; both derive K' and a new OTA key
// set with HKDF-SHA-256 (RFC 5869). COMMIT, secured under the *new* key set (key version 2), makes the card switch
// to K' and drop the key set MNO A handed over. An observer of all OTA traffic who knows the old keys (MNO A) sees
// only the two public values, so it cannot derive K' (passive security; see the spec for the active case).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "reference/aka/types.hpp"
#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/crypto/x25519.hpp"
#include "reference/ota/keys.hpp"
#include "reference/ota/types.hpp"
#include "reference/usim/card.hpp"

namespace mnoswitch::usim {

inline constexpr std::uint8_t kRekeyInit = 0x01;
inline constexpr std::uint8_t kRekeyCommit = 0x02;
inline constexpr std::uint8_t kRekeyKeyVersion = 2;  // KVN of the agreed OTA key set
inline constexpr std::size_t kRekeyInitSize = 1 + crypto::kX25519KeySize;

// What both ends derive from the shared secret.
struct RekeyMaterial {
  aka::K k;
  ota::KicKey kic;
  ota::KidKey kid;
};

enum class RekeyError { Malformed, DegenerateKey, Derivation, NothingPending };
[[nodiscard]] std::string_view describe(RekeyError e) noexcept;

// REQ-HO-13: okm = HKDF-SHA-256(ikm = X25519 shared secret, salt = ICCID digits,
// info = "mnoswitch rekey v1" || PB || PC), 48 octets: K' (16) || KIc' (16) || KID' (16).
[[nodiscard]] Result<RekeyMaterial, RekeyError> derive_rekey_material(const crypto::X25519SharedSecret& shared,
                                                                      std::string_view iccid,
                                                                      const crypto::X25519PublicKey& network_public,
                                                                      const crypto::X25519PublicKey& card_public);

[[nodiscard]] Bytes rekey_init_data(const crypto::X25519PublicKey& network_public);
[[nodiscard]] Result<crypto::X25519PublicKey, RekeyError> parse_rekey_init(ByteSpan data);

}  // namespace mnoswitch::usim

// ---- the card side: a usim::Card with the re-key applet installed behind operators' kRekeyTar ----
namespace mnoswitch::usim {

inline constexpr ota::Tar kRekeyAppletTar{ByteArray<3>{0xC0, 0x4B, 0x01}};  // spec/mechanism.md §6

enum class KeyGenerationOnCard : std::uint8_t { Original = 1, Rekeyed = 2 };

// The card with the applet: APDUs for the applet's TAR (ENVELOPE SMS-PP download of a single-SMS command
// packet) and the applet's proactive commands are handled here; everything else goes to the USIM unchanged.
// The applet reaches the card's secrets the way an applet with key-management privilege would: it replaces
// K and the OTA key sets as a whole (a new CardConfig) when COMMIT verifies under the agreed keys.
class RekeyCard {
 public:
  explicit RekeyCard(Card card) : card_(std::move(card)) {}

  [[nodiscard]] ResponseApdu transmit(ByteSpan command_apdu);
  [[nodiscard]] const Card& card() const noexcept { return card_; }
  [[nodiscard]] KeyGenerationOnCard generation() const noexcept { return generation_; }
  [[nodiscard]] bool agreement_pending() const noexcept { return pending_.has_value(); }
  // Number of secured packets this applet accepted with a counter it had already accepted (INV-REPLAY witness).
  [[nodiscard]] std::uint32_t replays() const noexcept { return replays_; }

 private:
  struct Pending {
    RekeyMaterial material;
    crypto::X25519PublicKey card_public;
  };
  [[nodiscard]] std::optional<ResponseApdu> try_applet(ByteSpan command_apdu);
  void replace_card(CardConfig config, CardState state);

  Card card_;
  std::optional<Pending> pending_;
  std::vector<Bytes> proactive_;  // the applet's SEND SHORT MESSAGE commands awaiting FETCH
  bool fetched_ = false;
  KeyGenerationOnCard generation_ = KeyGenerationOnCard::Original;
  std::uint32_t replays_ = 0;
};

}  // namespace mnoswitch::usim
