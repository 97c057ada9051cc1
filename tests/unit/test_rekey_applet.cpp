// spec/mechanism.md §6 (REQ-HO-12, REQ-HO-13): the re-key key agreement on the card — INIT under the current OTA
// keys, COMMIT under the agreed ones; the card then authenticates only with K' and A's key set is gone.
#include <catch2/catch.hpp>

#include "reference/aka/auc.hpp"
#include "reference/crypto/random.hpp"
#include "reference/mechanism/device.hpp"
#include "reference/operators/hss.hpp"
#include "reference/operators/ota_server.hpp"
#include "reference/ota/sms.hpp"
#include "reference/usim/rekey_applet.hpp"
#include "reference/usim/usim_files.hpp"

using namespace mnoswitch;

namespace {

struct Rig {
  aka::K k;
  aka::Opc opc;
  ota::KeySet keys;
  std::string imsi = "001011000000007";
  std::optional<mechanism::Device> device;

  Rig() {
    ByteArray<16> kb{}, kic{}, kid{};
    crypto::random_bytes(kb);
    crypto::random_bytes(kic);
    crypto::random_bytes(kid);
    k = aka::K(kb);
    opc = aka::derive_opc(k, aka::Op(ByteArray<16>{}));
    keys.kvn = ota::KeyVersion(1);
    keys.kic = ota::KicKey(kic);
    keys.kid = ota::KidKey(kid);
    usim::CardConfig config;
    config.k = k;
    config.opc = opc;
    config.key_sets.push_back(keys);
    usim::CardState state;
    const auto iccid = usim::Iccid::with_check_digit("898821100000000007").value();
    state.fs = usim::build_usim_file_system(iccid, usim::Imsi::parse(imsi, usim::MncLength::Two).value(), {});
    state.selection.df = state.fs.first_adf().value_or(0);
    state.sqn = aka::UsimSqnState::fresh(aka::SqnLayout{});
    device.emplace(usim::RekeyCard(usim::Card(std::move(config), std::move(state))), iccid.digits());
  }

  // Sends one command to the re-key TAR; returns the PoR reading (read with `por_keys`), if any.
  std::optional<ota::PorReading> send(const ota::KeySet& with, std::uint64_t counter, ByteSpan data,
                                      const ota::KeySet& por_keys) {
    auto tpdus = operators::OtaServer::command_sms(with, operators::kRekeyTar, ota::CounterMode::Higher, counter, data, 1);
    REQUIRE(tpdus.ok());
    std::optional<ota::PorReading> out;
    for (auto& t : tpdus.value()) {
      auto o = device->receive_sms(t, nullptr, 0);
      for (auto& up : o.uplink) {
        auto r = operators::OtaServer::read_por_sms(por_keys, ota::CounterMode::Higher, up);
        if (r.ok()) out = r.value();
      }
    }
    return out;
  }

  mechanism::AttachOutcome attach_with(const aka::K& key) {
    operators::Hss hss(operators::ImsiBlock{"00101", 1000000000, 10});
    operators::AucRecord rec;
    rec.k = key;
    rec.opc = aka::derive_opc(key, aka::Op(ByteArray<16>{}));
    rec.sqn.seq_he = 1000;  // above anything the card has seen
    hss.put(imsi, std::move(rec));
    return device->attach([&](const std::string&) { return &hss; });
  }
};

}  // namespace

TEST_CASE("re-key: INIT then COMMIT under the agreed keys switches K and drops the old key set", "[rekey][REQ-HO-13][INV-SECRECY]") {
  Rig rig;
  REQUIRE(rig.attach_with(rig.k) == mechanism::AttachOutcome::Attached);

  // B's side of the agreement.
  const auto b_secret = crypto::x25519_generate();
  const auto b_public = crypto::x25519_public(b_secret);
  auto por = rig.send(rig.keys, 5, usim::rekey_init_data(b_public), rig.keys);
  REQUIRE(por);
  REQUIRE(por->status == ota::ResponseStatus::PorOk);
  REQUIRE(por->data.size() == crypto::kX25519KeySize);
  const crypto::X25519PublicKey card_public(std::span<const std::uint8_t, 32>(por->data.data(), 32));
  auto shared = crypto::x25519(b_secret, card_public);
  REQUIRE(shared.ok());
  auto m = usim::derive_rekey_material(shared.value(), rig.device->iccid(), b_public, card_public);
  REQUIRE(m.ok());
  ota::KeySet agreed;
  agreed.kvn = ota::KeyVersion(usim::kRekeyKeyVersion);
  agreed.kic = m.value().kic;
  agreed.kid = m.value().kid;
  CHECK(rig.device->card().agreement_pending());
  CHECK(rig.attach_with(rig.k) == mechanism::AttachOutcome::Attached);  // nothing switched before COMMIT

  // A COMMIT under the old keys (what A could forge) is not a commit.
  auto forged = rig.send(rig.keys, 6, Bytes{usim::kRekeyCommit}, rig.keys);
  CHECK(rig.device->card().generation() == usim::KeyGenerationOnCard::Original);
  (void)forged;

  auto done = rig.send(agreed, 1, Bytes{usim::kRekeyCommit}, agreed);
  REQUIRE(done);
  CHECK(done->status == ota::ResponseStatus::PorOk);
  CHECK(rig.device->card().generation() == usim::KeyGenerationOnCard::Rekeyed);
  CHECK(rig.attach_with(m.value().k) == mechanism::AttachOutcome::Attached);
  CHECK(rig.attach_with(rig.k) == mechanism::AttachOutcome::AuthFailed);  // the old K (A's) no longer works

  // A's key set is gone: a command under it is refused (no OK PoR), whatever the counter.
  auto stale = rig.send(rig.keys, 50, usim::rekey_init_data(b_public), rig.keys);
  CHECK((!stale || stale->status != ota::ResponseStatus::PorOk));
  // A repeated COMMIT (PoR lost) is answered OK again under the agreed keys: idempotent.
  auto again = rig.send(agreed, 2, Bytes{usim::kRekeyCommit}, agreed);
  REQUIRE(again);
  CHECK(again->status == ota::ResponseStatus::PorOk);
}

TEST_CASE("re-key: a replayed INIT (same counter) is refused by the counter", "[rekey][REQ-HO-09]") {
  Rig rig;
  const auto b_public = crypto::x25519_public(crypto::x25519_generate());
  auto first = rig.send(rig.keys, 9, usim::rekey_init_data(b_public), rig.keys);
  REQUIRE(first);
  CHECK(first->status == ota::ResponseStatus::PorOk);
  auto replay = rig.send(rig.keys, 9, usim::rekey_init_data(b_public), rig.keys);
  REQUIRE(replay);
  CHECK(replay->status == ota::ResponseStatus::CounterLow);
}
