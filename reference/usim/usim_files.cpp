// TS 102 221 §13.1/§13.2, TS 31.102 §4.2.2/.5/.6/.8/.15/.17/.18/.23/.91: the card's file tree.
#include "reference/usim/usim_files.hpp"

namespace mnoswitch::usim {
namespace {

constexpr std::size_t kEfDirRecordLength = 32;
constexpr std::size_t kEfUstSize = 5;
constexpr std::uint8_t kKsiNoKey = 0x07;       // TS 31.102 §4.2.5: KSI '07' = no key available
constexpr std::uint8_t kNotUpdated = 0x01;     // TS 24.008 §10.5.1 / TS 31.102 §4.2.17: "not updated"
constexpr std::size_t kKeysSize = 33;          // KSI + CK + IK

// TS 31.102 §4.2.17: TMSI (4) ‖ LAI (5) ‖ RFU (1) ‖ update status (1); a deleted LAI has LAC 0000/FFFE.
Bytes blank_loci() { return Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, kNotUpdated}; }
// §4.2.23: P-TMSI (4) ‖ P-TMSI signature (3) ‖ RAI (6) ‖ routing area update status (1).
Bytes blank_psloci() {
  return Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, kNotUpdated};
}
// §4.2.91: GUTI (12) ‖ last visited registered TAI (5) ‖ EPS update status (1).
Bytes blank_epsloci() {
  Bytes b(12, 0xFF);
  b.insert(b.end(), {0xFF, 0xFF, 0xFF, 0x00, 0x00, kNotUpdated});
  return b;
}
Bytes blank_keys() {
  Bytes b(kKeysSize, 0xFF);
  b[0] = kKsiNoKey;
  return b;
}

Bytes ef_dir_record(const Bytes& aid) {
  static constexpr std::uint8_t kLabel[] = {'U', 'S', 'I', 'M'};
  Bytes inner{0x4F, static_cast<std::uint8_t>(aid.size())};
  inner.insert(inner.end(), aid.begin(), aid.end());
  inner.push_back(0x50);
  inner.push_back(sizeof kLabel);
  inner.insert(inner.end(), std::begin(kLabel), std::end(kLabel));
  Bytes rec{0x61, static_cast<std::uint8_t>(inner.size())};
  rec.insert(rec.end(), inner.begin(), inner.end());
  rec.resize(kEfDirRecordLength, 0xFF);
  return rec;
}

Bytes service_table(bool gsm_access) {
  Bytes ust(kEfUstSize, 0x00);
  auto set = [&](unsigned n) { ust[(n - 1) / 8] |= static_cast<std::uint8_t>(1u << ((n - 1) % 8)); };
  if (gsm_access) set(kServiceGsmAccess);
  set(kServiceSmsPpDownload);
  return ust;
}

FileNode ef(std::uint16_t id, std::string name, std::size_t parent, Bytes data, Access read, Access update,
            std::uint8_t sfi = 0) {
  FileNode n;
  n.fid = id;
  n.kind = FileKind::Transparent;
  n.parent = parent;
  n.name = std::move(name);
  n.data = std::move(data);
  n.read = read;
  n.update = update;
  n.sfi = sfi;
  return n;
}

}  // namespace

ByteArray<2> access_class_for(const Imsi& imsi) {
  const unsigned cls = static_cast<unsigned>(imsi.digits().back() - '0');
  ByteArray<2> acc{0x00, 0x00};
  if (cls < 8) acc[1] = static_cast<std::uint8_t>(1u << cls);
  else acc[0] = static_cast<std::uint8_t>(1u << (cls - 8));
  return acc;
}

