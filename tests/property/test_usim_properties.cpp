// RapidCheck properties of the USIM (REQ-FS-01..03, REQ-FS-21, REQ-FS-53): EF_IMSI and EF_ICCID round trips and
// strict decoding, random APDUs never crash and never change state on error, any bit flip in a command packet is
// not applied. On failure RapidCheck prints the seed and the shrunk counterexample (RC_PARAMS reproduces).
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include "reference/usim/usim_files.hpp"
#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;

namespace {

std::string gen_digits(std::size_t min, std::size_t max) {
  const auto n = *rc::gen::inRange(min, max + 1);
  return *rc::gen::container<std::string>(n, rc::gen::inRange('0', static_cast<char>('9' + 1)));
}

MncLength gen_mnc() { return *rc::gen::element(MncLength::Two, MncLength::Three); }

Bytes gen_bytes(std::size_t max) {
  const auto n = *rc::gen::inRange<std::size_t>(0, max + 1);
  return *rc::gen::container<Bytes>(n, rc::gen::arbitrary<std::uint8_t>());
}

// APDUs that reach deep into the handlers: known CLA/INS most of the time, plausible P1/P2/Lc/Le.
Bytes gen_apdu() {
  const std::uint8_t cla = *rc::gen::weightedOneOf<std::uint8_t>(
      {{4, rc::gen::just<std::uint8_t>(0x00)}, {3, rc::gen::just<std::uint8_t>(0x80)},
       {1, rc::gen::arbitrary<std::uint8_t>()}});
  const std::uint8_t ins = *rc::gen::weightedOneOf<std::uint8_t>(
      {{6, rc::gen::element<std::uint8_t>(0xA4, 0xB0, 0xD6, 0xB2, 0xDC, 0xF2, 0x88, 0xC0, 0xC2, 0x12, 0x14)},
       {1, rc::gen::arbitrary<std::uint8_t>()}});
  const std::uint8_t p1 = *rc::gen::weightedOneOf<std::uint8_t>(
      {{3, rc::gen::element<std::uint8_t>(0x00, 0x04, 0x08, 0x09, 0x01, 0x87)}, {1, rc::gen::arbitrary<std::uint8_t>()}});
  const std::uint8_t p2 = *rc::gen::weightedOneOf<std::uint8_t>(
      {{3, rc::gen::element<std::uint8_t>(0x00, 0x04, 0x0C, 0x81, 0x80, 0x01)}, {1, rc::gen::arbitrary<std::uint8_t>()}});
  Bytes apdu{cla, ins, p1, p2};
  const int shape = *rc::gen::inRange(0, 4);
  if (shape == 1) apdu.push_back(*rc::gen::arbitrary<std::uint8_t>());
  if (shape >= 2) {
    Bytes data = *rc::gen::weightedOneOf<Bytes>(
        {{3, rc::gen::element(hx("3f00"), hx("6f07"), hx("7fff6f07"), hx("2fe2"), hx("a0000000871002"),
                              hx("080910101032547698"))},
         {2, rc::gen::nonEmpty(rc::gen::container<Bytes>(rc::gen::arbitrary<std::uint8_t>()))}});
    if (data.size() > 255) data.resize(255);
    apdu.push_back(static_cast<std::uint8_t>(data.size()));
    apdu.insert(apdu.end(), data.begin(), data.end());
    if (shape == 3) apdu.push_back(*rc::gen::arbitrary<std::uint8_t>());
  }
  if (*rc::gen::inRange(0, 20) == 0) apdu = gen_bytes(12);  // now and then: anything at all
  return apdu;
}

}  // namespace

TEST_CASE("REQ-FS-02 EF_IMSI round trip and strict decoding", "[usim][property][REQ-FS-01][REQ-FS-02]") {
  rc::prop("decode(encode(imsi)) == imsi, 9 octets, length octet = ceil((n+1)/2)", [] {
    const auto mnc = gen_mnc();
    const auto digits = gen_digits(static_cast<std::size_t>(mnc) + 4, kImsiMaxDigits);
    const auto imsi = Imsi::parse(digits, mnc);
    RC_ASSERT(imsi.ok());
    const auto ef = encode_ef_imsi(imsi.value());
    RC_ASSERT(ef[0] == (digits.size() + 2) / 2);
    const auto back = decode_ef_imsi(ef, mnc);
    RC_ASSERT(back.ok());
    RC_ASSERT(back.value() == imsi.value());
  });
  rc::prop("any 9 octets either fail to decode or re-encode to themselves", [] {
    const auto raw = *rc::gen::container<std::array<std::uint8_t, 9>>(rc::gen::arbitrary<std::uint8_t>());
    const auto d = decode_ef_imsi(raw, MncLength::Two);
    if (d.ok()) RC_ASSERT(encode_ef_imsi(d.value()) == raw);
  });
  rc::prop("non-digits and bad lengths are rejected", [] {
    auto digits = gen_digits(6, 15);
    const auto at = *rc::gen::inRange<std::size_t>(0, digits.size());
    digits[at] = *rc::gen::element('a', 'F', ' ', '-', '+');
    RC_ASSERT(Imsi::parse(digits, MncLength::Two).failed());
    RC_ASSERT(Imsi::parse(gen_digits(16, 30), MncLength::Two).failed());
    RC_ASSERT(Imsi::parse(gen_digits(0, 5), MncLength::Two).failed());
  });
}

