// CARD.json (spec/usim.md "Card file", REQ-FS-70): parse, write, parse again gives the same state; errors name
// the field.
#include <nlohmann/json.hpp>

#include "reference/usim/usim_files.hpp"
#include "tests/unit/usim_test_support.hpp"

using namespace usim_test;
using nlohmann::json;

namespace {
std::string with(const std::function<void(json&)>& edit) {
  auto j = json::parse(read_text(kExampleCard));
  edit(j);
  return j.dump();
}
std::string error_of(const std::string& text) {
  auto r = parse_card_file(text);
  REQUIRE(r.failed());
  return r.error().message;
}
}  // namespace

TEST_CASE("REQ-FS-70 REQ-FS-11 the example card file builds the documented card", "[usim][card_file][REQ-FS-70][REQ-FS-11]") {
  const CardFile f = example_file();
  // REQ-FS-11: the file tree, by path, with the access conditions of TS 31.102 §4.2.
  const auto& fs = f.state.fs;
  for (const char* path : {"3F00/2FE2", "3F00/2F00", "ADF.USIM", "ADF.USIM/6F07", "ADF.USIM/6FAD", "ADF.USIM/6F38",
                           "ADF.USIM/6F78", "ADF.USIM/6F7E", "ADF.USIM/6F73", "ADF.USIM/6FE3", "ADF.USIM/6F08",
                           "ADF.USIM/6F09"})
    CHECK(fs.find_path_name(path).has_value());
  const auto& imsi_ef = fs.nodes[*fs.find_path_name("ADF.USIM/6F07")];
  CHECK(imsi_ef.read == Access::Pin1);
  CHECK(imsi_ef.update == Access::Adm);
  CHECK(fs.nodes[*fs.find_path_name("3F00/2FE2")].update == Access::Never);
  CHECK(fs.nodes[*fs.find_path_name("ADF.USIM/6F7E")].update == Access::Pin1);
  CHECK(to_hex(fs.nodes[*fs.find_path_name("ADF.USIM/6F78")].data) == "0200");  // class 9 (last IMSI digit)
  CHECK(f.personalisation.iccid.digits() == "89014103211118510720");
  CHECK(imsi_of(f.state.fs).value().digits() == "001010123456789");
  CHECK(mnc_length_of(f.state.fs) == MncLength::Two);
  CHECK(f.config.key_sets.size() == 2);
  CHECK(f.config.tars.size() == 2);
  CHECK(f.config.tars[0].minimum_security_level == 0x16);
  CHECK(f.config.tars[1].format == ota::ScriptFormat::ExpandedDefinite);
  CHECK(f.state.ota_counters.at(1) == 0);
  CHECK(f.state.sqn.seq_ms.size() == 32);
  CHECK(f.state.selection.df == 0);
  CHECK(gsm_access_of(f.state.fs));
}

TEST_CASE("REQ-FS-70 write then parse gives the same state, also after an IMSI change and with a pending REFRESH",
          "[usim][card_file][REQ-FS-70]") {
  CardFile f = example_file();
  Card c = make_card(f);
  // Change things a session changes: an EF the terminal writes, selection, the OTA counter, EF_IMSI (by RFM).
  REQUIRE(tx(c, "00a4080c047fff6f7e") == "9000");
  REQUIRE(tx(c, "00d6000004" "01020304") == "9000");
  OtaCommand cmd;
  cmd.counter = 9;
  cmd.script = ota::script_set_ef_imsi(encode_ef_imsi(Imsi::parse("26201123456780", MncLength::Two).value()));
  REQUIRE(sw1(c.transmit(envelopes(wrap(cmd, c.config().key_sets.at(0))).at(0)).sw) == 0x61);
  REQUIRE(tx(c, "00a4000c026fad") == "9126");  // the PoR is dropped; the REFRESH waits

  const std::string text = write_card_file(with_state(f, c));
  auto back = parse_card_file(text);
  if (back.failed()) FAIL(back.error().message);
  CHECK(back.value().state == c.state());
  CHECK(back.value().personalisation.imsi.digits() == "26201123456780");
  const auto j = json::parse(text);
  CHECK(j["imsi"] == "26201123456780");
  CHECK(j["ota"]["key_sets"][0]["counter"] == "0000000009");
  CHECK(j["state"]["proactive"]["queue"].size() == 1);
  CHECK(j["files"].contains("ADF.USIM/6F7E") == false);  // invalidated = the default blank value again
  CHECK(j["files"].contains("ADF.USIM/6F78"));            // EF_ACC was made for the old IMSI
  // And a second round is byte-identical.
  CHECK(write_card_file(back.value()) == text);
}

