// TS 31.102 §7.1.2 AUTHENTICATE (3G and GSM security contexts), on TS 33.102 §6.3.3 (MAC first, then SQN) and
// §6.8.1.2 (c2/c3): REQ-FS-30..32.
#include <variant>

#include "reference/aka/usim_auth.hpp"

#include "reference/usim/commands.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::usim::detail {
namespace {

constexpr std::uint8_t kP2Gsm = 0x80;  // b8 = 1 specific reference data, b3..b1 = 000 GSM context
constexpr std::uint8_t kP2Umts = 0x81;  // b3..b1 = 001 3G context
constexpr std::uint8_t kTagSuccess = 0xDB;
constexpr std::uint8_t kTagSyncFailure = 0xDC;

void put_lv(Bytes& out, ByteSpan v) {
  out.push_back(static_cast<std::uint8_t>(v.size()));
  out.insert(out.end(), v.begin(), v.end());
}

aka::Milenage milenage_of(const CardConfig& cfg) { return aka::Milenage(cfg.k, cfg.opc, cfg.milenage); }

}  // namespace

ResponseApdu cmd_authenticate(Session& s, const CommandApdu& c) {
  if (c.p1 != 0x00) return sw_only(StatusWord::IncorrectP1P2);
  if (c.p2 != kP2Umts && c.p2 != kP2Gsm) return sw_only(StatusWord::IncorrectP1P2);
  // TS 31.102 §7.1.2: the command belongs to the USIM application: ADF.USIM must be the current application.
  const auto& fs = s.state.fs;
  if (fs.nodes[fs.application_of(s.selection.df)].kind != FileKind::Adf)
    return sw_only(StatusWord::ConditionsOfUseNotSatisfied);
  const ByteSpan d = c.data;

  if (c.p2 == kP2Gsm) {
    // §7.1.2.1 GSM context: only with service n°27 (GSM access); data = L RAND; response = 04 SRES 08 Kc.
    if (!gsm_access_of(fs)) return sw_only(StatusWord::ConditionsOfUseNotSatisfied);
    if (d.size() != 1 + aka::kRandSize) return sw_only(StatusWord::WrongLength);
    if (d[0] != aka::kRandSize) return sw_only(StatusWord::IncorrectData);
    const aka::Rand rand(d.subspan<1, aka::kRandSize>());
    const auto m = milenage_of(s.config);
    const auto res = m.f2(rand);
    const auto sres = aka::c2(res);
    const auto kc = aka::c3(m.f3(rand), m.f4(rand));
    Bytes out;
    put_lv(out, sres.span());
    put_lv(out, kc.expose());
    return ResponseApdu{std::move(out), StatusWord::Ok};
  }

  // §7.1.2.1 3G context: data = L RAND L AUTN.
  if (d.size() != 2 + aka::kRandSize + aka::kAutnSize) return sw_only(StatusWord::WrongLength);
  if (d[0] != aka::kRandSize || d[1 + aka::kRandSize] != aka::kAutnSize) return sw_only(StatusWord::IncorrectData);
  const aka::Rand rand(d.subspan<1, aka::kRandSize>());
  const aka::Autn autn(d.subspan<2 + aka::kRandSize, aka::kAutnSize>());
  const auto m = milenage_of(s.config);
  auto r = aka::usim_authenticate(m, s.state.sqn, rand, autn);
  if (r.failed()) {
    // MAC failure: 98 62 and nothing changed (REQ-FS-31). Synchronisation failure: DC L AUTS (REQ-FS-32).
    if (std::holds_alternative<aka::MacFailure>(r.error())) return sw_only(StatusWord::AuthMacFailure);
    const auto& auts = std::get<aka::SynchFailure>(r.error()).auts;
    Bytes out{kTagSyncFailure};
    put_lv(out, auts.span());
    return ResponseApdu{std::move(out), StatusWord::Ok};
  }
  // REQ-FS-30: DB L RES L CK L IK [L Kc] — Kc (c3) only with service n°27.
  const auto& ok = r.value();
  Bytes out{kTagSuccess};
  put_lv(out, ok.res.span());
  put_lv(out, ok.ck.expose());
  put_lv(out, ok.ik.expose());
  if (gsm_access_of(fs)) {
    const auto kc = aka::c3(ok.ck, ok.ik);
    put_lv(out, kc.expose());
  }
  return ResponseApdu{std::move(out), StatusWord::Ok};
}

}  // namespace mnoswitch::usim::detail
