// ETSI TS 102 225 §5.1.2/§5.1.3: OTA key sets (KIc key, KID key) addressed by key version number.
#pragma once

#include <cstddef>

#include "reference/core/secret.hpp"
#include "reference/ota/kic_kid.hpp"
#include "reference/ota/types.hpp"

namespace mnoswitch::ota {

struct KicKeyTag {};
struct KidKeyTag {};
// 8 (DES), 16 (3DES 2 keys, AES-128), 24 (3DES 3 keys, AES-192) or 32 (AES-256) octets.
using KicKey = SecretBytes<KicKeyTag>;
using KidKey = SecretBytes<KidKeyTag>;

// One key set of the card (or of the OTA server for one card). The AES key length is a property of the
// key set (TS 102 225 §5.1.2): AES-128/192/256 follows from kic/kid size. `implicit_*` give what an
// "implicit" (b2b1 = 00) KIc/KID means for this key set; Implicit there means "not configured" (→ status 06).
struct KeySet {
  KeyVersion kvn{};
  KicKey kic;
  KidKey kid;
  CipherAlgorithm implicit_cipher = CipherAlgorithm::Implicit;
  CcAlgorithm implicit_cc = CcAlgorithm::Implicit;
  RcAlgorithm implicit_rc = RcAlgorithm::Implicit;
};

}  // namespace mnoswitch::ota
