// `mnoswitch ota wrap|unwrap|por|rfm`: the OTA server's and the card's codecs (TS 102 225, TS 31.115, REQ-OTA-50.
// TS 102 226, TS 23.040, TS 31.111) from the command line. Thin over reference/ota.
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "reference/core/hex.hpp"
#include "reference/ota/card.hpp"
#include "reference/ota/envelope.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"

namespace mnoswitch::cli {
namespace {

using namespace mnoswitch::ota;

Bytes hex_arg(const std::string& name, const std::string& text) {
  auto r = parse_hex(text);
  if (r.failed()) fail(kBadInput, fmt::format("{}: {}", name, describe(r.error())));
  return std::move(r).value();
}
Bytes hex_exact(const std::string& name, const std::string& text, std::size_t n) {
  auto r = parse_hex_exact(text, n);
  if (r.failed()) fail(kBadInput, fmt::format("{}: {}", name, describe(r.error())));
  return std::move(r).value();
}
Spi spi_arg(const std::string& text) {
  auto raw = hex_exact("--spi", text, 2);
  auto s = Spi::decode(static_cast<std::uint16_t>(load_be(raw)));
  if (s.failed()) fail(kBadInput, fmt::format("--spi: {}", describe(s.error())));
  return s.value();
}
Tar tar_arg(const std::string& text) {
  return Tar(to_array<3>(std::span<const std::uint8_t, 3>(hex_exact("--tar", text, 3).data(), 3)));
}
OtaCounter counter_arg(const std::string& name, const std::string& text) {
  auto raw = hex_exact(name, text, kCounterSize);
  return *OtaCounter::make(load_be(raw));  // 5 octets always fit 40 bits
}
KeySet keys_arg(const std::string& kic, const std::string& kid, KeyVersion kvn) {
  KeySet ks;
  ks.kvn = kvn;
  if (!kic.empty()) ks.kic = KicKey(hex_arg("--kic-key", kic));
  if (!kid.empty()) ks.kid = KidKey(hex_arg("--kid-key", kid));
  for (std::size_t n : {ks.kic.size(), ks.kid.size()})
    if (n != 0 && n != 8 && n != 16 && n != 24 && n != 32)
      fail(kBadInput, fmt::format("key of {} octets: OTA keys are 8, 16, 24 or 32 octets", n));
  return ks;
}
std::string hex16(std::uint16_t v) {
  return fmt::format("{:04x}", v);
}
std::string hex8(std::uint8_t v) {
  return fmt::format("{:02x}", v);
}
std::string counter_hex(OtaCounter c) {
  return fmt::format("{:010x}", c.value());
}

// ---- wrap ---------------------------------------------------------------------------------------------------
struct WrapArgs {
  std::string spi, kic, kid, tar, counter, kic_key, kid_key, data, originator = "12345678";
  unsigned cc_length = 8;
  unsigned concat_ref = 0;
  bool json = false;
};

int run_wrap(const WrapArgs& a) {
  CommandSpec spec;
  spec.spi = spi_arg(a.spi);
  spec.kic = KicByte(hex_exact("--kic", a.kic, 1)[0]);
  spec.kid = KidByte(hex_exact("--kid", a.kid, 1)[0]);
  spec.tar = tar_arg(a.tar);
  spec.counter = counter_arg("--counter", a.counter);
  spec.data = hex_arg("--data", a.data);
  spec.cc_length = a.cc_length;
  if (a.concat_ref > 0xFFFF) fail(kBadInput, "--concat-ref: at most 65535 (0xffff)");
  const KeySet keys = keys_arg(a.kic_key, a.kid_key, spec.kic.key_version());
  if (spec.spi.ciphered && keys.kic.size() == 0) fail(kBadInput, "--kic-key is needed: the SPI asks for ciphering");
  if (spec.spi.integrity == Integrity::Cc && keys.kid.size() == 0)
    fail(kBadInput, "--kid-key is needed: the SPI asks for a CC");
  auto packet = wrap_command(spec, keys);
  if (packet.failed()) fail(kBadInput, describe(packet.error()));
  const auto uds =
      command_packet_user_data(packet.value(), static_cast<std::uint16_t>(a.concat_ref), a.concat_ref > 0xFF);
  if (uds.empty()) fail(kBadInput, "command packet too long for 255 concatenated SMS");
  nlohmann::json tp_ud = nlohmann::json::array(), envelopes = nlohmann::json::array();
  for (const auto& ud : uds) {
    SmsDeliver sms;
    sms.originator = SmsAddress{0x91, a.originator};
    sms.user_data = ud;
    SmsPpDownload env;
    env.tpdu = encode_sms_deliver(sms);
    tp_ud.push_back(to_hex(ud));
    envelopes.push_back(to_hex(encode_sms_pp_download(env)));
  }
  if (a.json) {
    print_json({{"packet", to_hex(packet.value())}, {"tp_ud", tp_ud}, {"envelope", envelopes}});
  } else {
    fmt::print("packet:   {}\n", to_hex(packet.value()));
    for (const auto& t : tp_ud) fmt::print("tp_ud:    {}\n", t.get<std::string>());
    for (const auto& e : envelopes) fmt::print("envelope: {}\n", e.get<std::string>());
  }
  return kOk;
}

// ---- unwrap -------------------------------------------------------------------------------------------------
struct UnwrapArgs {
  std::string kic_key, kid_key, stored_counter, packet;
  std::vector<std::string> tp_ud;
  bool json = false;
};

Bytes reassemble(const std::vector<std::string>& parts) {
  Reassembly r;
  std::optional<Bytes> whole;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto seg = read_segment(hex_arg("--tp-ud", parts[i]));
    if (seg.failed()) fail(kBadInput, fmt::format("--tp-ud #{}: {}", i + 1, describe(seg.error())));
    if (whole) fail(kBadInput, "--tp-ud: more segments than the concatenated message has");
    auto step = r.add(seg.value());
    if (step.failed()) fail(kBadInput, fmt::format("--tp-ud #{}: {}", i + 1, describe(step.error())));
    whole = std::move(step).value();
  }
  if (!whole) fail(kBadInput, "--tp-ud: concatenated message incomplete (segments missing)");
  return *whole;
}

int run_unwrap(const UnwrapArgs& a) {
  if (a.packet.empty() == a.tp_ud.empty()) fail(kBadInput, "give exactly one of --packet or --tp-ud");
  const Bytes packet = a.packet.empty() ? reassemble(a.tp_ud) : hex_arg("--packet", a.packet);
  // The card of this command: one key set answering every key version, every TAR known, no minimum level.
  KeySet keys = keys_arg(a.kic_key, a.kid_key, KeyVersion(0));
  const OtaCounter stored = a.stored_counter.empty() ? OtaCounter{} : counter_arg("--stored-counter", a.stored_counter);
  CardView card;
  card.key_set = [&](KeyVersion) { return &keys; };
  card.counter = [&](KeyVersion) { return std::optional<OtaCounter>(stored); };
  card.tar = [](const Tar&) { return std::optional<TarPolicy>(TarPolicy{}); };
  auto v = open_command(packet, card);
  if (v.failed()) fail(kBadInput, describe(v.error()));
  const CommandVerdict& verdict = v.value();
  nlohmann::json j{
      {"status", hex8(static_cast<std::uint8_t>(verdict.status))},
      {"status_name", std::string(status_name(verdict.status))},
      {"spi", hex16(verdict.header.spi_raw)},
      {"kic", hex8(verdict.header.kic.raw())},
      {"kid", hex8(verdict.header.kid.raw())},
      {"tar", to_hex(verdict.header.tar.span())},
      {"counter", verdict.counter ? nlohmann::json(counter_hex(*verdict.counter)) : nlohmann::json(nullptr)},
      {"data", to_hex(verdict.data)}};
  if (a.json) {
    print_json(j);
  } else {
    for (const auto& [k, val] : j.items())
      fmt::print("{:<12} {}\n", k + ":", val.is_null() ? "-" : val.get<std::string>());
  }
  return verdict.accepted() ? kOk : kNegative;
}

// ---- por ----------------------------------------------------------------------------------------------------
struct PorArgs {
  std::string spi, kic, kid, kic_key, kid_key, tp_ud;
  bool json = false;
};

nlohmann::json rfm_json(const Bytes& data) {
  if (data.empty()) return nullptr;
  ScriptFormat f = ScriptFormat::Compact;
  if (data[0] == 0xAB) f = ScriptFormat::ExpandedDefinite;
  if (data[0] == 0xAF) f = ScriptFormat::ExpandedIndefinite;
  auto r = decode_response(data, f);
  if (r.failed()) return {{"error", describe(r.error())}};
  nlohmann::json rs = nlohmann::json::array();
  for (const auto& x : r.value().rapdus) rs.push_back(to_hex(x));
  const char* name = f == ScriptFormat::Compact            ? "compact"
                     : f == ScriptFormat::ExpandedDefinite ? "expanded"
                                                           : "expanded_indefinite";
  nlohmann::json j{{"format", name}, {"executed", r.value().executed}, {"responses", rs}};
  if (!r.value().rapdus.empty() && r.value().rapdus.back().size() >= 2) {
    const auto& last = r.value().rapdus.back();
    j["last_sw"] = to_hex(ByteSpan(last).subspan(last.size() - 2));
  }
  return j;
}

int run_por(const PorArgs& a) {
  const Spi spi = spi_arg(a.spi);
  const KicByte kic(hex_exact("--kic", a.kic, 1)[0]);
  const KidByte kid(hex_exact("--kid", a.kid, 1)[0]);
  const KeySet keys = keys_arg(a.kic_key, a.kid_key, kic.key_version());
  // An error PoR may come without CC or ciphering (real cards send them so), but reading the PoR the SPI asks for
  // needs its keys: say which, as `ota wrap` does.
  if (spi.por_ciphered && keys.kic.size() == 0) fail(kBadInput, "--kic-key is needed: the SPI asks for a ciphered PoR");
  if (spi.por_integrity == Integrity::Cc && keys.kid.size() == 0) fail(kBadInput, "--kid-key is needed: the SPI asks for a PoR with CC");
  auto r = read_por(hex_arg("--tp-ud", a.tp_ud), spi, kic, kid, keys);
  if (r.failed()) {
    const bool negative = r.error() == PorReadError::IntegrityFailed || r.error() == PorReadError::MissingIntegrity;
    fail(negative ? kNegative : kBadInput, fmt::format("PoR: {}", describe(r.error())));
  }
  const PorReading& p = r.value();
  nlohmann::json j{{"status", hex8(static_cast<std::uint8_t>(p.status))},
                   {"status_name", std::string(status_name(p.status))},
                   {"tar", to_hex(p.tar.span())},
                   {"counter", counter_hex(p.counter)},
                   {"data", to_hex(p.data)},
                   {"secured", p.secured},
                   {"deciphered", p.deciphered},
                   {"rfm", rfm_json(p.data)}};
  if (a.json) {
    print_json(j);
  } else {
    for (const auto& [k, val] : j.items())
      fmt::print("{:<12} {}\n", k + ":", val.is_string() ? val.get<std::string>() : val.dump());
  }
  return kOk;
}

// ---- rfm ----------------------------------------------------------------------------------------------------
struct RfmArgs {
  std::string set_imsi_ef;
  bool read_imsi = false, expanded = false, indefinite = false, json = false;
};

int run_rfm(const RfmArgs& a) {
  if (a.set_imsi_ef.empty() == !a.read_imsi) fail(kBadInput, "give exactly one of --set-imsi-ef or --read-imsi");
  const ScriptFormat f = a.indefinite ? ScriptFormat::ExpandedIndefinite
                                      : (a.expanded ? ScriptFormat::ExpandedDefinite : ScriptFormat::Compact);
  std::vector<Bytes> apdus;
  if (a.read_imsi) {
    apdus = script_read_ef_imsi();
  } else {
    auto ef = hex_exact("--set-imsi-ef", a.set_imsi_ef, kEfImsiSize);
    ByteArray<kEfImsiSize> arr{};
    std::copy(ef.begin(), ef.end(), arr.begin());
    apdus = script_set_ef_imsi(arr);
  }
  const Bytes script = encode_script(apdus, f);
  if (a.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& x : apdus) list.push_back(to_hex(x));
    const char* name = f == ScriptFormat::Compact            ? "compact"
                       : f == ScriptFormat::ExpandedDefinite ? "expanded"
                                                             : "expanded_indefinite";
    print_json({{"script", to_hex(script)}, {"format", name}, {"apdus", list}});
  } else {
    fmt::print("{}\n", to_hex(script));
  }
  return kOk;
}

