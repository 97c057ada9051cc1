// `mnoswitch aka usim|resync`: TS 33.102 §6.3.3 (USIM verifies AUTN, AUTS) and §6.3.5 (AuC recovers SQN_MS from
// AUTS), Annex C.2.2 freshness (REQ-AKA-05, REQ-AKA-07, REQ-AKA-11, REQ-AKA-13).
#include <optional>
#include <string>
#include <vector>

#include "cli/aka_cli.hpp"
#include "cli/command.hpp"
#include "reference/aka/auc.hpp"
#include "reference/aka/usim_auth.hpp"
#include "reference/core/format.hpp"

namespace mnoswitch::cli {
namespace {

struct UsimArgs {
  aka_args::SubscriberOptions sub;
  std::string rand, autn;
  std::vector<std::string> accepted;
  unsigned ind_bits = aka::kDefaultIndBits;
  std::optional<std::uint64_t> delta, age_limit;
  bool json = false;
};

struct ResyncArgs {
  aka_args::SubscriberOptions sub;
  std::string rand, auts;
  bool json = false;
};

int run_usim(const UsimArgs& a) {
  const aka::Milenage m = a.sub.milenage();
  const auto rand = aka_args::parse<aka::Rand>("--rand", a.rand);
  const auto autn = aka_args::parse<aka::Autn>("--autn", a.autn);
  auto layout = aka::SqnLayout::make(a.ind_bits);
  if (layout.failed()) fail(kBadInput, fmt::format("--ind-bits: {}", aka::describe(layout.error())));
  auto state = aka::UsimSqnState::fresh(layout.value(), aka::FreshnessPolicy{a.delta, a.age_limit});
  for (const auto& s : a.accepted) state.record(aka_args::parse_sqn("--accepted-sqn", s));

  auto r = aka::usim_authenticate(m, state, rand, autn);
  if (r.ok()) {
    const auto& v = r.value();
    // CK/IK are printed on purpose: the user supplied K (see --help).
    if (a.json) {
      print_json({{"result", "ok"},
                  {"res", to_hex(v.res.span())},
                  {"ck", to_hex(v.ck.expose())},
                  {"ik", to_hex(v.ik.expose())},
                  {"sqn", fmt::format("{}", v.sqn)}});
    } else {
      fmt::print("result   ok\nres      {}\nck       {}\nik       {}\nsqn      {}\n", v.res, to_hex(v.ck.expose()),
                 to_hex(v.ik.expose()), v.sqn);
    }
    return kOk;
  }
  if (std::holds_alternative<aka::MacFailure>(r.error())) {
    if (a.json)
      print_json({{"result", "mac_failure"}});
    else
      fmt::print("result   mac_failure (AUTN was not made with this K/OPc, or was altered)\n");
    return kNegative;
  }
  const auto& auts = std::get<aka::SynchFailure>(r.error()).auts;
  if (a.json)
    print_json({{"result", "sync_failure"}, {"auts", to_hex(auts.span())}});
  else
    fmt::print("result   sync_failure (genuine AUTN, SQN not fresh)\nauts     {}\n", auts);
  return kNegative;
}

int run_resync(const ResyncArgs& a) {
  const aka::Milenage m = a.sub.milenage();
  const auto rand = aka_args::parse<aka::Rand>("--rand", a.rand);
  const auto auts = aka_args::parse<aka::Auts>("--auts", a.auts);
  auto r = aka::recover_sqn_ms(m, rand, auts);
  if (r.failed()) {
    if (a.json)
      print_json({{"result", "mac_s_failure"}});
    else
      fmt::print("result   mac_s_failure ({})\n", aka::describe(r.error()));
    return kNegative;
  }
  if (a.json)
    print_json({{"sqn_ms", fmt::format("{}", r.value())}});
  else
    fmt::print("sqn_ms   {}\n", r.value());
  return kOk;
}

const Registration reg{Command{
    "aka", "AKA (TS 33.102 §6.3): what a USIM answers to RAND/AUTN; what the AuC recovers from AUTS",
    [](CLI::App& app) -> std::function<int()> {
      app.require_subcommand(1);
      app.footer(
          "Exit codes: 0 accepted / SQN_MS recovered; 1 MAC failure, sync failure or MAC-S failure; 2 bad input.");

      auto u = std::make_shared<UsimArgs>();
      CLI::App* usim = app.add_subcommand(
          "usim", "verify AUTN as a USIM would (MAC first, then SQN freshness, TS 33.102 Annex C.2.2)");
      usim->footer(
          std::string(aka_args::kPrintsKeysNote) +
          "\nJSON: {\"result\":\"ok\",\"res\",\"ck\",\"ik\",\"sqn\"} | {\"result\":\"mac_failure\"} | "
          "{\"result\":\"sync_failure\",\"auts\"}.\nExit codes: 0 ok; 1 mac_failure or sync_failure; 2 bad input.");
      u->sub.add(*usim);
      usim->add_option("--rand", u->rand, "RAND, 32 hex digits")->required();
      usim->add_option("--autn", u->autn, "AUTN, 32 hex digits")->required();
      usim->add_option("--accepted-sqn", u->accepted,
                       "an SQN the USIM has already accepted (hex, repeatable): sets SEQ_MS for its IND slot");
      usim->add_option("--ind-bits", u->ind_bits, "IND length in bits, 0..10 (default 5)")->check(kUnsignedDecimal);
      usim->add_option("--delta", u->delta, "optional Δ: reject SEQ more than this above the highest accepted SEQ")->check(kUnsignedDecimal);
      usim->add_option("--age-limit", u->age_limit,
                       "optional L: reject SEQ more than this below the highest accepted SEQ")->check(kUnsignedDecimal);
      usim->add_flag("--json", u->json, "print one JSON object (lower-case hex strings)");

      auto s = std::make_shared<ResyncArgs>();
      CLI::App* resync = app.add_subcommand(
          "resync", "recover SQN_MS from AUTS as the AuC does (MAC-S = f1* with AMF 0000, unmask with f5*)");
      resync->footer(
          "JSON: {\"sqn_ms\": HEX} | {\"result\":\"mac_s_failure\"}.\n"
          "Exit codes: 0 SQN_MS recovered; 1 MAC-S failure; 2 bad input.");
      s->sub.add(*resync);
      resync->add_option("--rand", s->rand, "RAND of the failed challenge, 32 hex digits")->required();
      resync->add_option("--auts", s->auts, "AUTS, 28 hex digits")->required();
      resync->add_flag("--json", s->json, "print one JSON object (lower-case hex strings)");

      return [usim, resync, u, s] {
        if (usim->parsed()) return run_usim(*u);
        if (resync->parsed()) return run_resync(*s);
        fail(kBadInput, "aka: give a subcommand (usim or resync)");
      };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
