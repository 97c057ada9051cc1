// Milenage/AKA against another implementation: libosmocore's osmo-auc-gen (TS 35.206, TS 33.102 §6.3.2, §6.3.5,
// §6.8.1.2). Random inputs, OP and OPc paths, OP = 0 (seed R3); every line it prints is compared. REQ-AKA-01,
// REQ-AKA-03, REQ-AKA-10, REQ-AKA-11, REQ-AKA-12.
#include <fmt/format.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "reference/aka/auc.hpp"
#include "reference/aka/milenage.hpp"
#include "reference/aka/usim_auth.hpp"
#include "reference/core/hex.hpp"

using namespace mnoswitch;
using namespace mnoswitch::aka;

namespace {

constexpr int kRuns = 120;  // per test case; the issue asks for at least 100 random inputs

// Runs a command and returns its stdout and exit status. Inputs are hex we generated, so no shell quoting issues.
std::pair<std::string, int> run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 512> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) out += buf.data();
  const int status = pclose(p);
  return {out, status};
}

// osmo-auc-gen prints "NAME:\tvalue" lines (plus a banner without tabs).
std::map<std::string, std::string> fields(const std::string& text) {
  std::map<std::string, std::string> f;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    const auto tab = line.find(":\t");
    if (tab != std::string::npos) f[line.substr(0, tab)] = line.substr(tab + 2);
    pos = nl + 1;
  }
  return f;
}

