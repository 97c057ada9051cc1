// Z3 wrapper: a claim is proved only by an unsat answer; sat yields the model; anything else is Unknown.
#include "model/solver.hpp"

#include <chrono>
#include <cstdlib>
#include <string>

namespace mnoswitch::model {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Proved: return "proved";
    case Verdict::Refuted: return "refuted";
    case Verdict::Unknown: return "unknown";
  }
  return "unknown";
}

z3::solver make_solver(z3::context& c, unsigned timeout_ms) {
  z3::solver s(c);
  z3::params p(c);
  p.set("timeout", timeout_ms);
  p.set("mbqi", true);
  p.set("mbqi.max_iterations", 100000u);
  if (const char* env = std::getenv("MNOSWITCH_Z3_TRY")) {
    std::string all(env);
    std::size_t pos = 0;
    while (pos < all.size()) {
      auto end = all.find(',', pos);
      std::string kv = all.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      auto eq = kv.find('=');
      std::string k = kv.substr(0, eq), val = kv.substr(eq + 1);
      if (val == "true" || val == "false") p.set(k.c_str(), val == "true");
      else p.set(k.c_str(), static_cast<unsigned>(std::stoul(val)));
      if (end == std::string::npos) break;
      pos = end + 1;
    }
  }
  s.set(p);
  return s;
}

Outcome check(z3::solver& s, std::string name) {
  Outcome o;
  o.name = std::move(name);
  auto t0 = std::chrono::steady_clock::now();
  z3::check_result r = z3::unknown;
  try {
    r = s.check();
  } catch (const z3::exception& e) {
    o.reason = e.msg();
    r = z3::unknown;
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r == z3::unsat) {
    o.verdict = Verdict::Proved;
  } else if (r == z3::sat) {
    o.verdict = Verdict::Refuted;
    o.model = s.get_model();
  } else {
    o.verdict = Verdict::Unknown;
    if (o.reason.empty()) o.reason = s.reason_unknown();
  }
  return o;
}

}  // namespace mnoswitch::model
