// Known answers for the OTA primitives (TS 102 225 §5.1.2/§5.1.3): FIPS 46-3 / SP 800-67 DES and 3DES,
// FIPS 197 AES, SP 800-38B / RFC 4493 CMAC, ISO/IEC 13239 CRC check values. REQ-OTA-07.
#include <catch2/catch.hpp>
#include <string>

#include "reference/core/hex.hpp"
#include "reference/crypto/cipher.hpp"
#include "reference/crypto/crc.hpp"
#include "reference/crypto/mac.hpp"

using namespace mnoswitch;
using crypto::Direction;

namespace {
Bytes h(const char* s) {
  return parse_hex(s).value();
}
ByteSpan ascii(const std::string& s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
}  // namespace

TEST_CASE("DES ECB: the classic FIPS 46 worked example (legacy provider loads) [REQ-OTA-07]", "[crypto][ota]") {
  auto c = crypto::des_ecb(Direction::Encrypt, h("133457799bbcdff1"), h("0123456789abcdef"));
  REQUIRE(c.ok());
  CHECK(to_hex(c.value()) == "85e813540f0ab405");
  auto p = crypto::des_ecb(Direction::Decrypt, h("133457799bbcdff1"), c.value());
  CHECK(to_hex(p.value()) == "0123456789abcdef");
}

TEST_CASE("DES key parity bits are ignored [REQ-OTA-07]", "[crypto][ota]") {
  // 13 34 57 79 9b bc df f1 with every parity bit flipped gives the same cipher.
  auto c = crypto::des_ecb(Direction::Encrypt, h("123556789abddef0"), h("0123456789abcdef"));
  CHECK(to_hex(c.value()) == "85e813540f0ab405");
}

TEST_CASE("3DES 3 keys: SP 800-67 Appendix B example [REQ-OTA-07]", "[crypto][ota]") {
  auto c = crypto::des_ecb(Direction::Encrypt, h("0123456789abcdef23456789abcdef01456789abcdef0123"),
                           h("5468652071756663"
                             "6b2062726f776e20"
                             "666f78206a756d70"));
  REQUIRE(c.ok());
  CHECK(to_hex(c.value()) == "a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900");
}

TEST_CASE("3DES 2 keys equals 3 keys with K3 = K1, CBC chains with a zero IV [REQ-OTA-07]", "[crypto][ota]") {
  const Bytes k2 = h("0123456789abcdef23456789abcdef01");
  const Bytes k3 = h("0123456789abcdef23456789abcdef010123456789abcdef");
  const Bytes pt = h("00112233445566778899aabbccddeeff");
  CHECK(crypto::des_cbc(Direction::Encrypt, k2, pt).value() == crypto::des_cbc(Direction::Encrypt, k3, pt).value());
  // CBC with zero IV: first block equals ECB of the first block.
  auto cbc = crypto::des_cbc(Direction::Encrypt, k2, pt).value();
  auto ecb = crypto::des_ecb(Direction::Encrypt, k2, ByteSpan(pt).subspan(0, 8)).value();
  CHECK(Bytes(cbc.begin(), cbc.begin() + 8) == ecb);
  CHECK(crypto::des_cbc(Direction::Decrypt, k2, cbc).value() == pt);
}

TEST_CASE("AES-128/192/256: FIPS 197 Appendix C (one block, CBC with zero IV) [REQ-OTA-07]", "[crypto][ota]") {
  const Bytes pt = h("00112233445566778899aabbccddeeff");
  CHECK(to_hex(crypto::aes_cbc(Direction::Encrypt, h("000102030405060708090a0b0c0d0e0f"), pt).value()) ==
        "69c4e0d86a7b0430d8cdb78070b4c55a");
  CHECK(
      to_hex(crypto::aes_cbc(Direction::Encrypt, h("000102030405060708090a0b0c0d0e0f1011121314151617"), pt).value()) ==
      "dda97ca4864cdfe06eaf70a0ec0d7191");
  CHECK(to_hex(crypto::aes_cbc(Direction::Encrypt,
                               h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), pt)
                   .value()) == "8ea2b7ca516745bfeafc49904b496089");
}

TEST_CASE("AES-CMAC: RFC 4493 / SP 800-38B examples [REQ-OTA-07]", "[crypto][ota]") {
  const Bytes k = h("2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes m =
      h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef"
        "f69f2445df4f9b17ad2b417be66c3710");
  CHECK(to_hex(crypto::aes_cmac(k, {}).value()) == "bb1d6929e95937287fa37d129b756746");
  CHECK(to_hex(crypto::aes_cmac(k, ByteSpan(m).subspan(0, 16)).value()) == "070a16b46b4d4144f79bdd9dd04a287c");
  CHECK(to_hex(crypto::aes_cmac(k, ByteSpan(m).subspan(0, 40)).value()) == "dfa66747de9ae63030ca32611497c827");
  CHECK(to_hex(crypto::aes_cmac(k, m).value()) == "51f0bebf7e3b9d92fc49741779363cfe");
}

TEST_CASE("DES CBC-MAC zero-pads and returns the last block [REQ-OTA-04]", "[crypto][ota]") {
  const Bytes k = h("0123456789abcdef23456789abcdef01");
  const Bytes m = h("0102030405");
  auto mac = crypto::des_cbc_mac(k, m).value();
  auto explicit_pad = crypto::des_cbc(Direction::Encrypt, k, h("0102030405000000")).value();
  CHECK(Bytes(mac.begin(), mac.end()) == explicit_pad);
}

TEST_CASE("CRC16 and CRC32 check values of ISO/IEC 13239 [REQ-OTA-08]", "[crypto][ota]") {
  CHECK(crypto::crc16(ascii("123456789")) == 0x906E);
  CHECK(crypto::crc32(ascii("123456789")) == 0xCBF43926u);
  CHECK(crypto::crc32({}) == 0u);
}

TEST_CASE("cipher errors: key length, partial blocks", "[crypto][ota]") {
  CHECK(crypto::des_cbc(Direction::Encrypt, h("0011"), h("0000000000000000")).error() ==
        crypto::CipherError::KeyLength);
  CHECK(crypto::aes_cbc(Direction::Encrypt, h("000102030405060708090a0b0c0d0e0f"), h("00")).error() ==
        crypto::CipherError::DataLength);
  CHECK(crypto::aes_cmac(h("0011"), {}).error() == crypto::CipherError::KeyLength);
}
