// Argument parsing shared by the Milenage/AKA subcommands: hex -> typed values, one clear error line (exit 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/command.hpp"
#include "reference/aka/milenage.hpp"
#include "reference/core/hex.hpp"

namespace mnoswitch::cli::aka_args {

// A fixed-size value (public or secret) from exactly 2*T::size hex digits; never padded or truncated.
template <class T>
[[nodiscard]] T parse(std::string_view option, const std::string& text) {
  auto r = parse_hex_exact(text, T::size);
  if (r.failed()) fail(kBadInput, fmt::format("{}: {}", option, describe(r.error())));
  ByteArray<T::size> b{};
  std::copy(r.value().begin(), r.value().end(), b.begin());
  T out(b);
  crypto::secure_wipe(b);  // may have been a key
  crypto::secure_wipe(std::span<std::uint8_t>(r.value()));
  return out;
}

// SQN is a 48-bit number written in hex (1 to 12 significant digits; leading zeros allowed). 2^48 and above are
// rejected, never truncated.
[[nodiscard]] inline aka::Sqn parse_sqn(std::string_view option, const std::string& text) {
  if (text.empty()) fail(kBadInput, fmt::format("{}: empty SQN", option));
  std::uint64_t v = 0;
  bool too_big = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) fail(kBadInput, fmt::format("{}: not a hex digit at position {}", option, i));
    if (v >= (std::uint64_t{1} << 48)) too_big = true;
    if (!too_big) v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  auto s = aka::Sqn::make(v);
  if (too_big || s.failed())
    fail(kBadInput, fmt::format("{}: SQN {} is not below 2^48 (at most 12 significant hex digits)", option, text));
  return s.value();
}

// --k plus exactly one of --op / --opc, as given on the command line.
struct SubscriberOptions {
  std::string k, op, opc;
  void add(CLI::App& app) {
    app.add_option("--k", k, "subscriber key K, 32 hex digits")->required();
    auto* o = app.add_option("--op", op, "operator variant OP, 32 hex digits (OPc is derived from it)");
    auto* c = app.add_option("--opc", opc, "OPc, 32 hex digits");
    o->excludes(c);
  }
  [[nodiscard]] aka::Milenage milenage() const {
    const auto key = parse<aka::K>("--k", k);
    if (op.empty() == opc.empty()) fail(kBadInput, "give exactly one of --op and --opc");
    if (!op.empty()) return aka::Milenage::from_op(key, parse<aka::Op>("--op", op));
    return aka::Milenage(key, parse<aka::Opc>("--opc", opc));
  }
};

// Known-answer tools print key material the user supplied or that derives from it; say so in --help.
inline constexpr std::string_view kPrintsKeysNote =
    "This is a known-answer tool: it prints derived keys (OPc, CK, IK, AK, Kc) on purpose, because you supplied K. "
    "Do not run it with production keys on a shared machine.";

}  // namespace mnoswitch::cli::aka_args
