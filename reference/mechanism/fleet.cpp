// spec/mechanism.md §2 (seed), §3 (safe, REQ-HO-05..15), §4 (faults), §6 (re-key); issue 5 items 1, 2, 4, 5:
// the fleet switch end to end. One tick: the SMSC delivers to online cards (ENVELOPE), the cards' PoRs travel
// back, refreshed devices re-attach (AKA), then each operator runs its step inside one SQLite transaction and
// releases its SMS and operator-to-operator messages only after the commit (REQ-HO-11: journal first).
#include "reference/mechanism/fleet.hpp"
#include "reference/mechanism/fleet_impl.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <queue>
#include <unordered_map>

#include <fmt/format.h>

#include "reference/aka/milenage.hpp"
#include "reference/crypto/hkdf.hpp"
#include "reference/crypto/random.hpp"
#include "reference/crypto/wipe.hpp"
#include "reference/mechanism/device.hpp"
#include "reference/operators/batch.hpp"
#include "reference/operators/batch_codec.hpp"
#include "reference/operators/mno.hpp"
#include "reference/ota/rfm.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::mechanism {
namespace detail {

// ---------------------------------------------------------------------------------------------------------------
// setup

void Fleet::open_stores() {
  if (o_.db_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "mnoswitch-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw Failure{"cannot create a temporary directory"};
    dir_ = tmpl;
    temp_dir_ = true;
  } else {
    dir_ = o_.db_dir;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw Failure{fmt::format("cannot create {}: {}", dir_, ec.message())};
    for (const char* f : {"a.db", "a.db-wal", "a.db-shm", "b.db", "b.db-wal", "b.db-shm"}) fs::remove(fs::path(dir_) / f, ec);
  }
  const operators::ImsiBlock ra{s_.a.plmn, s_.a.first_msin, s_.a.range_size};
  const operators::ImsiBlock rb{s_.b.plmn, s_.b.first_msin, s_.b.range_size};
  open_a();
  b_ = std::make_unique<Mno>(must(Mno::open((fs::path(dir_) / "b.db").string(), "B", rb, n_, o_.sync), "open B"));
  (void)ra;
}

void Fleet::open_a() {
  const operators::ImsiBlock ra{s_.a.plmn, s_.a.first_msin, s_.a.range_size};
  a_ = std::make_unique<Mno>(must(Mno::open((fs::path(dir_) / "a.db").string(), "A", ra, n_, o_.sync), "open A"));
}

// Personalisation (before the scenario): each card with A's IMSI, its own K (common AKA profile: Milenage with
// OP = 0, seed R3 / REQ-HO-03) and an AES-128 OTA key set; A's HSS and OTA server with the same.
void Fleet::provision() {
  const auto op = aka::Op(ByteArray<16>{});
  devices_.reserve(n_);
  names_.resize(n_);
  ghost_.resize(n_);
  last_.resize(n_);
  must(a_->begin(), "A begin");
  for (std::uint32_t d = 0; d < n_; ++d) {
    const auto iccid = must(usim::Iccid::with_check_digit(fmt::format("8988211{:011}", d)), "ICCID");
    const auto old_imsi = a_->hss().range().at(d);
    names_[d] = DeviceNames{d, old_imsi.digits(), b_->hss().range().at(d).digits(), "other"};
    ByteArray<16> kb{};
    crypto::random_bytes(kb);
    const aka::K k(kb);
    const aka::Opc opc = aka::derive_opc(k, op);
    ByteArray<16> kic{}, kid{};
    crypto::random_bytes(kic);
    crypto::random_bytes(kid);
    ota::KeySet ks;
    ks.kvn = ota::KeyVersion(kKvnOriginal);
    ks.kic = ota::KicKey(kic);
    ks.kid = ota::KidKey(kid);

    usim::CardConfig config;
    config.k = k;
    config.opc = opc;
    config.key_sets.push_back(ks);
    // REQ-HO-04 broken: MSL 00, the card runs a packet without CC, ciphering or counter (whoever sent it).
    const std::uint8_t msl = o_.test_break_secured_ota ? std::uint8_t{0} : kRfmMsl;
    config.tars.push_back(usim::TarConfig{operators::kUsimRfmTar, ota::ScriptFormat::Compact, msl, true});
    usim::CardState state;
    state.fs = usim::build_usim_file_system(iccid, old_imsi, usim::UsimOptions{});
    state.selection.df = state.fs.first_adf().value_or(0);
    state.sqn = aka::UsimSqnState::fresh(aka::SqnLayout{});
    devices_.emplace_back(usim::RekeyCard(usim::Card(std::move(config), std::move(state))), iccid.digits());

    operators::AucRecord rec;
    rec.k = k;
    rec.opc = opc;
    must(a_->put_subscriber(d, old_imsi.digits(), std::move(rec)), "A provision");
    must(a_->put_card(d, iccid.digits(), operators::CardOta{std::move(ks), 1}), "A provision");
  }
  must(a_->set_meta("provisioned", 1), "A provision");
  if (o_.test_break_common_aka) {  // REQ-HO-03 broken: B's Milenage uses its own (random, non-zero) OP
    ByteArray<16> op_b{};
    crypto::random_bytes(op_b);
    op_b[0] |= 0x01;
    b_own_op_ = aka::Op(op_b);
  }
  must(a_->commit(), "A provision");
  ++sum_.transactions;
  // Identities for the batch files (REQ-HO-50..52): each operator pins the other's public keys.
  id_a_ = std::make_unique<operators::OperatorIdentity>(operators::OperatorIdentity::generate(*operators::OperatorId::parse("mno-a")));
  id_b_ = std::make_unique<operators::OperatorIdentity>(operators::OperatorIdentity::generate(*operators::OperatorId::parse("mno-b")));
  dir_a_.add(id_b_->public_keys());
  dir_b_.add(id_a_->public_keys());
  for (std::uint32_t d = 0; d < n_; ++d) last_[d] = abstract(d);
}

// ---------------------------------------------------------------------------------------------------------------
// abstraction (spec/mechanism.md §5) and invariants (spec/invariants.md)

namespace {
// The key generation an HSS record serves (nullopt: no record). The AuC answers with K and, after a MAC failure
// report, with the pending K' (REQ-HO-13 two-phase commit): the record serves the card's key if either matches.
std::optional<KeyGen> record_gen(const operators::AucRecord* r, bool card_rekeyed) {
  if (r == nullptr) return std::nullopt;
  if (r->pending_k && card_rekeyed) return KeyGen{1};
  return r->generation == operators::KeyGeneration::Rekeyed ? KeyGen{1} : KeyGen{0};
}
}  // namespace

AbstractDevice Fleet::abstract(std::uint32_t d) const {
  AbstractDevice x;
  const Device& dev = devices_[d];
  const auto& nm = names_[d];
  const auto imsi = dev.imsi();
  x.imsi = !imsi ? ImsiIs::Other : *imsi == nm.old_imsi ? ImsiIs::Old : *imsi == nm.new_imsi ? ImsiIs::New : ImsiIs::Other;
  const bool card_rekeyed = dev.card().generation() == usim::KeyGenerationOnCard::Rekeyed;
  x.key = card_rekeyed ? 1 : 0;
  x.ota = card_rekeyed ? 1 : 0;
  x.cctr = dev.ota_counter(card_rekeyed ? usim::kRekeyKeyVersion : kKvnOriginal);
  if (mode() == ota::CounterMode::NoCheck && !card_rekeyed) x.cctr = std::max(x.cctr, ghost_[d].max_processed);
  const DeviceChange& cb = b_->change(d);
  const auto bp = static_cast<BPhase>(cb.phase);
  // `ready` is history in the model (B confirmed the record); a cancel drops B's HSS record but not that fact.
  // B keeps the card's OTA record it took with the hand-over, so a cancelled change that was handed over stays
  // ready (found by the model-based test: a_cancel after a_handover).
  const bool b_took_handover = b_->ota().find(dev.iccid()) != nullptr;
  x.ready = (bp != BPhase::None && bp != BPhase::Allocated && bp != BPhase::Cancelled) ||
            (bp == BPhase::Cancelled && b_took_handover);
  if (const auto* c = b_->ota().find(dev.iccid())) x.ctr_b = c->next_counter - 1;
  x.rekeyed = ghost_[d].rekeyed_by_agreement;
  if (ghost_[d].before_ka_init && !card_rekeyed) std::tie(x.cctr, x.ctr_b) = *ghost_[d].before_ka_init;
  if (ghost_[d].at_rekey && card_rekeyed) std::tie(x.cctr, x.ctr_b) = *ghost_[d].at_rekey;
  x.closed = safe() ? bp == BPhase::Rekeyed : (bp == BPhase::Serving || bp == BPhase::Rekeyed);
  x.replayed = ghost_[d].replayed;
  x.hss_b_old = record_gen(b_->hss().find(nm.old_imsi), card_rekeyed);
  x.b_runs_profile = !b_own_op_.has_value();
  if (ghost_[d].keys_in_clear) {  // REQ-HO-14 broken: the M2M operator relayed, and anyone on the link read, K and OTA keys
    const auto bits = static_cast<std::uint8_t>((x.key == 0 ? 1 : 0) | (x.ota == 0 ? 2 : 0));
    x.knows_m = bits;
    x.knows_x = bits;
  }
  x.knows_a_key = 1;  // A personalised K and the OTA key set (generation 0) and never forgets them
  x.knows_a_ota = 1;
  if (ghost_[d].rekey_known_to_a) x.knows_a_key = x.knows_a_ota = 3;  // and, REQ-HO-13 broken, generation 1
  x.knows_b_key = static_cast<std::uint8_t>((b_took_handover ? 1 : 0) | (ghost_[d].rekeyed_by_agreement ? 2 : 0));
  x.knows_b_ota = x.knows_b_key;
  x.sent_set = ghost_[d].sent_set;
  x.sent_read = ghost_[d].sent_read;
  x.sent_por = ghost_[d].sent_por;
  x.sent_rbk = ghost_[d].sent_rbk;
  apply_a_facts(d, x);
  return x;
}

void Fleet::apply_a_facts(std::uint32_t d, AbstractDevice& x) const {
  const auto& nm = names_[d];
  const DeviceChange& ca = a_->change(d);
  const auto ap = static_cast<APhase>(ca.phase);
  x.wanted = ca.phase != 0 || b_->change(d).phase != 0 || ghost_[d].decided;
  x.allocated = ap != APhase::Idle;
  x.issued = ca.attempts > 0;
  x.ctr_a = 0;
  if (const auto* c = a_->ota().find(devices_[d].iccid())) x.ctr_a = c->next_counter - 1;
  // safe releases only after evidence (REQ-HO-06); the seed's A drops the device with or without it (seed step 5),
  // and the model's a_complete leaves `proven` as it was (found by the model-based test).
  x.proven = ap == APhase::Confirmed || (ap == APhase::Released && (safe() || ghost_[d].evidence_at_drop));
  // The model's still_old is evidence from a read-back (a_recv_read); a cancel before any rewrite was sent has none
  // (found by the model-based test: a_cancel right after b_allocate).
  x.still_old = (ap == APhase::RolledBack || ap == APhase::HandedOver) && ca.attempts > 0;
  x.done = ap == APhase::Released;
  x.cancelled = ap == APhase::RolledBack;
  const bool card_rekeyed = devices_[d].card().generation() == usim::KeyGenerationOnCard::Rekeyed;
  x.hss_a_old = record_gen(a_->hss().find(nm.old_imsi), card_rekeyed);
  x.hss_a_new = record_gen(a_->hss().find(nm.new_imsi), card_rekeyed);
  // The model's a_cancel removes B's record with A's cancel (REQ-HO-07); the implementation's B removes it when
  // A's cancel notice arrives. In between, no card can ever hold that IMSI (A's latest read-back showed the old
  // one), so the record is abstracted away from A's cancel on (spec/traceability.md; found by validate-trace).
  x.hss_b_new = ap == APhase::RolledBack ? std::nullopt : record_gen(b_->hss().find(nm.new_imsi), card_rekeyed);
  // The model moves ctr_b at a_complete (REQ-HO-15); B takes A's counter from a notice just before (found by
  // validate-trace): until A completes, ctr_b is the counter B took with the hand-over.
  if (safe() && ap != APhase::Released && ghost_[d].ctr_b_at_handover) x.ctr_b = *ghost_[d].ctr_b_at_handover;
}

void Fleet::write_line(std::string_view action, Tick t, std::optional<std::uint32_t> d, nlohmann::json args) {
  if (o_.trace == nullptr) return;
  nlohmann::json line{{"step", step_}, {"tick", t}, {"action", action}};
  if (d) args["d"] = *d;
  line["args"] = args.is_null() ? nlohmann::json::object() : args;
  if (action == "init") {
    // What `validate-trace` checks the trace against by default: the variant, plus the two protections of safe
    // the implementation's seed keeps (sealed hand-over REQ-HO-14, durable journal REQ-HO-11).
    line["variant"] = safe() ? "safe" : "seed";
    line["with"] = safe() ? nlohmann::json::array() : nlohmann::json::array({"REQ-HO-11", "REQ-HO-14"});
  }
  if (n_ <= o_.trace_full_state_limit) {
    line["state"] = fleet_json(names_, last_);
  } else if (d) {
    line["device"] = device_json(names_[*d], last_[*d]);
  }
  (void)o_.trace->write(line);
}

void Fleet::observe(std::uint32_t d, std::string_view action, Tick t, nlohmann::json args) {
  AbstractDevice now = abstract(d);
  if (a_window_) {  // A's transaction is open: held until it commits or crashes (release_observations)
    const auto it = held_last_.find(d);
    if (now == (it != held_last_.end() ? it->second : last_[d])) return;
    held_last_.insert_or_assign(d, now);
    held_obs_.push_back(HeldObservation{d, std::string(action), t, std::move(args), std::move(now)});
    return;
  }
  record(d, std::move(now), action, t, std::move(args));
}

// A's commit (committed = true): every held state happened. A's crash (false; A is already reopened from its
// store): the same steps happened to the cards and to B, but with A's part as A's store has it now.
void Fleet::release_observations(bool committed) {
  a_window_ = false;
  held_last_.clear();
  for (auto& h : std::exchange(held_obs_, {})) {
    if (!committed) apply_a_facts(h.d, h.state);
    record(h.d, std::move(h.state), h.action, h.t, std::move(h.args));
  }
}

void Fleet::record(std::uint32_t d, AbstractDevice now, std::string_view action, Tick t, nlohmann::json args) {
  if (now == last_[d]) return;
  last_[d] = std::move(now);
  ++sum_.state_changes;
  ++step_;
  if (o_.check_invariants) {
    ++sum_.invariant_checks;
    const InvariantReport r = check_device(last_[d]);
    if (!r.all()) {
      for (std::size_t i = 0; i < kInvariantCount; ++i)
        if (!r.holds(kAllInvariants[i])) {
          ++sum_.violations[i];
          if (sum_.first_violation.empty())
            sum_.first_violation = fmt::format("{} violated by device {} after {} at tick {}",
                                               to_string(kAllInvariants[i]), d, action, t);
        }
    }
  }
  write_line(action, t, d, std::move(args));
}

void Fleet::observe_all(std::string_view action, Tick t) {
  bool any = false;
  for (std::uint32_t d = 0; d < n_; ++d) {
    AbstractDevice now = abstract(d);
    if (now == last_[d]) continue;
    last_[d] = std::move(now);
    any = true;
    ++sum_.state_changes;
    if (o_.check_invariants) {
      ++sum_.invariant_checks;
      const InvariantReport r = check_device(last_[d]);
      for (std::size_t i = 0; i < kInvariantCount; ++i)
        if (!r.holds(kAllInvariants[i])) {
          ++sum_.violations[i];
          if (sum_.first_violation.empty())
            sum_.first_violation = fmt::format("{} violated by device {} after {} at tick {}",
                                               to_string(kAllInvariants[i]), d, action, t);
        }
    }
  }
  ++step_;
  if (any || action == "crash_a") write_line(action, t, std::nullopt, {});
}

// ---------------------------------------------------------------------------------------------------------------
// OTA commands

std::vector<Bytes> Fleet::command(const ota::KeySet& keys, const ota::Tar& tar, std::uint64_t counter, ByteSpan data) {
  auto tpdus = operators::OtaServer::command_sms(keys, tar, mode(), counter, data,
                                                 static_cast<std::uint16_t>(counter & 0xFFFFu));
  if (tpdus.failed()) throw Failure{"cannot build a secured packet"};
  return std::move(tpdus).value();
}

// REQ-HO-05/09/11: counter reserved and journal written in A's open step; the SMS leaves after the commit.
void Fleet::a_send_set(std::uint32_t d, Tick t) {
  const auto& iccid = devices_[d].iccid();
  const auto counter = must(a_->reserve_counter(iccid), "A counter");
  DeviceChange c = a_->change(d);
  // REQ-HO-11 broken: the sent mark is written, but a crash loses it (as if A sent before journalling).
  if (o_.test_break_journal && !a_unjournaled_.contains(d)) a_unjournaled_.emplace(d, c);
  if (c.attempts > 0) ++sum_.ota_retries;
  c.phase = static_cast<std::uint8_t>(APhase::Sent);
  c.attempts = static_cast<std::uint8_t>(std::min(255, c.attempts + 1));
  c.counter = counter;
  c.sent_at = t;
  set_a(d, c);
  a_send_set_to(d, b_->hss().range().at(d), t);
  ++sets_sent_;
  last_set_tick_ = t;
  if (safe()) a_timers_.emplace(t + s_.procedure.por_timeout, d);
  // Issue 6: observed as the model's a_send_set once A's journal is committed (a_commit_and_flush).
}

// TS 102 226 §5 / TS 31.102 §4.2.2: UPDATE BINARY EF_IMSI := target, under A's key set and its reserved counter.
void Fleet::a_send_set_to(std::uint32_t d, const usim::Imsi& target, Tick t) {
  (void)t;
  const auto& iccid = devices_[d].iccid();
  const auto counter = a_->ota().find(iccid)->next_counter - 1;  // reserved by the caller
  const auto ef = usim::encode_ef_imsi(target);
  const auto script = ota::encode_script(ota::script_set_ef_imsi(ef), ota::ScriptFormat::Compact);
  a_->send(operators::OutgoingSms{d, command(a_->ota().find(iccid)->keys, operators::kUsimRfmTar, counter, script),
                                  static_cast<std::uint8_t>(Carries::SetImsi), counter});
}

// An IMSI outside every range of the scenario (PLMN 999-99, kept for private networks): the target of a rogue
// or forged rewrite that the model calls "neither".
usim::Imsi Fleet::imsi_of(std::uint32_t d, ImsiIs which) const {
  if (which == ImsiIs::Old) return a_->hss().range().at(d);
  if (which == ImsiIs::New) return b_->hss().range().at(d);
  return must(usim::Imsi::parse(fmt::format("99999{:010}", d), usim::MncLength::Two), "IMSI");
}

// REQ-HO-01 (contract): A ends a leaving device's subscription only by completing the change (a_complete, with
// evidence). Only the test switch lets A drop the record outside the procedure, as the model's a_terminate does.
bool Fleet::a_terminate(std::uint32_t d, Tick t) {
  if (!o_.test_break_contract || a_->hss().find(names_[d].old_imsi) == nullptr) return false;
  must(a_->erase_subscriber(names_[d].old_imsi), "A terminate");
  observe(d, "a_terminate", t);
  return true;
}

// REQ-HO-02 (trust): A's OTA server writes EF_IMSI only with B's validated allocation, in the procedure's
// a_send_set. Under the test switch it writes whatever it is told, with its keys and a fresh counter (the model's
// a_rogue_set); the journal is not touched, as a rogue A would not record it. Returns the counter used.
std::optional<std::uint64_t> Fleet::a_rogue_set(std::uint32_t d, ImsiIs target, Tick t) {
  if (!o_.test_break_trust || a_->ota().find(devices_[d].iccid()) == nullptr) return std::nullopt;
  const auto counter = must(a_->reserve_counter(devices_[d].iccid()), "A counter");
  a_send_set_to(d, imsi_of(d, target), t);
  if (target != ImsiIs::New) ghost_[d].other_targets.emplace_back(counter, target);
  return counter;
}

// REQ-HO-07: a lost PoR is resolved by an RFM read-back with a higher counter, never by guessing.
void Fleet::a_send_read(std::uint32_t d, Tick t) {
  const auto& iccid = devices_[d].iccid();
  const auto counter = must(a_->reserve_counter(iccid), "A counter");
  DeviceChange c = a_->change(d);
  ++sum_.ota_retries;
  c.phase = static_cast<std::uint8_t>(APhase::ReadingBack);
  c.polls = static_cast<std::uint16_t>(c.polls + 1);
  c.counter = counter;
  c.sent_at = t;
  set_a(d, c);
  const auto script = ota::encode_script(ota::script_read_ef_imsi(), ota::ScriptFormat::Compact);
  a_->send(operators::OutgoingSms{d, command(a_->ota().find(iccid)->keys, operators::kUsimRfmTar, counter, script),
                                  static_cast<std::uint8_t>(Carries::ReadImsi), counter});
  a_timers_.emplace(t + s_.procedure.por_timeout, d);
  // Issue 6: observed as the model's a_send_read once A's journal is committed (a_commit_and_flush).
}

void Fleet::a_proven(std::uint32_t d, Tick t, std::string_view action) {
  DeviceChange c = a_->change(d);
  const auto p = static_cast<APhase>(c.phase);
  if (p == APhase::Confirmed || p == APhase::Released || p == APhase::RolledBack) return;
  c.phase = static_cast<std::uint8_t>(APhase::Confirmed);
  set_a(d, c);
  // REQ-HO-15: B learns A's final counter before A lets go (A sends nothing more to the card from here on).
  if (safe() && !o_.test_break_counter_handover)
    a_notices_out_.push_back(Notice{Notice::Kind::Counter, d, a_->ota().find(devices_[d].iccid())->next_counter - 1});
  observe(d, action, t);
}

// REQ-HO-06, REQ-HO-15: A deletes its record only after evidence, and hands B its counter.
void Fleet::a_complete(std::uint32_t d, Tick t) {
  DeviceChange c = a_->change(d);
  if (!a_may_complete(d)) return;
  must(a_->erase_subscriber(names_[d].old_imsi), "A release");
  c.phase = static_cast<std::uint8_t>(APhase::Released);
  set_a(d, c);
  a_notices_out_.push_back(Notice{Notice::Kind::Complete, d, 0});
  observe(d, "a_complete", t);
}

// REQ-HO-05: the rewrite goes out only once B holds IMSI and K (safe: the hand-over is confirmed); the seed sends
// as soon as the allocation arrives.
bool Fleet::a_may_send(std::uint32_t d) const {
  const auto p = static_cast<APhase>(a_->change(d).phase);
  if (safe() && !o_.test_break_make_before_break) return p == APhase::HandedOver;
  return p == APhase::Allocated || (safe() && p == APhase::HandedOver);
}

// REQ-HO-06: A deletes its record only with evidence (Confirmed: PoR, read-back or attach on B).
bool Fleet::a_may_complete(std::uint32_t d) const {
  const auto p = static_cast<APhase>(a_->change(d).phase);
  if (p == APhase::Confirmed) return true;
  return o_.test_break_evidence && (p == APhase::HandedOver || p == APhase::Sent || p == APhase::ReadingBack);
}

// REQ-HO-07: A cancels only when no rewrite was sent or its latest read-back showed the old IMSI (HandedOver
// after an attempt); B then drops the new IMSI (Cancel notice, handle_notice_at_b).
bool Fleet::a_cancel(std::uint32_t d, Tick t) {
  DeviceChange c = a_->change(d);
  const auto p = static_cast<APhase>(c.phase);
  const bool open = p == APhase::Allocated || p == APhase::HandedOver || p == APhase::Sent || p == APhase::ReadingBack;
  const bool shown_old = p == APhase::Allocated || p == APhase::HandedOver;  // nothing sent, or read back old
  if (!open || (!shown_old && !o_.test_break_read_back)) return false;
  c.phase = static_cast<std::uint8_t>(APhase::RolledBack);
  set_a(d, c);
  a_notices_out_.push_back(Notice{Notice::Kind::Cancel, d, 0});
  observe(d, "a_cancel", t);
  return true;
}

void Fleet::a_on_por(std::uint32_t d, const Sms& sms, Tick t) {
  const auto* card = a_->ota().find(devices_[d].iccid());
  if (card == nullptr) return;
  auto por = operators::OtaServer::read_por_sms(card->keys, mode(), sms.tpdu);
  if (por.failed()) return;  // unreadable or forged: no evidence
  ++sum_.pors_received;
  const auto& reading = por.value();
  DeviceChange c = a_->change(d);
  const auto phase = static_cast<APhase>(c.phase);
  const std::uint64_t cntr = reading.counter.value();
  if (!safe()) {
    // Seed: A notes the PoR of its rewrite; nothing depends on it (the seed has no evidence step).
    if (reading.status == ota::ResponseStatus::PorOk && phase == APhase::Sent && cntr == c.counter)
      a_proven(d, t, "a_recv_por");
    return;
  }
  if (reading.status != ota::ResponseStatus::PorOk || !reading.secured) return;
  if (phase != APhase::Sent && phase != APhase::ReadingBack) return;
  auto rfm = ota::decode_response(reading.data, ota::ScriptFormat::Compact);
  if (rfm.failed() || rfm.value().rapdus.empty()) return;
  const Bytes& last = rfm.value().rapdus.back();
  const bool last_ok = last.size() >= 2 && last[last.size() - 2] == 0x90 && last[last.size() - 1] == 0x00;
  if (!last_ok) return;
  if (last.size() == 2 + usim::kEfImsiSize) {
    // A read-back: what EF_IMSI holds now (TS 31.102 §4.2.2).
    auto imsi = usim::decode_ef_imsi(ByteSpan(last).first(usim::kEfImsiSize), usim::MncLength::Two);
    if (imsi.failed()) return;
    if (imsi.value().digits() == names_[d].new_imsi && cntr == c.counter) {
      // New IMSI in the answer to A's latest command: proof. An older answer would be true as well (the card
      // never goes back), but the model takes evidence only from the latest command (a_recv_read, c = ctr_a)
      // and the implementation keeps to the model's steps (found by the model-based test); the next read-back
      // answers the same question.
      a_proven(d, t, "a_recv_read");
    } else if (imsi.value().digits() == names_[d].old_imsi && phase == APhase::ReadingBack && cntr == c.counter) {
      // REQ-HO-07: the latest counter saw the old IMSI, so no rewrite sent before it can ever apply.
      c.phase = static_cast<std::uint8_t>(APhase::HandedOver);
      set_a(d, c);
      if (c.attempts >= s_.procedure.max_attempts) {
        observe(d, "a_recv_read", t);  // the evidence first, then the cancel: two model steps (found by validate-trace)
        a_cancel(d, t);
      } else {
        a_ready_.push_front(d);
        observe(d, "a_recv_read", t);
      }
    }
  } else if (cntr == c.counter) {
    a_proven(d, t, "a_recv_por");  // the PoR OK of A's latest command, a rewrite: the card holds the new IMSI
  }
}

// ---------------------------------------------------------------------------------------------------------------
// batches (spec/formats.md): allocation B -> A (step 3), hand-over A -> B (step 5; in safe before step 4)

class MnoReplayView final : public operators::ReplayView {
 public:
  explicit MnoReplayView(const Mno& m) : m_(m) {}
  bool seen(const operators::BatchId& id) const override { return m_.batch_seen(id); }
  std::optional<std::uint64_t> last_sequence(const operators::OperatorId& s) const override { return m_.last_sequence(s); }

