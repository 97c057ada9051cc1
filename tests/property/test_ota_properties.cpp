// Properties of the OTA codecs (TS 102 225 §5.1/§5.2, TS 31.115 §4, TS 23.040 §9.2.3.24): round trips for every
// algorithm and SPI, tamper detection, replay, exhaustive SPI decoding, concatenation. RapidCheck prints the
// seed of any failure (re-run with RC_PARAMS="seed=N").
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "reference/ota/card.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"

using namespace mnoswitch;
using namespace mnoswitch::ota;

namespace {

enum class Family { Des, DesEcb, TripleDes2, TripleDes3, Aes128, Aes192, Aes256 };

struct Setup {
  KeySet keys;
  KicByte kic;
  KidByte kid;
  std::size_t cc_length = 8;
};

std::size_t key_len(Family f) {
  switch (f) {
    case Family::Des:
    case Family::DesEcb:
      return 8;
    case Family::TripleDes2:
    case Family::Aes128:
      return 16;
    case Family::TripleDes3:
    case Family::Aes192:
      return 24;
    case Family::Aes256:
      return 32;
  }
  return 16;
}
bool is_aes(Family f) {
  return f == Family::Aes128 || f == Family::Aes192 || f == Family::Aes256;
}

// KIc/KID for a family; `rc` picks CRC16/CRC32 when the SPI asks for an RC.
Setup make_setup(Family f, Integrity integrity, bool crc16, bool cc4, const Bytes& kic_key, const Bytes& kid_key,
                 std::uint8_t kvn) {
  Setup s;
  s.keys.kvn = KeyVersion(kvn);
  s.keys.kic = KicKey(kic_key);
  s.keys.kid = KidKey(kid_key);
  const KeyVersion kv(kvn);
  CipherAlgorithm ca = CipherAlgorithm::AesCbc;
  CcAlgorithm cc = CcAlgorithm::AesCmac;
  switch (f) {
    case Family::Des:
      ca = CipherAlgorithm::DesCbc;
      cc = CcAlgorithm::DesCbcMac;
      break;
    case Family::DesEcb:
      ca = CipherAlgorithm::DesEcb;
      cc = CcAlgorithm::DesCbcMac;
      break;
    case Family::TripleDes2:
      ca = CipherAlgorithm::TripleDes2Key;
      cc = CcAlgorithm::TripleDes2KeyMac;
      break;
    case Family::TripleDes3:
      ca = CipherAlgorithm::TripleDes3Key;
      cc = CcAlgorithm::TripleDes3KeyMac;
      break;
    default:
      break;
  }
  s.kic = KicByte::make(kv, ca);
  s.kid = integrity == Integrity::Rc ? KidByte::make_rc(kv, crc16 ? RcAlgorithm::Crc16 : RcAlgorithm::Crc32)
                                     : KidByte::make_cc(kv, cc);
  s.cc_length = (is_aes(f) && cc4) ? 4 : 8;
  return s;
}

struct Card {
  const KeySet* keys;
  OtaCounter stored;
  CardView view() const {
    CardView v;
    v.key_set = [this](KeyVersion kv) { return kv == keys->kvn ? keys : nullptr; };
    v.counter = [this](KeyVersion) { return std::optional<OtaCounter>(stored); };
    v.tar = [](const Tar&) { return std::optional<TarPolicy>(TarPolicy{}); };
    return v;
  }
};

rc::Gen<Family> gen_family() {
  return rc::gen::element(Family::Des, Family::DesEcb, Family::TripleDes2, Family::TripleDes3, Family::Aes128,
                          Family::Aes192, Family::Aes256);
}
// A valid SPI without DS (not implemented): octet 1 b2b1 in {0,1,2}, b3, b5b4; octet 2 PoR fields.
rc::Gen<Spi> gen_spi() {
  return rc::gen::map(rc::gen::inRange<unsigned>(0, 65536), [](unsigned raw) {
    for (;; raw = (raw * 2654435761u + 1u) & 0xFFFFu) {
      auto s = Spi::decode(static_cast<std::uint16_t>(raw));
      if (s.ok() && s.value().integrity != Integrity::Ds) return s.value();
    }
  });
}

struct Case {
  Setup setup;
  CommandSpec spec;
};

Case gen_case(std::size_t max_data) {
  const auto family = *gen_family();
  const Spi spi = *gen_spi();
  const bool crc16 = *rc::gen::arbitrary<bool>();
  const bool cc4 = *rc::gen::arbitrary<bool>();
  const auto kic_key = *rc::gen::container<Bytes>(key_len(family), rc::gen::arbitrary<std::uint8_t>());
  const auto kid_key = *rc::gen::container<Bytes>(key_len(family), rc::gen::arbitrary<std::uint8_t>());
  const auto kvn = *rc::gen::inRange<unsigned>(0, 16);
  Case c{make_setup(family, spi.integrity, crc16, cc4, kic_key, kid_key, static_cast<std::uint8_t>(kvn)), {}};
  c.spec.spi = spi;
  c.spec.kic = c.setup.kic;
  c.spec.kid = c.setup.kid;
  c.spec.tar = Tar(*rc::gen::arbitrary<ByteArray<3>>());
  c.spec.counter = *OtaCounter::make(*rc::gen::inRange<std::uint64_t>(1, OtaCounter::kMax));
  c.spec.data =
      *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, max_data), rc::gen::arbitrary<std::uint8_t>());
  c.spec.cc_length = c.setup.cc_length;
  return c;
}

}  // namespace

