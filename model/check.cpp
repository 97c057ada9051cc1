// `mnoswitch check` engine: runs the obligations, BMC searches and reachability checks on `jobs` threads
// (one Z3 context per task) and states, for each result, whether it meets the expectation.
#include "model/check.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "model/invariants.hpp"
#include "model/protocol.hpp"

namespace mnoswitch::model {
namespace {

void run_pool(std::vector<std::function<void()>>& tasks, int jobs) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) tasks[i]();
  };
  std::vector<std::thread> ts;
  for (int j = 1; j < std::max(1, jobs); ++j) ts.emplace_back(worker);
  worker();
  for (auto& t : ts) t.join();
}

struct Shared {
  std::mutex mu;
  std::function<void(const std::string&)> progress;
  void say(const std::string& s) {
    if (!progress) return;
    std::lock_guard<std::mutex> l(mu);
    progress(s);
  }
};

BmcOptions bmc_options(const CheckOptions& opt) {
  BmcOptions b;
  b.bound = opt.bound;
  b.timeout_ms = opt.timeout_ms;
  return b;
}

// Rows of one variant: induction first; what is not proved goes to BMC.
std::vector<ResultRow> variant_rows(const Config& cfg, const std::string& expected, const CheckOptions& opt,
                                    std::vector<ObligationResult>& obligations, EngineTimes& times, Shared& sh) {
  InductionOptions io;
  io.timeout_ms = opt.timeout_ms;
  sh.say(fmt::format("{}: induction", cfg.name));
  auto obs = prove(cfg, io);
  std::vector<ResultRow> rows;
  std::string first_failed;
  double ind = 0;
  for (const auto& o : obs) {
    ind += o.seconds;
    if (o.verdict != Verdict::Proved && first_failed.empty()) first_failed = o.name;
  }
  {
    std::lock_guard<std::mutex> l(sh.mu);
    times.induction += ind;
    times.obligations += static_cast<int>(obs.size());
    for (const auto& o : obs) {
      if (o.verdict != Verdict::Proved) ++times.obligations_failed;
      if (o.seconds > times.slowest_seconds) {
        times.slowest_seconds = o.seconds;
        times.slowest_obligation = o.name;
      }
    }
    obligations.insert(obligations.end(), obs.begin(), obs.end());
  }
  auto ids = safety_ids();
  if (first_failed.empty()) {
    for (const auto& id : ids) {
      ResultRow r{cfg.name, id, Verdict::Proved, "induction", -1, 0, std::nullopt, expected, true, ""};
      for (const auto& o : obs)
        if (o.id == id) r.seconds += o.seconds;
      r.ok = expected.empty() || expected == "proved";
      rows.push_back(std::move(r));
    }
    return rows;
  }
  sh.say(fmt::format("{}: bounded model checking (depth ≤ {})", cfg.name, opt.bound));
  auto bo = bmc_options(opt);
  auto rs = bmc(cfg, ids, bo);
  double b = 0;
  for (const auto& r : rs) {
    b += r.seconds;
    ResultRow row{cfg.name, r.id, r.verdict, "bmc", r.depth, r.seconds, r.trace, expected, true, ""};
    if (r.verdict != Verdict::Refuted)
      row.note = fmt::format("not inductive (first failed obligation: {}); {}", first_failed, r.reason);
    row.ok = expected.empty() || expected == std::string(to_string(r.verdict));
    rows.push_back(std::move(row));
  }
  std::lock_guard<std::mutex> l(sh.mu);
  times.bmc += b;
  return rows;
}

RequirementRow requirement_row(const ReqInfo& ri, const CheckOptions& opt, EngineTimes& times, Shared& sh) {
  Config cfg = safe_variant().without(ri.req);
  sh.say(fmt::format("requirement table: {} off", ri.id));
  RequirementRow row{std::string(ri.id), std::string(ri.title), std::string(ri.flaw), std::string(ri.expected), "unknown", "", -1, 0, std::nullopt, false};
  auto bo = bmc_options(opt);
  auto rs = bmc(cfg, {std::string(ri.expected)}, bo);
  row.seconds = rs[0].seconds;
  if (rs[0].verdict == Verdict::Refuted) {
    row.verdict = "refuted";
    row.invariant = rs[0].id;
    row.depth = rs[0].depth;
    row.trace = rs[0].trace;
    row.ok = true;
  } else {
    // Not the expected one: does removing it break anything at all?
    auto all = bmc(cfg, safety_ids(), bo);
    for (const auto& r : all) {
      row.seconds += r.seconds;
      if (r.verdict == Verdict::Refuted && row.depth < 0) {
        row.verdict = "refuted";
        row.invariant = r.id;
        row.depth = r.depth;
        row.trace = r.trace;
      }
    }
    if (row.depth < 0) row.verdict = rs[0].reason.find("unknown") != std::string::npos ? "unknown" : "redundant";
  }
  std::lock_guard<std::mutex> l(sh.mu);
  times.bmc += row.seconds;
  return row;
}

