// mnoswitch: entry point; dispatches to the registered subcommands.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <functional>
#include <vector>

#include "cli/command.hpp"

namespace mnoswitch::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace mnoswitch::cli

namespace {
// Error messages never carry a run of 16 or more hex digits: a key (K, OPc, an OTA or transport key) pasted in
// the wrong place must not come back on stderr, whichever option or parser quotes it.
std::string without_long_hex(const std::string& m) {
  std::string out;
  std::size_t i = 0;
  while (i < m.size()) {
    std::size_t j = i;
    while (j < m.size() && std::isxdigit(static_cast<unsigned char>(m[j])) != 0) ++j;
    if (j - i >= 16) {
      out += fmt::format("<{} hex digits, not shown>", j - i);
      i = j;
    } else if (j > i) {
      out.append(m, i, j - i);
      i = j;
    } else {
      out.push_back(m[i++]);
    }
  }
  return out;
}
// Every subcommand of `a`, parsed or not.
std::vector<const CLI::App*> subcommands_of(const CLI::App& a) {
  const std::function<bool(const CLI::App*)> all = [](const CLI::App*) { return true; };
  return a.get_subcommands(all);
}
// Does `a` or any subcommand below it know the option `name` (--help, --version included)?
bool has_option(const CLI::App& a, const std::string& name) {
  for (const auto* opt : a.get_options())
    if (opt->check_name(name)) return true;
  for (const auto* sub : subcommands_of(a))
    if (has_option(*sub, name)) return true;
  return false;
}
}  // namespace

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
    // CLI11 quotes unexpected arguments back; one of them may be a key pasted in the wrong place: options are
    // named (up to any '='), other words are not echoed.
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      std::string options;
      for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.size() < 2 || a[0] != '-' || std::isdigit(static_cast<unsigned char>(a[1])) != 0) continue;
        const std::string name = a.substr(0, a.find('='));
        if (!has_option(app, name)) options += (options.empty() ? "" : ", ") + name;
      }
      if (!options.empty())
        fmt::print(stderr, "mnoswitch: unknown option(s): {} (see --help)\n", without_long_hex(options));
      else
        fmt::print(stderr, "mnoswitch: unexpected extra argument(s) (not shown: they may hold a key; see --help)\n");
      return kBadInput;
    }
    // A sub-subcommand that does not exist ("aka frobnicate"): name it.
    for (const auto* sub : subcommands_of(app))
      if (sub->parsed() && !subcommands_of(*sub).empty() && sub->get_subcommands().empty()) {
        for (int i = 1; i + 1 < argc; ++i)
          if (sub->check_name(argv[i]) && argv[i + 1][0] != '-') {
            std::string names;
            for (const auto* s2 : subcommands_of(*sub)) names += (names.empty() ? "" : ", ") + s2->get_name();
            fmt::print(stderr, "mnoswitch: {}: unknown command \"{}\" (commands: {}; see --help)\n", sub->get_name(),
                       without_long_hex(argv[i + 1]), names);
            return kBadInput;
          }
      }
    fmt::print(stderr, "mnoswitch: {} (see --help)\n", without_long_hex(e.what()));
    return kBadInput;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const Failure& f) {
    fmt::print(stderr, "mnoswitch: {}\n", without_long_hex(f.message));
    return f.code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mnoswitch: internal error: {}\n", without_long_hex(e.what()));
    return kInternal;
  }
  return kInternal;
}
