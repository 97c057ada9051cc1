// Subcommand registry: each cli/cmd_*.cpp registers itself with a static Registration, so adding a
// subcommand touches no shared file. Exit codes are shared by every subcommand (see README "Exit codes").
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <functional>
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

// Print JSON compactly on one line (machine use) - the shape documented per command.
inline void print_json(const nlohmann::json& j) { fmt::print("{}\n", j.dump()); }

}  // namespace mnoswitch::cli
