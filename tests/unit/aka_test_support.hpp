// Helpers shared by the AKA tests: hex -> typed values (aborting the test on malformed test data), vector file access.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "reference/aka/milenage.hpp"
#include "reference/core/hex.hpp"

namespace aka_test {

template <class T>
T from_hex(const std::string& h) {
  auto r = mnoswitch::parse_hex_array<T::size>(h);
  REQUIRE(r.ok());
  return T(r.value());
}

inline mnoswitch::aka::Sqn sqn_hex(const std::string& h) {
  auto r = mnoswitch::parse_hex_array<mnoswitch::aka::kSqnSize>(h);
  REQUIRE(r.ok());
  return mnoswitch::aka::Sqn::from_bytes(r.value());
}

inline const nlohmann::json& vectors() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(MNOSWITCH_TEST_DATA) + "/milenage_3gpp.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

template <class T>
std::string hex(const T& v) {
  return mnoswitch::to_hex(v.span());
}
template <std::size_t N, class Tag>
std::string hex(const mnoswitch::Secret<N, Tag>& v) {
  return mnoswitch::to_hex(v.expose());
}

}  // namespace aka_test
