// REQ-HO-50..52: operator ids, identities (key generation), key files and public-key JSON.
#include "reference/operators/identity.hpp"

#include <nlohmann/json.hpp>

#include "reference/core/hex.hpp"
#include "reference/crypto/wipe.hpp"

namespace mnoswitch::operators {
namespace {
constexpr std::uint8_t kKeyFileMagic[4] = {'M', 'N', 'O', 'K'};
constexpr std::uint8_t kKeyFileVersion = 1;
constexpr std::string_view kPublicFormat = "mnoswitch-operator-public/1";

bool id_char(char c, bool first) {
  bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return first ? alnum : (alnum || c == '.' || c == '_' || c == '-');
}
}  // namespace

std::optional<OperatorId> OperatorId::parse(std::string_view s) {
  if (s.empty() || s.size() > kOperatorIdMaxLength) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!id_char(s[i], i == 0)) return std::nullopt;
  return OperatorId(std::string(s));
}

OperatorIdentity::OperatorIdentity(OperatorId id, crypto::Ed25519Seed signing, crypto::X25519PrivateKey encryption)
    : signing_(std::move(signing)),
      encryption_(std::move(encryption)),
      pub_{std::move(id), crypto::ed25519_public(signing_), crypto::x25519_public(encryption_)} {}

OperatorIdentity OperatorIdentity::generate(OperatorId id) {
  return OperatorIdentity(std::move(id), crypto::ed25519_generate(), crypto::x25519_generate());
}

std::string_view describe(KeyFileError e) noexcept {
  switch (e) {
    case KeyFileError::BadMagic:
      return "not an mnoswitch operator key file";
    case KeyFileError::UnsupportedVersion:
      return "unsupported key file version";
    case KeyFileError::Truncated:
      return "key file is truncated";
    case KeyFileError::TrailingBytes:
      return "key file has trailing bytes";
    case KeyFileError::BadOperatorId:
      return "invalid operator id";
    case KeyFileError::BadJson:
      return "public key file is not valid (need operator, signing_key, encryption_key)";
  }
  return "invalid key file";
}

SecretBytes<KeyFileTag> encode_identity(const OperatorIdentity& id) {
  Writer w;
  w.bytes(kKeyFileMagic).u8(kKeyFileVersion);
  w.u8(static_cast<std::uint8_t>(id.id().str().size()));
  w.bytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(id.id().str().data()), id.id().str().size()));
  w.bytes(id.signing_key().expose()).bytes(id.encryption_key().expose());
  Bytes raw = std::move(w).take();
  SecretBytes<KeyFileTag> out(raw);
  crypto::secure_wipe(raw);
  return out;
}

Result<OperatorIdentity, KeyFileError> decode_identity(ByteSpan file) {
  Reader r(file);
  auto magic = r.take(4);
  if (magic.failed()) return err(KeyFileError::Truncated);
  if (!std::equal(magic.value().begin(), magic.value().end(), std::begin(kKeyFileMagic)))
    return err(KeyFileError::BadMagic);
  auto version = r.u8();
  if (version.failed()) return err(KeyFileError::Truncated);
  if (version.value() != kKeyFileVersion) return err(KeyFileError::UnsupportedVersion);
  auto len = r.u8();
  if (len.failed()) return err(KeyFileError::Truncated);
  auto idb = r.take(len.value());
  if (idb.failed()) return err(KeyFileError::Truncated);
  auto id = OperatorId::parse(std::string_view(reinterpret_cast<const char*>(idb.value().data()), idb.value().size()));
  if (!id) return err(KeyFileError::BadOperatorId);
  auto seed = r.take(crypto::kEd25519SeedSize);
  auto xpriv = r.take(crypto::kX25519KeySize);
  if (seed.failed() || xpriv.failed()) return err(KeyFileError::Truncated);
  if (r.finish().failed()) return err(KeyFileError::TrailingBytes);
  return OperatorIdentity(*id, crypto::Ed25519Seed(seed.value().first<crypto::kEd25519SeedSize>()),
                          crypto::X25519PrivateKey(xpriv.value().first<crypto::kX25519KeySize>()));
}

nlohmann::json public_to_json(const OperatorPublic& p) {
  return nlohmann::json{{"format", kPublicFormat},
                        {"operator", p.id.str()},
                        {"signing_key", to_hex(p.signing.span())},
                        {"encryption_key", to_hex(p.encryption.span())}};
}

Result<OperatorPublic, KeyFileError> public_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return err(KeyFileError::BadJson);
  auto str = [&](const char* k) -> std::optional<std::string> {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto fmt_s = str("format");
  auto id_s = str("operator");
  auto sig_s = str("signing_key");
  auto enc_s = str("encryption_key");
  if (!fmt_s || *fmt_s != kPublicFormat || !id_s || !sig_s || !enc_s) return err(KeyFileError::BadJson);
  auto id = OperatorId::parse(*id_s);
  if (!id) return err(KeyFileError::BadOperatorId);
  auto sig = parse_hex_array<crypto::kEd25519PublicKeySize>(*sig_s);
  auto enc = parse_hex_array<crypto::kX25519KeySize>(*enc_s);
  if (sig.failed() || enc.failed()) return err(KeyFileError::BadJson);
  return OperatorPublic{*id, crypto::Ed25519PublicKey(sig.value()), crypto::X25519PublicKey(enc.value())};
}

}  // namespace mnoswitch::operators
