// TS 35.206 §4.1 Milenage; TS 33.102 §6.8.1.2 c2/c3; TS 55.205 GSM-MILENAGE SRES.
#include "reference/aka/milenage.hpp"

#include <algorithm>

#include "reference/crypto/wipe.hpp"

namespace mnoswitch::aka {
namespace {

// Wipes a block of key-derived data (TEMP, OUTi) when it goes out of scope.
struct Scratch {
  Block b{};
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { crypto::secure_wipe(b); }
};

void xor_into(Block& a, std::span<const std::uint8_t, 16> b) noexcept {
  for (std::size_t i = 0; i < 16; ++i) a[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
}

// TS 35.206 §4.1: rot(x, r) rotates x cyclically by r bit positions towards the most significant bit.
Block rot(const Block& x, unsigned r) noexcept {
  r %= 128;
  const std::size_t byte_shift = r / 8;
  const unsigned bit_shift = r % 8;
  Block out{};
  for (std::size_t j = 0; j < 16; ++j) {
    const std::uint8_t hi = x[(j + byte_shift) % 16];
    if (bit_shift == 0) {
      out[j] = hi;
    } else {
      const std::uint8_t lo = x[(j + byte_shift + 1) % 16];
      out[j] = static_cast<std::uint8_t>((hi << bit_shift) | (lo >> (8 - bit_shift)));
    }
  }
  return out;
}

// TS 35.206 §4.1: IN1 = SQN[0..47] || AMF[0..15] || SQN[0..47] || AMF[0..15].
Block make_in1(Sqn sqn, const Amf& amf) noexcept {
  Block in1{};
  const auto s = sqn.bytes();
  std::copy(s.begin(), s.end(), in1.begin());
  std::copy(amf.bytes().begin(), amf.bytes().end(), in1.begin() + 6);
  std::copy(in1.begin(), in1.begin() + 8, in1.begin() + 8);
  return in1;
}

template <class Out, std::size_t Offset>
Out slice(const Block& b) {
  ByteArray<Out::size> a{};
  std::copy_n(b.begin() + Offset, Out::size, a.begin());
  return Out(a);
}

}  // namespace

Opc derive_opc(const K& k, const Op& op) {
  const crypto::Aes128 aes(k.expose());
  Scratch e;
  e.b = aes.encrypt(to_array<16>(op.expose()));
  xor_into(e.b, op.expose());
  return Opc(e.b);
}

Milenage::Milenage(const K& k, Opc opc, const MilenageProfile& profile)
    : aes_(k.expose()), opc_(std::move(opc)), profile_(profile) {}

Milenage Milenage::from_op(const K& k, const Op& op, const MilenageProfile& profile) {
  return Milenage(k, derive_opc(k, op), profile);
}

Milenage Milenage::seed_profile(const K& k) {
  return from_op(k, Op(kSeedProfile.op), kSeedProfile.constants);
}

// TS 35.206 §4.1: TEMP = E_K(RAND xor OPc).
Block Milenage::temp(const Rand& rand) const {
  Block x = rand.bytes();
  xor_into(x, opc_.expose());
  Block t = aes_.encrypt(x);
  crypto::secure_wipe(x);
  return t;
}

// TS 35.206 §4.1: OUT1 input = TEMP xor rot(IN1 xor OPc, r1) xor c1; OUTi input (i = 2..5) = rot(TEMP xor OPc, ri)
// xor ci.
Block Milenage::out_input(std::size_t i, const Block& temp, const Block* in1) const {
  Scratch x;
  if (i == 1) {
    x.b = *in1;
    xor_into(x.b, opc_.expose());
    Block y = rot(x.b, profile_.r[0]);
    xor_into(y, temp);
    xor_into(y, profile_.c[0]);
    return y;
  }
  x.b = temp;
  xor_into(x.b, opc_.expose());
  Block y = rot(x.b, profile_.r[i - 1]);
  xor_into(y, profile_.c[i - 1]);
  return y;
}

// TS 35.206 §4.1: OUTi = E_K(input_i) xor OPc.
Block Milenage::out(std::size_t i, const Block& temp, const Block* in1) const {
  Scratch in;
  in.b = out_input(i, temp, in1);
  Block o = aes_.encrypt(in.b);
  xor_into(o, opc_.expose());
  return o;
}

// TS 35.206 §4.1: f1 = OUT1[0..63], f1* = OUT1[64..127].
MacA Milenage::f1(const Rand& rand, Sqn sqn, const Amf& amf) const {
  Scratch t, o;
  t.b = temp(rand);
  const Block in1 = make_in1(sqn, amf);
  o.b = out(1, t.b, &in1);
  return slice<MacA, 0>(o.b);
}

MacS Milenage::f1star(const Rand& rand, Sqn sqn, const Amf& amf) const {
  Scratch t, o;
  t.b = temp(rand);
  const Block in1 = make_in1(sqn, amf);
  o.b = out(1, t.b, &in1);
  return slice<MacS, 8>(o.b);
}

// TS 35.206 §4.1: f5 = OUT2[0..47], f2 = OUT2[64..127], f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47].
Res Milenage::f2(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(2, t.b, nullptr);
  return slice<Res, 8>(o.b);
}

Ck Milenage::f3(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(3, t.b, nullptr);
  return slice<Ck, 0>(o.b);
}

Ik Milenage::f4(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(4, t.b, nullptr);
  return slice<Ik, 0>(o.b);
}

Ak Milenage::f5(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(2, t.b, nullptr);
  return slice<Ak, 0>(o.b);
}

Ak Milenage::f5star(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(5, t.b, nullptr);
  return slice<Ak, 0>(o.b);
}

// OUT1..OUT4 depend only on TEMP, so after the one TEMP block they go through AES together (4 blocks, one call).
MilenageOutputs Milenage::compute(const Rand& rand, Sqn sqn, const Amf& amf) const {
  Scratch t;
  t.b = temp(rand);
  const Block in1 = make_in1(sqn, amf);
  std::array<crypto::AesBlock, 4> blocks{};
  for (std::size_t i = 0; i < 4; ++i) blocks[i] = out_input(i + 1, t.b, &in1);
  aes_.encrypt_blocks(blocks, blocks);
  for (auto& b : blocks) xor_into(b, opc_.expose());
  MilenageOutputs r{slice<MacA, 0>(blocks[0]), slice<MacS, 8>(blocks[0]), slice<Res, 8>(blocks[1]),
                    slice<Ck, 0>(blocks[2]),   slice<Ik, 0>(blocks[3]),   slice<Ak, 0>(blocks[1])};
  for (auto& b : blocks) crypto::secure_wipe(b);
  return r;
}

// TS 33.102 §6.8.1.2 c2: SRES = XRES*1 xor XRES*2 xor XRES*3 xor XRES*4, XRES* = XRES padded with zeros to 128 bits
// (so with Milenage's 64-bit RES, the last two words are zero).
Sres c2(const Res& xres) {
  ByteArray<kSresSize> s{};
  for (std::size_t i = 0; i < kResSize; ++i) s[i % kSresSize] = static_cast<std::uint8_t>(s[i % kSresSize] ^ xres.bytes()[i]);
  return Sres(s);
}

// TS 33.102 §6.8.1.2 c3: Kc = CK1 xor CK2 xor IK1 xor IK2 (64-bit halves).
Kc c3(const Ck& ck, const Ik& ik) {
  Kc kc;
  auto out = kc.expose_mut();
  const auto c = ck.expose();
  const auto k = ik.expose();
  for (std::size_t i = 0; i < kKcSize; ++i)
    out[i] = static_cast<std::uint8_t>(c[i] ^ c[i + kKcSize] ^ k[i] ^ k[i + kKcSize]);
  return kc;
}

Sres gsm_milenage_sres(const Res& res) {
  ByteArray<kSresSize> s{};
  std::copy_n(res.bytes().begin(), kSresSize, s.begin());
  return Sres(s);
}

}  // namespace mnoswitch::aka
