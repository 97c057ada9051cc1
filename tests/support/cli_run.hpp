// Runs the mnoswitch program under test (MNOSWITCH_CLI) through the shell and returns its exit code, stdout and
// stderr. stderr goes to a private temporary file, so test processes that ctest runs in parallel never share it.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace mnoswitch::testing {

struct CliRun {
  int code = -1;  // the exit code; -1 when the program did not exit normally (a signal: a crash)
  std::string out, err;
};

// `args` is appended to the program path as shell words (redirections such as "< file" are allowed).
inline CliRun run_cli(const std::string& args) {
  std::string err_file = "/tmp/mnoswitch-cli-test-XXXXXX";
  const int fd = ::mkstemp(err_file.data());
  REQUIRE(fd >= 0);
  ::close(fd);
  const std::string cmd = std::string(MNOSWITCH_CLI) + " " + args + " 2>" + err_file;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  CliRun r;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  ::unlink(err_file.c_str());
  return r;
}

}  // namespace mnoswitch::testing
