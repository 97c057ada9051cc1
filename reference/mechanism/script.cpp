// spec/mechanism.md §7 (issue 6 items 3-4): the step-level driver. Every step runs the fleet's own per-action
// code (fleet_impl.hpp) inside one transaction per operator; the driver adds only what the tick loop does between
// the calls: it releases the outboxes after the commits and keeps the SMSC's memory of every message (the
// model's sent_* relations: a message ever sent can be delivered any number of times, or never — net_lose).
#include "reference/mechanism/script.hpp"

#include <algorithm>
#include <stdexcept>

#include "reference/crypto/random.hpp"
#include "reference/mechanism/fleet_impl.hpp"
#include "reference/ota/server.hpp"
#include "reference/ota/sms.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::mechanism {

bool break_guard(BrokenGuards& g, std::string_view r) {
  if (r == "REQ-HO-01") return g.contract = true;
  if (r == "REQ-HO-02") return g.trust = true;
  if (r == "REQ-HO-03") return g.common_aka = true;
  if (r == "REQ-HO-04") return g.secured_ota = true;
  if (r == "REQ-HO-05") return g.make_before_break = true;
  if (r == "REQ-HO-06") return g.evidence = true;
  if (r == "REQ-HO-07") return g.read_back = true;
  if (r == "REQ-HO-09") return g.counter_check = true;
  if (r == "REQ-HO-11") return g.journal = true;
  if (r == "REQ-HO-12") return g.rekey = true;
  if (r == "REQ-HO-13") return g.key_agreement = true;
  if (r == "REQ-HO-14") return g.sealed_handover = true;
  if (r == "REQ-HO-15") return g.counter_handover = true;
  return false;
}

const std::vector<std::string_view>& breakable_guards() {
  static const std::vector<std::string_view> r{"REQ-HO-01", "REQ-HO-02", "REQ-HO-03", "REQ-HO-04", "REQ-HO-05",
                                               "REQ-HO-06", "REQ-HO-07", "REQ-HO-09", "REQ-HO-11", "REQ-HO-12",
                                               "REQ-HO-13", "REQ-HO-14", "REQ-HO-15"};
  return r;
}

const std::vector<std::string_view>& script_actions() {
  static const std::vector<std::string_view> a{"b_allocate", "a_handover",  "a_send_set", "card_apply_set",
                                               "a_recv_por", "a_send_read", "card_read",  "a_recv_read",
                                               "dev_attach", "a_complete",  "a_cancel",   "b_rekey",
                                               "b_close",    "crash_a",     "net_lose",
                                               "a_terminate", "a_rogue_set", "atk_inject"};
  return a;
}

namespace detail {

class ScriptDriver {
 public:
  explicit ScriptDriver(const ScriptOptions& s) : opt_(options(s)), f_(opt_) {
    f_.open_stores();
    f_.provision();
    // Everyone attaches to A before the switch (as run()); the M2M operator has decided for every device
    // (model Init leaves `wanted` free, spec/mechanism.md §5).
    must(f_.a_->begin(), "A begin");
    for (std::uint32_t d = 0; d < f_.n_; ++d) (void)f_.attach(d, 0, false);
    must(f_.a_->commit(), "A commit");
    for (std::uint32_t d = 0; d < f_.n_; ++d) {
      f_.ghost_[d].decided = true;
      f_.observe(d, "init", 0);
    }
  }
  ~ScriptDriver() {
    f_.a_.reset();
    f_.b_.reset();
    std::error_code ec;
    if (f_.temp_dir_) fs::remove_all(f_.dir_, ec);
  }
  ScriptDriver(const ScriptDriver&) = delete;
  ScriptDriver& operator=(const ScriptDriver&) = delete;

  std::uint32_t devices() const noexcept { return f_.n_; }
  const std::vector<AbstractDevice>& abstract() const { return f_.last_; }
  nlohmann::json state() const { return fleet_json(f_.names_, f_.last_); }