std::string base64(ByteSpan b) {
  static constexpr char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const unsigned v = (unsigned{b[i]} << 16) | (unsigned{b[i + 1]} << 8) | b[i + 2];
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (b.size() - i == 1) {
    const unsigned v = unsigned{b[i]} << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (b.size() - i == 2) {
    const unsigned v = (unsigned{b[i]} << 16) | (unsigned{b[i + 1]} << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

struct Gen {
  std::mt19937_64 rng;
  template <std::size_t N>
  ByteArray<N> bytes() {
    ByteArray<N> b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
  }
  std::uint64_t below(std::uint64_t n) { return rng() % n; }
};

std::uint64_t seed() {
  std::random_device rd;
  const std::uint64_t s = (std::uint64_t{rd()} << 32) | rd();
  return s;
}

struct Input {
  ByteArray<16> k, op_or_opc;
  bool is_op;
  Rand rand;
  Amf amf;
};

Input random_input(Gen& g, int i) {
  Input in{g.bytes<16>(), g.bytes<16>(), (i % 2) == 0, Rand(g.bytes<16>()), Amf(g.bytes<2>())};
  if (i % 4 == 0) in.op_or_opc = ByteArray<16>{};  // the seed's OP = 0 (every other OP-path run)
  return in;
}

Milenage milenage_for(const Input& in) {
  return in.is_op ? Milenage::from_op(K(in.k), Op(in.op_or_opc)) : Milenage(K(in.k), Opc(in.op_or_opc));
}

std::string base_cmd(const Input& in) {
  // Quirks (notes/aka.md): -3 must come first; -s is strtoull base 0, so pass 0x-hex.
  return fmt::format("osmo-auc-gen -3 -a milenage -k {} {} {} -r {} -f {}", to_hex(in.k), in.is_op ? "-O" : "-o",
                     to_hex(in.op_or_opc), to_hex(in.rand.span()), to_hex(in.amf.span()));
}

// Compares every value osmo-auc-gen printed for (RAND, SQN) with ours.
void compare_vector(const std::map<std::string, std::string>& f, const Milenage& m, const Input& in, Sqn sqn) {
  const auto out = m.compute(in.rand, sqn, in.amf);
  const Autn autn = make_autn(sqn, out.ak, in.amf, out.mac_a);
  CHECK(f.at("RAND") == to_hex(in.rand.span()));
  CHECK(f.at("AUTN") == to_hex(autn.span()));
  CHECK(f.at("IK") == to_hex(out.ik.expose()));
  CHECK(f.at("CK") == to_hex(out.ck.expose()));
  CHECK(f.at("RES") == to_hex(out.res.span()));
  CHECK(f.at("SRES") == to_hex(c2(out.res).span()));
  CHECK(f.at("Kc") == to_hex(c3(out.ck, out.ik).expose()));
  Bytes nonce(in.rand.span().begin(), in.rand.span().end());
  nonce.insert(nonce.end(), autn.span().begin(), autn.span().end());
  CHECK(f.at("IMS nonce") == base64(nonce));
  CHECK(f.at("IMS res") == base64(out.res.span()));
  CHECK(f.at("IND") == std::to_string(sqn.ind(SqnLayout{})));
}

}  // namespace

TEST_CASE("REQ-AKA-01 REQ-AKA-03 REQ-AKA-10 osmo-auc-gen agrees on random vectors (OP, OPc, OP = 0)",
          "[conformance][osmo][REQ-AKA-01][REQ-AKA-03][REQ-AKA-10]") {
  REQUIRE(run("command -v osmo-auc-gen").second == 0);
  const std::uint64_t s = seed();
  INFO("seed " << s);
  Gen g{std::mt19937_64(s)};
  for (int i = 0; i < kRuns; ++i) {
    const Input in = random_input(g, i);
    const Sqn sqn = Sqn::make(g.below(kSqnLimit)).value();
    INFO("run " << i << ": " << base_cmd(in) << " -s 0x" << fmt::format("{:x}", sqn.value()));
    const auto [text, status] = run(base_cmd(in) + fmt::format(" -s 0x{:x}", sqn.value()));
    REQUIRE(status == 0);
    const auto f = fields(text);
    REQUIRE(f.count("SQN") == 1);
    // osmo-auc-gen prints the SQN it used; it must be ours, unchanged.
    CHECK(f.at("SQN") == std::to_string(sqn.value()));
    compare_vector(f, milenage_for(in), in, sqn);
    CHECK(f.size() == 11);  // RAND AUTN IK CK RES IMS nonce, IMS res SRES Kc SQN IND: nothing left unchecked
  }
}

TEST_CASE("REQ-AKA-11 REQ-AKA-12 osmo-auc-gen -A recovers our AUTS and continues as our AuC does",
          "[conformance][osmo][REQ-AKA-11][REQ-AKA-12]") {
  REQUIRE(run("command -v osmo-auc-gen").second == 0);
  const std::uint64_t s = seed();
  INFO("seed " << s);
  Gen g{std::mt19937_64(s)};
  const SqnLayout layout{};
  for (int i = 0; i < kRuns; ++i) {
    const Input in = random_input(g, i);
    const Milenage m = milenage_for(in);
    // A USIM state whose highest accepted SEQ is random (but leaves room for the next SEQ).
    const Sqn sqn_ms = Sqn::compose(g.below(layout.seq_limit() - 1), g.below(layout.ind_count()), layout).value();
    const Auts auts = make_auts(m, in.rand, sqn_ms);
    INFO("run " << i << ": " << base_cmd(in) << " -A " << to_hex(auts.span()));
    const auto [text, status] = run(base_cmd(in) + " -A " + to_hex(auts.span()));
    REQUIRE(status == 0);
    const auto f = fields(text);
    REQUIRE(f.count("SQN.MS") == 1);
    CHECK(f.at("SQN.MS") == std::to_string(sqn_ms.value()));
    // Our AuC: verify the AUTS, adopt SQN_MS, issue the next SEQ (IND slot 0, as osmo-auc-gen's default -i 0).
    AucSqnState auc{layout, 0, 0};
    auto r = resynchronise(m, auc, in.rand, auts);
    REQUIRE(r.ok());
    CHECK(r.value() == sqn_ms);
    auto v = make_vector(m, auc, in.rand, in.amf);
    REQUIRE(v.ok());
    CHECK(f.at("SQN") == std::to_string(v.value().sqn.value()));
    compare_vector(f, m, in, v.value().sqn);
    CHECK(f.at("AUTN") == to_hex(v.value().autn.span()));
  }
}

TEST_CASE("REQ-AKA-12 osmo-auc-gen refuses an AUTS whose MAC-S we broke, as we do", "[conformance][osmo][REQ-AKA-12]") {
  REQUIRE(run("command -v osmo-auc-gen").second == 0);
  Gen g{std::mt19937_64(seed())};
  const Input in = random_input(g, 1);
  const Milenage m = milenage_for(in);
  auto b = make_auts(m, in.rand, Sqn::make(12345).value()).bytes();
  b[13] ^= 0x40;
  const auto [text, status] = run(base_cmd(in) + " -A " + to_hex(b));
  CHECK(fields(text).count("SQN.MS") == 0);
  CHECK(status != 0);
  AucSqnState auc{};
  auto r = resynchronise(m, auc, in.rand, Auts(b));
  REQUIRE(r.failed());
  CHECK(r.error() == AucError::MacSFailure);
}
