// CARD.json reader/writer (spec/usim.md "Card file", REQ-FS-70). Keys are exposed here only to be written to the
// card file, which is where they live.
#include "reference/usim/card_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "reference/core/hex.hpp"

namespace mnoswitch::usim {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "mnoswitch-card/1";

struct Bad {
  std::string message;
};
[[noreturn]] void bad(std::string m) { throw Bad{std::move(m)}; }

void only_keys(const json& j, std::string_view where, std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) bad(fmt::format("{}: expected an object", where));
  for (const auto& [k, _] : j.items())
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      bad(fmt::format("{}: unknown field \"{}\"", where, k));
}
const json& need(const json& j, std::string_view where, const char* key) {
  if (!j.contains(key)) bad(fmt::format("{}: missing field \"{}\"", where, key));
  return j.at(key);
}
std::string str(const json& j, std::string_view where) {
  if (!j.is_string()) bad(fmt::format("{}: expected a string", where));
  return j.get<std::string>();
}
Bytes hex_any(const json& j, std::string_view where) {
  auto r = parse_hex(str(j, where));
  if (r.failed()) bad(fmt::format("{}: {}", where, describe(r.error())));
  return r.value();
}
template <std::size_t N>
ByteArray<N> hex_n(const json& j, std::string_view where) {
  auto r = parse_hex_array<N>(str(j, where));
  if (r.failed()) bad(fmt::format("{}: {}", where, describe(r.error())));
  return r.value();
}
std::uint64_t uint_or_hex(const json& j, std::string_view where, std::uint64_t max) {
  std::uint64_t v = 0;
  if (j.is_number_unsigned()) {
    v = j.get<std::uint64_t>();
  } else if (j.is_string()) {
    auto r = parse_hex(j.get<std::string>());
    if (r.failed() || r.value().empty() || r.value().size() > 8)
      bad(fmt::format("{}: expected a non-negative integer (2) or 1 to 8 octets of hex (\"02\")", where));
    v = load_be(r.value());
  } else {
    bad(fmt::format("{}: expected a non-negative integer or a hex string", where));
  }
  if (v > max) bad(fmt::format("{}: {} exceeds the maximum {}", where, v, max));
  return v;
}
bool boolean(const json& j, std::string_view where) {
  if (!j.is_boolean()) bad(fmt::format("{}: expected true or false", where));
  return j.get<bool>();
}

template <class E>
using Names = std::initializer_list<std::pair<E, std::string_view>>;
template <class E>
E by_name(const json& j, std::string_view where, Names<E> names) {
  const auto s = str(j, where);
  for (const auto& [e, n] : names)
    if (n == s) return e;
  std::string options;
  for (const auto& [e, n] : names) options += (options.empty() ? "" : ", ") + std::string(n);
  bad(fmt::format("{}: \"{}\" is not one of {}", where, s, options));
}
template <class E>
std::string name_of(E e, Names<E> names) {
  for (const auto& [v, n] : names)
    if (v == e) return std::string(n);
  return "?";
}

const Names<ota::CipherAlgorithm> kCiphers{{ota::CipherAlgorithm::Implicit, "none"},
                                           {ota::CipherAlgorithm::DesCbc, "des_cbc"},
                                           {ota::CipherAlgorithm::TripleDes2Key, "3des_2key"},
                                           {ota::CipherAlgorithm::TripleDes3Key, "3des_3key"},
                                           {ota::CipherAlgorithm::DesEcb, "des_ecb"},
                                           {ota::CipherAlgorithm::AesCbc, "aes_cbc"}};
const Names<ota::CcAlgorithm> kCcs{{ota::CcAlgorithm::Implicit, "none"},
                                   {ota::CcAlgorithm::DesCbcMac, "des_cbc_mac"},
                                   {ota::CcAlgorithm::TripleDes2KeyMac, "3des_2key_mac"},
                                   {ota::CcAlgorithm::TripleDes3KeyMac, "3des_3key_mac"},
                                   {ota::CcAlgorithm::AesCmac, "aes_cmac"}};
