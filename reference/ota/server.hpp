// ETSI TS 102 225 §5.1/§5.2 and TS 31.115 §4 (sending entity): build command packets, read PoRs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/ota/keys.hpp"
#include "reference/ota/spi.hpp"
#include "reference/ota/status.hpp"
#include "reference/ota/types.hpp"

namespace mnoswitch::ota {

struct CommandSpec {
  Spi spi;
  KicByte kic;
  KidByte kid;
  Tar tar;
  OtaCounter counter;
  Bytes data;                 // secured data (an RFM script)
  std::size_t cc_length = 8;  // AES-CMAC may be truncated to 4; DES CBC-MAC is always 8
};

enum class WrapError {
  ReservedAlgorithm,     // KIc/KID coding reserved for the SPI's use
  UnsupportedAlgorithm,  // DS, proprietary, or implicit without a configured algorithm
  KeyLength,             // key size does not fit the algorithm
  BadCcLength,           // cc_length not 8 (or 4 for AES-CMAC)
  TooLong,               // CPL would exceed 65,535
};
[[nodiscard]] const char* describe(WrapError e) noexcept;

// REQ-OTA-03..07: the command packet from CPL to the end (no UDH). Keys come from `keys` (kvn not checked).
[[nodiscard]] Result<Bytes, WrapError> wrap_command(const CommandSpec& spec, const KeySet& keys);

// What the OTA server learns from a PoR.
struct PorReading {
  ResponseStatus status = ResponseStatus::PorOk;
  Tar tar;
  OtaCounter counter;
  Bytes data;               // response data, padding stripped by PCNTR
  bool secured = false;     // RC/CC/DS present and verified
  bool deciphered = false;  // the PoR was ciphered
};

enum class PorReadError {
  MissingUdh,        // TP-UD does not start with a UDH holding IEI 71
  Malformed,         // lengths inconsistent, truncated, reserved status
  IntegrityFailed,   // RC/CC does not verify
  MissingIntegrity,  // SPI asked for RC/CC, the PoR has none, and its status is 00
  CipheringError,    // ciphered part not a whole number of blocks or PCNTR impossible
  UnsupportedAlgorithm,
  KeyLength,
};
[[nodiscard]] const char* describe(PorReadError e) noexcept;

// REQ-OTA-16: read a PoR given as TP-UD (UDH with IEI 71, then RPL..end), with the SPI/KIc/KID of the
// command it answers. Error PoRs without CC or ciphering (as real cards send them) are read, marked
// secured = false; a status-00 PoR that lacks the requested CC is rejected.
[[nodiscard]] Result<PorReading, PorReadError> read_por(ByteSpan tp_ud, const Spi& spi, KicByte kic, KidByte kid,
                                                        const KeySet& keys);

}  // namespace mnoswitch::ota