  std::vector<std::uint64_t> counters(Script::Kind k, std::uint32_t d) const {
    std::vector<std::uint64_t> out;
    const bool down = k == Script::Kind::Set || k == Script::Kind::Read;
    const Carries what = k == Script::Kind::Set || k == Script::Kind::Por ? Carries::SetImsi : Carries::ReadImsi;
    for (const auto& m : down ? down_ : up_)
      if (m.device == d && m.party == Party::MnoA && m.tag.what == what &&
          std::find(out.begin(), out.end(), m.tag.counter) == out.end())
        out.push_back(m.tag.counter);
    return out;
  }

  StepResult step(std::string_view action, std::uint32_t d, std::optional<std::uint64_t> c, ImsiIs target) {
    StepResult r;
    if (d >= f_.n_) return unknown(r, fmt::format("no device {} (the fleet has {})", d, f_.n_));
    ++t_;
    const std::vector<AbstractDevice> before = f_.last_;
    if (action == "b_allocate") b_allocate(r, d);
    else if (action == "a_handover") a_handover(r, d);
    else if (action == "a_send_set") a_send(r, d, true);
    else if (action == "a_send_read") a_send(r, d, false);
    else if (action == "card_apply_set") to_card(r, d, c, Carries::SetImsi);
    else if (action == "card_read") to_card(r, d, c, Carries::ReadImsi);
    else if (action == "a_recv_por") to_a(r, d, c, Carries::SetImsi, before);
    else if (action == "a_recv_read") to_a(r, d, c, Carries::ReadImsi, before);
    else if (action == "dev_attach") dev_attach(r, d);
    else if (action == "a_complete") a_complete(r, d);
    else if (action == "a_cancel") a_cancel(r, d);
    else if (action == "b_rekey") b_rekey(r, d);
    else if (action == "b_close") b_close(r, d);
    else if (action == "crash_a") crash_a(r);
    else if (action == "net_lose") r.allowed = true;  // the SMSC memory keeps it; a lost message is never delivered
    else if (action == "a_terminate") a_terminate(r, d);
    else if (action == "a_rogue_set") a_rogue_set(r, d, target);
    else if (action == "atk_inject") atk_inject(r, d, target);
    else return unknown(r, not_driven(action));
    // Whatever the step changed is observed (the fleet's own observe points cover most of it).
    for (std::uint32_t x = 0; x < f_.n_; ++x) f_.observe(x, action, t_);
    if (!r.allowed && f_.last_ != before)
      throw std::runtime_error(fmt::format("{}: refused but the abstract state changed (a failed step must not)", action));
    return r;
  }

 private:
  static FleetOptions options(const ScriptOptions& s) {
    FleetOptions o;
    o.scenario = default_scenario();
    o.scenario.name = "script";
    o.scenario.devices = s.devices;
    o.scenario.faults = FaultPlan{};  // the script is the network: it delivers, duplicates, replays or loses
    o.scenario.crash.enabled = false;
    o.scenario.procedure.send_per_tick = 1'000'000;
    o.scenario.procedure.por_timeout = 1'000'000;  // no timers: a_send_read is a step of its own
    o.scenario.procedure.max_attempts = 255;       // no automatic cancel: a_cancel is a step of its own
    o.scenario.procedure.rekey = !s.broken.rekey;
    o.variant = s.variant;
    o.test_break_make_before_break = s.broken.make_before_break;
    o.test_break_evidence = s.broken.evidence;
    o.test_break_read_back = s.broken.read_back;
    o.test_break_counter_check = s.broken.counter_check;
    o.test_break_counter_handover = s.broken.counter_handover;
    o.test_break_contract = s.broken.contract;
    o.test_break_trust = s.broken.trust;
    o.test_break_common_aka = s.broken.common_aka;
    o.test_break_secured_ota = s.broken.secured_ota;
    o.test_break_journal = s.broken.journal;
    o.test_break_key_agreement = s.broken.key_agreement;
    o.test_break_sealed_handover = s.broken.sealed_handover;
    return o;
  }
  static StepResult& unknown(StepResult& r, std::string why) {
    r.known = false;
    r.refusal = std::move(why);
    return r;
  }
  static std::string not_driven(std::string_view a) {
    if (a == "m2m_decide") return "m2m_decide: the driver starts with every device decided (model Init leaves `wanted` free); the M2M operator's decision is no implementation step";
    if (a == "crash_b") return "crash_b: B's process crash is not implemented in the fleet (the model's crash_b is a stutter)";
    return fmt::format("{}: not an action of the model (spec/mechanism.md §5)", a);
  }
  static void refuse(StepResult& r, std::string why) {
    r.allowed = false;
    r.refusal = std::move(why);
  }
  APhase ap(std::uint32_t d) const { return static_cast<APhase>(f_.a_->change(d).phase); }
  BPhase bp(std::uint32_t d) const { return static_cast<BPhase>(f_.b_->change(d).phase); }
  bool safe() const { return f_.safe(); }