const Names<ota::RcAlgorithm> kRcs{
    {ota::RcAlgorithm::Implicit, "none"}, {ota::RcAlgorithm::Crc16, "crc16"}, {ota::RcAlgorithm::Crc32, "crc32"}};
const Names<ota::ScriptFormat> kFormats{{ota::ScriptFormat::Compact, "compact"},
                                        {ota::ScriptFormat::ExpandedDefinite, "expanded"}};
const Names<RefreshMode> kRefreshModes{{RefreshMode::NaaInitAndFullFileChange, "naa_init_full_file_change"},
                                       {RefreshMode::FileChange, "file_change"},
                                       {RefreshMode::NaaInitAndFileChange, "naa_init_file_change"},
                                       {RefreshMode::NaaInit, "naa_init"},
                                       {RefreshMode::UiccReset, "uicc_reset"},
                                       {RefreshMode::NaaApplicationReset, "naa_application_reset"},
                                       {RefreshMode::NaaSessionReset, "naa_session_reset"}};

aka::MilenageProfile parse_constants(const json& j) {
  if (j.is_string()) {
    if (j.get<std::string>() != "standard") bad("aka.constants: expected \"standard\" or {\"r\": [...], \"c\": [...]}");
    return aka::kStandardConstants;
  }
  only_keys(j, "aka.constants", {"r", "c"});
  const auto& r = need(j, "aka.constants", "r");
  const auto& c = need(j, "aka.constants", "c");
  if (!r.is_array() || r.size() != 5 || !c.is_array() || c.size() != 5)
    bad("aka.constants: r and c must each have 5 entries (TS 35.206 §4.1)");
  aka::MilenageProfile p{};
  for (std::size_t i = 0; i < 5; ++i) {
    p.r[i] = static_cast<std::uint8_t>(uint_or_hex(r[i], fmt::format("aka.constants.r[{}]", i), 127));
    p.c[i] = hex_n<16>(c[i], fmt::format("aka.constants.c[{}]", i));
  }
  return p;
}

bool standard_constants(const aka::MilenageProfile& p) {
  return p.r == aka::kStandardConstants.r && p.c == aka::kStandardConstants.c;
}

aka::UsimSqnState parse_sqn(const json& j) {
  only_keys(j, "aka.sqn", {"ind_bits", "delta", "age_limit", "seq_ms"});
  const auto bits = j.contains("ind_bits") ? uint_or_hex(j.at("ind_bits"), "aka.sqn.ind_bits", aka::kMaxIndBits)
                                           : aka::kDefaultIndBits;
  auto layout = aka::SqnLayout::make(static_cast<unsigned>(bits));
  if (layout.failed()) bad("aka.sqn.ind_bits: " + std::string(aka::describe(layout.error())));
  aka::FreshnessPolicy policy;
  if (j.contains("delta") && !j.at("delta").is_null())
    policy.delta = uint_or_hex(j.at("delta"), "aka.sqn.delta", aka::kSqnLimit);
  if (j.contains("age_limit") && !j.at("age_limit").is_null())
    policy.age_limit = uint_or_hex(j.at("age_limit"), "aka.sqn.age_limit", aka::kSqnLimit);
  auto st = aka::UsimSqnState::fresh(layout.value(), policy);
  if (j.contains("seq_ms")) {
    const auto& a = j.at("seq_ms");
    if (!a.is_array() || a.size() != st.seq_ms.size())
      bad(fmt::format("aka.sqn.seq_ms: expected {} entries (2^ind_bits)", st.seq_ms.size()));
    for (std::size_t i = 0; i < a.size(); ++i)
      st.seq_ms[i] = uint_or_hex(a[i], fmt::format("aka.sqn.seq_ms[{}]", i), layout.value().seq_limit() - 1);
  }
  return st;
}

Bytes parse_aid(const json& j) {
  auto aid = hex_any(j, "usim_aid");
  if (aid.size() < 5 || aid.size() > 16) bad("usim_aid: an AID has 5 to 16 octets (TS 101 220 §4)");
  return aid;
}

