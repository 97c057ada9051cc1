// TS 23.003 §2.2: the block of IMSIs an MNO owns (PLMN = MCC + MNC, then a range of MSINs). REQ-HO-10.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "reference/usim/imsi.hpp"

namespace mnoswitch::operators {

struct ImsiBlock {
  std::string plmn;  // MCC + MNC (5 or 6 digits)
  std::uint64_t first_msin = 0;
  std::uint64_t size = 0;

  [[nodiscard]] usim::MncLength mnc_length() const noexcept {
    return plmn.size() == 6 ? usim::MncLength::Three : usim::MncLength::Two;
  }
  [[nodiscard]] std::size_t msin_digits() const noexcept { return 15 - plmn.size(); }
  // The i-th IMSI of the range (i < size). The digits are valid by construction of the range.
  [[nodiscard]] usim::Imsi at(std::uint64_t i) const {
    auto r = usim::Imsi::parse(fmt::format("{}{:0{}}", plmn, first_msin + i, msin_digits()), mnc_length());
    return std::move(r).value();
  }
  // Position of `digits` in the range, if it belongs to it.
  [[nodiscard]] std::optional<std::uint64_t> index_of(std::string_view digits) const noexcept {
    if (digits.size() != 15 || digits.substr(0, plmn.size()) != plmn) return std::nullopt;
    std::uint64_t msin = 0;
    for (char c : digits.substr(plmn.size())) {
      if (c < '0' || c > '9') return std::nullopt;
      msin = msin * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (msin < first_msin || msin - first_msin >= size) return std::nullopt;
    return msin - first_msin;
  }
  [[nodiscard]] bool contains(std::string_view digits) const noexcept { return index_of(digits).has_value(); }
};

}  // namespace mnoswitch::operators