TEST_CASE("REQ-FS-70 card file errors name the field", "[usim][card_file][REQ-FS-70]") {
  CHECK(error_of("{") .rfind("not JSON", 0) == 0);
  CHECK(error_of(with([](json& j) { j["imsi"] = "00101012345678x"; })) == "imsi: IMSI character 15 is not a decimal digit");
  CHECK(error_of(with([](json& j) { j["iccid"] = "89014103211118510721"; })) ==
        "iccid: ICCID Luhn check digit is wrong (expected 0)");
  CHECK(error_of(with([](json& j) { j["mnc_length"] = 4; })) == "mnc_length: MNC length 4 is not 2 or 3 (TS 31.102 §4.2.18)");
  CHECK(error_of(with([](json& j) { j["aka"]["k"] = "00"; })) == "aka.k: expected 16 octets (32 hex digits), got 1 octets");
  CHECK(error_of(with([](json& j) { j["aka"]["op"] = "00000000000000000000000000000000"; })) ==
        "aka: give exactly one of \"opc\" and \"op\"");
  CHECK(error_of(with([](json& j) { j["ota"]["key_sets"][1]["kvn"] = 1; })) ==
        "ota.key_sets[1].kvn: key version 1 appears twice");
  CHECK(error_of(with([](json& j) { j["ota"]["key_sets"][0]["kic"] = "0011"; })) ==
        "ota.key_sets[0].kic: a key has 8, 16, 24 or 32 octets");
  CHECK(error_of(with([](json& j) { j["ota"]["key_sets"][0]["counter"] = "010000000000"; })).find("exceeds") !=
        std::string::npos);
  CHECK(error_of(with([](json& j) { j["ota"]["tars"][0]["format"] = "short"; })) ==
        "ota.tars[0].format: \"short\" is not one of compact, expanded");
  CHECK(error_of(with([](json& j) { j["ota"]["tars"][1]["tar"] = "b00010"; })) == "ota.tars[1].tar: configured twice");
  CHECK(error_of(with([](json& j) { j["colour"] = "blue"; })) == "card: unknown field \"colour\"");
  CHECK(error_of(with([](json& j) { j["files"] = {{"ADF.USIM/6F07", "0809"}}; })) ==
        "files.ADF.USIM/6F07: the file has 9 octets");
  CHECK(error_of(with([](json& j) { j["files"] = {{"3F00/6F07", "00"}}; })) == "files.3F00/6F07: no such file on this card");
  CHECK(error_of(with([](json& j) { j["aka"]["sqn"] = {{"ind_bits", 2}, {"seq_ms", {1, 2}}}; })) ==
        "aka.sqn.seq_ms: expected 4 entries (2^ind_bits)");
}

TEST_CASE("REQ-FS-70 OP instead of OPc derives OPc (TS 35.208 set 1)", "[usim][card_file][REQ-FS-70]") {
  auto f = parse_card_file(with([](json& j) {
    j["aka"].erase("opc");
    j["aka"]["op"] = "cdc202d5123e20f62b6d676ac72cb318";
  }));
  REQUIRE(f.ok());
  CHECK(to_hex(f.value().config.opc.expose()) == "cd63cb71954a9f4e48a5994e37a02baf");
}

TEST_CASE("REQ-FS-70 initial_state equals the state of a card file without state or files", "[usim][card_file][REQ-FS-70]") {
  const CardFile f = example_file();
  CHECK(initial_state(f.personalisation, f.config) == f.state);
  CHECK(f.state.fs.find_path_name("adf.usim/6f07") == f.state.fs.find_path_name("ADF.USIM/6F07"));
}
