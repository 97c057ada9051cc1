// RapidCheck properties of Milenage/AKA (TS 35.206 §4.1, TS 33.102 §6.3, Annex C): round trips, tamper detection,
// replay, SQN arithmetic. On failure RapidCheck prints the seed and shrunk counterexample (RC_PARAMS reproduces).
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>

#include "reference/aka/auc.hpp"
#include "reference/aka/milenage.hpp"
#include "reference/aka/usim_auth.hpp"
#include "reference/crypto/aes.hpp"

using namespace mnoswitch;
using namespace mnoswitch::aka;

namespace {

using Arr16 = std::array<std::uint8_t, 16>;

Arr16 gen16() {
  return *rc::gen::arbitrary<Arr16>();
}

SqnLayout gen_layout() {
  return SqnLayout::make(*rc::gen::inRange(0u, kMaxIndBits + 1)).value();
}

Milenage gen_subscriber() {
  const K k(gen16());
  if (*rc::gen::arbitrary<bool>()) return Milenage::from_op(k, Op(gen16()));
  return Milenage(k, Opc(gen16()));
}

// An AuC state with room for at least `room` more vectors.
AucSqnState gen_auc_state(SqnLayout l, std::uint64_t room) {
  const auto seq_he = *rc::gen::inRange<std::uint64_t>(0, l.seq_limit() - room);
  const auto ind = *rc::gen::inRange<std::uint64_t>(0, l.ind_count());
  return AucSqnState{l, seq_he, ind};
}

template <std::size_t N>
ByteArray<N> flip_one_bit(ByteArray<N> b) {
  const auto bit = *rc::gen::inRange<std::size_t>(0, N * 8);
  b[bit / 8] = static_cast<std::uint8_t>(b[bit / 8] ^ (1u << (bit % 8)));
  return b;
}

}  // namespace

TEST_CASE("REQ-AKA-11 REQ-AKA-05 properties of the AuC/USIM pair", "[property][aka][REQ-AKA-05][REQ-AKA-11]") {
  rc::prop("an AuC vector is accepted by a USIM with the same K/OPc, RES = XRES, CK/IK agree", [] {
    const Milenage m = gen_subscriber();
    const SqnLayout l = gen_layout();
    AucSqnState auc = gen_auc_state(l, 2);
    auto usim = UsimSqnState::fresh(l);
    const Rand rand(gen16());
    const auto v = make_vector(m, auc, rand, Amf(*rc::gen::arbitrary<std::array<std::uint8_t, 2>>()));
    RC_ASSERT(v.ok());
    const auto r = usim_authenticate(m, usim, rand, v.value().autn);
    RC_ASSERT(r.ok());
    RC_ASSERT(ct_equal(r.value().res, v.value().xres));
    RC_ASSERT(ct_equal(r.value().ck, v.value().ck));
    RC_ASSERT(ct_equal(r.value().ik, v.value().ik));
    RC_ASSERT(r.value().sqn == v.value().sqn);
  });

  rc::prop("a replayed AUTN gives a synchronisation failure and changes nothing", [] {
    const Milenage m = gen_subscriber();
    const SqnLayout l = gen_layout();
    AucSqnState auc = gen_auc_state(l, 2);
    auto usim = UsimSqnState::fresh(l);
    const auto v = make_vector(m, auc, Rand(gen16()), Amf{}).value();
    RC_ASSERT(usim_authenticate(m, usim, v.rand, v.autn).ok());
    const UsimSqnState after = usim;
    const auto r = usim_authenticate(m, usim, v.rand, v.autn);
    RC_ASSERT(r.failed());
    RC_ASSERT(std::holds_alternative<SynchFailure>(r.error()));
    RC_ASSERT(usim.seq_ms == after.seq_ms);
  });
}

TEST_CASE("REQ-AKA-05 any bit flip in RAND or AUTN is a MAC failure and leaves the USIM state unchanged",
          "[property][aka][REQ-AKA-05]") {
  rc::prop("flip in AUTN", [] {
    const Milenage m = gen_subscriber();
    const SqnLayout l = gen_layout();
    AucSqnState auc = gen_auc_state(l, 2);
    auto usim = UsimSqnState::fresh(l);
    // Some history in the USIM so that "unchanged" is not trivially the all-zero array.
    usim.record(Sqn::compose(*rc::gen::inRange<std::uint64_t>(0, l.seq_limit()), 0, l).value());
    const UsimSqnState before = usim;
    const auto v = make_vector(m, auc, Rand(gen16()), Amf{}).value();
    const auto r = usim_authenticate(m, usim, v.rand, Autn(flip_one_bit(v.autn.bytes())));
    RC_ASSERT(r.failed());
    RC_ASSERT(std::holds_alternative<MacFailure>(r.error()));
    RC_ASSERT(usim.seq_ms == before.seq_ms);
  });
  rc::prop("flip in RAND", [] {
    const Milenage m = gen_subscriber();
    const SqnLayout l = gen_layout();
    AucSqnState auc = gen_auc_state(l, 2);
    auto usim = UsimSqnState::fresh(l);
    const UsimSqnState before = usim;
    const auto v = make_vector(m, auc, Rand(gen16()), Amf{}).value();
    const auto r = usim_authenticate(m, usim, Rand(flip_one_bit(v.rand.bytes())), v.autn);
    RC_ASSERT(r.failed());
    RC_ASSERT(std::holds_alternative<MacFailure>(r.error()));
    RC_ASSERT(usim.seq_ms == before.seq_ms);
  });
}

