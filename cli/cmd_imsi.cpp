// mnoswitch imsi encode|decode: EF_IMSI coding (TS 31.102 §4.2.2, TS 23.003 §2.2), REQ-FS-81.
#include <string>

#include "cli/command.hpp"
#include "reference/core/hex.hpp"
#include "reference/usim/imsi.hpp"

namespace mnoswitch::cli {
namespace {

usim::MncLength mnc_length_or_fail(int n) {
  auto m = usim::mnc_length_from_int(n);
  if (m.failed()) fail(kBadInput, usim::describe(m.error()));
  return m.value();
}

std::function<int()> setup(CLI::App& app) {
  app.require_subcommand(1);
  struct Options {
    std::string imsi;
    std::string hex;
    int mnc_length = 2;
    bool json = false;
  };
  auto o = std::make_shared<Options>();

  auto* enc = app.add_subcommand("encode", "IMSI digits -> 9-octet EF_IMSI (TS 31.102 §4.2.2)");
  enc->add_option("IMSI", o->imsi, "6-15 decimal digits: MCC, MNC, MSIN")->required();
  enc->add_option("--mnc-length", o->mnc_length, "MNC length in digits, as EF_AD states it (2 or 3)")
      ->default_val(2)
      ->check(CLI::IsMember({2, 3}));
  enc->add_flag("--json", o->json, "print {\"ef_imsi\": HEX, \"mcc\", \"mnc\", \"msin\"}");

  auto* dec = app.add_subcommand("decode", "9-octet EF_IMSI hex -> IMSI digits");
  dec->add_option("HEX", o->hex, "EF_IMSI content, 18 hex digits (either case)")->required();
  dec->add_option("--mnc-length", o->mnc_length, "MNC length in digits, as EF_AD states it (2 or 3)")
      ->default_val(2)
      ->check(CLI::IsMember({2, 3}));
  dec->add_flag("--json", o->json, "print {\"imsi\": DIGITS, \"mcc\", \"mnc\", \"msin\"}");

  return [o, enc, dec]() -> int {
    const auto mnc = mnc_length_or_fail(o->mnc_length);
    if (enc->parsed()) {
      auto imsi = usim::Imsi::parse(o->imsi, mnc);
      if (imsi.failed()) fail(kBadInput, usim::describe(imsi.error()));
      const auto ef = to_hex(usim::encode_ef_imsi(imsi.value()));
      if (o->json) {
        print_json({{"ef_imsi", ef},
                    {"mcc", std::string(imsi.value().mcc())},
                    {"mnc", std::string(imsi.value().mnc())},
                    {"msin", std::string(imsi.value().msin())}});
      } else {
        fmt::print("{}\n", ef);
      }
      return kOk;
    }
    auto bytes = parse_hex_exact(o->hex, usim::kEfImsiSize);
    if (bytes.failed()) fail(kBadInput, "EF_IMSI: " + describe(bytes.error()));
    auto imsi = usim::decode_ef_imsi(bytes.value(), mnc);
    if (imsi.failed()) fail(kBadInput, usim::describe(imsi.error()));
    if (o->json) {
      print_json({{"imsi", imsi.value().digits()},
                  {"mcc", std::string(imsi.value().mcc())},
                  {"mnc", std::string(imsi.value().mnc())},
                  {"msin", std::string(imsi.value().msin())}});
    } else {
      fmt::print("{}\n", imsi.value().digits());
    }
    return kOk;
  };
}

Registration reg{Command{"imsi", "encode/decode EF_IMSI (TS 31.102 §4.2.2)", setup}};

}  // namespace
}  // namespace mnoswitch::cli
