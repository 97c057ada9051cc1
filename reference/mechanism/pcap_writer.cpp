// GSMTAP v2 SIM frames (osmocom gsmtap.h; RFC 791 IPv4, RFC 768 UDP) in libpcap format (LINKTYPE_ETHERNET = 1).
#include "reference/mechanism/pcap_writer.hpp"

#include <array>

namespace mnoswitch::mechanism {
namespace {

constexpr std::uint32_t kPcapMagic = 0xA1B2C3D4;  // microsecond timestamps
constexpr std::uint32_t kLinkTypeEthernet = 1;
constexpr std::uint32_t kSnapLength = 65535;
constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kIpv4Header = 20;
constexpr std::size_t kUdpHeader = 8;

// pcap headers are written in host order by convention; readers detect it from the magic. We write little-endian.
void put_le(Bytes& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFFu));
}

std::uint16_t ipv4_checksum(ByteSpan header) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < header.size(); i += 2)
    sum += static_cast<std::uint32_t>((header[i] << 8) | header[i + 1]);
  while (sum >> 16) sum = (sum & 0xFFFFu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFFu);
}

}  // namespace

Bytes gsmtap_sim_payload(ByteSpan command_apdu, ByteSpan response_data, std::uint16_t status_word) {
  Writer w;
  w.bytes(command_apdu).bytes(response_data).be(status_word, 2);
  return std::move(w).take();
}

// osmocom gsmtap.h: struct gsmtap_hdr (version, hdr_len in 32-bit words, type, timeslot, arfcn, signal_dbm,
// snr_db, frame_number, sub_type, antenna_nr, sub_slot, res).
Bytes gsmtap_frame(ByteSpan payload) {
  Writer w;
  w.u8(kGsmtapVersion).u8(kGsmtapHeaderLength / 4).u8(kGsmtapTypeSim).u8(0);
  w.be(0, 2).u8(0).u8(0).be(0, 4);
  w.u8(0).u8(0).u8(0).u8(0);
  w.bytes(payload);
  return std::move(w).take();
}

Bytes udp_ethernet_frame(ByteSpan udp_payload) {
  Writer w;
  // Ethernet II: locally administered MACs, EtherType IPv4.
  w.bytes(std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x02}).bytes(std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x01});
  w.be(0x0800, 2);
  const auto ip_total = kIpv4Header + kUdpHeader + udp_payload.size();
  const auto ip_at = w.size();
  w.u8(0x45).u8(0).be(ip_total, 2).be(0, 2).be(0x4000, 2).u8(64).u8(17).be(0, 2);
  w.bytes(std::array<std::uint8_t, 4>{127, 0, 0, 1}).bytes(std::array<std::uint8_t, 4>{127, 0, 0, 2});
  const auto sum = ipv4_checksum(ByteSpan(w.buffer()).subspan(ip_at, kIpv4Header));
  w.buffer()[ip_at + 10] = static_cast<std::uint8_t>(sum >> 8);
  w.buffer()[ip_at + 11] = static_cast<std::uint8_t>(sum & 0xFFu);
  // UDP: checksum 0 = not computed (allowed over IPv4).
  w.be(kGsmtapPort, 2).be(kGsmtapPort, 2).be(kUdpHeader + udp_payload.size(), 2).be(0, 2);
  w.bytes(udp_payload);
  return std::move(w).take();
}

Result<PcapWriter, PcapError> PcapWriter::open(const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return err(PcapError::CannotOpen);
  Bytes header;
  put_le(header, kPcapMagic, 4);
  put_le(header, 2, 2);  // version 2.4
  put_le(header, 4, 2);
  put_le(header, 0, 4);  // thiszone
  put_le(header, 0, 4);  // sigfigs
  put_le(header, kSnapLength, 4);
  put_le(header, kLinkTypeEthernet, 4);
  out.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
  if (!out) return err(PcapError::WriteFailed);
  return PcapWriter(std::move(out));
}

Status<PcapError> PcapWriter::write_apdu(std::uint64_t time_us, ByteSpan command_apdu, ByteSpan response_data,
                                         std::uint16_t status_word) {
  const auto frame = udp_ethernet_frame(gsmtap_frame(gsmtap_sim_payload(command_apdu, response_data, status_word)));
  Bytes record;
  put_le(record, time_us / 1'000'000, 4);
  put_le(record, time_us % 1'000'000, 4);
  put_le(record, frame.size(), 4);
  put_le(record, frame.size(), 4);
  record.insert(record.end(), frame.begin(), frame.end());
  out_.write(reinterpret_cast<const char*>(record.data()), static_cast<std::streamsize>(record.size()));
  if (!out_) return err(PcapError::WriteFailed);
  ++frames_;
  return ok_unit;
}

Status<PcapError> PcapWriter::close() {
  out_.flush();
  if (!out_) return err(PcapError::WriteFailed);
  out_.close();
  return ok_unit;
}

}  // namespace mnoswitch::mechanism
