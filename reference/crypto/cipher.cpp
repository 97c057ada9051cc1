// ETSI TS 102 225 §5.1.2: DES/3DES CBC and ECB, AES CBC, zero IV, no padding (OpenSSL EVP). REQ-OTA-07.
#include "reference/crypto/cipher.hpp"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mnoswitch::crypto {
namespace detail {
bool ensure_legacy_provider() noexcept;

bool ensure_legacy_provider() noexcept {
  // Loading any provider explicitly turns off the implicit default provider, so load both (OpenSSL 3
  // provider(7)). Providers stay loaded for the life of the process.
  static const bool loaded = [] {
    OSSL_PROVIDER* def = OSSL_PROVIDER_load(nullptr, "default");
    OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
    return def != nullptr && legacy != nullptr;
  }();
  return loaded;
}

}  // namespace detail

namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

// EVP_CIPHER_fetch walks the provider tables; fetch each algorithm once and keep it for the process.
const EVP_CIPHER* fetched(const char* name) {
  // Allocated once and never destroyed, so the fetched ciphers stay reachable until exit (no leak report).
  static std::mutex m;
  static auto& cache = *new std::vector<std::pair<std::string, EVP_CIPHER*>>();
  std::lock_guard<std::mutex> lock(m);
  for (const auto& [n, c] : cache)
    if (n == name) return c;
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (c != nullptr) cache.emplace_back(name, c);
  return c;
}

Result<Bytes, CipherError> run(const char* name, bool legacy, Direction d, ByteSpan key, ByteSpan data,
                               std::size_t block) {
  if (data.size() % block != 0) return err(CipherError::DataLength);
  if (data.size() > static_cast<std::size_t>(INT_MAX)) return err(CipherError::DataLength);
  if (legacy && !detail::ensure_legacy_provider()) return err(CipherError::ProviderUnavailable);
  const EVP_CIPHER* cipher = fetched(name);
  if (cipher == nullptr) return err(legacy ? CipherError::ProviderUnavailable : CipherError::Backend);
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return err(CipherError::Backend);
  const ByteArray<16> iv{};  // TS 102 225 §5.1.2: the IV is zero
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv.data(), d == Direction::Encrypt ? 1 : 0, nullptr) != 1)
    return err(CipherError::Backend);
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(data.size() + block);
  int n = 0, m = 0;
  if (!data.empty() && EVP_CipherUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())) != 1)
    return err(CipherError::Backend);
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + n, &m) != 1) return err(CipherError::Backend);
  out.resize(static_cast<std::size_t>(n + m));
  return out;
}

// 8 → DES (legacy provider), 16 → 3DES two keys, 24 → 3DES three keys.
Result<Bytes, CipherError> des_family(const char* des, const char* ede, const char* ede3, Direction d, ByteSpan key,
                                      ByteSpan data) {
  switch (key.size()) {
    case 8:
      return run(des, true, d, key, data, kDesBlock);
    case 16:
      return run(ede, false, d, key, data, kDesBlock);
    case 24:
      return run(ede3, false, d, key, data, kDesBlock);
    default:
      return err(CipherError::KeyLength);
  }
}

}  // namespace

const char* describe(CipherError e) noexcept {
  switch (e) {
    case CipherError::KeyLength:
      return "key length does not fit the algorithm";
    case CipherError::DataLength:
      return "data is not a whole number of cipher blocks";
    case CipherError::ProviderUnavailable:
      return "single DES needs the OpenSSL 3 legacy provider, which could not be loaded (install it or set "
             "OPENSSL_MODULES)";
    case CipherError::Backend:
      return "OpenSSL cipher failure";
  }
  return "cipher error";
}

Result<Bytes, CipherError> des_cbc(Direction d, ByteSpan key, ByteSpan data) {
  return des_family("DES-CBC", "DES-EDE-CBC", "DES-EDE3-CBC", d, key, data);
}
Result<Bytes, CipherError> des_ecb(Direction d, ByteSpan key, ByteSpan data) {
  return des_family("DES-ECB", "DES-EDE-ECB", "DES-EDE3-ECB", d, key, data);
}
Result<Bytes, CipherError> aes_cbc(Direction d, ByteSpan key, ByteSpan data) {
  switch (key.size()) {
    case 16:
      return run("AES-128-CBC", false, d, key, data, kAesBlock);
    case 24:
      return run("AES-192-CBC", false, d, key, data, kAesBlock);
    case 32:
      return run("AES-256-CBC", false, d, key, data, kAesBlock);
    default:
      return err(CipherError::KeyLength);
  }
}

}  // namespace mnoswitch::crypto
