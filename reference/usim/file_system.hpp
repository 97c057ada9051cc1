// ETSI TS 102 221 §8 (file types, MF/DF/ADF/EF, file identifiers, selection by FID, path and AID),
// §9 (access conditions, simplified), §11.1.1.4 (FCP); TS 31.102 §4.2 (the ADF.USIM EFs this card carries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/core/bytes.hpp"

namespace mnoswitch::usim {

enum class FileKind : std::uint8_t { Mf, Df, Adf, Transparent, LinearFixed };

// REQ-FS-10: the access conditions of TS 102 221 §9 as this card uses them. Always; PIN1 (the user PIN: the
// card runs with PIN1 disabled, so the terminal holds it); ADM (the issuer's right: only the RFM application
// of a TAR configured with full access holds it, never the terminal); Never.
enum class Access : std::uint8_t { Always, Pin1, Adm, Never };

// What the party sending a command is granted (the terminal, or an RFM application on behalf of the issuer).
struct Rights {
  bool pin1 = false;
  bool adm = false;
  friend bool operator==(const Rights&, const Rights&) = default;
};
[[nodiscard]] constexpr bool granted(Access a, Rights r) noexcept {
  switch (a) {
    case Access::Always: return true;
    case Access::Pin1: return r.pin1 || r.adm;
    case Access::Adm: return r.adm;
    case Access::Never: return false;
  }
  return false;
}

inline constexpr std::size_t kNoParent = static_cast<std::size_t>(-1);

// Well-known file identifiers (TS 102 221 §13, TS 31.102 §4.2, §4.7).
namespace fid {
inline constexpr std::uint16_t kMf = 0x3F00;
inline constexpr std::uint16_t kCurrentAdf = 0x7FFF;  // TS 102 221 §8.4.1: "the current ADF" in paths
inline constexpr std::uint16_t kEfDir = 0x2F00;
inline constexpr std::uint16_t kEfIccid = 0x2FE2;
inline constexpr std::uint16_t kEfImsi = 0x6F07;
inline constexpr std::uint16_t kEfKeys = 0x6F08;
inline constexpr std::uint16_t kEfKeysPs = 0x6F09;
inline constexpr std::uint16_t kEfUst = 0x6F38;
inline constexpr std::uint16_t kEfPsLoci = 0x6F73;
inline constexpr std::uint16_t kEfAcc = 0x6F78;
inline constexpr std::uint16_t kEfLoci = 0x6F7E;
inline constexpr std::uint16_t kEfAd = 0x6FAD;
inline constexpr std::uint16_t kEfEpsLoci = 0x6FE3;
}  // namespace fid

// One file. A value type: the whole file system is a vector of these, so a card state copies and compares.
struct FileNode {
  std::uint16_t fid = 0;
  FileKind kind = FileKind::Transparent;
  std::size_t parent = kNoParent;  // index into FileSystem::nodes
  std::string name;                // "EF_IMSI", for reports and the card file
  Bytes aid;                       // ADF only: the application identifier (DF name)
  Access read = Access::Always;
  Access update = Access::Adm;
  Bytes data;                      // Transparent: the body
  std::vector<Bytes> records;      // LinearFixed: records of equal length
  std::uint8_t sfi = 0;            // short file identifier (0 = none)
  [[nodiscard]] bool is_directory() const noexcept {
    return kind == FileKind::Mf || kind == FileKind::Df || kind == FileKind::Adf;
  }
  [[nodiscard]] std::size_t record_length() const noexcept { return records.empty() ? 0 : records.front().size(); }
  friend bool operator==(const FileNode&, const FileNode&) = default;
};

class FileSystem {
 public:
  std::vector<FileNode> nodes;  // nodes[0] is the MF

  std::size_t add(FileNode n);
  [[nodiscard]] std::optional<std::size_t> child(std::size_t dir, std::uint16_t fid) const;
  // The first ADF whose AID starts with `aid` (TS 102 221 §8.5.3: partial DF name, ≥ 5 octets = RID).
  [[nodiscard]] std::optional<std::size_t> adf_by_aid(ByteSpan aid) const;
  [[nodiscard]] std::optional<std::size_t> first_adf() const;
  // The ADF (or MF) that contains `node`: the application a selection is in.
  [[nodiscard]] std::size_t application_of(std::size_t node) const;
  // "3F00/2FE2", "ADF.USIM/6F07": the path form used in the card file.
  [[nodiscard]] std::string path_name(std::size_t node) const;
  [[nodiscard]] std::optional<std::size_t> find_path_name(std::string_view path) const;
  // Transparent EF under the first ADF (or the MF) by FID, for the card's own bookkeeping.
  [[nodiscard]] std::optional<std::size_t> adf_ef(std::uint16_t fid) const;

  friend bool operator==(const FileSystem&, const FileSystem&) = default;
};

// TS 102 221 §11.1.1.4: the FCP template (tag 62) that SELECT with P2 = 04 and STATUS return.
[[nodiscard]] Bytes file_control_parameters(const FileSystem& fs, std::size_t node);

}  // namespace mnoswitch::usim
