// fmt formatters: public octet strings as lower-case hex, secrets only as <redacted>.
#pragma once

#include <fmt/format.h>

#include "reference/core/hex.hpp"
#include "reference/core/secret.hpp"
#include "reference/core/strong.hpp"

template <std::size_t N, class Tag>
struct fmt::formatter<mnoswitch::FixedBytes<N, Tag>> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const mnoswitch::FixedBytes<N, Tag>& v, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(mnoswitch::to_hex(v.span()), ctx);
  }
};

template <class T, class Tag>
struct fmt::formatter<mnoswitch::StrongInt<T, Tag>> : fmt::formatter<T> {
  template <class Ctx>
  auto format(const mnoswitch::StrongInt<T, Tag>& v, Ctx& ctx) const {
    return fmt::formatter<T>::format(v.value(), ctx);
  }
};

template <std::size_t N, class Tag>
struct fmt::formatter<mnoswitch::Secret<N, Tag>> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const mnoswitch::Secret<N, Tag>&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("<redacted>", ctx);
  }
};

template <class Tag>
struct fmt::formatter<mnoswitch::SecretBytes<Tag>> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const mnoswitch::SecretBytes<Tag>&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("<redacted>", ctx);
  }
};
