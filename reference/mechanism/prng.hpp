// Seeded PRNG for the fleet simulation's faults (not for keys): xoshiro256** seeded through splitmix64,
// so a run is reproducible from --seed on every platform (std::mt19937 distributions are not portable).
#pragma once

#include <cstdint>

namespace mnoswitch::mechanism {

class Prng {
 public:
  explicit Prng(std::uint64_t seed) noexcept {
    for (auto& w : s_) w = splitmix(seed);
  }

  [[nodiscard]] std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  [[nodiscard]] double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  [[nodiscard]] bool chance(double p) noexcept { return p > 0.0 && uniform() < p; }
  // Uniform in [lo, hi] (inclusive); lo <= hi.
  [[nodiscard]] std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    if (hi <= lo) return lo;
    return lo + next() % (hi - lo + 1);
  }
  // An independent stream for a sub-component (per device, per link), derived from this one's seed.
  [[nodiscard]] static Prng derive(std::uint64_t seed, std::uint64_t stream) noexcept {
    return Prng(seed ^ (0x9E3779B97F4A7C15ull * (stream + 1)));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4]{};
};

}  // namespace mnoswitch::mechanism