TEST_CASE("all 65,536 SPI values decode to exactly one setting or are reserved, encode inverts decode [REQ-OTA-01]",
          "[ota][property]") {
  std::size_t valid = 0;
  for (unsigned raw = 0; raw <= 0xFFFF; ++raw) {
    auto s = Spi::decode(static_cast<std::uint16_t>(raw));
    const bool reserved = (raw & 0xE000u) != 0 || (raw & 0x00C0u) != 0 || (raw & 0x0003u) == 0x0003u;
    REQUIRE(s.ok() == !reserved);
    if (s.ok()) {
      ++valid;
      REQUIRE(s.value().encode() == raw);
    }
  }
  // 32 values of octet 1 (5 defined bits) x 48 of octet 2 (6 defined bits, PoR request 11 reserved).
  CHECK(valid == 32u * 48u);
}

TEST_CASE("every valid SPI wraps and unwraps (3DES, AES-128), DS is refused [REQ-OTA-01][REQ-OTA-10]",
          "[ota][property]") {
  for (unsigned raw = 0; raw <= 0xFFFF; ++raw) {
    auto spi = Spi::decode(static_cast<std::uint16_t>(raw));
    if (spi.failed()) continue;
    for (Family f : {Family::TripleDes2, Family::Aes128}) {
      Setup s =
          make_setup(f, spi.value().integrity, raw & 1u, false, Bytes(key_len(f), 0x3C), Bytes(key_len(f), 0xC3), 1);
      CommandSpec spec{spi.value(),       s.kic, s.kid, Tar(ByteArray<3>{0xB0, 0, 0x11}), *OtaCounter::make(9),
                       Bytes{0xA0, 0xB0}, 8};
      auto p = wrap_command(spec, s.keys);
      if (spi.value().integrity == Integrity::Ds) {
        REQUIRE(p.failed());
        continue;
      }
      REQUIRE(p.ok());
      Card card{&s.keys, *OtaCounter::make(8)};
      auto v = open_command(p.value(), card.view());
      REQUIRE(v.ok());
      REQUIRE(v.value().accepted());
      REQUIRE(v.value().data == spec.data);
    }
  }
}

