// Result<T, E>: the outcome of a protocol step, a value or a spec-named error. No implicit bool.
#pragma once

#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace mnoswitch {

// Tag wrapper so that Result<T, E> can be built from an error even when T and E are the same type.
template <class E>
struct Err {
  E error;
};
template <class E>
Err(E) -> Err<E>;

template <class E>
[[nodiscard]] constexpr Err<std::decay_t<E>> err(E&& e) {
  return Err<std::decay_t<E>>{std::forward<E>(e)};
}

template <class T, class E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  constexpr Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  constexpr Result(Err<F> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  [[nodiscard]] constexpr bool ok() const noexcept { return v_.index() == 0; }
  [[nodiscard]] constexpr bool failed() const noexcept { return v_.index() == 1; }

  // Programming error to call value() on a failure (or error() on a success): abort loudly.
  [[nodiscard]] constexpr T& value() & { check(true); return std::get<0>(v_); }
  [[nodiscard]] constexpr const T& value() const& { check(true); return std::get<0>(v_); }
  [[nodiscard]] constexpr T&& value() && { check(true); return std::get<0>(std::move(v_)); }
  [[nodiscard]] constexpr const E& error() const& { check(false); return std::get<1>(v_); }
  [[nodiscard]] constexpr E&& error() && { check(false); return std::get<1>(std::move(v_)); }

  [[nodiscard]] constexpr T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  constexpr void check(bool want_value) const {
    if (ok() != want_value) std::abort();
  }
  std::variant<T, E> v_;
};

// Result of a step that yields nothing but may fail.
struct Unit {
  friend constexpr bool operator==(Unit, Unit) = default;
};
template <class E>
using Status = Result<Unit, E>;
inline constexpr Unit ok_unit{};

}  // namespace mnoswitch

// Propagate a failure to the caller: `auto x = MNOSWITCH_TRY(parse(...));` (GNU statement expression, gcc/clang).
#define MNOSWITCH_TRY(expr)                                      \
  ({                                                             \
    auto _mnoswitch_r = (expr);                                  \
    if (_mnoswitch_r.failed()) return ::mnoswitch::err(std::move(_mnoswitch_r).error()); \
    std::move(_mnoswitch_r).value();                             \
  })
