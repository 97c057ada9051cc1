// TS 35.206 §4.1 Milenage; TS 33.102 §6.8.1.2 c2/c3; TS 55.205 GSM-MILENAGE SRES.
#include "reference/aka/milenage.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "reference/crypto/wipe.hpp"

namespace mnoswitch::aka {
namespace {

// 128-bit arithmetic on Milenage blocks: load big-endian, xor and rotate as one integer (gcc/clang __int128).
using U128 = unsigned __int128;

U128 load(std::span<const std::uint8_t, 16> b) noexcept {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::memcpy(&hi, b.data(), 8);
  std::memcpy(&lo, b.data() + 8, 8);
  if constexpr (std::endian::native == std::endian::little) {
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
  }
  return (U128{hi} << 64) | lo;
}
Block store(U128 v) noexcept {
  std::uint64_t hi = static_cast<std::uint64_t>(v >> 64);
  std::uint64_t lo = static_cast<std::uint64_t>(v);
  if constexpr (std::endian::native == std::endian::little) {
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
  }
  Block b;
  std::memcpy(b.data(), &hi, 8);
  std::memcpy(b.data() + 8, &lo, 8);
  return b;
}

// TS 35.206 §4.1: rot(x, r) rotates x cyclically by r bit positions towards the most significant bit.
U128 rot(U128 x, unsigned r) noexcept {
  r %= 128;
  return r == 0 ? x : (x << r) | (x >> (128 - r));
}

// Wipes key-derived scratch (TEMP, OUTi). A compiler barrier keeps the stores; cheaper than a library call, which
// matters on the AuC's hot path (several wipes per vector).
template <class T>
void wipe(T& v) noexcept {
  std::memset(static_cast<void*>(&v), 0, sizeof v);
  __asm__ __volatile__("" : : "r"(&v) : "memory");
}

// Wipes a block of key-derived data when it goes out of scope.
struct Scratch {
  Block b{};
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { wipe(b); }
};

void xor_into(Block& a, std::span<const std::uint8_t, 16> b) noexcept {
  for (std::size_t i = 0; i < 16; ++i) a[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
}

// TS 35.206 §4.1: IN1 = SQN[0..47] || AMF[0..15] || SQN[0..47] || AMF[0..15].
U128 make_in1(Sqn sqn, const Amf& amf) noexcept {
  const std::uint64_t half = (sqn.value() << 16) | (std::uint64_t{amf.bytes()[0]} << 8) | amf.bytes()[1];
  return (U128{half} << 64) | half;
}

template <class Out, std::size_t Offset>
Out slice(const Block& b) {
  ByteArray<Out::size> a{};
  std::copy_n(b.begin() + Offset, Out::size, a.begin());
  Out out(a);
  wipe(a);
  return out;
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
  Scratch x;
  x.b = rand.bytes();
  xor_into(x.b, opc_.expose());
  return aes_.encrypt(x.b);
}

// TS 35.206 §4.1: OUT1 input = TEMP xor rot(IN1 xor OPc, r1) xor c1; OUTi input (i = 2..5) = rot(TEMP xor OPc, ri)
// xor ci.
Block Milenage::out_input(std::size_t i, const Block& temp, const Sqn* sqn, const Amf* amf) const {
  const U128 opc = load(opc_.expose());
  U128 t = load(temp);
  U128 y = 0;
  if (i == 1)
    y = t ^ rot(make_in1(*sqn, *amf) ^ opc, profile_.r[0]) ^ load(profile_.c[0]);
  else
    y = rot(t ^ opc, profile_.r[i - 1]) ^ load(profile_.c[i - 1]);
  Block out = store(y);
  wipe(t);
  wipe(y);
  return out;
}

// TS 35.206 §4.1: OUTi = E_K(input_i) xor OPc.
Block Milenage::out(std::size_t i, const Block& temp, const Sqn* sqn, const Amf* amf) const {
  Scratch in;
  in.b = out_input(i, temp, sqn, amf);
  Block o = aes_.encrypt(in.b);
  xor_into(o, opc_.expose());
  return o;
}

// TS 35.206 §4.1: f1 = OUT1[0..63], f1* = OUT1[64..127].
MacA Milenage::f1(const Rand& rand, Sqn sqn, const Amf& amf) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(1, t.b, &sqn, &amf);
  return slice<MacA, 0>(o.b);
}

MacS Milenage::f1star(const Rand& rand, Sqn sqn, const Amf& amf) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(1, t.b, &sqn, &amf);
  return slice<MacS, 8>(o.b);
}

// TS 35.206 §4.1: f5 = OUT2[0..47], f2 = OUT2[64..127], f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47].
Res Milenage::f2(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(2, t.b, nullptr, nullptr);
  return slice<Res, 8>(o.b);
}

Ck Milenage::f3(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(3, t.b, nullptr, nullptr);
  return slice<Ck, 0>(o.b);
}

Ik Milenage::f4(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(4, t.b, nullptr, nullptr);
  return slice<Ik, 0>(o.b);
}

Ak Milenage::f5(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(2, t.b, nullptr, nullptr);
  return slice<Ak, 0>(o.b);
}

Ak Milenage::f5star(const Rand& rand) const {
  Scratch t, o;
  t.b = temp(rand);
  o.b = out(5, t.b, nullptr, nullptr);
  return slice<Ak, 0>(o.b);
}

// OUT1..OUT4 depend only on TEMP, so after the one TEMP block they go through AES together (4 blocks, one call).
// Written on 128-bit integers: this is the AuC's hot path (TS 35.206 §4.1, same formulas as out_input()).
void Milenage::out1to4(const Rand& rand, Sqn sqn, const Amf& amf, std::array<crypto::AesBlock, 4>& blocks) const {
  U128 opc = load(opc_.expose());
  Block x = store(load(rand.bytes()) ^ opc);
  U128 t = load(aes_.encrypt(x));  // TEMP
  U128 to = t ^ opc;
  blocks[0] = store(t ^ rot(make_in1(sqn, amf) ^ opc, profile_.r[0]) ^ load(profile_.c[0]));
  for (std::size_t i = 1; i < 4; ++i) blocks[i] = store(rot(to, profile_.r[i]) ^ load(profile_.c[i]));
  aes_.encrypt_blocks(blocks, blocks);
  for (auto& b : blocks) b = store(load(b) ^ opc);
  wipe(x);
  wipe(t);
  wipe(to);
  wipe(opc);
}

MilenageOutputs Milenage::compute(const Rand& rand, Sqn sqn, const Amf& amf) const {
  std::array<crypto::AesBlock, 4> blocks{};
  out1to4(rand, sqn, amf, blocks);
  MilenageOutputs r{slice<MacA, 0>(blocks[0]), slice<MacS, 8>(blocks[0]), slice<Res, 8>(blocks[1]),
                    slice<Ck, 0>(blocks[2]),   slice<Ik, 0>(blocks[3]),   slice<Ak, 0>(blocks[1])};
  wipe(blocks);
  return r;
}

// TS 33.102 §6.3.2: AUTN = (SQN xor AK) || AMF || MAC-A with AK = OUT2[0..47], MAC-A = OUT1[0..63].
AuthVector Milenage::vector(const Rand& rand, Sqn sqn, const Amf& amf) const {
  std::array<crypto::AesBlock, 4> blocks{};
  out1to4(rand, sqn, amf, blocks);
  ByteArray<kAutnSize> autn{};
  const auto s = sqn.bytes();
  for (std::size_t i = 0; i < kSqnSize; ++i) autn[i] = static_cast<std::uint8_t>(s[i] ^ blocks[1][i]);
  autn[kSqnSize] = amf.bytes()[0];
  autn[kSqnSize + 1] = amf.bytes()[1];
  std::copy_n(blocks[0].begin(), kMacSize, autn.begin() + kSqnSize + kAmfSize);
  AuthVector v{rand, slice<Res, 8>(blocks[1]), Ck(blocks[2]), Ik(blocks[3]), Autn(autn), sqn};
  wipe(blocks);
  return v;
}

void Milenage::fill_vectors(std::span<AuthVector> vectors, const Amf& amf) const {
  constexpr std::size_t kChunk = 16;  // keeps the scratch on the stack
  std::array<crypto::AesBlock, kChunk> temps{};
  std::array<crypto::AesBlock, 4 * kChunk> outs{};
  U128 opc = load(opc_.expose());
  for (std::size_t at = 0; at < vectors.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, vectors.size() - at);
    const auto chunk = vectors.subspan(at, n);
    for (std::size_t j = 0; j < n; ++j) temps[j] = store(load(chunk[j].rand.bytes()) ^ opc);
    aes_.encrypt_blocks(std::span<const crypto::AesBlock>(temps.data(), n), std::span(temps.data(), n));
    for (std::size_t j = 0; j < n; ++j) {
      U128 t = load(temps[j]);
      U128 to = t ^ opc;
      outs[4 * j] = store(t ^ rot(make_in1(chunk[j].sqn, amf) ^ opc, profile_.r[0]) ^ load(profile_.c[0]));
      for (std::size_t i = 1; i < 4; ++i) outs[4 * j + i] = store(rot(to, profile_.r[i]) ^ load(profile_.c[i]));
      wipe(t);
      wipe(to);
    }
    aes_.encrypt_blocks(std::span<const crypto::AesBlock>(outs.data(), 4 * n), std::span(outs.data(), 4 * n));
    for (std::size_t j = 0; j < n; ++j) {
      AuthVector& v = chunk[j];
      Block o1 = store(load(outs[4 * j]) ^ opc);
      Block o2 = store(load(outs[4 * j + 1]) ^ opc);
      Block o3 = store(load(outs[4 * j + 2]) ^ opc);
      Block o4 = store(load(outs[4 * j + 3]) ^ opc);
      ByteArray<kResSize> res{};
      std::copy_n(o2.begin() + 8, kResSize, res.begin());
      v.xres = Res(res);
      std::copy(o3.begin(), o3.end(), v.ck.expose_mut().begin());
      std::copy(o4.begin(), o4.end(), v.ik.expose_mut().begin());
      ByteArray<kAutnSize> autn{};
      const auto s = v.sqn.bytes();
      for (std::size_t i = 0; i < kSqnSize; ++i) autn[i] = static_cast<std::uint8_t>(s[i] ^ o2[i]);
      autn[kSqnSize] = amf.bytes()[0];
      autn[kSqnSize + 1] = amf.bytes()[1];
      std::copy_n(o1.begin(), kMacSize, autn.begin() + kSqnSize + kAmfSize);
      v.autn = Autn(autn);
      // o1..o4 hold MAC-S, AK, CK, IK.
      wipe(o1);
      wipe(o2);
      wipe(o3);
      wipe(o4);
    }
  }
  wipe(temps);
  wipe(outs);
  wipe(opc);
}

// TS 33.102 §6.8.1.2 c2: SRES = XRES*1 xor XRES*2 xor XRES*3 xor XRES*4, XRES* = XRES padded with zeros to 128 bits
// (so with Milenage's 64-bit RES, the last two words are zero).
Sres c2(const Res& xres) {
  ByteArray<kSresSize> s{};
  for (std::size_t i = 0; i < kResSize; ++i)
    s[i % kSresSize] = static_cast<std::uint8_t>(s[i % kSresSize] ^ xres.bytes()[i]);
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