std::function<int()> setup(CLI::App& app) {
  app.require_subcommand(1);
  auto wrap = std::make_shared<WrapArgs>();
  auto* w = app.add_subcommand("wrap",
                               "OTA server: build a secured command packet (TS 102 225), its SMS TP-UD (TS 31.115) and "
                               "ENVELOPE APDUs (TS 31.111)");
  w->add_option("--spi", wrap->spi, "SPI, 2 octets hex")->required();
  w->add_option("--kic", wrap->kic, "KIc octet hex (key version + algorithm)")->required();
  w->add_option("--kid", wrap->kid, "KID octet hex (key version + algorithm)")->required();
  w->add_option("--tar", wrap->tar, "TAR, 3 octets hex")->required();
  w->add_option("--counter", wrap->counter, "CNTR, 5 octets hex")->required();
  w->add_option("--kic-key", wrap->kic_key, "ciphering key hex (8/16/24/32 octets)");
  w->add_option("--kid-key", wrap->kid_key, "CC key hex (8/16/24/32 octets)");
  w->add_option("--data", wrap->data, "secured data hex (e.g. an RFM script from `ota rfm`)")->required();
  w->add_option("--cc-length", wrap->cc_length, "CC length: 8, or 4 for AES-CMAC")->capture_default_str();
  w->add_option("--originator", wrap->originator, "TP-OA digits of the SMS-DELIVER (international)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            // TS 23.040 §9.1.2.5: an address value of at most 10 octets, i.e. 20 semi-octet digits.
            if (v.empty() || v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos)
              return "expected 1 to 20 decimal digits (TS 23.040 §9.1.2.5)";
            return {};
          },
          "DIGITS"));
  w->add_option("--concat-ref", wrap->concat_ref, "concatenation reference, decimal or 0x-prefixed hex (above 255 uses the 16-bit IEI 08)")
      ->capture_default_str();
  w->add_flag("--json", wrap->json, "print {packet, tp_ud[], envelope[]} as JSON");

  auto unwrap = std::make_shared<UnwrapArgs>();
  auto* u = app.add_subcommand("unwrap",
                               "Card: verify and open a command packet; prints the verdict (exit 1 unless status 00)");
  u->add_option("--kic-key", unwrap->kic_key, "ciphering key hex");
  u->add_option("--kid-key", unwrap->kid_key, "CC key hex");
  u->add_option("--stored-counter", unwrap->stored_counter,
                "the card's stored counter, 5 octets hex (default 0000000000)");
  u->add_option("--packet", unwrap->packet, "command packet hex, CPL to the end");
  u->add_option("--tp-ud", unwrap->tp_ud, "TP-UD hex of each SMS (UDH included), in any order");
  u->add_flag("--json", unwrap->json, "print the verdict as JSON");

  auto por = std::make_shared<PorArgs>();
  auto* p = app.add_subcommand("por", "OTA server: read a PoR (response packet) and its RFM response");
  p->add_option("--spi", por->spi, "SPI of the command, 2 octets hex")->required();
  p->add_option("--kic", por->kic, "KIc of the command")->required();
  p->add_option("--kid", por->kid, "KID of the command")->required();
  p->add_option("--kic-key", por->kic_key, "ciphering key hex");
  p->add_option("--kid-key", por->kid_key, "CC key hex");
  p->add_option("--tp-ud", por->tp_ud, "TP-UD hex of the PoR (UDH 02 71 00 included) or the ENVELOPE response data")
      ->required();
  p->add_flag("--json", por->json, "print the reading as JSON");

  auto rfm = std::make_shared<RfmArgs>();
  auto* r = app.add_subcommand("rfm", "OTA server: RFM command scripts (TS 102 226) for EF_IMSI");
  r->add_option("--set-imsi-ef", rfm->set_imsi_ef, "new EF_IMSI content, 9 octets hex (see `mnoswitch imsi encode`)");
  r->add_flag("--read-imsi", rfm->read_imsi, "read EF_IMSI");
  r->add_flag("--expanded", rfm->expanded, "expanded format, definite length (AA)");
  r->add_flag("--indefinite", rfm->indefinite, "expanded format, indefinite length (AE)");
  r->add_flag("--json", rfm->json, "print {script, format, apdus[]} as JSON");

  return [=]() -> int {
    if (w->parsed()) return run_wrap(*wrap);
    if (u->parsed()) return run_unwrap(*unwrap);
    if (p->parsed()) return run_por(*por);
    if (r->parsed()) return run_rfm(*rfm);
    return kBadInput;
  };
}

Registration reg{Command{"ota", "OTA secured packets, PoRs and RFM scripts (TS 102 225/226, TS 31.115)", setup}};

}  // namespace
}  // namespace mnoswitch::cli