TEST_CASE("properties", "[ota][property]") {
  rc::prop("wrap/unwrap round trip for every algorithm, SPI, key version and length [REQ-OTA-03][REQ-OTA-10]", [] {
    const Case c = gen_case(400);
    auto p = wrap_command(c.spec, c.setup.keys);
    RC_ASSERT(p.ok());
    const Bytes& pkt = p.value();
    RC_ASSERT(load_be(ByteSpan(pkt).subspan(0, 2)) == pkt.size() - 2);  // CPL always present and right
    if (c.spec.spi.ciphered) {
      const std::size_t block = (c.setup.kic.raw() & 0x3) == 0x2 ? 16 : 8;
      RC_ASSERT((pkt.size() - 10) % block == 0);
    }
    Card card{&c.setup.keys, *OtaCounter::make(c.spec.counter.value() - 1)};
    auto v = open_command(pkt, card.view());
    RC_ASSERT(v.ok());
    RC_ASSERT(v.value().accepted());
    RC_ASSERT(v.value().data == c.spec.data);
    RC_ASSERT(v.value().counter == c.spec.counter);
    const bool checks = c.spec.spi.counter == CounterMode::Higher || c.spec.spi.counter == CounterMode::OneHigher;
    RC_ASSERT(v.value().commit.has_value() == checks);
  });

  rc::prop("any bit flip: nothing accepted; after the header (CNTR onwards) it is status 01 [REQ-OTA-04][REQ-OTA-12]",
           [] {
             Case c = gen_case(200);
             RC_PRE(c.spec.spi.integrity != Integrity::None);
             auto p = wrap_command(c.spec, c.setup.keys);
             RC_ASSERT(p.ok());
             Bytes pkt = p.value();
             const auto bit = *rc::gen::inRange<std::size_t>(0, pkt.size() * 8);
             pkt[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
             Card card{&c.setup.keys, *OtaCounter::make(c.spec.counter.value() - 1)};
             auto v = open_command(pkt, card.view());
             if (v.failed()) {
               RC_ASSERT(bit / 8 < 3);  // only CPL or CHL can make the packet unreadable
               return;
             }
             RC_ASSERT(!v.value().accepted());
             RC_ASSERT(!v.value().commit.has_value());
             RC_ASSERT(v.value().data.empty());
             if (bit / 8 >= 10) RC_ASSERT(v.value().status == ResponseStatus::RcCcDsFailed);
           });

  rc::prop("replayed and stale counters are rejected in the checking modes [REQ-OTA-11]", [] {
    Case c = gen_case(40);
    c.spec.spi.counter = *rc::gen::element(CounterMode::Higher, CounterMode::OneHigher);
    const auto stored = *rc::gen::inRange<std::uint64_t>(0, OtaCounter::kMax + 1);
    const auto sent = *rc::gen::inRange<std::uint64_t>(0, OtaCounter::kMax + 1);
    c.spec.counter = *OtaCounter::make(sent);
    auto p = wrap_command(c.spec, c.setup.keys);
    RC_ASSERT(p.ok());
    Card card{&c.setup.keys, *OtaCounter::make(stored)};
    auto v = open_command(p.value(), card.view());
    RC_ASSERT(v.ok());
    ResponseStatus want = ResponseStatus::PorOk;
    if (stored == OtaCounter::kMax)
      want = ResponseStatus::CounterBlocked;
    else if (sent <= stored)
      want = ResponseStatus::CounterLow;
    else if (c.spec.spi.counter == CounterMode::OneHigher && sent > stored + 1)
      want = ResponseStatus::CounterHigh;
    RC_ASSERT(v.value().status == want);
    RC_ASSERT(v.value().commit.has_value() == (want == ResponseStatus::PorOk));
    if (v.value().accepted()) {
      card.stored = v.value().commit->value;  // what the USIM commits
      RC_ASSERT(open_command(p.value(), card.view()).value().status == ResponseStatus::CounterLow);
    }
  });

  rc::prop("long scripts split over concatenated SMS and reassemble in any order [REQ-OTA-30][REQ-OTA-31]", [] {
    Case c = gen_case(1500);
    auto p = wrap_command(c.spec, c.setup.keys);
    RC_ASSERT(p.ok());
    const bool wide = *rc::gen::arbitrary<bool>();
    const auto ref = *rc::gen::inRange<unsigned>(0, wide ? 65536u : 256u);
    auto parts = command_packet_user_data(p.value(), static_cast<std::uint16_t>(ref), wide);
    RC_ASSERT(parts.size() == 1 || p.value().size() > 137);
    for (const auto& ud : parts) RC_ASSERT(ud.size() <= kMaxUserData);
    auto order = *rc::gen::arbitrary<std::vector<unsigned>>();
    std::vector<std::size_t> idx(parts.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    for (std::size_t i = 0; i < idx.size() && i < order.size(); ++i) std::swap(idx[i], idx[order[i] % idx.size()]);
    Reassembly r;
    std::optional<Bytes> whole;
    for (std::size_t k = 0; k < idx.size(); ++k) {
      auto seg = read_segment(parts[idx[k]]);
      RC_ASSERT(seg.ok());
      auto step = r.add(seg.value());
      RC_ASSERT(step.ok());
      RC_ASSERT(step.value().has_value() == (k + 1 == idx.size()));
      whole = step.value();
    }
    RC_ASSERT(*whole == p.value());
    Card card{&c.setup.keys, *OtaCounter::make(c.spec.counter.value() - 1)};
    RC_ASSERT(open_command(*whole, card.view()).value().data == c.spec.data);
  });

  rc::prop("PoR round trip: what the card builds the server reads [REQ-OTA-15][REQ-OTA-16]", [] {
    Case c = gen_case(100);
    auto p = wrap_command(c.spec, c.setup.keys);
    Card card{&c.setup.keys, *OtaCounter::make(c.spec.counter.value() - 1)};
    auto v = open_command(p.value(), card.view()).value();
    RC_ASSERT(v.accepted());
    const auto status = *rc::gen::element(ResponseStatus::PorOk, ResponseStatus::InsufficientMemory,
                                          ResponseStatus::MoreTimeNeeded, ResponseStatus::CounterLow);
    // Security-failure PoRs carry no response data (TS 102 225 §5.2: nothing was executed); that is also what
    // lets the reader tell a plain error PoR (7 octets after TAR: never whole cipher blocks) from a ciphered one.
    const auto data =
        status == ResponseStatus::CounterLow
            ? Bytes{}
            : *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, 60), rc::gen::arbitrary<std::uint8_t>());
    // A PoR RC/CC follows the KID as the PoR integrity reads it; skip KID codings that have no such meaning.
    if (c.spec.spi.por_integrity == Integrity::Rc) RC_PRE(c.spec.kid.rc_algorithm().ok());
    if (c.spec.spi.por_integrity == Integrity::Cc) RC_PRE(c.spec.kid.cc_algorithm().ok());
    RC_PRE(c.spec.spi.por_integrity != Integrity::Ds);
    auto por = build_por(v, status, data, card.view());
    if (por.failed()) {
      // The KID octet names one algorithm per reading (CC or RC): when the PoR asks for the other kind of check
      // than the command, the same octet may name an algorithm the key does not fit. Only then may it fail.
      RC_ASSERT(c.spec.spi.por_integrity != c.spec.spi.integrity);
      RC_DISCARD("KID octet does not fit the PoR's integrity kind");
    }
    auto r = read_por(por.value(), c.spec.spi, c.spec.kic, c.spec.kid, c.setup.keys);
    RC_ASSERT(r.ok());
    RC_ASSERT(r.value().status == status);
    RC_ASSERT(r.value().data == data);
    RC_ASSERT(r.value().counter == c.spec.counter);
    RC_ASSERT(r.value().tar == c.spec.tar);
  });
}
