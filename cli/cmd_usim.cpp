// mnoswitch usim (REQ-FS-80): the card of reference/usim/ behind a line protocol — command APDUs as hex lines on stdin,
// response APDUs (data ‖ SW1 SW2) as hex lines on stdout (TS 102 221 §10, TS 31.102 §7; spec/usim.md "CLI").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "cli/command.hpp"
#include "reference/core/hex.hpp"
#include "reference/usim/card_file.hpp"
#include "reference/usim/status_word.hpp"

namespace mnoswitch::cli {
namespace {

std::string read_file(const std::string& path) { return read_user_file(path, "card file"); }

// Write next to the target, then rename: a crash never leaves half a card file (its counters matter).
void write_file_atomically(const std::string& path, const std::string& text) {
  // The card file holds K, OPc and the OTA keys: the new file is created owner-only (0600) and nothing is left
  // behind when the write or the rename fails.
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(kEnvironment, fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  auto discard = [&](const std::string& why) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(kEnvironment, why);
  };
  if (::fchmod(fd, 0600) != 0) discard(fmt::format("cannot restrict {}: {}", tmp, std::strerror(errno)));
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) discard(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) discard(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    fail(kEnvironment, fmt::format("cannot replace {}: {}", path, ec.message()));
  }
}

// Hex digits with optional spaces/tabs between octets; '#' starts a comment.
std::string strip(const std::string& line) {
  std::string out;
  for (char ch : line) {
    if (ch == '#') break;
    if (ch != ' ' && ch != '\t' && ch != '\r') out.push_back(ch);
  }
  return out;
}

std::function<int()> setup(CLI::App& app) {
  struct Options {
    std::string card;
    bool save = false;
    std::string save_to;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  app.add_option("--card", o->card, "card file (CARD.json, format in spec/usim.md)")->required();
  app.add_flag("--save", o->save, "write the card's new state (EFs, counters, SQN, proactive queue) back to --card");
  app.add_option("--save-to", o->save_to, "write the card's new state to this file instead");
  app.add_flag("--json", o->json,
               "one JSON object per command: {\"line\", \"command\", \"response\", \"data\", \"sw\", \"sw_name\"}");
  app.footer(
      "Reads one command APDU per line (hex, either case, spaces allowed, '#' comments, empty lines skipped) and\n"
      "writes one response APDU per line (data and SW1 SW2, lower-case hex). A line that is not hex is reported on\n"
      "stderr with its number and skipped; the others still run, and the exit code is 2 at the end. --save writes\n"
      "the state even then: the commands that ran have moved counters and SQNs, and forgetting them would reopen\n"
      "replays. Exit codes: 0 all lines valid, 2 a malformed line or card file, 3 file not readable/writable.");

  return [o, &app]() -> int {
    if (app.count("--save-to") > 0 && o->save_to.empty()) fail(kBadInput, "--save-to: a file name is needed");
    if (o->save && !o->save_to.empty()) fail(kBadInput, "--save and --save-to: give one (--save writes back to --card)");
    auto file = usim::parse_card_file(read_file(o->card));
    if (file.failed()) fail(kBadInput, fmt::format("{}: {}", o->card, file.error().message));
    usim::Card card = usim::make_card(file.value());

    int rc = kOk;
    std::string line;
    std::size_t number = 0;
    while (std::getline(std::cin, line)) {
      ++number;
      const std::string text = strip(line);
      if (text.empty()) continue;
      auto apdu = parse_hex(text);
      if (apdu.failed()) {
        fmt::print(stderr, "mnoswitch: line {}: not a command APDU: {}\n", number, describe(apdu.error()));
        rc = kBadInput;
        continue;
      }
      const auto r = card.transmit(apdu.value());
      const std::string response = to_hex(r.encode());
      if (o->json) {
        const auto sw = static_cast<std::uint16_t>(r.sw);
        print_json({{"line", number},
                    {"command", to_hex(apdu.value())},
                    {"response", response},
                    {"data", to_hex(r.data)},
                    {"sw", fmt::format("{:04x}", sw)},
                    {"sw_name", std::string(usim::status_word_name(r.sw))}});
      } else {
        fmt::print("{}\n", response);
      }
      std::fflush(stdout);  // a driving tool waits for each answer before sending the next command
    }
    const std::string target = !o->save_to.empty() ? o->save_to : (o->save ? o->card : std::string());
    if (!target.empty()) write_file_atomically(target, usim::write_card_file(usim::with_state(file.value(), card)));
    if (rc != kOk) fail(static_cast<ExitCode>(rc), "some input lines were not command APDUs (see above)");
    return kOk;
  };
}

Registration reg{Command{"usim", "a USIM driven by command APDUs on stdin (TS 102 221, TS 31.102, TS 102 225/226)",
                         setup}};

}  // namespace
}  // namespace mnoswitch::cli