FileSystem build_usim_file_system(const Iccid& iccid, const Imsi& imsi, const UsimOptions& options) {
  FileSystem fs;
  FileNode mf;
  mf.fid = fid::kMf;
  mf.kind = FileKind::Mf;
  mf.name = "MF";
  mf.update = Access::Never;
  const auto root = fs.add(std::move(mf));

  const auto iccid_ef = encode_ef_iccid(iccid);
  fs.add(ef(fid::kEfIccid, "EF_ICCID", root, Bytes(iccid_ef.begin(), iccid_ef.end()), Access::Always, Access::Never,
            0x02));
  FileNode dir;
  dir.fid = fid::kEfDir;
  dir.kind = FileKind::LinearFixed;
  dir.parent = root;
  dir.name = "EF_DIR";
  dir.records = {ef_dir_record(options.aid)};
  dir.read = Access::Always;
  dir.update = Access::Adm;
  dir.sfi = 0x1E;
  fs.add(std::move(dir));

  FileNode adf;
  adf.fid = fid::kCurrentAdf;
  adf.kind = FileKind::Adf;
  adf.parent = root;
  adf.name = "ADF.USIM";
  adf.aid = options.aid;
  adf.update = Access::Never;
  const auto usim = fs.add(std::move(adf));

  const auto imsi_ef = encode_ef_imsi(imsi);
  // TS 31.102 §4.2.2: EF_IMSI READ PIN, UPDATE ADM (REQ-FS-10).
  fs.add(ef(fid::kEfImsi, "EF_IMSI", usim, Bytes(imsi_ef.begin(), imsi_ef.end()), Access::Pin1, Access::Adm, 0x07));
  fs.add(ef(fid::kEfAd, "EF_AD", usim, Bytes{0x00, 0x00, 0x00, static_cast<std::uint8_t>(imsi.mnc_length())},
            Access::Always, Access::Adm, 0x03));
  fs.add(ef(fid::kEfUst, "EF_UST", usim, service_table(options.gsm_access), Access::Pin1, Access::Adm, 0x04));
  const auto acc = access_class_for(imsi);
  fs.add(ef(fid::kEfAcc, "EF_ACC", usim, Bytes(acc.begin(), acc.end()), Access::Pin1, Access::Adm, 0x06));
  // The terminal writes these (TS 31.102: UPDATE PIN).
  fs.add(ef(fid::kEfLoci, "EF_LOCI", usim, blank_loci(), Access::Pin1, Access::Pin1, 0x0B));
  fs.add(ef(fid::kEfPsLoci, "EF_PSLOCI", usim, blank_psloci(), Access::Pin1, Access::Pin1, 0x0C));
  fs.add(ef(fid::kEfEpsLoci, "EF_EPSLOCI", usim, blank_epsloci(), Access::Pin1, Access::Pin1, 0x1E));
  fs.add(ef(fid::kEfKeys, "EF_KEYS", usim, blank_keys(), Access::Pin1, Access::Pin1, 0x08));
  fs.add(ef(fid::kEfKeysPs, "EF_KEYSPS", usim, blank_keys(), Access::Pin1, Access::Pin1, 0x09));
  return fs;
}

std::optional<MncLength> mnc_length_of(const FileSystem& fs) {
  auto ad = fs.adf_ef(fid::kEfAd);
  if (!ad || fs.nodes[*ad].data.size() < 4) return std::nullopt;
  auto m = mnc_length_from_int(fs.nodes[*ad].data[3] & 0x0F);
  if (m.failed()) return std::nullopt;
  return m.value();
}

Result<Imsi, ImsiError> imsi_of(const FileSystem& fs) {
  auto node = fs.adf_ef(fid::kEfImsi);
  if (!node) return err(ImsiError{ImsiError::Kind::WrongFileSize, 0, 0});
  auto mnc = mnc_length_of(fs);
  if (!mnc) return err(ImsiError{ImsiError::Kind::BadMncLength, 0, 0});
  return decode_ef_imsi(fs.nodes[*node].data, *mnc);
}

Result<Iccid, IccidError> iccid_of(const FileSystem& fs) {
  auto node = fs.child(0, fid::kEfIccid);
  if (!node) return err(IccidError{IccidError::Kind::WrongFileSize, 0, 0});
  return decode_ef_iccid(fs.nodes[*node].data);
}

bool gsm_access_of(const FileSystem& fs) {
  auto node = fs.adf_ef(fid::kEfUst);
  if (!node) return false;
  const auto& ust = fs.nodes[*node].data;
  const unsigned n = kServiceGsmAccess - 1;
  return ust.size() > n / 8 && (ust[n / 8] & (1u << (n % 8))) != 0;
}

void invalidate_location_and_keys(FileSystem& fs) {
  auto set = [&](std::uint16_t id, Bytes v) {
    if (auto n = fs.adf_ef(id)) fs.nodes[*n].data = std::move(v);
  };
  set(fid::kEfLoci, blank_loci());
  set(fid::kEfPsLoci, blank_psloci());
  set(fid::kEfEpsLoci, blank_epsloci());
  set(fid::kEfKeys, blank_keys());
  set(fid::kEfKeysPs, blank_keys());
}

}  // namespace mnoswitch::usim
