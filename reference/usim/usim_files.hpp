// TS 102 221 §13 (EF_DIR, EF_ICCID), TS 31.102 §4.2 (ADF.USIM EFs: IMSI, AD, UST, LOCI, PSLOCI, EPSLOCI, KEYS,
// KEYSPS, ACC): the file tree of this card and the bookkeeping the IMSI change needs.
#pragma once

#include <optional>

#include "reference/core/bytes.hpp"
#include "reference/usim/file_system.hpp"
#include "reference/usim/iccid.hpp"
#include "reference/usim/imsi.hpp"

namespace mnoswitch::usim {

// TS 101 220 Annex E / TS 31.110: 3GPP RID A000000087, application code 1002 (USIM); the rest is the
// application provider's (here: a test value, configurable in the card file).
inline const Bytes kDefaultUsimAid{0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0x89, 0x07, 0x09, 0x00, 0x00};

// TS 31.102 §4.2.8 service numbers this card reports in EF_UST.
inline constexpr unsigned kServiceGsmAccess = 27;
inline constexpr unsigned kServiceSmsPpDownload = 28;

struct UsimOptions {
  Bytes aid = kDefaultUsimAid;
  bool gsm_access = true;  // service n°27: AUTHENTICATE also returns Kc (TS 31.102 §7.1.2.1)
};

// REQ-FS-11: MF { EF_ICCID, EF_DIR, ADF.USIM { EF_IMSI, EF_AD, EF_UST, EF_LOCI, EF_PSLOCI, EF_EPSLOCI, EF_KEYS,
// EF_KEYSPS, EF_ACC } } with the access conditions of TS 31.102 §4.2 (EF_IMSI: READ PIN1, UPDATE ADM).
[[nodiscard]] FileSystem build_usim_file_system(const Iccid& iccid, const Imsi& imsi, const UsimOptions& options);

// TS 31.102 §4.2.18: MNC length from EF_AD octet 4 (b4..b1); nullopt when EF_AD is absent, short, or says
// neither 2 nor 3.
[[nodiscard]] std::optional<MncLength> mnc_length_of(const FileSystem& fs);
// The IMSI EF_IMSI holds now, read with the MNC length of EF_AD.
[[nodiscard]] Result<Imsi, ImsiError> imsi_of(const FileSystem& fs);
[[nodiscard]] Result<Iccid, IccidError> iccid_of(const FileSystem& fs);
[[nodiscard]] bool gsm_access_of(const FileSystem& fs);

// REQ-FS-13: after the IMSI changes, the identities and keys stored for the old one are invalid (TS 31.102
// §4.2.17 TMSI 'FF…' + update status "not updated", §4.2.23 P-TMSI, §4.2.91 GUTI, §4.2.5/§4.2.6 KSI '07' = no
// key). The card invalidates them itself, in the same step as the update, so that a terminal that misses
// the REFRESH still cannot present the old TMSI/GUTI with the new IMSI.
void invalidate_location_and_keys(FileSystem& fs);

// TS 22.011 §4.2 / TS 31.102 §4.2.15: access class 0..9 = the last IMSI digit.
[[nodiscard]] ByteArray<2> access_class_for(const Imsi& imsi);

}  // namespace mnoswitch::usim