TEST_CASE("REQ-AKA-12 the AUTS round trip recovers SQN_MS exactly", "[property][aka][REQ-AKA-12]") {
  rc::prop("recover_sqn_ms(make_auts(SQN_MS)) == SQN_MS; a flipped AUTS bit is a MAC-S failure", [] {
    const Milenage m = gen_subscriber();
    const Rand rand(gen16());
    const Sqn sqn_ms = Sqn::make(*rc::gen::inRange<std::uint64_t>(0, kSqnLimit)).value();
    const Auts auts = make_auts(m, rand, sqn_ms);
    const auto r = recover_sqn_ms(m, rand, auts);
    RC_ASSERT(r.ok());
    RC_ASSERT(r.value() == sqn_ms);
    const auto bad = recover_sqn_ms(m, rand, Auts(flip_one_bit(auts.bytes())));
    RC_ASSERT(bad.failed());
    RC_ASSERT(bad.error() == AucError::MacSFailure);
  });
  rc::prop("after resync the AuC's next vector is accepted by the USIM that sent AUTS", [] {
    const Milenage m = gen_subscriber();
    const SqnLayout l = gen_layout();
    auto usim = UsimSqnState::fresh(l);
    const auto seq = *rc::gen::inRange<std::uint64_t>(1, l.seq_limit() - 1);
    const auto ind = *rc::gen::inRange<std::uint64_t>(0, l.ind_count());
    usim.record(Sqn::compose(seq, ind, l).value());
    AucSqnState auc{l, 0, ind};  // an AuC that knows nothing (a new operator after the switch)
    const auto v = make_vector(m, auc, Rand(gen16()), Amf{}).value();
    const auto r = usim_authenticate(m, usim, v.rand, v.autn);
    RC_ASSERT(r.failed());
    RC_ASSERT(std::holds_alternative<SynchFailure>(r.error()));
    RC_ASSERT(resynchronise(m, auc, v.rand, std::get<SynchFailure>(r.error()).auts).ok());
    auc.next_ind = ind;
    const auto v2 = make_vector(m, auc, Rand(gen16()), Amf{}).value();
    RC_ASSERT(usim_authenticate(m, usim, v2.rand, v2.autn).ok());
  });
}

TEST_CASE("REQ-AKA-03 OPc = OP xor E_K(OP) for random OP != 0", "[property][aka][REQ-AKA-03]") {
  rc::prop("derive_opc", [] {
    const Arr16 k = gen16();
    const Arr16 op = *rc::gen::suchThat(rc::gen::arbitrary<Arr16>(), [](const Arr16& a) { return a != Arr16{}; });
    const crypto::Aes128 aes(k);
    const Arr16 expected = xor_bytes(op, aes.encrypt(op));
    RC_ASSERT(crypto::ct_equal(derive_opc(K(k), Op(op)).expose(), expected));
    // The classic bug (no final xor) would give E_K(OP); with OP != 0 that differs.
    RC_ASSERT(!crypto::ct_equal(derive_opc(K(k), Op(op)).expose(), aes.encrypt(op)));
  });
}

TEST_CASE("REQ-AKA-06 SQN arithmetic: SEQ/IND round trip, 48-bit bound, AuC SQNs strictly increase",
          "[property][aka][REQ-AKA-06]") {
  rc::prop("compose/split round trip", [] {
    const SqnLayout l = gen_layout();
    const auto seq = *rc::gen::inRange<std::uint64_t>(0, l.seq_limit());
    const auto ind = *rc::gen::inRange<std::uint64_t>(0, l.ind_count());
    const Sqn s = Sqn::compose(seq, ind, l).value();
    RC_ASSERT(s.value() < kSqnLimit);
    RC_ASSERT(s.seq(l) == seq);
    RC_ASSERT(s.ind(l) == ind);
    RC_ASSERT(Sqn::from_bytes(s.bytes()) == s);
  });
  rc::prop("values >= 2^48 are rejected", [] {
    const auto v = *rc::gen::inRange<std::uint64_t>(kSqnLimit, ~std::uint64_t{0});
    RC_ASSERT(Sqn::make(v).failed());
  });
  rc::prop("issued SQNs strictly increase until exhaustion, which is an error and changes nothing", [] {
    const SqnLayout l = gen_layout();
    const auto n = *rc::gen::inRange<std::uint64_t>(1, 40);
    AucSqnState st{l, l.seq_limit() - 1 - std::min(n, l.seq_limit() - 1), 0};
    std::optional<Sqn> last;
    for (;;) {
      const AucSqnState before = st;
      auto s = issue_sqn(st);
      if (s.failed()) {
        RC_ASSERT(st.seq_he == before.seq_he);
        RC_ASSERT(st.next_ind == before.next_ind);
        RC_ASSERT(st.seq_he == l.seq_limit() - 1);
        break;
      }
      if (last) RC_ASSERT(*last < s.value());
      last = s.value();
    }
  });
}
