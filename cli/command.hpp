// Subcommand registry: each cli/cmd_*.cpp registers itself with a static Registration, so adding a
// subcommand touches no shared file. Exit codes are shared by every subcommand (see README "Exit codes").
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace mnoswitch::cli {

// 0: success; 1: the check/verification ran and said no (MAC failure, refuted expectation);
// 2: bad input or usage; 3: environment (missing file, I/O, database); 4: internal error (a bug).
enum ExitCode : int { kOk = 0, kNegative = 1, kBadInput = 2, kEnvironment = 3, kInternal = 4 };

// Thrown by subcommands to leave with one clear line on stderr and a code.
struct Failure {
  ExitCode code;
  std::string message;
};
[[noreturn]] inline void fail(ExitCode code, std::string message) { throw Failure{code, std::move(message)}; }

// A subcommand: `setup` adds options to its CLI11 sub-app and returns the action to run when selected.
struct Command {
  std::string name;
  std::string help;
  std::function<std::function<int()>(CLI::App&)> setup;
};

std::vector<Command>& registry();

struct Registration {
  explicit Registration(Command c) { registry().push_back(std::move(c)); }
};

// A decimal number option: digits only and within std::uint64_t (CLI11 2.1 would wrap "-1" and saturate
// 99999999999999999999 silently). Attach with ->check(kUnsignedDecimal).
inline const CLI::Validator kUnsignedDecimal{
    [](std::string& v) -> std::string {
      std::uint64_t x = 0;
      const auto* end = v.data() + v.size();
      const auto r = std::from_chars(v.data(), end, x);
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || r.ec != std::errc() || r.ptr != end)
        return fmt::format("expected a decimal number from 0 to 2^64 - 1, got \"{}\"", v);
      return {};
    },
    "UINT"};

// The whole of a file the user named, or exit 3 (environment) with one line: missing, a directory, unreadable.
inline std::string read_user_file(const std::string& path, std::string_view what = "file") {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) fail(kEnvironment, fmt::format("cannot read {} {}: no such file", what, path));
  if (std::filesystem::is_directory(st)) fail(kEnvironment, fmt::format("cannot read {} {}: it is a directory", what, path));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(kEnvironment, fmt::format("cannot read {} {}: {}", what, path, std::strerror(errno)));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) fail(kEnvironment, fmt::format("cannot read {} {}", what, path));
  return s.str();
}

// Print JSON compactly on one line (machine use) - the shape documented per command.
inline void print_json(const nlohmann::json& j) { fmt::print("{}\n", j.dump()); }

}  // namespace mnoswitch::cli
