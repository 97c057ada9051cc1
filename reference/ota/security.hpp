// ETSI TS 102 225 §5.1.2/§5.1.3: the ciphering and RC/CC of secured packets, shared by both ends.
#pragma once

#include <cstddef>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/ota/keys.hpp"
#include "reference/ota/spi.hpp"

namespace mnoswitch::ota::security {

enum class Error {
  ReservedAlgorithm,     // KIc/KID coding reserved
  UnsupportedAlgorithm,  // DS, proprietary, implicit not configured
  KeyLength,             // key missing or of the wrong size for the algorithm
  BadLength,             // RC/CC/DS length impossible for the algorithm
  DataLength,            // ciphertext not whole blocks
  Backend,               // crypto backend failed (incl. missing legacy provider)
};

// The concrete cipher for KIc with this key set (implicit resolved, key length checked).
[[nodiscard]] Result<CipherAlgorithm, Error> cipher_for(KicByte kic, const KeySet& keys);
[[nodiscard]] std::size_t block_size(CipherAlgorithm a) noexcept;
// TS 102 225 §5.1.2: CBC (or ECB for DES-ECB) with a zero IV over whole blocks.
[[nodiscard]] Result<Bytes, Error> encipher(CipherAlgorithm a, const KeySet& keys, ByteSpan plain);
[[nodiscard]] Result<Bytes, Error> decipher(CipherAlgorithm a, const KeySet& keys, ByteSpan cipher);

// TS 102 225 §5.1.3: the RC/CC/DS value of `length` octets over `covered`, as KID + SPI integrity say.
// Integrity::None → empty. Lengths: CRC16 2, CRC32 4, DES/3DES CC 8, AES-CMAC 8 or 4.
[[nodiscard]] Result<Bytes, Error> checksum(Integrity integrity, KidByte kid, const KeySet& keys, ByteSpan covered,
                                            std::size_t length);
// The RC/CC/DS length a sender uses by default (AES-CMAC: `cc_length`, 8 or 4).
[[nodiscard]] Result<std::size_t, Error> checksum_length(Integrity integrity, KidByte kid, const KeySet& keys,
                                                         std::size_t cc_length);

}  // namespace mnoswitch::ota::security
