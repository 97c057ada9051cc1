// ETSI TS 102 221 §8 (file structure, selection), §11.1.1.4 (FCP).
#include "reference/usim/file_system.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace mnoswitch::usim {

std::size_t FileSystem::add(FileNode n) {
  nodes.push_back(std::move(n));
  return nodes.size() - 1;
}

std::optional<std::size_t> FileSystem::child(std::size_t dir, std::uint16_t id) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].parent == dir && nodes[i].fid == id && nodes[i].kind != FileKind::Adf) return i;
  return std::nullopt;
}

std::optional<std::size_t> FileSystem::adf_by_aid(ByteSpan aid) const {
  constexpr std::size_t kRidSize = 5;
  if (aid.size() < kRidSize || aid.size() > 16) return std::nullopt;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    if (n.kind == FileKind::Adf && n.aid.size() >= aid.size() && std::equal(aid.begin(), aid.end(), n.aid.begin()))
      return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> FileSystem::first_adf() const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].kind == FileKind::Adf) return i;
  return std::nullopt;
}

std::size_t FileSystem::application_of(std::size_t node) const {
  for (std::size_t i = node; i != kNoParent; i = nodes[i].parent)
    if (nodes[i].kind == FileKind::Adf) return i;
  return 0;
}

std::string FileSystem::path_name(std::size_t node) const {
  const auto& n = nodes[node];
  if (n.kind == FileKind::Mf) return "3F00";
  if (n.kind == FileKind::Adf) return n.name;
  return path_name(n.parent) + "/" + fmt::format("{:04X}", n.fid);
}

std::optional<std::size_t> FileSystem::find_path_name(std::string_view path) const {
  // Hex FIDs in either case ("ADF.USIM/6f07" = "ADF.USIM/6F07").
  std::string wanted(path);
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](char ch) { return (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch; });
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (path_name(i) == wanted) return i;
  return std::nullopt;
}

std::optional<std::size_t> FileSystem::adf_ef(std::uint16_t id) const {
  auto adf = first_adf();
  return child(adf ? *adf : 0, id);
}

namespace {
// ISO 7816-4 §5.4.3.2 compact security attribute: SC byte 00 = always, 90 = user authentication (PIN1 or ADM:
// the compact form cannot name the key), FF = never.
std::uint8_t compact_sc(Access a) {
  switch (a) {
    case Access::Always: return 0x00;
    case Access::Pin1:
    case Access::Adm: return 0x90;
    case Access::Never: return 0xFF;
  }
  return 0xFF;
}
void tlv(Bytes& out, std::uint8_t tag, ByteSpan v) {
  out.push_back(tag);
  out.push_back(static_cast<std::uint8_t>(v.size()));
  out.insert(out.end(), v.begin(), v.end());
}
}  // namespace

// TS 102 221 §11.1.1.4.1: 62 L { 82 file descriptor, 83 FID, [84 DF name], 8A life cycle, 8C security, 80 size,
// [88 SFI] }.
Bytes file_control_parameters(const FileSystem& fs, std::size_t node) {
  const auto& n = fs.nodes[node];
  Bytes body;
  constexpr std::uint8_t kDataCoding = 0x21;
  switch (n.kind) {
    case FileKind::Mf:
    case FileKind::Df:
    case FileKind::Adf: tlv(body, 0x82, Bytes{0x78, kDataCoding}); break;  // shareable DF
    case FileKind::Transparent: tlv(body, 0x82, Bytes{0x41, kDataCoding}); break;
    case FileKind::LinearFixed: {
      const auto len = n.record_length();
      tlv(body, 0x82, Bytes{0x42, kDataCoding, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len),
                             static_cast<std::uint8_t>(n.records.size())});
      break;
    }
  }
  const std::uint16_t id = n.kind == FileKind::Adf ? fid::kCurrentAdf : n.fid;
  tlv(body, 0x83, Bytes{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)});
  if (n.kind == FileKind::Adf) tlv(body, 0x84, n.aid);
  tlv(body, 0x8A, Bytes{0x05});  // operational state, activated
  // AM byte 03: b2 = UPDATE, b1 = READ; SC bytes follow from the highest AM bit down.
  tlv(body, 0x8C, Bytes{0x03, compact_sc(n.update), compact_sc(n.read)});
  if (!n.is_directory()) {
    const std::size_t size = n.kind == FileKind::Transparent ? n.data.size() : n.record_length() * n.records.size();
    tlv(body, 0x80, Bytes{static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)});
    if (n.sfi != 0) tlv(body, 0x88, Bytes{static_cast<std::uint8_t>(n.sfi << 3)});
  }
  Bytes out;
  tlv(out, 0x62, body);
  return out;
}

}  // namespace mnoswitch::usim