  void begin() {
    if (!f_.a_->in_step()) must(f_.a_->begin(), "A begin");
    if (!f_.b_->in_step()) must(f_.b_->begin(), "B begin");
  }
  // Both commits, then the outboxes leave (the fleet's flush); A's notices to B are held until the step that
  // the model names for them (a_complete, a_cancel), so one step changes what its model action changes.
  void finish() {
    begin();
    for (auto& n : std::exchange(f_.a_notices_out_, {})) held_.push_back(n);
    f_.a_commit_and_flush(t_);
    f_.b_commit_and_flush(t_);
    for (auto& m : f_.net_.deliver_to_cards(kNever - 1)) down_.push_back(std::move(m));
    for (auto& m : f_.net_.deliver_to_operators(kNever - 1)) up_.push_back(std::move(m));
    f_.attach_queue_.clear();  // a refreshed card attaches only at a dev_attach step
  }
  // The notices of one kind for d, taken out of `from` (the others stay, in order).
  static std::vector<Notice> take(std::vector<Notice>& from, std::uint32_t d, Notice::Kind kind) {
    std::vector<Notice> taken;
    const auto rest = std::stable_partition(from.begin(), from.end(), [&](const Notice& n) { return !(n.device == d && n.kind == kind); });
    taken.assign(rest, from.end());
    from.erase(rest, from.end());
    return taken;
  }
  void deliver_held(std::uint32_t d, Notice::Kind kind) {
    for (const auto& n : take(held_, d, kind)) f_.handle_notice_at_b(n, t_);
  }
  void take_inbox(std::uint32_t d, Notice::Kind kind) {
    for (const auto& n : take(f_.a_inbox_, d, kind)) f_.handle_notice_at_a(n, t_);
  }

  // Step 3: B allocates from its own range (REQ-HO-10) and A validates the signed list (formats.md).
  void b_allocate(StepResult& r, std::uint32_t d) {
    if (bp(d) != BPhase::None) return refuse(r, "B allocates once per device (one change per device, REQ-HO-08)");
    begin();
    f_.b_allocate(t_, d);
    f_.b_commit_and_flush(t_);
    begin();
    f_.a_accept_allocations(t_, false);
    finish();
    r.allowed = ap(d) == APhase::Allocated;
    if (!r.allowed) r.refusal = "A did not accept B's allocation";
  }

  // Step 5: the sealed hand-over (REQ-HO-14); safe before the rewrite (REQ-HO-05), the seed after it.
  void a_handover(StepResult& r, std::uint32_t d) {
    if (bp(d) != BPhase::Allocated) return refuse(r, "B holds no open allocation for this device (handed over already or cancelled)");
    if (safe() && ap(d) != APhase::Allocated) return refuse(r, "A hands over an allocated device once");
    if (!safe() && f_.a_->change(d).attempts == 0)
      return refuse(r, "the seed hands over only after its rewrite is out (seed step 5 after step 4)");
    begin();
    f_.a_handover({d}, t_);
    finish();
    if (safe()) {
      begin();
      f_.a_confirm_handovers(t_);
      finish();
    }
    r.allowed = bp(d) != BPhase::Allocated;
    if (!r.allowed) r.refusal = "B did not accept the hand-over";
  }

