// ETSI TS 102 225 §5.1 (receiving entity: verify a command packet, build the response packet) with
// TS 31.115 §4 (SMS-PP) and TS 102 226 §8.2.1.3.2.4 (minimum security level per TAR).
// THE CARD-SIDE API used by the USIM (reference/usim/): pure functions, no card state is touched here.
// The USIM owns key sets, counters and TAR configuration, lends them through CardView, and commits the
// counter (verdict.commit) only when it applies the command (verdict.accepted()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/ota/header.hpp"
#include "reference/ota/keys.hpp"
#include "reference/ota/spi.hpp"
#include "reference/ota/status.hpp"
#include "reference/ota/types.hpp"

namespace mnoswitch::ota {

// TS 102 226 §8.2.1.3.2.4: minimum security level of a TAR, coded like SPI octet 1 (integrity b2b1,
// ciphering b3, counter b5b4). A packet satisfies it when its integrity is at least as strong
// (none < RC < CC < DS), it is ciphered if the MSL asks for ciphering, and its counter mode is at least as
// strict (none < no check < higher < exactly one higher). REQ-OTA-14.
struct MinimumSecurityLevel {
  std::uint8_t raw = 0;  // 0: no minimum
  [[nodiscard]] bool satisfied_by(const Spi& spi) const noexcept;
};

// What the card configures per TAR (the application behind it is the USIM's business).
struct TarPolicy {
  MinimumSecurityLevel msl;
  // Optional hook: further conditions (e.g. "only key set 1 for this TAR"); false → status 0A.
  std::function<bool(const CommandHeader&, const Spi&)> extra_check;
};

// The card's state, lent read-only. Each lookup returns "absent" for what the card does not have.
struct CardView {
  std::function<const KeySet*(KeyVersion)> key_set;              // nullptr: no such key set (→ 06)
  std::function<std::optional<OtaCounter>(KeyVersion)> counter;  // stored counter of a key set
  std::function<std::optional<TarPolicy>(const Tar&)> tar;       // nullopt: TAR unknown (→ 09)
};

// The counter the caller stores when (and only when) it applies the command. REQ-OTA-11.
struct CounterCommit {
  KeyVersion key_set;
  OtaCounter value;
};

// REQ-OTA-10: the card's verdict on one command packet.
struct CommandVerdict {
  ResponseStatus status = ResponseStatus::UnidentifiedSecurityError;
  CommandHeader header;
  std::optional<Spi> spi;               // absent when the SPI is reserved
  std::optional<OtaCounter> counter;    // CNTR of the packet, once it could be read (deciphered)
  Bytes data;                           // secured data, padding stripped by PCNTR; empty unless accepted
  std::optional<CounterCommit> commit;  // what to store if accepted and the SPI's counter mode checks
  std::size_t cc_length = 0;            // length of the command's RC/CC/DS (a PoR CC uses the same for AES)
  [[nodiscard]] bool accepted() const noexcept { return status == ResponseStatus::PorOk; }
};

// TS 102 225 §5.1: open a reassembled command packet (CPL..end, UDH removed) as the receiving entity.
// Order: TAR (09), SPI/KIc/KID coding (06), minimum security level (0A), key sets (06), deciphering (05),
// RC/CC/DS (01), counter (02/03/04). Nothing is mutated; the caller commits `commit` iff accepted().
// Fails (no verdict, no PoR possible) only when the header up to TAR cannot be read.
[[nodiscard]] Result<CommandVerdict, MalformedPacket> open_command(ByteSpan packet, const CardView& card);

// TS 102 225 §5.1.1 SPI octet 2: does the sender want a PoR for this outcome? (PoR on error: status != 00.)
// A verdict whose SPI is reserved gets an (unsecured) error PoR.
[[nodiscard]] bool por_wanted(const CommandVerdict& v, ResponseStatus status) noexcept;

enum class PorBuildError { UnsupportedAlgorithm, KeyMissing, KeyLength, TooLong };
[[nodiscard]] const char* describe(PorBuildError e) noexcept;

// TS 102 225 §5.2 / TS 31.115 §4.3: the card's response packet for `v` with `status` and `response_data`
// (the RFM response), returned as the TP-UD: UDH 02 71 00 followed by RPL..end. With status 00 (and the
// application statuses 07/08/0B/0C) the SPI's PoR integrity and ciphering apply, with the KIc/KID key sets of
// the command; a security failure (01..06, 09, 0A) gets a plain PoR without RC/CC/DS, as cards do, because
// the keys or counter it would be protected with are in doubt, and carries no response data (nothing ran).
// REQ-OTA-15.
[[nodiscard]] Result<Bytes, PorBuildError> build_por(const CommandVerdict& v, ResponseStatus status,
                                                     ByteSpan response_data, const CardView& card);

}  // namespace mnoswitch::ota