TEST_CASE("REQ-FS-03 ICCID round trip, Luhn catches every single-digit error", "[usim][property][REQ-FS-03]") {
  rc::prop("decode(encode(iccid)) == iccid", [] {
    const auto iccid = Iccid::with_check_digit(gen_digits(kIccidMinDigits - 1, kIccidMaxDigits - 1));
    RC_ASSERT(iccid.ok());
    const auto back = decode_ef_iccid(encode_ef_iccid(iccid.value()));
    RC_ASSERT(back.ok());
    RC_ASSERT(back.value() == iccid.value());
  });
  rc::prop("changing one digit breaks the check digit", [] {
    const auto iccid = Iccid::with_check_digit(gen_digits(kIccidMinDigits - 1, kIccidMaxDigits - 1)).value();
    auto d = iccid.digits();
    const auto at = *rc::gen::inRange<std::size_t>(0, d.size());
    const char other = *rc::gen::suchThat(rc::gen::inRange('0', static_cast<char>('9' + 1)), [&](char ch) { return ch != d[at]; });
    d[at] = other;
    RC_ASSERT(Iccid::parse(d).failed());
  });
}

TEST_CASE("REQ-FS-21 random APDU sequences never crash and an error never changes the card", "[usim][property][REQ-FS-21]") {
  rc::prop("error status word ⇒ state unchanged", [] {
    Card c = example_card();
    const auto n = *rc::gen::inRange(1, 25);
    for (int i = 0; i < n; ++i) {
      const Bytes apdu = gen_apdu();
      const CardState before = c.state();
      const auto r = c.transmit(apdu);
      if (!is_success(r.sw) && !is_warning(r.sw)) {
        RC_ASSERT(c.state() == before);
        RC_ASSERT(r.data.empty());
      }
      // Whatever happened, the terminal never gained ADM: EF_IMSI is what it was.
      RC_ASSERT(imsi_of(c.state().fs).value().digits() == "001010123456789");
    }
  });
  rc::prop("random ENVELOPE data never crashes and never applies anything", [] {
    Card c = example_card();
    Bytes data = *rc::gen::weightedOneOf<Bytes>({{1, rc::gen::just(gen_bytes(200))},
                                                 {1, rc::gen::just([] {
                                                    Bytes b{0xD1, 0x00, 0x82, 0x02, 0x83, 0x81, 0x8B};
                                                    Bytes tail = gen_bytes(150);
                                                    b.push_back(static_cast<std::uint8_t>(tail.size()));
                                                    b.insert(b.end(), tail.begin(), tail.end());
                                                    b[1] = static_cast<std::uint8_t>(b.size() - 2);
                                                    return b;
                                                  }())}});
    if (data.empty() || data.size() > 255) return;
    Bytes apdu{0x80, 0xC2, 0x00, 0x00, static_cast<std::uint8_t>(data.size())};
    apdu.insert(apdu.end(), data.begin(), data.end());
    const CardState before = c.state();
    const auto r = c.transmit(apdu);
    if (!is_success(r.sw)) RC_ASSERT(c.state() == before);
    RC_ASSERT(c.state().fs == before.fs);
    RC_ASSERT(c.state().ota_counters == before.ota_counters);
  });
}

TEST_CASE("REQ-FS-53 any bit flip in a command packet: nothing applied, counter unchanged", "[usim][property][REQ-FS-53]") {
  const CardFile file = example_file();
  const auto& keys = file.config.key_sets.at(0);
  OtaCommand cmd;
  cmd.script = ota::script_set_ef_imsi(encode_ef_imsi(Imsi::parse("001019876543210", MncLength::Two).value()));
  const Bytes packet = wrap(cmd, keys);
  {
    Card c = make_card(file);
    REQUIRE(sw1(c.transmit(envelopes(packet).at(0)).sw) == 0x61);  // the untouched packet is applied
    REQUIRE(imsi_of(c.state().fs).value().digits() == "001019876543210");
  }
  rc::prop("flip ⇒ EF_IMSI, files and counters unchanged, no REFRESH", [&] {
    Card c = make_card(file);
    Bytes p = packet;
    const auto bit = *rc::gen::inRange<std::size_t>(0, p.size() * 8);
    p[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const CardState before = c.state();
    (void)c.transmit(envelopes(p).at(0));
    RC_ASSERT(c.state().fs == before.fs);
    RC_ASSERT(c.state().ota_counters == before.ota_counters);
    // An error PoR may still go out by SMS-SUBMIT (the flip may have hit SPI octet 2), but never a REFRESH.
    for (const auto& cmd_bytes : c.state().proactive.queue)
      RC_ASSERT(command_details_of(cmd_bytes).value().type != static_cast<std::uint8_t>(ProactiveType::Refresh));
  });
}
