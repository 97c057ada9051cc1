// An MNO as the procedure sees it (spec/mechanism.md "Roles"; REQ-HO-10..35, REQ-HO-70..79): its HSS/AuC, its IMSI
// range, its OTA server (key set and counter per card), its per-device change journal and the batches it has
// accepted — all kept in SQLite and mirrored in memory. Every mutation is written inside the open transaction of
// the current step; SMS are queued in an outbox that the caller releases only after commit, so a crash at any
// point either loses a step entirely (nothing was sent) or finds it durable (REQ-HO-72, REQ-HO-74).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"
#include "reference/operators/batch_types.hpp"
#include "reference/operators/change_state.hpp"
#include "reference/operators/hss.hpp"
#include "reference/operators/ota_server.hpp"
#include "reference/operators/sqlite.hpp"

namespace mnoswitch::operators {

// An SMS the operator wants to send once its step is durable.
struct OutgoingSms {
  std::uint32_t device = 0;
  std::vector<Bytes> tpdus;
  std::uint8_t carries = 0;  // what the command is (the simulation's bookkeeping; the network never looks)
  std::uint64_t counter = 0;
};

class Mno {
 public:
  // Opens (or creates) the operator's store at `path` and loads its state: a resume after a crash starts here.
  [[nodiscard]] static Result<Mno, db::DbError> open(const std::string& path, std::string name, ImsiBlock range,
                                                      std::uint32_t devices, db::Synchronous sync);
  Mno(Mno&&) = default;
  Mno& operator=(Mno&&) = delete;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] Hss& hss() noexcept { return hss_; }
  [[nodiscard]] const Hss& hss() const noexcept { return hss_; }
  [[nodiscard]] OtaServer& ota() noexcept { return ota_; }
  [[nodiscard]] const OtaServer& ota() const noexcept { return ota_; }
  [[nodiscard]] const DeviceChange& change(std::uint32_t d) const noexcept { return journal_[d]; }
  [[nodiscard]] std::uint32_t devices() const noexcept { return static_cast<std::uint32_t>(journal_.size()); }
  [[nodiscard]] bool fresh() const noexcept { return fresh_; }  // true when the store was just created

  // ---- a step: begin, mutate (each mutation is written at once), commit, then release the outbox ----
  [[nodiscard]] Status<db::DbError> begin();
  [[nodiscard]] Status<db::DbError> commit();
  [[nodiscard]] bool in_step() const noexcept { return tx_.has_value(); }
  [[nodiscard]] std::vector<OutgoingSms> take_outbox() { return std::exchange(outbox_, {}); }
  void send(OutgoingSms sms) { outbox_.push_back(std::move(sms)); }

  // Journal.
  [[nodiscard]] Status<db::DbError> set_change(std::uint32_t d, const DeviceChange& c);
  // REQ-HO-77: the next OTA counter of a card, reserved durably (it is never handed out again, even after a crash).
  [[nodiscard]] Result<std::uint64_t, db::DbError> reserve_counter(const std::string& iccid);
  // HSS / OTA records.
  [[nodiscard]] Status<db::DbError> put_subscriber(std::uint32_t d, const std::string& imsi, AucRecord record);
  [[nodiscard]] Status<db::DbError> erase_subscriber(const std::string& imsi);
  [[nodiscard]] Status<db::DbError> save_sqn(const std::string& imsi);
  [[nodiscard]] Status<db::DbError> put_card(std::uint32_t d, const std::string& iccid, CardOta card);
  // Small durable values (the fleet-level stage of the procedure, batch sequence numbers).
  [[nodiscard]] Result<std::optional<std::int64_t>, db::DbError> meta(std::string_view key);
  [[nodiscard]] Status<db::DbError> set_meta(std::string_view key, std::int64_t value);
  // REQ-HO-58: batches accepted (replay protection), durable.
  [[nodiscard]] Status<db::DbError> record_batch(const BatchHeader& h);
  [[nodiscard]] bool batch_seen(const BatchId& id) const;
  [[nodiscard]] std::optional<std::uint64_t> last_sequence(const OperatorId& sender) const;

  // Bulk load during provisioning (one transaction for the whole fleet).
  [[nodiscard]] db::Database& database() noexcept { return db_; }

 private:
  Mno(db::Database db, std::string name, ImsiBlock range, std::uint32_t devices)
      : db_(std::move(db)), name_(std::move(name)), hss_(std::move(range)), journal_(devices) {}
  [[nodiscard]] Status<db::DbError> load();

  db::Database db_;
  std::optional<db::Transaction> tx_;
  std::string name_;
  Hss hss_;
  OtaServer ota_;
  std::vector<DeviceChange> journal_;
  std::vector<OutgoingSms> outbox_;
  std::vector<std::pair<BatchId, std::pair<std::string, std::uint64_t>>> batches_;
  bool fresh_ = false;
};

}  // namespace mnoswitch::operators