  void a_send(StepResult& r, std::uint32_t d, bool set) {
    if (set && !f_.a_may_send(d))
      return refuse(r, safe() ? "A sends the rewrite only after B confirmed the hand-over and before any evidence (REQ-HO-05)"
                              : "the seed's A sends the rewrite once, on B's allocation");
    if (!set) {
      const auto p = ap(d);
      if (!safe()) return refuse(r, "the seed has no read-back (REQ-HO-07)");
      if ((p != APhase::Sent && p != APhase::ReadingBack) || f_.a_->change(d).polls >= kMaxReadBacks)
        return refuse(r, "A reads EF_IMSI back only while a rewrite is unanswered (REQ-HO-07)");
    }
    begin();
    if (set) f_.a_send_set(d, t_);
    else f_.a_send_read(d, t_);
    r.counter = f_.a_->change(d).counter;
    finish();
    r.allowed = true;
  }

  // The SMSC delivers a message ever sent (first delivery, duplicate or replay): real ENVELOPEs to the card.
  void to_card(StepResult& r, std::uint32_t d, std::optional<std::uint64_t> c, Carries what) {
    if (!c) return refuse(r, "which message: the counter c is missing");
    std::vector<Sms> parts;
    for (const auto& m : down_)
      if (m.device == d && m.party == Party::MnoA && m.tag.what == what && m.tag.counter == *c) parts.push_back(m);
    bool forged = false;
    if (parts.empty() && what == Carries::SetImsi)
      for (const auto& m : forged_)
        if (m.device == d && m.tag.counter == *c) parts.push_back(m), forged = true;
    if (parts.empty()) return refuse(r, fmt::format("no {} with counter {} was sent to device {}", what == Carries::SetImsi ? "SET EF_IMSI" : "READ EF_IMSI", *c, d));
    const std::uint64_t card_ctr = f_.devices_[d].ota_counter(kKvnOriginal);
    const std::string_view want = what == Carries::SetImsi ? "card_apply_set" : "card_read";
    begin();
    for (auto& m : parts) r.allowed = f_.deliver_one(m, t_) == want || r.allowed;
    finish();
    if (!r.allowed && forged)
      r.refusal = "the card refused the unsecured packet: its RFM TAR's minimum security level asks for CC, ciphering and a counter (TS 102 226 §8.2.1.3.2.4, REQ-HO-04)";
    else if (!r.allowed)
      r.refusal = f_.mode() == ota::CounterMode::Higher && *c <= card_ctr
                      ? fmt::format("the card refused it: counter {} not higher than its own {} (TS 102 225 §5.1.1, REQ-HO-09)", *c, card_ctr)
                      : "the card refused the packet";
  }

  // A PoR (or read-back response) the card sent reaches A's OTA server.
  void to_a(StepResult& r, std::uint32_t d, std::optional<std::uint64_t> c, Carries what, const std::vector<AbstractDevice>& before) {
    if (!c) return refuse(r, "which answer: the counter c is missing");
    std::vector<Sms> por;
    for (const auto& m : up_)
      if (m.device == d && m.party == Party::MnoA && m.tag.what == what && m.tag.counter == *c) por.push_back(m);
    if (por.empty()) return refuse(r, fmt::format("the card sent no answer to counter {}", *c));
    begin();
    for (auto& m : por) f_.a_on_por(d, m, t_);
    finish();
    f_.observe(d, what == Carries::SetImsi ? "a_recv_por" : "a_recv_read", t_);
    r.allowed = f_.last_[d] != before[d];
    if (!r.allowed) r.refusal = "A did not take the answer as evidence (not its latest command, or the change is settled; REQ-HO-06/07)";
  }

