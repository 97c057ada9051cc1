// spec/mechanism.md "Per-device journal" (REQ-HO-11 durable journal): what an operator durably records about each device's
// change. The phases are the model's abstract journal values (model/, spec/mechanism.md).
#pragma once

#include <cstdint>
#include <string>

namespace mnoswitch::operators {

// MNO A's per-device change state.
enum class APhase : std::uint8_t {
  Idle = 0,        // no change planned
  Allocated = 1,   // B's new IMSI for the device received and validated
  HandedOver = 2,  // safe: B holds the new IMSI and K before the card is touched (make-before-break)
  Sent = 3,        // a change command (UPDATE EF_IMSI) sent; waiting for evidence
  ReadingBack = 4, // safe: PoR lost; a read-back of EF_IMSI with a higher counter sent
  Confirmed = 5,   // evidence that the card holds the new IMSI (PoR, read-back or attach on B)
  Released = 6,    // A deleted its old record: the change is complete on A's side
  RolledBack = 7,  // safe: evidence that the card kept the old IMSI after the last attempt; change cancelled
};
// MNO B's per-device state.
enum class BPhase : std::uint8_t {
  None = 0,
  Allocated = 1,    // B set aside a new IMSI and sent it to A
  Provisioned = 2,  // B's HSS holds the new IMSI with K (and B's OTA server the key set)
  Serving = 3,      // A released the device: B is its MNO
  RekeyInit = 4,    // key agreement started (B's public value sent)
  RekeyCommit = 5,  // B derived K' and new OTA keys; commit sent under the new keys
  Rekeyed = 6,      // the card confirmed; B's HSS serves K'
  Cancelled = 7,    // A rolled the change back; B removed the new IMSI
};

// One journal row. `phase` holds an APhase (at A) or a BPhase (at B).
struct DeviceChange {
  std::uint8_t phase = 0;
  std::uint8_t attempts = 0;    // change commands sent (A) / re-key starts (B)
  std::uint16_t polls = 0;      // read-backs sent (A) / commits sent (B)
  std::uint64_t counter = 0;    // CNTR of the last command sent for this device (0: none)
  std::uint64_t sent_at = 0;    // tick the last command was sent
};

}  // namespace mnoswitch::operators