std::string selection_name(const FileSystem& fs, std::size_t node) { return fs.path_name(node); }
std::size_t selection_node(const FileSystem& fs, const json& j, std::string_view where) {
  auto n = fs.find_path_name(str(j, where));
  if (!n) bad(fmt::format("{}: no file \"{}\"", where, j.get<std::string>()));
  return *n;
}

CardFile parse(const json& j) {
  only_keys(j, "card", {"format", "iccid", "imsi", "mnc_length", "usim_aid", "gsm_access", "aka", "ota",
                        "refresh_mode", "files", "state"});
  if (str(need(j, "card", "format"), "format") != kFormat)
    bad(fmt::format("format: expected \"{}\"", kFormat));

  auto iccid = Iccid::parse(str(need(j, "card", "iccid"), "iccid"));
  if (iccid.failed()) bad("iccid: " + describe(iccid.error()));
  const auto mnc_n = j.contains("mnc_length") ? uint_or_hex(j.at("mnc_length"), "mnc_length", 9) : 2;
  auto mnc = mnc_length_from_int(static_cast<int>(mnc_n));
  if (mnc.failed()) bad("mnc_length: " + describe(mnc.error()));
  auto imsi = Imsi::parse(str(need(j, "card", "imsi"), "imsi"), mnc.value());
  if (imsi.failed()) bad("imsi: " + describe(imsi.error()));
  UsimOptions options;
  if (j.contains("usim_aid")) options.aid = parse_aid(j.at("usim_aid"));
  if (j.contains("gsm_access")) options.gsm_access = boolean(j.at("gsm_access"), "gsm_access");

  CardFile f{Personalisation{iccid.value(), imsi.value(), options}, CardConfig{}, CardState{}};
  f.state.fs = build_usim_file_system(f.personalisation.iccid, f.personalisation.imsi, options);

  // AKA (TS 35.206): K and OPc (or OP, from which OPc is derived once here).
  const auto& a = need(j, "card", "aka");
  only_keys(a, "aka", {"algorithm", "k", "opc", "op", "constants", "sqn"});
  if (a.contains("algorithm") && str(a.at("algorithm"), "aka.algorithm") != "milenage")
    bad("aka.algorithm: only \"milenage\" is supported");
  f.config.k = aka::K(hex_n<16>(need(a, "aka", "k"), "aka.k"));
  if (a.contains("constants")) f.config.milenage = parse_constants(a.at("constants"));
  if (a.contains("opc") == a.contains("op")) bad("aka: give exactly one of \"opc\" and \"op\"");
  if (a.contains("opc")) {
    f.config.opc = aka::Opc(hex_n<16>(a.at("opc"), "aka.opc"));
  } else {
    f.config.opc = aka::derive_opc(f.config.k, aka::Op(hex_n<16>(a.at("op"), "aka.op")));
  }
  f.state.sqn = a.contains("sqn") ? parse_sqn(a.at("sqn")) : aka::UsimSqnState::fresh(aka::SqnLayout{});

  // OTA (TS 102 225 §5.1.2/§5.1.3, TS 102 226 §8.2.1.3.2.4).
  if (j.contains("ota")) {
    const auto& o = j.at("ota");
    only_keys(o, "ota", {"key_sets", "tars"});
    std::set<std::uint8_t> kvns;
    if (o.contains("key_sets")) {
      const auto& ks = o.at("key_sets");
      if (!ks.is_array()) bad("ota.key_sets: expected an array");
      for (std::size_t i = 0; i < ks.size(); ++i) {
        const auto where = fmt::format("ota.key_sets[{}]", i);
        only_keys(ks[i], where, {"kvn", "kic", "kid", "cipher", "cc", "rc", "counter"});
        ota::KeySet k;
        const auto kvn = static_cast<std::uint8_t>(uint_or_hex(need(ks[i], where, "kvn"), where + ".kvn", 15));
        if (kvn == 0) bad(where + ".kvn: key version 0 is reserved for \"no key\"; use 1..15");
        if (!kvns.insert(kvn).second) bad(fmt::format("{}.kvn: key version {} appears twice", where, kvn));
        k.kvn = ota::KeyVersion(kvn);
        auto key_bytes = [&](const char* name) {
          auto b = hex_any(need(ks[i], where, name), where + "." + name);
          if (b.size() != 8 && b.size() != 16 && b.size() != 24 && b.size() != 32)
            bad(fmt::format("{}.{}: a key has 8, 16, 24 or 32 octets", where, name));
          return b;
        };
        k.kic = ota::KicKey(key_bytes("kic"));
        k.kid = ota::KidKey(key_bytes("kid"));
        if (ks[i].contains("cipher")) k.implicit_cipher = by_name(ks[i].at("cipher"), where + ".cipher", kCiphers);
        if (ks[i].contains("cc")) k.implicit_cc = by_name(ks[i].at("cc"), where + ".cc", kCcs);
        if (ks[i].contains("rc")) k.implicit_rc = by_name(ks[i].at("rc"), where + ".rc", kRcs);
        f.state.ota_counters[kvn] =
            ks[i].contains("counter") ? uint_or_hex(ks[i].at("counter"), where + ".counter", ota::OtaCounter::kMax) : 0;
        f.config.key_sets.push_back(std::move(k));
      }
    }
    if (o.contains("tars")) {
      const auto& ts = o.at("tars");
      if (!ts.is_array()) bad("ota.tars: expected an array");
      for (std::size_t i = 0; i < ts.size(); ++i) {
        const auto where = fmt::format("ota.tars[{}]", i);
        only_keys(ts[i], where, {"tar", "application", "format", "minimum_security_level", "access"});
        TarConfig t;
        t.tar = ota::Tar(hex_n<3>(need(ts[i], where, "tar"), where + ".tar"));
        if (ts[i].contains("application") && str(ts[i].at("application"), where + ".application") != "rfm_usim")
          bad(where + ".application: only \"rfm_usim\" is provided");
        if (ts[i].contains("format")) t.format = by_name(ts[i].at("format"), where + ".format", kFormats);
        if (ts[i].contains("minimum_security_level"))
          t.minimum_security_level = hex_n<1>(ts[i].at("minimum_security_level"), where + ".minimum_security_level")[0];
        if (ts[i].contains("access")) {
          const auto acc = str(ts[i].at("access"), where + ".access");
          if (acc != "adm" && acc != "terminal") bad(where + ".access: \"adm\" or \"terminal\"");
          t.adm_access = acc == "adm";
        }
        for (const auto& other : f.config.tars)
          if (other.tar == t.tar) bad(where + ".tar: configured twice");
        f.config.tars.push_back(t);
      }
    }
  }
  if (j.contains("refresh_mode")) f.config.refresh_mode = by_name(j.at("refresh_mode"), "refresh_mode", kRefreshModes);

  // EF contents that differ from the personalisation defaults.
  if (j.contains("files")) {
    const auto& files = j.at("files");
    if (!files.is_object()) bad("files: expected an object of \"path\": \"hex\"");
    for (const auto& [path, value] : files.items()) {
      const auto where = "files." + path;
      auto n = f.state.fs.find_path_name(path);
      if (!n) bad(where + ": no such file on this card");
      auto& node = f.state.fs.nodes[*n];
      if (node.kind == FileKind::Transparent) {
        auto b = hex_any(value, where);
        if (b.size() != node.data.size()) bad(fmt::format("{}: the file has {} octets", where, node.data.size()));
        node.data = std::move(b);
      } else if (node.kind == FileKind::LinearFixed) {
        if (!value.is_array() || value.size() != node.records.size())
          bad(fmt::format("{}: expected {} records", where, node.records.size()));
        for (std::size_t r = 0; r < value.size(); ++r) {
          auto b = hex_any(value[r], fmt::format("{}[{}]", where, r));
          if (b.size() != node.record_length()) bad(fmt::format("{}[{}]: records have {} octets", where, r, node.record_length()));
          node.records[r] = std::move(b);
        }
      } else {
        bad(where + ": not an EF");
      }
    }
  }

  // Dynamic state a saved session left (absent: the card as after a reset, MF selected).
  if (j.contains("state")) {
    const auto& s = j.at("state");
    only_keys(s, "state", {"selection", "pending_response", "proactive", "sms_segments"});
    if (s.contains("selection")) {
      const auto& sel = s.at("selection");
      only_keys(sel, "state.selection", {"df", "ef"});
      f.state.selection.df = selection_node(f.state.fs, need(sel, "state.selection", "df"), "state.selection.df");
      if (!f.state.fs.nodes[f.state.selection.df].is_directory()) bad("state.selection.df: not a directory");
      if (sel.contains("ef") && !sel.at("ef").is_null()) {
        auto ef = selection_node(f.state.fs, sel.at("ef"), "state.selection.ef");
        if (f.state.fs.nodes[ef].is_directory() || f.state.fs.nodes[ef].parent != f.state.selection.df)
          bad("state.selection.ef: not an EF of the selected DF");
        f.state.selection.ef = ef;
      }
    }
    if (s.contains("pending_response")) f.state.pending_response = hex_any(s.at("pending_response"), "state.pending_response");
    if (s.contains("proactive")) {
      const auto& p = s.at("proactive");
      only_keys(p, "state.proactive", {"queue", "fetched", "next_number"});
      if (p.contains("queue")) {
        if (!p.at("queue").is_array()) bad("state.proactive.queue: expected an array");
        for (std::size_t i = 0; i < p.at("queue").size(); ++i)
          f.state.proactive.queue.push_back(hex_any(p.at("queue")[i], fmt::format("state.proactive.queue[{}]", i)));
      }
      if (p.contains("fetched") && !p.at("fetched").is_null())
        f.state.proactive.fetched = hex_any(p.at("fetched"), "state.proactive.fetched");
      if (p.contains("next_number"))
        f.state.proactive.next_number =
            static_cast<std::uint8_t>(uint_or_hex(p.at("next_number"), "state.proactive.next_number", 0xFE));
    }
    if (s.contains("sms_segments")) {
      if (!s.at("sms_segments").is_array()) bad("state.sms_segments: expected an array");
      for (std::size_t i = 0; i < s.at("sms_segments").size(); ++i)
        f.state.sms_segments.push_back(hex_any(s.at("sms_segments")[i], fmt::format("state.sms_segments[{}]", i)));
    }
  }
  return f;
}

}  // namespace