  // TS 33.102 §6.3: a real AKA run; an attach on B with the new IMSI is evidence for A (REQ-HO-06).
  void dev_attach(StepResult& r, std::uint32_t d) {
    begin();
    const auto outcome = f_.attach(d, t_, false);
    finish();
    begin();
    take_inbox(d, Notice::Kind::AttachedOnB);
    finish();
    r.allowed = outcome == AttachOutcome::Attached;
    if (!r.allowed) r.refusal = "the attach failed: no HSS serves the card's IMSI with its K (the device is stranded)";
  }

  // REQ-HO-06 evidence first; REQ-HO-15 A's counter reaches B and is acknowledged before A lets go.
  void a_complete(StepResult& r, std::uint32_t d) {
    if (!safe()) {
      if (bp(d) != BPhase::Serving && bp(d) != BPhase::Rekeyed) return refuse(r, "the seed's A drops the device only after B took the hand-over");
      if (ap(d) == APhase::Released) return refuse(r, "the seed's A has dropped the device already");
      begin();
      f_.a_drop_seed(d, t_);
      finish();
      r.allowed = true;
      return;
    }
    if (!f_.a_may_complete(d)) return refuse(r, "A deletes its record only with evidence: PoR, read-back or attach on B (REQ-HO-06)");
    begin();
    deliver_held(d, Notice::Kind::Counter);
    finish();
    begin();
    take_inbox(d, Notice::Kind::CounterAck);
    if (ap(d) != APhase::Released) f_.a_complete(d, t_);  // no counter notice: REQ-HO-06/15 switched off
    // Without the re-key (REQ-HO-12 off) B closes on A's completion notice: held until the model's b_close.
    if (f_.s_.procedure.rekey) deliver_held_now(d, Notice::Kind::Complete);
    else for (auto& n : std::exchange(f_.a_notices_out_, {})) held_.push_back(n);
    finish();
    r.allowed = ap(d) == APhase::Released;
    if (!r.allowed) r.refusal = "A did not complete";
  }
  void deliver_held_now(std::uint32_t d, Notice::Kind kind) {
    for (auto& n : std::exchange(f_.a_notices_out_, {})) held_.push_back(n);
    deliver_held(d, kind);
  }

  void a_cancel(StepResult& r, std::uint32_t d) {
    if (!safe()) return refuse(r, "the seed never cancels");
    begin();
    const bool ok = f_.a_cancel(d, t_);
    deliver_held_now(d, Notice::Kind::Cancel);
    finish();
    r.allowed = ok;
    if (!ok) r.refusal = "A cancels only before any rewrite or after a read-back showed the old IMSI (REQ-HO-07)";
  }

  // §6: KA-INIT under the handed-over keys, the card's answer, KA-COMMIT under the agreed keys applied by the
  // card (the model's atomic b_rekey); the card's last PoR waits for b_close.
  void b_rekey(StepResult& r, std::uint32_t d) {
    if (!safe()) return refuse(r, "the seed does not re-key");
    if (bp(d) != BPhase::Serving) return refuse(r, "B re-keys a card it serves (after A's completion), once");
    begin();
    f_.b_send_rekey_init(d, t_);
    finish();
    deliver_from_b(d, Carries::RekeyInit);
    begin();
    for (auto& m : take_up(d, Carries::RekeyInit)) f_.b_on_por(d, m, t_);
    finish();
    deliver_from_b(d, Carries::RekeyCommit);
    r.allowed = f_.ghost_[d].rekeyed_by_agreement;
    if (!r.allowed) r.refusal = "the key agreement did not complete";
  }
  void deliver_from_b(std::uint32_t d, Carries what) {
    std::vector<Sms> parts;
    for (const auto& m : down_)
      if (m.device == d && m.party == Party::MnoB && m.tag.what == what && m.tag.counter == f_.b_->change(d).counter) parts.push_back(m);
    begin();
    for (auto& m : parts) (void)f_.deliver_one(m, t_);
    finish();
  }
  std::vector<Sms> take_up(std::uint32_t d, Carries what) {
    std::vector<Sms> out;
    for (const auto& m : up_)
      if (m.device == d && m.party == Party::MnoB && m.tag.what == what && m.tag.counter == f_.b_->change(d).counter) out.push_back(m);
    return out;
  }