std::vector<ReachRow> reach_rows(const CheckOptions& opt, EngineTimes& times, Shared& sh) {
  Config cfg = safe_variant();
  auto bo = bmc_options(opt);
  std::vector<ReachRow> rows;
  std::set<std::string> fired;
  auto run = [&](const Goal& g) {
    sh.say(fmt::format("reachability: {}", g.name));
    BmcResult r = reach(cfg, g, bo);
    ReachRow row{g.name, r.verdict == Verdict::Refuted, r.depth, r.seconds, r.trace, r.reason};
    if (r.trace)
      for (const auto& s : r.trace->steps) fired.insert(s.action);
    std::lock_guard<std::mutex> l(sh.mu);
    times.reach += r.seconds;
    rows.push_back(std::move(row));
  };
  run(Goal{"complete switch (re-keyed and closed)",
           [](const Vocab& v, const State& s) {
             z3::expr d = v.ctx().constant("goal_d", v.sort(S::Device));
             return call(s[V::closed], {d}) && call(s[V::rekeyed], {d}) && call(s[V::imsi], {d}) == call(s[V::alloc], {d});
           },
           ""});
  run(Goal{"cancelled switch (rewrite sent, read-back showed the old IMSI)",
           [](const Vocab& v, const State& s) {
             z3::expr d = v.ctx().constant("goal_d", v.sort(S::Device));
             return call(s[V::cancelled], {d}) && call(s[V::issued], {d}) && call(s[V::still_old], {d});
           },
           ""});
  for (const auto& a : actions()) {
    if (!a.enabled(cfg) || fired.count(a.name)) continue;
    run(Goal{"fires: " + a.name, nullptr, a.name});
  }
  return rows;
}

}  // namespace

Report run_check(const CheckOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  Report rep;
  Shared sh;
  sh.progress = opt.progress;
  std::vector<std::function<void()>> tasks;
  std::vector<std::vector<ResultRow>> variant_out;
  std::vector<std::vector<ObligationResult>> obligation_out;
  std::vector<std::pair<Config, std::string>> variants;
  bool custom = !opt.without.empty();
  if (custom) {
    Config c = safe_variant();
    for (Req r : opt.without) c = c.without(r);
    variants.emplace_back(c, "");
  } else {
    if (opt.seed) variants.emplace_back(seed_variant(), "refuted");
    if (opt.safe) variants.emplace_back(safe_variant(), "proved");
  }
  variant_out.resize(variants.size());
  obligation_out.resize(variants.size());
  bool table = !custom && opt.safe && opt.requirement_table;
  std::vector<RequirementRow> req_out(table ? requirements().size() : 0);
  bool do_reach = !custom && opt.safe && opt.reachability;
  std::vector<ReachRow> reach_out;
  // Longest tasks first so that two threads finish together.
  if (do_reach) tasks.push_back([&] { reach_out = reach_rows(opt, rep.times, sh); });
  if (table) {
    std::vector<std::size_t> order;
    for (std::size_t i = requirements().size(); i-- > 0;) order.push_back(i);
    for (std::size_t i : order)
      tasks.push_back([&, i] { req_out[i] = requirement_row(requirements()[i], opt, rep.times, sh); });
  }
  for (std::size_t i = 0; i < variants.size(); ++i)
    tasks.push_back([&, i] {
      variant_out[i] = variant_rows(variants[i].first, variants[i].second, opt, obligation_out[i], rep.times, sh);
    });
  run_pool(tasks, opt.jobs);

  for (std::size_t i = 0; i < variants.size(); ++i) {
    rep.results.insert(rep.results.end(), variant_out[i].begin(), variant_out[i].end());
    rep.obligations.insert(rep.obligations.end(), obligation_out[i].begin(), obligation_out[i].end());
  }
  if (custom) {  // expectation: each removed requirement breaks its invariant
    for (Req r : opt.without)
      for (auto& row : rep.results)
        if (row.invariant == info(r).expected) {
          row.expected = "refuted";
          row.ok = row.verdict == Verdict::Refuted;
        }
  }
  rep.requirements = std::move(req_out);
  rep.reach = std::move(reach_out);
  rep.ok = true;
  for (const auto& r : rep.results) rep.ok = rep.ok && r.ok;
  for (const auto& r : rep.requirements) rep.ok = rep.ok && r.ok;
  for (const auto& r : rep.reach) rep.ok = rep.ok && r.reached;
  rep.times.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace mnoswitch::model
