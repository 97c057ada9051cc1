// Core utilities: hex, Reader, Result, Secret (wipe on move, redaction, constant-time compare).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "reference/core/format.hpp"
#include "reference/core/hex.hpp"
#include "reference/core/secret.hpp"

using namespace mnoswitch;

namespace {
struct TestKeyTag {};
using TestKey = Secret<4, TestKeyTag>;
}  // namespace

TEST_CASE("hex parses both cases and prints lower case", "[core]") {
  auto r = parse_hex("00aAfF");
  REQUIRE(r.ok());
  CHECK(r.value() == Bytes{0x00, 0xAA, 0xFF});
  CHECK(to_hex(r.value()) == "00aaff");
}

TEST_CASE("hex rejects odd length, bad digits and wrong lengths without padding", "[core]") {
  CHECK(parse_hex("abc").error().kind == HexError::Kind::OddLength);
  auto bad = parse_hex("0g");
  REQUIRE(bad.failed());
  CHECK(bad.error().kind == HexError::Kind::BadDigit);
  CHECK(bad.error().position == 1);
  auto wrong = parse_hex_exact("0011", 3);
  REQUIRE(wrong.failed());
  CHECK(wrong.error().kind == HexError::Kind::WrongLength);
  CHECK(describe(wrong.error()) == "expected 3 octets (6 hex digits), got 2 octets");
}

TEST_CASE("Reader fails on short input and on trailing bytes", "[core]") {
  Bytes b{1, 2, 3};
  Reader r(b);
  CHECK(r.u8().value() == 1);
  CHECK(r.be(2).value() == 0x0203);
  CHECK(r.u8().failed());
  CHECK(r.finish().ok());
  Reader r2(b);
  (void)r2.u8();
  CHECK(r2.finish().failed());
}

TEST_CASE("Secret is redacted, wiped after move and compared in constant time", "[core]") {
  TestKey a(ByteArray<4>{1, 2, 3, 4});
  TestKey b(ByteArray<4>{1, 2, 3, 4});
  TestKey c(ByteArray<4>{1, 2, 3, 5});
  CHECK(fmt::format("{}", a) == "<redacted>");
  CHECK(ct_equal(a, b));
  CHECK_FALSE(ct_equal(a, c));
  TestKey moved(std::move(a));
  CHECK(ct_equal(moved, b));
  auto after = a.expose();  // NOLINT(bugprone-use-after-move): the point of the test
  CHECK(std::all_of(after.begin(), after.end(), [](std::uint8_t x) { return x == 0; }));
}
