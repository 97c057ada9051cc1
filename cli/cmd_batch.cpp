// `mnoswitch batch keygen|example|inspect`: operator batch identities and batch files (spec/formats.md,
// REQ-HO-50..69). Never prints a private key or a subscriber key.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "reference/core/hex.hpp"
#include "reference/crypto/random.hpp"
#include "reference/crypto/wipe.hpp"
#include "reference/operators/batch.hpp"
#include "reference/operators/batch_codec.hpp"
#include "reference/operators/identity.hpp"

namespace mnoswitch::cli {
namespace {

using namespace mnoswitch::operators;

Bytes read_file(const std::string& path) {
  const std::string text = read_user_file(path);
  return Bytes(text.begin(), text.end());
}

void write_file(const std::filesystem::path& path, ByteSpan data, bool private_file) {
  // Never overwrite: a key file may be the only copy, and a batch already sent must stay as it was (REQ-HO-78).
  if (std::filesystem::exists(path)) fail(kBadInput, fmt::format("{} exists; not overwriting it", path.string()));
  std::ofstream out(path, std::ios::binary);
  if (!out) fail(kEnvironment, fmt::format("cannot write {}", path.string()));
  if (private_file) ::chmod(path.c_str(), 0600);  // before any secret is written
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) fail(kEnvironment, fmt::format("cannot write {}", path.string()));
}

OperatorIdentity load_identity(const std::string& path) {
  Bytes raw = read_file(path);
  auto id = decode_identity(raw);
  crypto::secure_wipe(raw);
  if (id.failed()) fail(kBadInput, fmt::format("{}: {}", path, describe(id.error())));
  return std::move(id).value();
}

OperatorPublic load_public(const std::string& path) {
  Bytes raw = read_file(path);
  auto j = nlohmann::json::parse(raw.begin(), raw.end(), nullptr, false);
  if (j.is_discarded()) fail(kBadInput, fmt::format("{}: not JSON", path));
  auto p = public_from_json(j);
  if (p.failed()) fail(kBadInput, fmt::format("{}: {}", path, describe(p.error())));
  return std::move(p).value();
}

// ---- keygen ----
struct KeygenArgs {
  std::string op, out;
  bool json = false;
};

int run_keygen(const KeygenArgs& a) {
  auto id = OperatorId::parse(a.op);
  if (!id) fail(kBadInput, "--operator: 1-32 characters from [a-z0-9._-], starting with a letter or digit");
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) fail(kEnvironment, fmt::format("cannot create {}: {}", a.out, ec.message()));
  auto identity = OperatorIdentity::generate(*id);
  auto key_path = std::filesystem::path(a.out) / (id->str() + ".key");
  auto pub_path = std::filesystem::path(a.out) / (id->str() + ".pub.json");
  if (std::filesystem::exists(key_path) || std::filesystem::exists(pub_path))
    fail(kBadInput, fmt::format("{} already holds keys for {}; not overwriting", a.out, id->str()));
  auto secret = encode_identity(identity);
  write_file(key_path, secret.expose(), true);
  auto pub = public_to_json(identity.public_keys());
  std::string pub_text = pub.dump(2) + "\n";
  write_file(pub_path, ByteSpan(reinterpret_cast<const std::uint8_t*>(pub_text.data()), pub_text.size()), false);
  if (a.json) {
    pub["private_key_file"] = key_path.string();
    pub["public_key_file"] = pub_path.string();
    print_json(pub);
  } else {
    fmt::print(
        "operator        {}\nsigning key     {} (Ed25519, public)\nencryption key  {} (X25519, public)\n"
        "private keys    {} (mode 0600; never printed)\npublic keys     {}\n",
        id->str(), to_hex(identity.public_keys().signing.span()), to_hex(identity.public_keys().encryption.span()),
        key_path.string(), pub_path.string());
  }
  return kOk;
}

// ---- example: a sample hand-over (random keys) for demos and tests ----
struct ExampleArgs {
  std::string from, to, out;
  std::string kind = "hand-over";
  std::uint64_t sequence = 1;
  unsigned count = 3;
  bool json = false;
};