  void b_close(StepResult& r, std::uint32_t d) {
    if (!safe()) return refuse(r, "the seed's B closes at the hand-over");
    if (!f_.s_.procedure.rekey) {  // REQ-HO-12 switched off: the fleet's no-re-key path (handle_notice_at_b)
      if (bp(d) != BPhase::Provisioned || ap(d) != APhase::Released) return refuse(r, "B closes a change A completed, once");
      begin();
      deliver_held(d, Notice::Kind::Complete);
      finish();
      r.allowed = bp(d) == BPhase::Rekeyed;
      if (!r.allowed) r.refusal = "B did not close";
      return;
    }
    if (bp(d) != BPhase::RekeyCommit) return refuse(r, "B closes only after the card confirmed the re-key under the agreed keys (REQ-HO-12)");
    begin();
    for (auto& m : take_up(d, Carries::RekeyCommit)) f_.b_on_por(d, m, t_);
    finish();
    r.allowed = bp(d) == BPhase::Rekeyed;
    if (!r.allowed) r.refusal = "B did not read the card's confirmation";
  }

  // MNO A's process dies and resumes from its journal (REQ-HO-11); what it re-derives is held like any notice.
  void crash_a(StepResult& r) {
    if (!f_.b_->in_step()) must(f_.b_->begin(), "B begin");
    f_.crash_a(t_, false);
    for (auto& n : std::exchange(f_.a_notices_out_, {})) {
      const bool dup = std::any_of(held_.begin(), held_.end(), [&](const Notice& h) { return h.device == n.device && h.kind == n.kind; });
      if (!dup) held_.push_back(n);
    }
    finish();
    r.allowed = true;
  }

  // REQ-HO-01 broken: A drops the subscription of a device that is leaving, before the change is complete.
  void a_terminate(StepResult& r, std::uint32_t d) {
    if (!opt_.test_break_contract)
      return refuse(r, "A ends a leaving device's subscription only by completing the change, with evidence (REQ-HO-01: contract)");
    begin();
    r.allowed = f_.a_terminate(d, t_);
    finish();
    if (!r.allowed) r.refusal = "A holds no subscription at the device's IMSI";
  }

  // REQ-HO-02 broken: A writes an IMSI of its choosing with its own keys and a fresh counter.
  void a_rogue_set(StepResult& r, std::uint32_t d, ImsiIs target) {
    if (!opt_.test_break_trust)
      return refuse(r, "A's OTA server writes EF_IMSI only with B's validated allocation, as the procedure's a_send_set (REQ-HO-02: trust)");
    begin();
    const auto c = f_.a_rogue_set(d, target, t_);
    finish();
    r.allowed = c.has_value();
    r.counter = c;
    if (!r.allowed) r.refusal = "A holds no OTA record for the card";
  }

