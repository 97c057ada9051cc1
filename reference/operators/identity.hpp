// REQ-HO-50..52 (spec/formats.md §Identities): an operator's batch identity — an id, an Ed25519 signing key and
// an X25519 encryption key — and the directory of peers whose public keys a receiver trusts.
#pragma once

#include <compare>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/core/secret.hpp"
#include "reference/crypto/ed25519.hpp"
#include "reference/crypto/x25519.hpp"

namespace mnoswitch::operators {

inline constexpr std::size_t kOperatorIdMaxLength = 32;

// REQ-HO-50: 1-32 characters from [a-z0-9._-], starting with a letter or digit (e.g. "mno-a", "operator.b").
class OperatorId {
 public:
  [[nodiscard]] static std::optional<OperatorId> parse(std::string_view s);
  [[nodiscard]] const std::string& str() const noexcept { return s_; }
  friend bool operator==(const OperatorId&, const OperatorId&) = default;
  friend auto operator<=>(const OperatorId&, const OperatorId&) = default;

 private:
  explicit OperatorId(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

// What a peer publishes and a receiver pins: REQ-HO-51.
struct OperatorPublic {
  OperatorId id;
  crypto::Ed25519PublicKey signing;
  crypto::X25519PublicKey encryption;
};

// An operator's own identity: both private keys stay in Secret wrappers, never printed (REQ-HO-52).
class OperatorIdentity {
 public:
  [[nodiscard]] static OperatorIdentity generate(OperatorId id);
  OperatorIdentity(OperatorId id, crypto::Ed25519Seed signing, crypto::X25519PrivateKey encryption);

  [[nodiscard]] const OperatorId& id() const noexcept { return pub_.id; }
  [[nodiscard]] const OperatorPublic& public_keys() const noexcept { return pub_; }
  [[nodiscard]] const crypto::Ed25519Seed& signing_key() const noexcept { return signing_; }
  [[nodiscard]] const crypto::X25519PrivateKey& encryption_key() const noexcept { return encryption_; }

 private:
  crypto::Ed25519Seed signing_;
  crypto::X25519PrivateKey encryption_;
  OperatorPublic pub_;
};

// The peers a receiver knows (REQ-HO-54: a batch from anyone else is rejected as UnknownSender).
class OperatorDirectory {
 public:
  void add(OperatorPublic p) { peers_.insert_or_assign(p.id, std::move(p)); }
  [[nodiscard]] const OperatorPublic* find(const OperatorId& id) const {
    auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] std::size_t size() const noexcept { return peers_.size(); }

 private:
  std::map<OperatorId, OperatorPublic> peers_;
};

// ---- files (cli `batch keygen`) ----
enum class KeyFileError { BadMagic, UnsupportedVersion, Truncated, TrailingBytes, BadOperatorId, BadJson };
[[nodiscard]] std::string_view describe(KeyFileError e) noexcept;

struct KeyFileTag {};
// The private key file: "MNOK" ‖ version 1 ‖ id length ‖ id ‖ Ed25519 seed (32) ‖ X25519 private key (32).
// Returned as SecretBytes so the caller's copy is wiped; written with mode 0600 by the CLI.
[[nodiscard]] SecretBytes<KeyFileTag> encode_identity(const OperatorIdentity& id);
[[nodiscard]] Result<OperatorIdentity, KeyFileError> decode_identity(ByteSpan file);

// The public file: {"operator": id, "signing_key": hex, "encryption_key": hex, "format":
// "mnoswitch-operator-public/1"}.
[[nodiscard]] nlohmann::json public_to_json(const OperatorPublic& p);
[[nodiscard]] Result<OperatorPublic, KeyFileError> public_from_json(const nlohmann::json& j);

}  // namespace mnoswitch::operators