usim::Iccid sample_iccid(std::uint64_t n) {
  return usim::Iccid::with_check_digit(fmt::format("8949000{:011}", n)).value();
}
usim::Imsi sample_imsi(std::uint64_t n) {
  return usim::Imsi::parse(fmt::format("26201{:010}", n), usim::MncLength::Two).value();
}

int run_example(const ExampleArgs& a) {
  auto sender = load_identity(a.from);
  auto recipient = load_public(a.to);
  if (a.count == 0 || a.count > 100000) fail(kBadInput, "--count must be 1..100000");
  BatchRecords records;
  if (a.kind == "allocation") {
    std::vector<AllocationRecord> v;
    for (std::uint64_t i = 1; i <= a.count; ++i) v.push_back(AllocationRecord{sample_iccid(i), sample_imsi(i)});
    records = std::move(v);
  } else if (a.kind == "hand-over") {
    std::vector<HandOverRecord> v;
    for (std::uint64_t i = 1; i <= a.count; ++i) {
      aka::K k;
      aka::Opc opc;
      crypto::random_bytes(k.expose_mut());
      crypto::random_bytes(opc.expose_mut());
      OtaKeySet ks;
      ks.kic = 0x12;
      ks.kid = 0x12;
      Bytes kb(16);
      crypto::random_bytes(kb);
      ks.kic_key = OtaKicKey(kb);
      crypto::random_bytes(kb);
      ks.kid_key = OtaKidKey(kb);
      crypto::secure_wipe(kb);
      ks.counter = 10 + i;
      std::vector<OtaKeySet> sets;
      sets.push_back(std::move(ks));
      v.push_back(HandOverRecord{sample_iccid(i), sample_imsi(i),
                                 AkaSubscription{std::move(k), std::move(opc), aka::kStandardConstants,
                                                 aka::AucSqnState{aka::SqnLayout{}, 32 * i, 0}},
                                 std::move(sets)});
    }
    records = std::move(v);
  } else {
    fail(kBadInput, "--kind must be allocation or hand-over");
  }
  auto file = seal_batch(sender, recipient, records, SealOptions{a.sequence, 1'700'000'000, std::nullopt});
  if (file.failed()) fail(kBadInput, describe(file.error()));
  write_file(a.out, file.value(), false);
  auto header = peek_batch_header(file.value()).value();
  if (a.json) {
    print_json({{"file", a.out},
                {"batch_id", to_hex(header.id.span())},
                {"records", a.count},
                {"bytes", file.value().size()}});
  } else {
    fmt::print("wrote {} ({} octets): {} batch {} from {} to {}, {} records\n", a.out, file.value().size(),
               to_string(header.kind), to_hex(header.id.span()), header.sender.str(), header.recipient.str(), a.count);
  }
  return kOk;
}

// ---- inspect ----
struct InspectArgs {
  std::string file, key;
  std::vector<std::string> peers;
  bool json = false;
};

// inspect checks the file and the keys, not the receiver's replay state or HSS: it has neither.
class AnyImsi final : public ImsiView {
 public:
  bool in_range(const usim::Imsi&) const override { return true; }
  bool in_use(const usim::Imsi&, const usim::Iccid&) const override { return false; }
};
class NothingSeen final : public ReplayView {
 public:
  bool seen(const BatchId&) const override { return false; }
  std::optional<std::uint64_t> last_sequence(const OperatorId&) const override { return std::nullopt; }
};

nlohmann::json header_json(const BatchHeader& h, std::size_t size) {
  return {{"version", h.version},
          {"kind", to_string(h.kind)},
          {"batch_id", to_hex(h.id.span())},
          {"sender", h.sender.str()},
          {"recipient", h.recipient.str()},
          {"created", h.created},
          {"sequence", h.sequence},
          {"bytes", size}};
}

int run_inspect(const InspectArgs& a) {
  Bytes file = read_file(a.file);
  if (!a.key.empty() && a.peers.empty()) fail(kBadInput, "--key needs at least one --peer (the sender's public keys)");
  std::optional<OperatorIdentity> me;
  OperatorDirectory dir;
  if (!a.key.empty()) {
    me.emplace(load_identity(a.key));
    for (const auto& p : a.peers) dir.add(load_public(p));
  }
  auto reject = [&](const BatchRejection& r) {
    if (a.json)
      print_json({{"result", "rejected"}, {"error", to_string(r.error)}, {"detail", describe(r)}});
    else
      fmt::print("rejected: {}\n", describe(r));
    return kNegative;
  };
  auto header = peek_batch_header(file);
  if (header.failed()) return reject(header.error());
  nlohmann::json out = header_json(header.value(), file.size());
  if (!me) {
    out["result"] = "unverified";
    if (a.json) {
      print_json(out);
    } else {
      const auto& h = header.value();
      fmt::print(
          "kind       {}\nversion    {}\nbatch id   {}\nsender     {}\nrecipient  {}\ncreated    {}\n"
          "sequence   {}\nsize       {} octets\nstatus     header only, NOT verified (give --key and --peer)\n",
          to_string(h.kind), h.version, to_hex(h.id.span()), h.sender.str(), h.recipient.str(), h.created, h.sequence,
          file.size());
    }
    return kOk;
  }
  auto opened = open_batch(file, *me, dir, NothingSeen{}, AnyImsi{});
  if (opened.failed()) return reject(opened.error());
  std::size_t key_sets = 0;
  if (const auto* ho = std::get_if<std::vector<HandOverRecord>>(&opened.value().records))
    for (const auto& r : *ho) key_sets += r.ota.size();
  out["result"] = "verified";
  out["records"] = opened.value().size();
  out["ota_key_sets"] = key_sets;
  if (a.json) {
    print_json(out);
  } else {
    const auto& h = opened.value().header;
    fmt::print(
        "kind       {}\nversion    {}\nbatch id   {}\nsender     {}\nrecipient  {}\ncreated    {}\n"
        "sequence   {}\nsize       {} octets\nrecords    {}\nkey sets   {}\n"
        "status     signature verified, body decrypted and well formed (replay state and B's HSS not checked)\n",
        to_string(h.kind), h.version, to_hex(h.id.span()), h.sender.str(), h.recipient.str(), h.created, h.sequence,
        file.size(), opened.value().size(), key_sets);
  }
  return kOk;
}

Registration reg{Command{
    "batch", "operator batch files: keygen, example, inspect (spec/formats.md)", [](CLI::App& app) {
      app.require_subcommand(1);
      auto keygen = std::make_shared<KeygenArgs>();
      auto* kg = app.add_subcommand("keygen",
                                    "make an operator's Ed25519 + X25519 keys: DIR/ID.key (0600) and DIR/ID.pub.json");
      kg->add_option("--operator", keygen->op, "operator id, e.g. mno-a")->required();
      kg->add_option("--out", keygen->out, "directory for the key files")->required();
      kg->add_flag("--json", keygen->json, "print the result as JSON");

      auto example = std::make_shared<ExampleArgs>();
      auto* ex =
          app.add_subcommand("example", "seal a sample batch (random subscriber keys) from one operator to another");
      ex->add_option("--from", example->from, "sender's private key file (ID.key)")->required();
      ex->add_option("--to", example->to, "recipient's public key file (ID.pub.json)")->required();
      ex->add_option("--out", example->out, "batch file to write")->required();
      ex->add_option("--kind", example->kind, "allocation or hand-over (default)");
      ex->add_option("--count", example->count, "number of records (default 3)")->check(kUnsignedDecimal);
      ex->add_option("--sequence", example->sequence, "sequence number (default 1)")->check(kUnsignedDecimal);
      ex->add_flag("--json", example->json, "print the result as JSON");

      auto inspect = std::make_shared<InspectArgs>();
      auto* in =
          app.add_subcommand("inspect", "show a batch's header and counts (never keys); verify and decrypt with --key");
      in->add_option("file", inspect->file, "batch file")->required();
      in->add_option("--key", inspect->key, "recipient's private key file: verify signature, decrypt, check records");
      in->add_option("--peer", inspect->peers, "a trusted sender's public key file (repeatable)");
      in->add_flag("--json", inspect->json, "print the result as JSON");

      return [=, &app]() -> int {
        if (kg->parsed()) return run_keygen(*keygen);
        if (ex->parsed()) return run_example(*example);
        if (in->parsed()) return run_inspect(*inspect);
        (void)app;
        return kInternal;
      };
    }}};

}  // namespace
}  // namespace mnoswitch::cli