  // The model's attacker: a SET EF_IMSI packet to the card's RFM TAR with no security at all (SPI 00 00: no CC,
  // not ciphered, no counter, no PoR), since it knows no key of the card; the originator address is spoofed,
  // which SMS-PP allows. The SMSC carries it (the step is always allowed); whether the card runs it is its
  // minimum security level (REQ-HO-04), at card_apply_set.
  void atk_inject(StepResult& r, std::uint32_t d, ImsiIs target) {
    const std::uint64_t c = f_.devices_[d].ota_counter(kKvnOriginal) + 1 + forged_count_++;  // names the packet
    ota::CommandSpec spec;
    spec.spi = ota::Spi{};
    spec.kic = ota::KicByte::make(ota::KeyVersion(kKvnOriginal), ota::CipherAlgorithm::AesCbc);
    spec.kid = ota::KidByte::make_cc(ota::KeyVersion(kKvnOriginal), ota::CcAlgorithm::AesCmac);
    spec.tar = operators::kUsimRfmTar;
    spec.counter = *ota::OtaCounter::make(c);
    spec.data = ota::encode_script(ota::script_set_ef_imsi(usim::encode_ef_imsi(f_.imsi_of(d, target))), ota::ScriptFormat::Compact);
    ByteArray<16> guess{};  // the attacker's own keys: unused by SPI 00 00, and no key of the card
    crypto::random_bytes(guess);
    ota::KeySet mine;
    mine.kvn = ota::KeyVersion(kKvnOriginal);
    mine.kic = ota::KicKey(guess);
    mine.kid = ota::KidKey(guess);
    auto packet = ota::wrap_command(spec, mine);
    if (packet.failed()) throw std::runtime_error(fmt::format("atk_inject: {}", ota::describe(packet.error())));
    for (auto& ud : ota::command_packet_user_data(packet.value(), static_cast<std::uint16_t>(c & 0xFFFFu))) {
      ota::SmsDeliver sms;
      sms.originator = ota::SmsAddress{0x91, "4470000001"};
      sms.user_data = std::move(ud);
      Sms m;
      m.device = d;
      m.party = Party::MnoA;  // the address it claims; no PoR is asked, so nothing goes back
      m.tag = SmsTag{Carries::SetImsi, c};
      m.tpdu = ota::encode_sms_deliver(sms);
      forged_.push_back(std::move(m));
    }
    // The model's atk_inject(k): a packet the card's MSL accepts without CC counts as under the card's own key
    // set (k = ota(d)); one it refuses is under the attacker's key, which is no key of the card.
    f_.ghost_[d].sent_set.push_back(SentSet{target, c, opt_.test_break_secured_ota ? f_.last_[d].ota : kForeignKey});
    r.allowed = true;
    r.counter = c;
  }

  FleetOptions opt_;
  Fleet f_;
  Tick t_ = 0;
  std::vector<Sms> down_, up_;  // every SMS ever sent towards a card / towards an operator
  std::vector<Notice> held_;    // A's notices to B not yet delivered
  std::vector<Sms> forged_;     // the attacker's packets (atk_inject), deliverable like any SMS
  std::uint64_t forged_count_ = 0;
};

}  // namespace detail

Result<std::unique_ptr<Script>, std::string> Script::open(const ScriptOptions& o) {
  if (o.devices == 0 || o.devices > 16) return err(std::string("the script drives 1 to 16 devices"));
  try {
    return std::unique_ptr<Script>(new Script(std::make_unique<detail::ScriptDriver>(o)));
  } catch (const detail::Failure& e) {
    return err(e.message);
  }
}
Script::Script(std::unique_ptr<detail::ScriptDriver> p) : p_(std::move(p)) {}
Script::~Script() = default;

StepResult Script::step(std::string_view action, std::uint32_t d, std::optional<std::uint64_t> c, ImsiIs target) {
  try {
    return p_->step(action, d, c, target);
  } catch (const detail::Failure& e) {
    throw std::runtime_error(e.message);
  } catch (const detail::CrashNow&) {
    throw std::runtime_error("unexpected crash point");
  }
}
std::uint32_t Script::devices() const noexcept { return p_->devices(); }
nlohmann::json Script::state() const { return p_->state(); }
const std::vector<AbstractDevice>& Script::abstract() const { return p_->abstract(); }
std::vector<std::uint64_t> Script::counters(Kind k, std::uint32_t d) const { return p_->counters(k, d); }

}  // namespace mnoswitch::mechanism
