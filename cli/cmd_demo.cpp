// `mnoswitch demo` (issue 5 item 6): the review (check) and the fleet switch in both variants; `--aka`: a Milenage/AKA
// walk-through with the seed's common profile (seed R3; TS 33.102 §6.3.2, §6.3.3, §6.3.5, Annex C; REQ-AKA-02, -05, -07, -11, -12).
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "cli/command.hpp"
#include "cli/simulate_report.hpp"
#include "reference/mechanism/scenario.hpp"
#include "reference/aka/auc.hpp"
#include "reference/aka/usim_auth.hpp"
#include "reference/core/format.hpp"

namespace mnoswitch::cli {
namespace {

using namespace mnoswitch::aka;

// Built-in demo data: a made-up K (never a real subscriber's) and fixed RANDs so the output is reproducible. A real
// AuC draws RAND from the CSPRNG (RandPool); the fixed values stand in for those draws.
constexpr ByteArray<16> kDemoK{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                               0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
constexpr ByteArray<16> kRand1{0x5a, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69,
                               0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1};
constexpr ByteArray<16> kRand2{0xc0, 0xff, 0xee, 0x00, 0x01, 0x02, 0x03, 0x04,
                               0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
constexpr ByteArray<16> kRand3{0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93,
                               0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95};
constexpr Amf kDemoAmf{ByteArray<2>{0x80, 0x00}};  // separation bit set: a vector for E-UTRAN/5G

struct Walk {
  bool json;
  nlohmann::json steps = nlohmann::json::array();
  void heading(int n, std::string_view title) {
    if (!json) fmt::print("\n{}. {}\n", n, title);
  }
  void line(std::string_view key, std::string_view value) {
    if (!json) fmt::print("   {:<14} {}\n", key, value);
  }
};

std::string seq_ind(Sqn s, SqnLayout l) {
  return fmt::format("{} (SEQ {}, IND {})", s, s.seq(l), s.ind(l));
}

[[noreturn]] void unexpected(std::string_view what) {
  fail(kInternal, fmt::format("demo: unexpected outcome: {}", what));
}

int run_aka(bool json) {
  Walk w{json};
  const SqnLayout layout{};  // IND = 5 bits
  const Milenage m = Milenage::seed_profile(K(kDemoK));
  AucSqnState auc{layout, 0, 0};
  UsimSqnState usim = UsimSqnState::fresh(layout);

  if (!json) {
    fmt::print("mnoswitch demo: the common AKA of the contribution (seed R3: Milenage with OP = 128 zero bits)\n");
    fmt::print("TS 35.206 Milenage, TS 33.102 §6.3 AKA with SQN = SEQ || IND (Annex C, IND = 5 bits)\n");
  }
  w.heading(0, "Subscriber (built-in demo data)");
  w.line("K", fmt::format("{} (built-in demo key)", K(kDemoK)));
  w.line("OP", to_hex(kSeedProfile.op));
  w.line("OPc", fmt::format("{} = OP xor E_K(OP), computed once", m.opc()));
  w.line("r1..r5", fmt::format("{}", fmt::join(kSeedProfile.constants.r, ", ")));
  w.steps.push_back(
      {{"step", "subscriber"}, {"profile", "seed"}, {"op", to_hex(kSeedProfile.op)}, {"ind_bits", layout.ind_bits()}});

  // 1. The AuC makes a vector.
  auto v1 = make_vector(m, auc, Rand(kRand1), kDemoAmf);
  if (v1.failed()) unexpected("first vector");
  const AuthVector& a = v1.value();
  w.heading(1, "AuC generates an authentication vector (TS 33.102 §6.3.2)");
  w.line("SQN", seq_ind(a.sqn, layout));
  w.line("AMF", fmt::format("{} (separation bit {})", kDemoAmf, kDemoAmf.separation_bit() ? 1 : 0));
  w.line("RAND", fmt::format("{}", a.rand));
  w.line("AUTN", fmt::format("{} = SQN xor AK || AMF || MAC-A", a.autn));
  w.line("XRES", fmt::format("{}", a.xres));
  w.line("CK, IK", fmt::format("{}, {}", a.ck, a.ik));
  w.steps.push_back({{"step", "auc_vector"},
                     {"sqn", fmt::format("{}", a.sqn)},
                     {"amf", fmt::format("{}", kDemoAmf)},
                     {"rand", fmt::format("{}", a.rand)},
                     {"autn", fmt::format("{}", a.autn)},
                     {"xres", fmt::format("{}", a.xres)}});

  // 2. The USIM accepts it.
  auto r1 = usim_authenticate(m, usim, a.rand, a.autn);
  if (r1.failed()) unexpected("USIM rejected a fresh vector");
  const bool res_ok = ct_equal(r1.value().res, a.xres);
  if (!res_ok) unexpected("RES != XRES");
  w.heading(2, "USIM verifies AUTN: MAC-A first, then SQN freshness (§6.3.3, Annex C.2.2)");
  w.line("result", "accepted");
  w.line("RES", fmt::format("{} (network: RES = XRES {})", r1.value().res, res_ok ? "yes" : "no"));
  w.line("SEQ_MS[IND]", fmt::format("SEQ_MS[{}] = {}", a.sqn.ind(layout), usim.seq_ms[a.sqn.ind(layout)]));
  w.steps.push_back({{"step", "usim_accept"},
                     {"result", "ok"},
                     {"res", fmt::format("{}", r1.value().res)},
                     {"sqn", fmt::format("{}", r1.value().sqn)},
                     {"res_equals_xres", res_ok}});

  // 3. A replay gives a synchronisation failure.
  auto r2 = usim_authenticate(m, usim, a.rand, a.autn);
  if (r2.ok() || !std::holds_alternative<SynchFailure>(r2.error())) unexpected("replay not refused with AUTS");
  const Auts auts = std::get<SynchFailure>(r2.error()).auts;
  w.heading(3, "The same RAND/AUTN replayed: MAC is genuine, SQN is stale -> synchronisation failure");
  w.line("result", "sync_failure");
  w.line("AUTS", fmt::format("{} = SQN_MS xor AK* || MAC-S", auts));
  w.steps.push_back({{"step", "replay"}, {"result", "sync_failure"}, {"auts", fmt::format("{}", auts)}});

  // 4. The AuC resynchronises and its next vector is accepted.
  auto sqn_ms = resynchronise(m, auc, a.rand, auts);
  if (sqn_ms.failed()) unexpected("AuC rejected a genuine AUTS");
  const std::uint64_t seq_he_after = auc.seq_he;
  auto v2 = make_vector(m, auc, Rand(kRand2), kDemoAmf);
  if (v2.failed()) unexpected("vector after resync");
  auto r3 = usim_authenticate(m, usim, v2.value().rand, v2.value().autn);
  if (r3.failed()) unexpected("USIM rejected the vector after resync");
  w.heading(4, "AuC resynchronises from AUTS (§6.3.5): MAC-S verified with f1*, SQN_MS unmasked with f5*");
  w.line("SQN_MS", seq_ind(sqn_ms.value(), layout));
  w.line("SEQ_HE",
         fmt::format("{} (not below SEQ_MS = {}; the next SEQ is above it)", seq_he_after, sqn_ms.value().seq(layout)));
  w.line("next SQN", seq_ind(v2.value().sqn, layout));
  w.line("USIM", "accepted");
  w.steps.push_back({{"step", "resync"},
                     {"sqn_ms", fmt::format("{}", sqn_ms.value())},
                     {"next_sqn", fmt::format("{}", v2.value().sqn)},
                     {"usim_result", "ok"}});

  // 5. A forged AUTN gives a MAC failure and changes nothing.
  auto v3 = make_vector(m, auc, Rand(kRand3), kDemoAmf);
  if (v3.failed()) unexpected("third vector");
  auto forged = v3.value().autn.bytes();
  forged[15] ^= 0x01;  // last bit of MAC-A
  const UsimSqnState before = usim;
  auto r4 = usim_authenticate(m, usim, v3.value().rand, Autn(forged));
  if (r4.ok() || !std::holds_alternative<MacFailure>(r4.error())) unexpected("forged AUTN not refused as MAC failure");
  const bool unchanged = usim.seq_ms == before.seq_ms;
  auto r5 = usim_authenticate(m, usim, v3.value().rand, v3.value().autn);
  if (!unchanged || r5.failed()) unexpected("USIM state changed by a forged AUTN");
  w.heading(5, "Forged AUTN (one MAC-A bit flipped): MAC failure, no AUTS, USIM state unchanged");
  w.line("AUTN", fmt::format("{}", Autn(forged)));
  w.line("result", "mac_failure");
  w.line("state", "unchanged; the genuine AUTN for the same RAND is still accepted");
  w.steps.push_back({{"step", "forged_autn"},
                     {"autn", fmt::format("{}", Autn(forged))},
                     {"result", "mac_failure"},
                     {"state_unchanged", unchanged},
                     {"genuine_still_accepted", r5.ok()}});

  if (json)
    print_json({{"demo", "milenage_aka"}, {"steps", w.steps}});
  else
    fmt::print("\nAll five outcomes as TS 33.102 requires.\n");
  return kOk;
}

// ---- the main job (issue 5 item 6): the review, then the fleet switch in both variants ----

// `mnoswitch check` lives in the model's part of the program; when this build has it, the demo runs it as a
// child process of the same executable (so its output and exit code are exactly the command's).
// --json: the same child with `check --json`, its one JSON line captured into *out.
int run_check_if_available(nlohmann::json* out = nullptr) {
  const bool have = std::any_of(registry().begin(), registry().end(), [](const Command& c) { return c.name == "check"; });
  if (!have) {
    fmt::print("   (skipped: this build has no `mnoswitch check` — the model's command is not merged yet)\n");
    return -1;
  }
  // Our own path (the shell that system() starts would read /proc/self/exe as itself).
  std::array<char, 4096> self{};
  const auto len = readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (len <= 0) {
    fmt::print("   (skipped: cannot find this program's path to run `check`)\n");
    return -1;
  }
  std::fflush(stdout);
  const std::string cmd = fmt::format("'{}' check", std::string(self.data(), static_cast<std::size_t>(len)));
  if (out == nullptr) {
    const int status = std::system((cmd + " --brief").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
  }
  FILE* p = popen((cmd + " --json").c_str(), "r");
  if (p == nullptr) fail(kEnvironment, "cannot run `mnoswitch check`");
  std::string text;
  std::array<char, 4096> buf{};
  for (std::size_t k; (k = std::fread(buf.data(), 1, buf.size(), p)) > 0;) text.append(buf.data(), k);
  const int status = pclose(p);
  *out = nlohmann::json::parse(text, nullptr, false);
  if (out->is_discarded()) fail(kInternal, "`mnoswitch check --json` printed no JSON");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}

Summary simulate_default(mechanism::Variant v, std::optional<std::uint64_t> devices) {
  mechanism::FleetOptions o;
  o.scenario = mechanism::default_scenario();
  if (devices) {
    o.scenario.devices = *devices;
    o.scenario.name += fmt::format(" (resized to {} devices by --devices)", *devices);
  }
  o.variant = v;
  auto r = mechanism::run_fleet(o);
  if (r.failed()) fail(kEnvironment, r.error().message);
  return std::move(r).value();
}

int run_main(std::optional<std::uint64_t> devices, bool json) {
  const auto scenario = mechanism::default_scenario();
  const auto n = devices.value_or(scenario.devices);
  if (devices && (*devices == 0 || *devices > scenario.b.range_size))
    fail(kBadInput, "--devices: must be at least 1 and fit in B's IMSI range");
  if (!json) {
    fmt::print("mnoswitch demo: over-the-air change of MNO for M2M devices (TR 33.812 alternative, \"the seed\")\n\n");
    fmt::print("1. Review of the contribution (mnoswitch check): which invariants its procedure keeps, which it breaks\n");
    fmt::print("   ✔ proved: no run of the procedure breaks it, for any fleet size (induction with Z3);\n"
               "   ✘ refuted: a run that breaks it exists, found from the initial state (the shortest is shown).\n"
               "   The invariants (INV-*) are in spec/invariants.md; `mnoswitch check --list` names them all.\n\n");
  }
  nlohmann::json check_json;
  const int check = run_check_if_available(json ? &check_json : nullptr);
  if (!json) {
    fmt::print("\n2. The fleet switch, variant seed (the contribution's order: rewrite the USIMs, then hand over)\n");
    fmt::print("   {} devices A -> B, SMS/PoR loss, duplicates, offline devices, MNO A crashes mid-batch\n\n", n);
  }
  const auto seed = simulate_default(mechanism::Variant::Seed, devices);
  if (!json) {
    print_summary(seed);
    fmt::print("\n3. The same switch, variant safe (make-before-break, evidence, read-back, counters, re-key)\n\n");
  }
  const auto safe = simulate_default(mechanism::Variant::Safe, devices);
  if (!json) {
    print_summary(safe);
    fmt::print("\nResult: under the same faults and crash the seed strands {} of {} devices (no working IMSI), and\n"
               "        the refined procedure strands {} ({} switched, {} re-keyed, {} still pending, {} rolled back;\n"
               "        invariant violations, counted in device states: seed {}, safe {}).\n",
               seed.stranded, n, safe.stranded == 0 ? std::string("none") : std::to_string(safe.stranded),
               safe.switched, safe.rekeyed, safe.pending, safe.rolled_back, total_violations(seed), total_violations(safe));
  } else {
    print_json({{"demo", "fleet_switch"}, {"check", check_json}, {"seed", mechanism::to_json(seed)}, {"safe", mechanism::to_json(safe)}});
  }
  const bool expected = seed.stranded > 0 && safe.stranded == 0 && total_violations(safe) == 0;
  return expected && (check <= 0) ? kOk : kNegative;
}

const Registration reg{Command{
    "demo",
    "the main job: review the contribution (check), then switch the default fleet with seed and with safe",
    [](CLI::App& app) -> std::function<int()> {
      struct Opts {
        bool json = false, aka = false;
        std::optional<std::uint64_t> devices;
      };
      auto o = std::make_shared<Opts>();
      app.footer("Exit codes: 0 the seed strands devices and the refined procedure strands none with every invariant\n"
                 "kept (and check agrees); 1 otherwise. --aka: the Milenage/AKA walk-through on built-in data.");
      app.add_flag("--json", o->json, "print one JSON object");
      app.add_flag("--aka", o->aka, "walk through Milenage/AKA with the seed's profile (OP = 0) instead");
      app.add_option("--devices", o->devices, "fleet size (default: the scenario's 10,000)")->check(kUnsignedDecimal);
      return [o] {
        if (o->aka && o->devices) fail(kBadInput, "--devices has no meaning with --aka");
        return o->aka ? run_aka(o->json) : run_main(o->devices, o->json);
      };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