 private:
  const Mno& m_;
};

class RangeView final : public operators::ImsiView {
 public:
  RangeView(const operators::Hss& hss, const operators::ImsiBlock& range) : hss_(hss), range_(range) {}
  bool in_range(const usim::Imsi& i) const override { return range_.contains(i.digits()); }
  bool in_use(const usim::Imsi& i, const usim::Iccid&) const override { return hss_.find(i.digits()) != nullptr; }

 private:
  const operators::Hss& hss_;
  const operators::ImsiBlock& range_;
};

void Fleet::b_allocate(Tick t, std::optional<std::uint32_t> only) {
  // REQ-HO-10: B allocates from its own range IMSIs its HSS does not use; A validates the list again on receipt.
  std::vector<operators::AllocationRecord> records;
  for (std::uint32_t d = 0; d < n_; ++d) {
    if (only && *only != d) continue;
    records.push_back(operators::AllocationRecord{must(usim::Iccid::parse(devices_[d].iccid()), "ICCID"),
                                                  b_->hss().range().at(d)});
    set_b(d, DeviceChange{static_cast<std::uint8_t>(BPhase::Allocated), 0, 0, 0, t});
    if (records.size() == kBatchChunk || d + 1 == n_ || only) {
      operators::SealOptions so;
      so.sequence = ++b_batch_seq_;
      so.created = t;
      b_batches_out_.push_back(must(operators::seal_batch(*id_b_, id_a_->public_keys(),
                                                          operators::BatchRecords{std::move(records)}, so),
                                    "seal allocation"));
      records.clear();
    }
  }
}

void Fleet::a_handover(const std::vector<std::uint32_t>& ds, Tick t) {
  std::vector<operators::HandOverRecord> records;
  for (std::size_t j = 0; j < ds.size(); ++j) {
    const auto d = ds[j];
    const auto* sub = a_->hss().find(names_[d].old_imsi);
    const auto* card = a_->ota().find(devices_[d].iccid());
    if (sub == nullptr || card == nullptr) continue;
    operators::HandOverRecord r{must(usim::Iccid::parse(devices_[d].iccid()), "ICCID"), b_->hss().range().at(d),
                                operators::AkaSubscription{sub->k, sub->opc, aka::kStandardConstants, sub->sqn}, {}};
    operators::OtaKeySet ks;
    ks.kvn = kKvnOriginal;
    ks.kic = ota::KicByte::make(ota::KeyVersion(kKvnOriginal), ota::CipherAlgorithm::AesCbc).raw();
    ks.kid = ota::KidByte::make_cc(ota::KeyVersion(kKvnOriginal), ota::CcAlgorithm::AesCmac).raw();
    ks.kic_key = operators::OtaKicKey(card->keys.kic.expose());
    ks.kid_key = operators::OtaKidKey(card->keys.kid.expose());
    ks.counter = card->next_counter - 1;
    r.ota.push_back(std::move(ks));
    records.push_back(std::move(r));
    if (records.size() == kBatchChunk || j + 1 == ds.size()) {
      operators::SealOptions so;
      so.sequence = ++a_batch_seq_;
      so.created = t;
      must(a_->set_meta("handover_sequence", static_cast<std::int64_t>(a_batch_seq_)), "A meta");
      if (o_.test_break_sealed_handover) {  // REQ-HO-14 broken: the encoded records, no envelope
        a_plain_batches_out_.push_back(operators::encode_body(operators::BatchRecords{std::move(records)}));
        records.clear();
        continue;
      }
      a_batches_out_.push_back(must(operators::seal_batch(*id_a_, id_b_->public_keys(),
                                                          operators::BatchRecords{std::move(records)}, so),
                                    "seal hand-over"));
      records.clear();
    }
  }
}

// B provisions every record of an accepted hand-over (make-before-break in safe) in its open step.
void Fleet::b_accept_handover(ByteSpan file, Tick t) {
  MnoReplayView replay(*b_);
  RangeView view(b_->hss(), b_->hss().range());
  auto batch = operators::open_batch(file, *id_b_, dir_b_, replay, view);
  if (batch.failed()) {
    if (batch.error().error == operators::BatchError::Replayed) return;  // already applied: idempotent
    throw Failure{fmt::format("B rejected the hand-over: {}", operators::describe(batch.error()))};
  }
  must(b_->record_batch(batch.value().header), "B batch");
  b_provision(std::get<std::vector<operators::HandOverRecord>>(batch.value().records), t);
}

// REQ-HO-14 broken: B takes the records as they came, in clear: no signature, no sequence, no replay check.
void Fleet::b_accept_plain_handover(ByteSpan body, Tick t) {
  auto records = operators::decode_body(operators::BatchKind::HandOver, body);
  if (records.failed()) throw Failure{fmt::format("B rejected the hand-over: {}", operators::describe(records.error()))};
  std::vector<operators::HandOverRecord> fresh;  // without a sequence number, a repeated body is recognised by phase
  for (auto& r : std::get<std::vector<operators::HandOverRecord>>(records.value())) {
    const auto idx = b_->hss().range().index_of(r.imsi.digits());
    if (!idx) continue;
    ghost_[static_cast<std::uint32_t>(*idx)].keys_in_clear = true;
    if (static_cast<BPhase>(b_->change(static_cast<std::uint32_t>(*idx)).phase) == BPhase::Allocated) fresh.push_back(std::move(r));
  }
  b_provision(fresh, t);
}

void Fleet::b_provision(std::vector<operators::HandOverRecord>& records, Tick t) {
  for (auto& r : records) {
    const auto idx = b_->hss().range().index_of(r.imsi.digits());
    if (!idx) continue;
    const auto d = static_cast<std::uint32_t>(*idx);
    operators::AucRecord rec;
    rec.k = r.aka.k;
    // REQ-HO-03: the common profile (OP = 0 on both sides) lets B use A's OPc; broken, B derives its own.
    rec.opc = b_own_op_ ? aka::derive_opc(r.aka.k, *b_own_op_) : std::get<aka::Opc>(r.aka.op);
    rec.sqn = r.aka.sqn;
    must(b_->put_subscriber(d, r.imsi.digits(), std::move(rec)), "B provision");
    ota::KeySet ks;
    ks.kvn = ota::KeyVersion(r.ota.front().kvn);
    ks.kic = ota::KicKey(r.ota.front().kic_key.expose());
    ks.kid = ota::KidKey(r.ota.front().kid_key.expose());
    must(b_->put_card(d, r.iccid.digits(), operators::CardOta{std::move(ks), r.ota.front().counter + 1}), "B provision");
    ghost_[d].ctr_b_at_handover = r.ota.front().counter;
    // Seed: B serves from the hand-over on (step 6) and closes; safe: provisioned, waiting for A's completion.
    set_b(d, DeviceChange{static_cast<std::uint8_t>(safe() ? BPhase::Provisioned : BPhase::Serving), 0, 0, 0, t});
    observe(d, safe() ? "a_handover" : "a_handover", t);
    if (!safe()) observe(d, "b_close", t);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// B's re-key (spec/mechanism.md §6, REQ-HO-12/13): INIT under the handed-over keys, COMMIT under the agreed ones.

void Fleet::b_send_rekey_init(std::uint32_t d, Tick t) {
  const auto& iccid = devices_[d].iccid();
  const auto counter = must(b_->reserve_counter(iccid), "B counter");
  DeviceChange c = b_->change(d);
  if (c.attempts > 0) ++sum_.ota_retries;
  c.phase = static_cast<std::uint8_t>(BPhase::RekeyInit);
  if (!ghost_[d].before_ka_init) {
    // The latest observed state, held ones included (A's transaction may be open in this tick).
    const auto held = held_last_.find(d);
    const AbstractDevice& seen = held != held_last_.end() ? held->second : last_[d];
    ghost_[d].before_ka_init = std::pair{seen.cctr, seen.ctr_b};
  }
  c.attempts = static_cast<std::uint8_t>(std::min(255, c.attempts + 1));
  c.counter = counter;
  c.sent_at = t;
  set_b(d, c);
  auto secret = crypto::x25519_generate();
  if (o_.test_break_key_agreement) {
    // REQ-HO-13 broken: B's secret is HKDF(KID of the handed-over key set, ICCID). A holds that KID, reads the
    // card's public key in the PoR (ciphered under the old KIc, which A holds too) and derives K' and the new
    // OTA keys exactly as B does: a re-key under the old keys, in effect.
    static constexpr std::string_view kInfo = "mnoswitch test: re-key secret from the old KID";
    const Bytes salt(iccid.begin(), iccid.end());
    const Bytes info(kInfo.begin(), kInfo.end());
    std::array<std::uint8_t, crypto::kX25519KeySize> seed{};
    if (crypto::hkdf_sha256(b_->ota().find(iccid)->keys.kid.expose(), salt, info, seed).failed()) throw Failure{"HKDF"};
    secret = crypto::X25519PrivateKey(std::span<const std::uint8_t, crypto::kX25519KeySize>(seed));
    crypto::secure_wipe(seed);
  }
  const auto pub = crypto::x25519_public(secret);
  b_ephemeral_.insert_or_assign(d, std::move(secret));
  b_ephemeral_pub_.insert_or_assign(d, pub);
  b_->send(operators::OutgoingSms{d, command(b_->ota().find(iccid)->keys, operators::kRekeyTar, counter, usim::rekey_init_data(pub)),
                                  static_cast<std::uint8_t>(Carries::RekeyInit), counter});
  b_timers_.emplace(t + s_.procedure.por_timeout, d);
}

void Fleet::b_send_rekey_commit(std::uint32_t d, Tick t) {
  const auto& iccid = devices_[d].iccid();
  const auto counter = must(b_->reserve_counter(iccid), "B counter");
  DeviceChange c = b_->change(d);
  if (c.polls > 0) ++sum_.ota_retries;
  c.phase = static_cast<std::uint8_t>(BPhase::RekeyCommit);
  c.polls = static_cast<std::uint16_t>(c.polls + 1);
  c.counter = counter;
  c.sent_at = t;
  set_b(d, c);
  const Bytes data{usim::kRekeyCommit};
  b_->send(operators::OutgoingSms{d, command(b_pending_ota_.at(d), operators::kRekeyTar, counter, data),
                                  static_cast<std::uint8_t>(Carries::RekeyCommit), counter});
  b_timers_.emplace(t + s_.procedure.por_timeout, d);
}

void Fleet::b_on_por(std::uint32_t d, const Sms& sms, Tick t) {
  DeviceChange c = b_->change(d);
  const auto phase = static_cast<BPhase>(c.phase);
  const auto& iccid = devices_[d].iccid();
  if (phase == BPhase::RekeyInit) {
    auto por = operators::OtaServer::read_por_sms(b_->ota().find(iccid)->keys, mode(), sms.tpdu);
    if (por.failed()) return;
    ++sum_.pors_received;
    const auto& r = por.value();
    if (r.status != ota::ResponseStatus::PorOk || !r.secured || r.counter.value() != c.counter ||
        r.data.size() != crypto::kX25519KeySize || !b_ephemeral_.contains(d))
      return;
    const crypto::X25519PublicKey card_pub(std::span<const std::uint8_t, crypto::kX25519KeySize>(r.data.data(), crypto::kX25519KeySize));
    auto shared = crypto::x25519(b_ephemeral_.at(d), card_pub);
    if (shared.failed()) return;
    auto material = usim::derive_rekey_material(shared.value(), iccid, b_ephemeral_pub_.at(d), card_pub);
    if (material.failed()) return;
    b_ephemeral_.erase(d);
    // The HSS's pending slot: served after a MAC failure until the card confirms (REQ-HO-13 two-phase commit).
    auto* rec = b_->hss().find(names_[d].new_imsi);
    if (rec == nullptr) return;
    operators::AucRecord copy = *rec;
    copy.pending_k = material.value().k;
    must(b_->put_subscriber(d, names_[d].new_imsi, std::move(copy)), "B pending");
    ota::KeySet ks;
    ks.kvn = ota::KeyVersion(usim::kRekeyKeyVersion);
    ks.kic = material.value().kic;
    ks.kid = material.value().kid;
    b_pending_ota_.insert_or_assign(d, std::move(ks));
    b_send_rekey_commit(d, t);
  } else if (phase == BPhase::RekeyCommit && b_pending_ota_.contains(d)) {
    auto por = operators::OtaServer::read_por_sms(b_pending_ota_.at(d), mode(), sms.tpdu);
    if (por.failed()) return;
    ++sum_.pors_received;
    const auto& r = por.value();
    if (r.status != ota::ResponseStatus::PorOk || !r.secured) return;
    // The card answered under the agreed keys: K' is current, the old K and A's key set are gone.
    auto* rec = b_->hss().find(names_[d].new_imsi);
    if (rec == nullptr || !rec->pending_k) return;
    operators::AucRecord copy = *rec;
    copy.k = *copy.pending_k;
    copy.opc = aka::derive_opc(copy.k, aka::Op(ByteArray<16>{}));  // common profile: OP = 0
    copy.pending_k.reset();
    copy.generation = operators::KeyGeneration::Rekeyed;
    must(b_->put_subscriber(d, names_[d].new_imsi, std::move(copy)), "B rekeyed");
    const auto next = b_->ota().find(iccid)->next_counter;
    must(b_->put_card(d, iccid, operators::CardOta{b_pending_ota_.at(d), next}), "B rekeyed");
    b_pending_ota_.erase(d);
    c.phase = static_cast<std::uint8_t>(BPhase::Rekeyed);
    set_b(d, c);
    ++sum_.rekeyed;
    observe(d, "b_close", t);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the tick

void Fleet::deliver_to_cards(Tick t) {
  for (auto& sms : net_.deliver_to_cards(t)) (void)deliver_one(sms, t);
}

// One SMS-DELIVER through the card; returns the model action it was (card_apply_set, card_read, b_rekey) or
// net_deliver when the card did not run it (refused, e.g. its counter was not higher, or a re-key step).
std::string_view Fleet::deliver_one(Sms& sms, Tick t) {
  {
    const auto d = sms.device;
    Device& dev = devices_[d];
    const auto before_gen = dev.card().generation();
    auto out = dev.receive_sms(sms.tpdu, o_.pcap, t * 1'000'000 + (sms.seq % 1'000'000));
    Ghost& g = ghost_[d];
    const auto imsi_now = dev.imsi();
    const ImsiIs now = !imsi_now ? ImsiIs::Other : *imsi_now == names_[d].new_imsi ? ImsiIs::New
                                                 : *imsi_now == names_[d].old_imsi ? ImsiIs::Old : ImsiIs::Other;
    std::string_view action = "net_deliver";
    switch (sms.tag.what) {
      case Carries::SetImsi:
        if (applied_by_card(d, out)) {
          // INV-REPLAY ghost: a rewrite applied with a counter not above the highest one applied before.
          if (sms.tag.counter <= g.max_applied) g.replayed = true;
          if (g.before_ka_init) g.before_ka_init->first = std::max(g.before_ka_init->first, sms.tag.counter);
          g.max_applied = std::max(g.max_applied, sms.tag.counter);
          g.max_processed = std::max(g.max_processed, sms.tag.counter);
          g.sent_por.push_back(SentAnswer{now, sms.tag.counter});
          action = "card_apply_set";
        }
        break;
      case Carries::ReadImsi:
        // Issue 6: only a read the card ran (PoR status 00) is the model's card_read; a refused one (counter
        // low) changes nothing and tells nothing about EF_IMSI.
        if (applied_by_card(d, out)) {
          g.max_processed = std::max(g.max_processed, sms.tag.counter);
          // A's read-back can reach the card after B's KA-INIT left and before the card ran it (found by
          // validate-trace): the counters shown until the commit (before_ka_init) include it.
          if (g.before_ka_init) g.before_ka_init->first = std::max(g.before_ka_init->first, sms.tag.counter);
          g.sent_rbk.push_back(SentAnswer{now, sms.tag.counter});
          action = "card_read";
        }
        break;
      case Carries::RekeyInit:
        break;
      case Carries::RekeyCommit:
        if (before_gen != dev.card().generation()) {
          g.rekeyed_by_agreement = true;
          g.rekey_known_to_a = o_.test_break_key_agreement;
          action = "b_rekey";
          if (!g.at_rekey) g.at_rekey = std::pair{sms.tag.counter, sms.tag.counter};
        }
        break;
      case Carries::Nothing:
        break;
    }
    for (auto& up : out.uplink) net_.send_to_operator(t, d, sms.party, sms.tag, std::move(up));
    if (out.refreshed) attach_queue_.push_back(d);
    observe(d, action, t, {{"c", sms.tag.counter}});
    return action;
  }
}

// The harness's view (not an operator's): did the card run the rewrite? Its PoR says so (status 00, the RFM
// script's last SW 90 00); the harness reads it with the card's key set, before the network may lose it.
bool Fleet::applied_by_card(std::uint32_t d, const DeviceOutput& out) const {
  const auto* card = a_->ota().find(devices_[d].iccid());
  if (card == nullptr) return out.refreshed;
  for (const auto& up : out.uplink) {
    auto por = operators::OtaServer::read_por_sms(card->keys, mode(), up);
    if (por.ok() && por.value().status == ota::ResponseStatus::PorOk) return true;
  }
  return out.refreshed;
}

// TS 33.102 §6.3: a real AKA run against the HSS owning the IMSI's range; its SQN is saved in that operator's step.
AttachOutcome Fleet::attach(std::uint32_t d, Tick t, bool count_during) {
  std::string imsi;
  auto find = [&](const std::string& i) -> operators::Hss* {
    if (a_->hss().owns(i)) return &a_->hss();
    if (b_->hss().owns(i)) return &b_->hss();
    return nullptr;
  };
  const auto outcome = devices_[d].attach(find, &imsi);
  if (count_during) {
    ++sum_.attaches_during;
    if (outcome != AttachOutcome::Attached) ++sum_.attach_failures_during;
  }
  Mno* owner = a_->hss().owns(imsi) ? a_.get() : b_->hss().owns(imsi) ? b_.get() : nullptr;
  if (owner != nullptr && owner->hss().find(imsi) != nullptr && owner->in_step()) must(owner->save_sqn(imsi), "save SQN");
  if (outcome == AttachOutcome::Attached && owner == b_.get()) {
    // REQ-HO-06: an attach on B with the new IMSI is evidence for A (the seed's A notes it too, as the model's
    // dev_attach does in both variants; nothing in the seed depends on it).
    b_notices_out_.push_back(Notice{Notice::Kind::AttachedOnB, d, 0});
  }
  (void)t;
  return outcome;
}

void Fleet::deliver_pors(Tick t) {
  for (auto& sms : net_.deliver_to_operators(t)) {
    if (sms.party == Party::MnoA) {
      a_on_por(sms.device, sms, t);
    } else {
      b_on_por(sms.device, sms, t);
    }
  }
}

void Fleet::handle_notice_at_a(const Notice& n, Tick t) {
  if (n.kind == Notice::Kind::CounterAck) {
    if (static_cast<APhase>(a_->change(n.device).phase) == APhase::Confirmed) a_complete(n.device, t);
    return;
  }
  if (n.kind == Notice::Kind::AttachedOnB) {
    const auto p = static_cast<APhase>(a_->change(n.device).phase);
    if (p == APhase::Sent || p == APhase::ReadingBack) a_proven(n.device, t, "dev_attach");
  }
}

void Fleet::handle_notice_at_b(const Notice& n, Tick t) {
  const auto d = n.device;
  DeviceChange c = b_->change(d);
  if (n.kind == Notice::Kind::Counter) {
    // REQ-HO-15: B's counter continues above every counter A used; B acknowledges after its commit.
    auto* card = b_->ota().find(devices_[d].iccid());
    if (card != nullptr && card->next_counter <= n.counter) {
      operators::CardOta copy{card->keys, n.counter + 1};
      must(b_->put_card(d, devices_[d].iccid(), std::move(copy)), "B counter");
    }
    if (card != nullptr) b_notices_out_.push_back(Notice{Notice::Kind::CounterAck, d, n.counter});
    return;
  }
  if (n.kind == Notice::Kind::Complete) {
    if (static_cast<BPhase>(c.phase) != BPhase::Provisioned) return;  // duplicate notice after a resume
    c.phase = static_cast<std::uint8_t>(BPhase::Serving);
    set_b(d, c);
    observe(d, "b_serve", t);
    if (s_.procedure.rekey) {
      b_rekey_.push_back(d);
    } else {
      c.phase = static_cast<std::uint8_t>(BPhase::Rekeyed);
      set_b(d, c);
      observe(d, "b_close", t);
    }
  } else if (n.kind == Notice::Kind::Cancel) {
    // A rolled back on evidence: B removes the new IMSI (a_cancel, REQ-HO-07).
    must(b_->erase_subscriber(names_[d].new_imsi), "B cancel");
    c.phase = static_cast<std::uint8_t>(BPhase::Cancelled);
    set_b(d, c);
    observe(d, "a_cancel", t);
  }
}

void Fleet::a_step(Tick t) {
  for (const auto& n : std::exchange(a_inbox_, {})) handle_notice_at_a(n, t);
  a_accept_allocations(t, safe());
  if (safe()) a_confirm_handovers(t);
  a_timers_and_sends(t);
}

// Batches from B (step 3); `handover_now`: safe's make-before-break, the hand-over is sealed in the same step.
void Fleet::a_accept_allocations(Tick t, bool handover_now) {
  // Batches from B (step 3): validated whole, applied in this step (REQ-HO-10).
  // B keeps each batch until A's acceptance is durable (A's commit): a crash of A before it just means the
  // batch is delivered again (and, had it been accepted, rejected as a replay, which changes nothing).
  for (b_batches_taken_ = 0; b_batches_taken_ < b_batches_out_.size(); ++b_batches_taken_) {
    const Bytes& file = b_batches_out_[b_batches_taken_];
    MnoReplayView replay(*a_);
    RangeView view(b_->hss(), b_->hss().range());  // A's view of B's ranges (from the contract)
    auto batch = operators::open_batch(file, *id_a_, dir_a_, replay, view);
    if (batch.failed()) {
      if (batch.error().error == operators::BatchError::Replayed) continue;
      throw Failure{fmt::format("A rejected the allocation: {}", operators::describe(batch.error()))};
    }
    must(a_->record_batch(batch.value().header), "A batch");
    std::vector<std::uint32_t> allocated;
    for (const auto& r : std::get<std::vector<operators::AllocationRecord>>(batch.value().records)) {
      const auto idx = b_->hss().range().index_of(r.imsi.digits());
      if (!idx) continue;
      const auto d = static_cast<std::uint32_t>(*idx);
      set_a(d, DeviceChange{static_cast<std::uint8_t>(APhase::Allocated), 0, 0, 0, t});
      observe(d, "b_allocate", t);
      allocated.push_back(d);
    }
    if (safe()) {
      if (handover_now) a_handover(allocated, t);  // REQ-HO-05: make-before-break, the hand-over goes first
    } else {
      for (auto d : allocated) a_ready_.push_back(d);
    }
  }
}

// B's confirmation of our hand-over (its batch acceptance is durable at B).
void Fleet::a_confirm_handovers(Tick t) {
  {
    auto seq = must(a_->meta("handover_sequence"), "A meta");
    auto done = must(a_->meta("handover_confirmed"), "A meta");
    if (seq && (!done || *done < *seq) && b_->last_sequence(id_a_->id()).value_or(0) >= static_cast<std::uint64_t>(*seq)) {
      must(a_->set_meta("handover_confirmed", *seq), "A meta");
      for (std::uint32_t d = 0; d < n_; ++d) {
        if (static_cast<APhase>(a_->change(d).phase) == APhase::Allocated &&
            static_cast<BPhase>(b_->change(d).phase) == BPhase::Provisioned) {
          set_a(d, DeviceChange{static_cast<std::uint8_t>(APhase::HandedOver), 0, 0, 0, t});
          a_ready_.push_back(d);
          observe(d, "a_handover", t);
        }
      }
    }
  }
}

void Fleet::a_timers_and_sends(Tick t) {
  // Timers: a change or read-back without an answer (safe only).
  while (!a_timers_.empty() && a_timers_.top().first <= t) {
    const auto d = a_timers_.top().second;
    a_timers_.pop();
    const DeviceChange& c = a_->change(d);
    const auto p = static_cast<APhase>(c.phase);
    if ((p == APhase::Sent || p == APhase::ReadingBack) && c.sent_at + s_.procedure.por_timeout <= t &&
        c.polls < kMaxReadBacks)
      a_send_read(d, t);
  }
  // Completions (safe: evidence first, REQ-HO-06).
  while (!a_release_.empty()) {
    a_complete(a_release_.front(), t);
    a_release_.pop_front();
  }
  // New changes, at the SMSC's rate.
  for (std::uint32_t sent = 0; sent < s_.procedure.send_per_tick && !a_ready_.empty();) {
    const auto d = a_ready_.front();
    a_ready_.pop_front();
    if (!a_may_send(d)) continue;
    a_send_set(d, t);
    ++sent;
  }
  // Seed step 5: once every rewrite is out (and a PoR timeout passed), hand over all and drop the devices.
  if (!safe() && !seed_handover_done_ && sets_sent_ > 0 && a_ready_.empty() && t >= last_set_tick_ + s_.procedure.por_timeout) {
    auto seq = must(a_->meta("handover_sequence"), "A meta");
    if (!seq) {
      std::vector<std::uint32_t> all(n_);
      for (std::uint32_t d = 0; d < n_; ++d) all[d] = d;
      a_handover(all, t);
    } else if (b_->last_sequence(id_a_->id()).value_or(0) >= static_cast<std::uint64_t>(*seq)) {
      // The seed's A assumes every rewrite worked: it drops each device (a_complete without evidence).
      for (std::uint32_t d = 0; d < n_; ++d) a_drop_seed(d, t);
      seed_handover_done_ = true;
    }
  }
}

// Seed step 6: A drops the device once B took the hand-over (no evidence asked, no counter passed).
void Fleet::a_drop_seed(std::uint32_t d, Tick t) {
  DeviceChange c = a_->change(d);
  const auto p = static_cast<APhase>(c.phase);
  if (p == APhase::Released) return;
  ghost_[d].evidence_at_drop = p == APhase::Confirmed;
  if (a_->hss().find(names_[d].old_imsi) != nullptr) must(a_->erase_subscriber(names_[d].old_imsi), "A drop");
  c.phase = static_cast<std::uint8_t>(APhase::Released);
  set_a(d, c);
  observe(d, "a_complete", t);
}

void Fleet::b_step(Tick t) {
  while (!b_timers_.empty() && b_timers_.top().first <= t) {
    const auto d = b_timers_.top().second;
    b_timers_.pop();
    const DeviceChange& c = b_->change(d);
    const auto p = static_cast<BPhase>(c.phase);
    if (c.sent_at + s_.procedure.por_timeout > t || c.attempts >= kMaxReadBacks || c.polls >= kMaxReadBacks) continue;
    if (p == BPhase::RekeyInit) b_send_rekey_init(d, t);
    if (p == BPhase::RekeyCommit) b_send_rekey_commit(d, t);
  }
  for (std::uint32_t sent = 0; sent < s_.procedure.send_per_tick && !b_rekey_.empty(); ++sent) {
    const auto d = b_rekey_.front();
    b_rekey_.pop_front();
    if (static_cast<BPhase>(b_->change(d).phase) == BPhase::Serving) b_send_rekey_init(d, t);
  }
}

void Fleet::crash_point(Tick t) {
  const auto point = crash_points_++;
  bool crash = false;
  if (o_.crash_a) {
    crash = o_.crash_a(point);
  } else if (s_.crash.enabled && !crashed_ && s_.crash.operator_name == "A") {
    crash = static_cast<double>(sets_sent_) >= s_.crash.after_fraction * static_cast<double>(n_) && point % 3 == 2;
  }
  if (crash) {
    (void)t;
    throw CrashNow{};
  }
}

// MNO A's process dies: every volatile thing goes (open transaction, outbox, queues, timers, inbox); the SQLite
// file is reopened and the queues are rebuilt from the journal (REQ-HO-11).
void Fleet::crash_a(Tick t, bool flush_notices) {
  ++sum_.crashes;
  crashed_ = true;
  sum_.crash_tick = t;
  a_.reset();  // the destructor's ROLLBACK stands for the kernel closing a dead process's file
  a_ready_.clear();
  a_release_.clear();
  a_notices_out_.clear();
  a_inbox_.clear();
  a_batches_out_.clear();
  a_plain_batches_out_.clear();
  b_batches_taken_ = 0;
  a_timers_ = {};
  open_a();
  release_observations(false);
  if (o_.test_break_journal) {  // REQ-HO-11 broken: the sends A never made durable are gone after the restart
    must(a_->begin(), "A begin");
    for (const auto& [d, before] : std::exchange(a_unjournaled_, {})) {
      DeviceChange c = a_->change(d);
      const auto p = static_cast<APhase>(c.phase);
      if (p != APhase::Sent && p != APhase::ReadingBack) continue;
      c.phase = before.phase;
      c.attempts = before.attempts;
      c.polls = before.polls;
      set_a(d, c);
    }
    must(a_->commit(), "A commit");
  }
  a_rebuild(t);
  // What the resumed A derived from its journal (counter notices, a re-sealed hand-over) goes out now.
  if (flush_notices)
    for (const auto& n : std::exchange(a_notices_out_, {})) handle_notice_at_b(n, t);
  for (auto& file : std::exchange(a_batches_out_, {})) b_accept_handover(file, t);
  observe_all("crash_a", t);
}

void Fleet::a_rebuild(Tick t) {
  (void)t;
  sets_sent_ = 0;
  Tick last = 0;
  bool any_released = false;
  for (std::uint32_t d = 0; d < n_; ++d) {
    const DeviceChange& c = a_->change(d);
    switch (static_cast<APhase>(c.phase)) {
      case APhase::Allocated:
        if (!safe()) a_ready_.push_back(d);
        break;
      case APhase::HandedOver: a_ready_.push_back(d); break;
      case APhase::Sent:
      case APhase::ReadingBack:
        ++sets_sent_;
        last = std::max(last, c.sent_at);
        if (safe()) a_timers_.emplace(c.sent_at + s_.procedure.por_timeout, d);
        break;
      case APhase::Confirmed:
        ++sets_sent_;
        if (safe()) a_notices_out_.push_back(Notice{Notice::Kind::Counter, d, a_->ota().find(devices_[d].iccid())->next_counter - 1});
        break;
      case APhase::Released: any_released = true; ++sets_sent_; break;
      // The cancel notice may have died with the process after A's commit: B must still drop the new IMSI's
      // record (idempotent at B). Found by the audit of issue 6 item 2.
      case APhase::RolledBack:
        if (safe()) a_notices_out_.push_back(Notice{Notice::Kind::Cancel, d, 0});
        break;
      default: break;
    }
  }
  last_set_tick_ = std::max(last_set_tick_, last);
  auto seq = must(a_->meta("handover_sequence"), "A meta");
  a_batch_seq_ = seq ? static_cast<std::uint64_t>(*seq) : 0;
  if (!safe()) seed_handover_done_ = any_released && a_ready_.empty();
  // A hand-over that B never accepted (the crash took it before it left) is sealed again, with a new sequence.
  if (seq && b_->last_sequence(id_a_->id()).value_or(0) < static_cast<std::uint64_t>(*seq)) {
    std::vector<std::uint32_t> again;
    for (std::uint32_t d = 0; d < n_; ++d) {
      const auto p = static_cast<APhase>(a_->change(d).phase);
      const auto bp = static_cast<BPhase>(b_->change(d).phase);
      if (bp == BPhase::Allocated && p != APhase::Idle && p != APhase::Released) again.push_back(d);
    }
    if (!again.empty()) {
      must(a_->begin(), "A begin");
      a_handover(again, t);
      must(a_->commit(), "A commit");
      ++sum_.transactions;
    }
  }
}

void Fleet::a_commit_and_flush(Tick t) {
  crash_point(t);  // before the commit: this step's work is lost, nothing of it was sent
  must(a_->commit(), "A commit");
  release_observations(true);
  ++sum_.transactions;
  b_batches_out_.erase(b_batches_out_.begin(), b_batches_out_.begin() + static_cast<std::ptrdiff_t>(b_batches_taken_));
  b_batches_taken_ = 0;
  auto out = a_->take_outbox();
  // Issue 6 (abstraction): a journalled command counts as sent (sent_set/sent_read) from the commit on; one that
  // never leaves because of a crash is a lost message in the model.
  for (const auto& m : out) {
    const SmsTag tag{static_cast<Carries>(m.carries), m.counter};
    if (tag.what == Carries::SetImsi) {
      ImsiIs target = ImsiIs::New;
      for (const auto& [c, i] : ghost_[m.device].other_targets)
        if (c == m.counter) target = i;
      ghost_[m.device].sent_set.push_back(SentSet{target, m.counter, 0});
    }
    if (tag.what == Carries::ReadImsi) ghost_[m.device].sent_read.push_back(SentRead{m.counter, 0});
    if (tag.what == Carries::SetImsi || tag.what == Carries::ReadImsi)
      observe(m.device, tag.what == Carries::SetImsi ? "a_send_set" : "a_send_read", t, {{"c", m.counter}});
  }
  crash_point(t);  // after the commit, before anything left
  const std::size_t half = out.size() / 2;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i == half) crash_point(t);  // half of the step's SMS are out
    auto& m = out[i];
    const SmsTag tag{static_cast<Carries>(m.carries), m.counter};
    ++sum_.ota_commands;
    note_counter(m.device, m.counter);
    for (auto& tpdu : m.tpdus) {
      ++sum_.sms_segments;
      net_.send_to_card(t, m.device, Party::MnoA, tag, std::move(tpdu));
    }
  }
  for (const auto& n : std::exchange(a_notices_out_, {})) handle_notice_at_b(n, t);
  // Hand-over batches leave after A's commit too; B applies them in its open step.
  for (auto& file : std::exchange(a_batches_out_, {})) b_accept_handover(file, t);
  for (auto& body : std::exchange(a_plain_batches_out_, {})) b_accept_plain_handover(body.expose(), t);
}

void Fleet::b_commit_and_flush(Tick t) {
  must(b_->commit(), "B commit");
  ++sum_.transactions;
  for (auto& m : b_->take_outbox()) {
    const SmsTag tag{static_cast<Carries>(m.carries), m.counter};
    ++sum_.ota_commands;
    note_counter(m.device, m.counter);
    for (auto& tpdu : m.tpdus) {
      ++sum_.sms_segments;
      net_.send_to_card(t, m.device, Party::MnoB, tag, std::move(tpdu));
    }
  }
  for (auto& n : std::exchange(b_notices_out_, {})) a_inbox_.push_back(n);
}

bool Fleet::settled(std::uint32_t d) const {
  const auto ap = static_cast<APhase>(a_->change(d).phase);
  const auto bp = static_cast<BPhase>(b_->change(d).phase);
  if (ap == APhase::RolledBack) return true;
  if (!safe()) return ap == APhase::Released;
  return ap == APhase::Released && (bp == BPhase::Rekeyed || (!s_.procedure.rekey && bp == BPhase::Serving));
}

void Fleet::tick(Tick t) {
  must(a_->begin(), "A begin");
  must(b_->begin(), "B begin");
  a_window_ = true;
  try {
    deliver_to_cards(t);
    for (auto d : std::exchange(attach_queue_, {})) (void)attach(d, t, true);
    deliver_pors(t);
    a_step(t);
    b_step(t);
    a_commit_and_flush(t);
  } catch (const CrashNow&) {
    crash_a(t);
  }
  b_commit_and_flush(t);
}

Summary Fleet::run() {
  const auto start = std::chrono::steady_clock::now();
  sum_.scenario = s_.name;
  sum_.variant = std::string(to_string(o_.variant));
  sum_.devices = n_;
  sum_.seed = s_.seed;
  open_stores();
  provision();
  write_line("init", 0, std::nullopt, {});
  // Everyone attaches to A before the switch (a real AKA run each).
  must(a_->begin(), "A begin");
  for (std::uint32_t d = 0; d < n_; ++d) {
    ++sum_.attaches_before;
    if (attach(d, 0, false) != AttachOutcome::Attached) ++sum_.attach_failures_before;
  }
  must(a_->commit(), "A commit");
  ++sum_.transactions;
  // Step 2: the M2M operator decides (it holds ICCIDs only); step 3: B allocates.
  must(b_->begin(), "B begin");
  b_allocate(0);
  must(b_->commit(), "B commit");
  ++sum_.transactions;
  for (std::uint32_t d = 0; d < n_; ++d) observe(d, "m2m_decide", 0);

  std::uint64_t report_every = std::max<std::uint64_t>(1, s_.procedure.deadline / 100);
  Tick t = 1;
  for (; t <= s_.procedure.deadline; ++t) {
    tick(t);
    if (o_.progress && t % report_every == 0) {
      std::uint64_t done = 0;
      for (std::uint32_t d = 0; d < n_; ++d) done += settled(d) ? 1u : 0u;
      o_.progress(done, n_, t);
    }
    // Done when nothing is in flight or queued and every device is settled or out of reach for good (a device
    // that never comes back stays pending: both HSSs keep serving it).
    if (net_.idle() && a_ready_.empty() && a_release_.empty() && b_rekey_.empty() && attach_queue_.empty() &&
        a_batches_out_.empty() && b_batches_out_.empty() && a_inbox_.empty() && a_notices_out_.empty() &&
        b_notices_out_.empty() && (safe() || seed_handover_done_)) {
      bool all = true;
      for (std::uint32_t d = 0; d < n_ && all; ++d) {
        const auto& av = net_.availability(d);
        all = settled(d) || (av.online_again == kNever && av.offline_from <= t);
      }
      if (all) break;
    }
  }
  sum_.ticks = std::min<Tick>(t, s_.procedure.deadline);
  // The verdict: every device attaches once more, wherever its IMSI routes it.
  must(a_->begin(), "A begin");
  must(b_->begin(), "B begin");
  for (std::uint32_t d = 0; d < n_; ++d) {
    std::string imsi;
    auto find = [&](const std::string& i) -> operators::Hss* {
      if (a_->hss().owns(i)) return &a_->hss();
      if (b_->hss().owns(i)) return &b_->hss();
      return nullptr;
    };
    const auto outcome = devices_[d].attach(find, &imsi);
    ++sum_.attaches_after;
    const auto ap = static_cast<APhase>(a_->change(d).phase);
    if (outcome != AttachOutcome::Attached) {
      ++sum_.attach_failures_after;
      ++sum_.stranded;
    } else if (ap == APhase::RolledBack) {
      ++sum_.rolled_back;
    } else if (imsi == names_[d].new_imsi && a_->hss().find(names_[d].old_imsi) == nullptr) {
      ++sum_.switched;
    } else {
      ++sum_.pending;
    }
  }
  must(a_->commit(), "A commit");
  must(b_->commit(), "B commit");
  sum_.transactions += 2;
  sum_.network = net_.stats();
  sum_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o_.trace != nullptr) sum_.trace_lines = o_.trace->lines();
  if (o_.pcap != nullptr) sum_.pcap_frames = o_.pcap->frames();
  a_.reset();
  b_.reset();
  if (temp_dir_ && !o_.keep_db) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  return sum_;
}

}  // namespace detail

nlohmann::json to_json(const Summary& s) {
  nlohmann::json inv = nlohmann::json::object();
  for (std::size_t i = 0; i < kInvariantCount; ++i) inv[std::string(to_string(kAllInvariants[i]))] = s.violations[i];
  return nlohmann::json{
      {"scenario", s.scenario},
      {"variant", s.variant},
      {"devices", s.devices},
      {"seed", s.seed},
      {"ticks", s.ticks},
      {"switched", s.switched},
      {"pending", s.pending},
      {"rolled_back", s.rolled_back},
      {"stranded", s.stranded},
      {"rekeyed", s.rekeyed},
      {"ota", {{"commands", s.ota_commands}, {"retries", s.ota_retries}, {"sms_segments", s.sms_segments},
               {"pors_received", s.pors_received}}},
      {"network", {{"downlink_submitted", s.network.downlink_submitted}, {"downlink_lost", s.network.downlink_lost},
                   {"downlink_duplicated", s.network.downlink_duplicated}, {"downlink_expired", s.network.downlink_expired},
                   {"downlink_delivered", s.network.downlink_delivered}, {"uplink_submitted", s.network.uplink_submitted},
                   {"uplink_lost", s.network.uplink_lost}, {"uplink_delivered", s.network.uplink_delivered}}},
      {"attaches", {{"before", s.attaches_before}, {"before_failed", s.attach_failures_before},
                    {"during", s.attaches_during}, {"during_failed", s.attach_failures_during},
                    {"after", s.attaches_after}, {"after_failed", s.attach_failures_after}}},
      {"crashes", s.crashes},
      {"crash_tick", s.crash_tick},
      {"transactions", s.transactions},
      {"counter_reuse", s.counter_reuse},
      {"invariants", {{"state_changes", s.state_changes}, {"checks", s.invariant_checks}, {"violations", inv},
                      {"first_violation", s.first_violation.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.first_violation)}}},
      {"seconds", s.seconds},
      {"trace_lines", s.trace_lines},
      {"pcap_frames", s.pcap_frames},
  };
}

Result<Summary, FleetError> run_fleet(const FleetOptions& options) {
  try {
    detail::Fleet f(options);
    return f.run();
  } catch (const detail::Failure& e) {
    return err(FleetError{e.message});
  }
}

}  // namespace mnoswitch::mechanism
