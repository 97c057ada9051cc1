// spec/mechanism.md §2–§3: the requirements REQ-HO-01..15 as named switches, and the variants seed and safe.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mnoswitch::model {

enum class Req : std::uint8_t {
  Contract = 1,        // REQ-HO-01 (R1)
  Trust,               // REQ-HO-02 (R2)
  CommonAka,           // REQ-HO-03 (R3)
  SecuredOta,          // REQ-HO-04 (R4)
  MakeBeforeBreak,     // REQ-HO-05
  EvidenceBeforeDelete,// REQ-HO-06
  ReadBack,            // REQ-HO-07
  SingleChange,        // REQ-HO-08
  CounterHigher,       // REQ-HO-09
  ValidatedList,       // REQ-HO-10
  Journal,             // REQ-HO-11
  Rekey,               // REQ-HO-12
  KeyAgreement,        // REQ-HO-13
  ConfidentialHandover,// REQ-HO-14
  CounterHandover,     // REQ-HO-15
};
inline constexpr int kReqCount = 15;

struct ReqInfo {
  Req req;
  std::string_view id;       // "REQ-HO-05"
  std::string_view title;    // "make-before-break"
  std::string_view expected; // the invariant its removal must break (spec/invariants.md)
  std::string_view flaw;     // one line: what goes wrong without it
};
const std::vector<ReqInfo>& requirements();
const ReqInfo& info(Req r);
std::optional<Req> parse_req(std::string_view id);  // "REQ-HO-05" or "5"

// A variant: which requirements hold, and whether the seed's order (hand-over after the rewrite) is imposed.
struct Config {
  std::string name;
  std::bitset<kReqCount + 1> on;
  bool seed_order = false;
  [[nodiscard]] bool has(Req r) const { return on.test(static_cast<std::size_t>(r)); }
  [[nodiscard]] Config without(Req r) const;
};
Config safe_variant();
Config seed_variant();

}  // namespace mnoswitch::model
