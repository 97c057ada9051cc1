// Cryptographic checksums of ETSI TS 102 225 §5.1.3.1: DES/3DES CBC-MAC (zero IV, zero padding) and AES-CMAC
// (NIST SP 800-38B, its own padding).
#pragma once

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/crypto/cipher.hpp"

namespace mnoswitch::crypto {

// TS 102 225 §5.1.3.1: the input is zero-padded to a multiple of 8 (padding neither sent nor counted), CBC
// with a zero IV, MAC = last cipher block. Key length selects DES / 3DES 2 keys / 3DES 3 keys.
[[nodiscard]] Result<ByteArray<8>, CipherError> des_cbc_mac(ByteSpan key, ByteSpan data);
// NIST SP 800-38B CMAC with AES-128/192/256 (key length), full 16 octets; callers truncate.
[[nodiscard]] Result<ByteArray<16>, CipherError> aes_cmac(ByteSpan key, ByteSpan data);

}  // namespace mnoswitch::crypto
