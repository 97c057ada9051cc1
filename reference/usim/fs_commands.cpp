// ETSI TS 102 221 §11.1.1 SELECT, §11.1.2 STATUS, §11.1.3 READ BINARY, §11.1.4 UPDATE BINARY, §11.1.5 READ RECORD,
// §11.1.6 UPDATE RECORD, with the access conditions of §9 (REQ-FS-10, REQ-FS-23..27).
#include <algorithm>

#include "reference/usim/commands.hpp"
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::usim::detail {
namespace {

constexpr std::uint8_t kSelectByFid = 0x00;
constexpr std::uint8_t kSelectByAid = 0x04;
constexpr std::uint8_t kSelectPathFromMf = 0x08;
constexpr std::uint8_t kSelectPathFromCurrent = 0x09;
constexpr std::uint8_t kReturnFcp = 0x04;
constexpr std::uint8_t kNoData = 0x0C;
constexpr std::uint8_t kSfiFlag = 0x80;
constexpr std::uint8_t kRecordAbsolute = 0x04;

std::uint16_t fid_at(ByteSpan d, std::size_t i) {
  return static_cast<std::uint16_t>((d[i] << 8) | d[i + 1]);
}

std::size_t current_adf(const FileSystem& fs, const Selection& sel) {
  const auto app = fs.application_of(sel.df);
  if (fs.nodes[app].kind == FileKind::Adf) return app;
  return fs.first_adf().value_or(0);
}

// TS 102 221 §8.4.1: by FID, the card looks at the MF, the current ADF (7FFF), the current DF itself, its
// children, its parent, and the parent's children.
std::optional<std::size_t> by_fid(const FileSystem& fs, const Selection& sel, std::uint16_t id) {
  if (id == fid::kMf) return 0;
  if (id == fid::kCurrentAdf) {
    auto adf = current_adf(fs, sel);
    if (fs.nodes[adf].kind == FileKind::Adf) return adf;
    return std::nullopt;
  }
  const auto& df = fs.nodes[sel.df];
  if (df.kind != FileKind::Adf && df.fid == id) return sel.df;
  if (auto c = fs.child(sel.df, id)) return c;
  if (df.parent != kNoParent) {
    const auto& parent = fs.nodes[df.parent];
    if (parent.kind != FileKind::Adf && parent.fid == id) return df.parent;
    if (auto c = fs.child(df.parent, id)) return c;
  }
  return std::nullopt;
}

// TS 102 221 §8.4.2: a path is a concatenation of FIDs, each a child of the previous DF; 7FFF first means the
// current ADF. From the MF the path omits 3F00.
std::optional<std::size_t> by_path(const FileSystem& fs, const Selection& sel, std::size_t start, ByteSpan path) {
  std::size_t at = start;
  for (std::size_t i = 0; i < path.size(); i += 2) {
    const auto id = fid_at(path, i);
    if (!fs.nodes[at].is_directory()) return std::nullopt;
    std::optional<std::size_t> next;
    if (i == 0 && id == fid::kCurrentAdf) {
      auto adf = current_adf(fs, sel);
      if (fs.nodes[adf].kind == FileKind::Adf) next = adf;
    } else {
      next = fs.child(at, id);
    }
    if (!next) return std::nullopt;
    at = *next;
  }
  return at;
}

void make_current(const FileSystem& fs, Selection& sel, std::size_t node) {
  if (fs.nodes[node].is_directory()) {
    sel.df = node;
    sel.ef.reset();
  } else {
    sel.df = fs.nodes[node].parent;
    sel.ef = node;
  }
}

// The EF a READ/UPDATE addresses: by SFI within the current DF (ISO 7816-4 §7.2.2), else the current EF.
Result<std::size_t, StatusWord> target_ef(const FileSystem& fs, const Selection& sel, std::optional<std::uint8_t> sfi) {
  if (sfi) {
    for (std::size_t i = 0; i < fs.nodes.size(); ++i)
      if (fs.nodes[i].parent == sel.df && fs.nodes[i].sfi == *sfi && !fs.nodes[i].is_directory()) return i;
    return err(StatusWord::FileNotFound);
  }
  if (!sel.ef) return err(StatusWord::NoCurrentEf);
  return *sel.ef;
}

struct BinaryRef {
  std::optional<std::uint8_t> sfi;
  std::size_t offset;
};
// TS 102 221 §11.1.3.2: P1 b8 = 1 → b5..b1 SFI and P2 the offset; else P1 ‖ P2 is a 15-bit offset.
BinaryRef binary_ref(const CommandApdu& c) {
  if (c.p1 & kSfiFlag) return {static_cast<std::uint8_t>(c.p1 & 0x1F), c.p2};
  return {std::nullopt, static_cast<std::size_t>((c.p1 << 8) | c.p2)};
}

}  // namespace

ResponseApdu answer_with_le(Bytes data, std::optional<std::uint16_t> le, bool exact) {
  if (!le) return sw_only(data.empty() ? StatusWord::Ok : StatusWord::WrongLength);
  if (*le == 256 && data.size() <= 256) return ResponseApdu{std::move(data), StatusWord::Ok};
  if (*le > data.size() || (exact && *le != data.size())) return sw_only(sw_wrong_le(data.size()));
  data.resize(*le);
  return ResponseApdu{std::move(data), StatusWord::Ok};
}

// TS 102 221 §11.1.1 (REQ-FS-23): SELECT by FID, by DF name (AID), by path from the MF or from the current DF;
// P2 = 04 returns the FCP, 0C nothing. A failed SELECT keeps the current selection.
ResponseApdu cmd_select(Session& s, const CommandApdu& c) {
  const auto& fs = s.state.fs;
  if (c.p2 != kReturnFcp && c.p2 != kNoData) return sw_only(StatusWord::IncorrectP1P2);
  std::optional<std::size_t> target;
  switch (c.p1) {
    case kSelectByFid:
      if (c.data.size() != 2) return sw_only(StatusWord::WrongLength);
      target = by_fid(fs, s.selection, fid_at(c.data, 0));
      break;
    case kSelectByAid:
      if (c.data.empty() || c.data.size() > 16) return sw_only(StatusWord::WrongLength);
      target = fs.adf_by_aid(c.data);
      break;
    case kSelectPathFromMf:
    case kSelectPathFromCurrent:
      if (c.data.empty() || c.data.size() % 2 != 0) return sw_only(StatusWord::WrongLength);
      target = by_path(fs, s.selection, c.p1 == kSelectPathFromMf ? 0 : s.selection.df, c.data);
      break;
    default: return sw_only(StatusWord::IncorrectP1P2);
  }
  if (!target) return sw_only(StatusWord::FileNotFound);
  make_current(fs, s.selection, *target);
  if (c.p2 == kNoData) return sw_only(StatusWord::Ok);
  return ResponseApdu{file_control_parameters(fs, *target), StatusWord::Ok};
}

// TS 102 221 §11.1.2 (REQ-FS-24): P2 00 = FCP of the current DF, 01 = the application's DF name, 0C = nothing.
ResponseApdu cmd_status(Session& s, const CommandApdu& c) {
  if (c.p1 > 0x02) return sw_only(StatusWord::IncorrectP1P2);
  const auto& fs = s.state.fs;
  switch (c.p2) {
    case 0x00: return answer_with_le(file_control_parameters(fs, s.selection.df), c.le, true);
    case 0x01: {
      const auto app = fs.application_of(s.selection.df);
      if (fs.nodes[app].kind != FileKind::Adf) return sw_only(StatusWord::ReferencedDataNotFound);
      Bytes name{0x84, static_cast<std::uint8_t>(fs.nodes[app].aid.size())};
      name.insert(name.end(), fs.nodes[app].aid.begin(), fs.nodes[app].aid.end());
      return answer_with_le(std::move(name), c.le, true);
    }
    case kNoData:
      if (c.le) return sw_only(StatusWord::WrongLength);
      return sw_only(StatusWord::Ok);
    default: return sw_only(StatusWord::IncorrectP1P2);
  }
}

// TS 102 221 §11.1.3 (REQ-FS-25).
ResponseApdu cmd_read_binary(Session& s, const CommandApdu& c) {
  if (!c.data.empty() || !c.le) return sw_only(StatusWord::WrongLength);
  const auto ref = binary_ref(c);
  auto ef = target_ef(s.state.fs, s.selection, ref.sfi);
  if (ef.failed()) return sw_only(ef.error());
  const auto& node = s.state.fs.nodes[ef.value()];
  if (node.kind != FileKind::Transparent) return sw_only(StatusWord::IncompatibleFileStructure);
  if (!granted(node.read, s.rights)) return sw_only(StatusWord::SecurityStatusNotSatisfied);
  if (ref.offset >= node.data.size()) return sw_only(StatusWord::WrongParameters);
  Bytes out(node.data.begin() + static_cast<std::ptrdiff_t>(ref.offset), node.data.end());
  auto r = answer_with_le(std::move(out), c.le);
  if (is_success(r.sw)) s.selection.ef = ef.value();
  return r;
}

// TS 102 221 §11.1.4 (REQ-FS-26). Writing EF_IMSI with a new value also invalidates what was stored for the old
// IMSI (REQ-FS-13), in the same step.
ResponseApdu cmd_update_binary(Session& s, const CommandApdu& c) {
  if (c.data.empty() || c.le) return sw_only(StatusWord::WrongLength);
  const auto ref = binary_ref(c);
  auto ef = target_ef(s.state.fs, s.selection, ref.sfi);
  if (ef.failed()) return sw_only(ef.error());
  auto& node = s.state.fs.nodes[ef.value()];
  if (node.kind != FileKind::Transparent) return sw_only(StatusWord::IncompatibleFileStructure);
  if (!granted(node.update, s.rights)) return sw_only(StatusWord::SecurityStatusNotSatisfied);
  if (ref.offset >= node.data.size()) return sw_only(StatusWord::WrongParameters);
  if (ref.offset + c.data.size() > node.data.size()) return sw_only(StatusWord::WrongLength);
  const bool imsi = node.fid == fid::kEfImsi && s.state.fs.nodes[node.parent].kind == FileKind::Adf;
  const bool changed = !std::equal(c.data.begin(), c.data.end(),
                                   node.data.begin() + static_cast<std::ptrdiff_t>(ref.offset));
  std::copy(c.data.begin(), c.data.end(), node.data.begin() + static_cast<std::ptrdiff_t>(ref.offset));
  s.selection.ef = ef.value();
  if (imsi && changed) invalidate_location_and_keys(s.state.fs);
  return sw_only(StatusWord::Ok);
}

// TS 102 221 §11.1.5 (REQ-FS-27): absolute mode (P2 = 04, or SFI in P2 b8..b4 with b3..b1 = 100).
ResponseApdu cmd_read_record(Session& s, const CommandApdu& c) {
  if (!c.data.empty() || !c.le) return sw_only(StatusWord::WrongLength);
  if ((c.p2 & 0x07) != kRecordAbsolute) return sw_only(StatusWord::IncorrectP1P2);
  std::optional<std::uint8_t> sfi;
  if (c.p2 >> 3) sfi = static_cast<std::uint8_t>(c.p2 >> 3);
  auto ef = target_ef(s.state.fs, s.selection, sfi);
  if (ef.failed()) return sw_only(ef.error());
  const auto& node = s.state.fs.nodes[ef.value()];
  if (node.kind != FileKind::LinearFixed) return sw_only(StatusWord::IncompatibleFileStructure);
  if (!granted(node.read, s.rights)) return sw_only(StatusWord::SecurityStatusNotSatisfied);
  if (c.p1 == 0 || c.p1 > node.records.size()) return sw_only(StatusWord::RecordNotFound);
  const auto& rec = node.records[c.p1 - 1u];
  if (*c.le != 256 && *c.le != rec.size()) return sw_only(sw_wrong_le(rec.size()));
  s.selection.ef = ef.value();
  return ResponseApdu{rec, StatusWord::Ok};
}

// TS 102 221 §11.1.6 (REQ-FS-27): absolute mode; the data must be exactly one record.
ResponseApdu cmd_update_record(Session& s, const CommandApdu& c) {
  if (c.data.empty() || c.le) return sw_only(StatusWord::WrongLength);
  if ((c.p2 & 0x07) != kRecordAbsolute) return sw_only(StatusWord::IncorrectP1P2);
  std::optional<std::uint8_t> sfi;
  if (c.p2 >> 3) sfi = static_cast<std::uint8_t>(c.p2 >> 3);
  auto ef = target_ef(s.state.fs, s.selection, sfi);
  if (ef.failed()) return sw_only(ef.error());
  auto& node = s.state.fs.nodes[ef.value()];
  if (node.kind != FileKind::LinearFixed) return sw_only(StatusWord::IncompatibleFileStructure);
  if (!granted(node.update, s.rights)) return sw_only(StatusWord::SecurityStatusNotSatisfied);
  if (c.p1 == 0 || c.p1 > node.records.size()) return sw_only(StatusWord::RecordNotFound);
  if (c.data.size() != node.record_length()) return sw_only(StatusWord::WrongLength);
  node.records[c.p1 - 1u] = c.data;
  s.selection.ef = ef.value();
  return sw_only(StatusWord::Ok);
}

}  // namespace mnoswitch::usim::detail
