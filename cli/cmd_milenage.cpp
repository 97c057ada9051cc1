// `mnoswitch milenage`: TS 35.206 §4.1 f1..f5* and TS 33.102 §6.8.1.2 c2/c3 for one input (REQ-AKA-01, REQ-AKA-13).
#include <string>

#include "cli/aka_cli.hpp"
#include "cli/command.hpp"
#include "reference/aka/usim_auth.hpp"
#include "reference/core/format.hpp"

namespace mnoswitch::cli {
namespace {

struct MilenageArgs {
  aka_args::SubscriberOptions sub;
  std::string rand, sqn, amf;
  bool json = false;
};

int run(const MilenageArgs& a) {
  const aka::Milenage m = a.sub.milenage();
  const auto rand = aka_args::parse<aka::Rand>("--rand", a.rand);
  const aka::Sqn sqn = aka_args::parse_sqn("--sqn", a.sqn);
  const auto amf = aka_args::parse<aka::Amf>("--amf", a.amf);

  const aka::MilenageOutputs out = m.compute(rand, sqn, amf);
  const aka::Ak ak_star = m.f5star(rand);
  const aka::Autn autn = aka::make_autn(sqn, out.ak, amf, out.mac_a);
  const aka::Kc kc = aka::c3(out.ck, out.ik);
  // Printing secrets is this tool's purpose (see --help); expose() marks each place.
  const std::pair<const char*, std::string> rows[] = {
      {"opc", to_hex(m.opc().expose())},   {"mac_a", to_hex(out.mac_a.span())},
      {"mac_s", to_hex(out.mac_s.span())}, {"res", to_hex(out.res.span())},
      {"ck", to_hex(out.ck.expose())},     {"ik", to_hex(out.ik.expose())},
      {"ak", to_hex(out.ak.expose())},     {"ak_star", to_hex(ak_star.expose())},
      {"autn", to_hex(autn.span())},       {"sres", to_hex(aka::c2(out.res).span())},
      {"kc", to_hex(kc.expose())}};
  if (a.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : rows) j[k] = v;
    print_json(j);
  } else {
    for (const auto& [k, v] : rows) fmt::print("{:<8} {}\n", k, v);
  }
  return kOk;
}

const Registration reg{Command{
    "milenage", "Milenage known answers (TS 35.206): OPc, f1, f1*, f2, f3, f4, f5, f5*, AUTN, GSM SRES/Kc (c2/c3)",
    [](CLI::App& app) -> std::function<int()> {
      auto a = std::make_shared<MilenageArgs>();
      app.footer(std::string(aka_args::kPrintsKeysNote) +
                 "\nOutput keys: opc, mac_a (f1), mac_s (f1*), res (f2), ck (f3), ik (f4), ak (f5), ak_star (f5*), "
                 "autn, sres (c2), kc (c3).");
      a->sub.add(app);
      app.add_option("--rand", a->rand, "RAND, 32 hex digits")->required();
      app.add_option("--sqn", a->sqn, "SQN, 48-bit number in hex (up to 12 digits)")->required();
      app.add_option("--amf", a->amf, "AMF, 4 hex digits")->required();
      app.add_flag("--json", a->json, "print one JSON object (lower-case hex strings)");
      return [a] { return run(*a); };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
