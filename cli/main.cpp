// mnoswitch: entry point; dispatches to the registered subcommands.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "cli/command.hpp"

namespace mnoswitch::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace mnoswitch::cli

int main(int argc, char** argv) {
  using namespace mnoswitch::cli;
  CLI::App app{"mnoswitch: over-the-air change of MNO for M2M devices (3GPP TR 33.812 alternative), "
               "formally checked reference implementation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mnoswitch 0.1.0");

  auto& commands = registry();
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;
  for (auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    actions.emplace_back(sub, c.setup(*sub));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0: let CLI11 print them.
    if (e.get_exit_code() == 0) return app.exit(e);
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty()) {
      std::string names;
      for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c.name;
      fmt::print(stderr, "mnoswitch: unknown command \"{}\" (commands: {}; see --help)\n", argv[1], names);
      return kBadInput;
    }
    // CLI11 quotes unexpected arguments back; one of them may be a key pasted in the wrong place: not echoed.
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      fmt::print(stderr, "mnoswitch: unexpected extra argument(s) (not shown: they may hold a key; see --help)\n");
      return kBadInput;
    }
    fmt::print(stderr, "mnoswitch: {} (see --help)\n", e.what());
    return kBadInput;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const Failure& f) {
    fmt::print(stderr, "mnoswitch: {}\n", f.message);
    return f.code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mnoswitch: internal error: {}\n", e.what());
    return kInternal;
  }
  return kInternal;
}
