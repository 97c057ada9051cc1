// spec/mechanism.md "Re-key by key agreement" (REQ-HO-40..44): RFC 7748 X25519 + RFC 5869 HKDF-SHA-256.
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