Result<CardFile, CardFileError> parse_card_file(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // Where, never what: nlohmann's message quotes the text it last read, and in a card file that is a key.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return err(CardFileError{fmt::format("not JSON: syntax error at line {}, column {}", line, column)});
  }
  try {
    return parse(j);
  } catch (const Bad& b) {
    return err(CardFileError{b.message});
  } catch (const json::exception& e) {
    return err(CardFileError{fmt::format("card file: {}", e.what())});
  }
}

CardState initial_state(const Personalisation& p, const CardConfig& config, aka::SqnLayout layout) {
  CardState s;
  s.fs = build_usim_file_system(p.iccid, p.imsi, p.options);
  s.sqn = aka::UsimSqnState::fresh(layout);
  for (const auto& k : config.key_sets) s.ota_counters[k.kvn.value()] = 0;
  return s;
}

CardFile with_state(CardFile f, const Card& card) {
  f.state = card.state();
  return f;
}

std::string write_card_file(const CardFile& f) {
  // The personalisation follows the card: the IMSI/MNC length it holds now, when EF_IMSI/EF_AD decode.
  Personalisation p = f.personalisation;
  if (auto now = imsi_of(f.state.fs); now.ok()) p.imsi = now.value();
  if (auto now = iccid_of(f.state.fs); now.ok()) p.iccid = now.value();
  const FileSystem defaults = build_usim_file_system(p.iccid, p.imsi, p.options);

  json j;
  j["format"] = kFormat;
  j["iccid"] = p.iccid.digits();
  j["imsi"] = p.imsi.digits();
  j["mnc_length"] = static_cast<int>(p.imsi.mnc_length());
  j["usim_aid"] = to_hex(p.options.aid);
  j["gsm_access"] = p.options.gsm_access;

  json a;
  a["algorithm"] = "milenage";
  a["k"] = to_hex(f.config.k.expose());
  a["opc"] = to_hex(f.config.opc.expose());
  if (standard_constants(f.config.milenage)) {
    a["constants"] = "standard";
  } else {
    json r = json::array(), c = json::array();
    for (std::size_t i = 0; i < 5; ++i) {
      r.push_back(f.config.milenage.r[i]);
      c.push_back(to_hex(f.config.milenage.c[i]));
    }
    a["constants"] = {{"r", r}, {"c", c}};
  }
  const auto& sqn = f.state.sqn;
  a["sqn"] = {{"ind_bits", sqn.layout.ind_bits()},
              {"delta", sqn.policy.delta ? json(*sqn.policy.delta) : json(nullptr)},
              {"age_limit", sqn.policy.age_limit ? json(*sqn.policy.age_limit) : json(nullptr)},
              {"seq_ms", sqn.seq_ms}};
  j["aka"] = a;

  json ks = json::array();
  for (const auto& k : f.config.key_sets) {
    const auto it = f.state.ota_counters.find(k.kvn.value());
    ByteArray<5> counter{};
    store_be(it == f.state.ota_counters.end() ? 0 : it->second, counter);
    ks.push_back({{"kvn", k.kvn.value()},
                  {"kic", to_hex(k.kic.expose())},
                  {"kid", to_hex(k.kid.expose())},
                  {"cipher", name_of(k.implicit_cipher, kCiphers)},
                  {"cc", name_of(k.implicit_cc, kCcs)},
                  {"rc", name_of(k.implicit_rc, kRcs)},
                  {"counter", to_hex(counter)}});
  }
  json ts = json::array();
  for (const auto& t : f.config.tars) {
    const ByteArray<1> msl{t.minimum_security_level};
    ts.push_back({{"tar", to_hex(t.tar.span())},
                  {"application", "rfm_usim"},
                  {"format", t.format == ota::ScriptFormat::Compact ? "compact" : "expanded"},
                  {"minimum_security_level", to_hex(msl)},
                  {"access", t.adm_access ? "adm" : "terminal"}});
  }
  j["ota"] = {{"key_sets", ks}, {"tars", ts}};
  j["refresh_mode"] = name_of(f.config.refresh_mode, kRefreshModes);

  json files = json::object();
  for (std::size_t i = 0; i < f.state.fs.nodes.size(); ++i) {
    const auto& n = f.state.fs.nodes[i];
    const auto d = defaults.find_path_name(f.state.fs.path_name(i));
    if (n.kind == FileKind::Transparent && (!d || defaults.nodes[*d].data != n.data))
      files[f.state.fs.path_name(i)] = to_hex(n.data);
    if (n.kind == FileKind::LinearFixed && (!d || defaults.nodes[*d].records != n.records)) {
      json recs = json::array();
      for (const auto& r : n.records) recs.push_back(to_hex(r));
      files[f.state.fs.path_name(i)] = recs;
    }
  }
  j["files"] = files;

  json st;
  st["selection"] = {{"df", selection_name(f.state.fs, f.state.selection.df)},
                     {"ef", f.state.selection.ef ? json(selection_name(f.state.fs, *f.state.selection.ef)) : json(nullptr)}};
  st["pending_response"] = to_hex(f.state.pending_response);
  json q = json::array();
  for (const auto& c : f.state.proactive.queue) q.push_back(to_hex(c));
  st["proactive"] = {{"queue", q},
                     {"fetched", f.state.proactive.fetched ? json(to_hex(*f.state.proactive.fetched)) : json(nullptr)},
                     {"next_number", f.state.proactive.next_number}};
  json segs = json::array();
  for (const auto& s : f.state.sms_segments) segs.push_back(to_hex(s));
  st["sms_segments"] = segs;
  j["state"] = st;
  return j.dump(2) + "\n";
}

}  // namespace mnoswitch::usim
