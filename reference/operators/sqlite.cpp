// REQ-HO-70..72: the SQLite wrapper (WAL, synchronous level, statement cache, rollback-unless-committed).
#include "reference/operators/sqlite.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <climits>
#include <cstdlib>

namespace mnoswitch::operators::db {
namespace {
constexpr int kBusyTimeoutMs = 5000;

DbError::Kind kind_of(int rc, DbError::Kind fallback) {
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
      return DbError::Kind::Constraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return DbError::Kind::Busy;
    default:
      return fallback;
  }
}
}  // namespace

std::string describe(const DbError& e) {
  const char* what = "database error";
  switch (e.kind) {
    case DbError::Kind::Open:
      what = "cannot open database";
      break;
    case DbError::Kind::Prepare:
      what = "cannot prepare statement";
      break;
    case DbError::Kind::Bind:
      what = "cannot bind parameter";
      break;
    case DbError::Kind::Step:
      what = "statement failed";
      break;
    case DbError::Kind::Constraint:
      what = "constraint violated";
      break;
    case DbError::Kind::Busy:
      what = "database is busy";
      break;
    case DbError::Kind::Schema:
      what = "not a store of this version";
      break;
    case DbError::Kind::NotFound:
      what = "not found";
      break;
    case DbError::Kind::Nested:
      what = "nested transaction";
      break;
    case DbError::Kind::Exhausted:
      what = "counter exhausted";
      break;
  }
  return e.message.empty() ? std::string(what) : fmt::format("{}: {}", what, e.message);
}

// ---- Stmt ----
Stmt::~Stmt() {
  if (s_ != nullptr) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
}

Stmt& Stmt::bind(int index, std::int64_t v) {
  int rc = sqlite3_bind_int64(s_, index, v);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}
Stmt& Stmt::bind(int index, std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) std::abort();
  int rc = sqlite3_bind_text(s_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}
Stmt& Stmt::bind_blob(int index, ByteSpan blob) {
  if (blob.size() > static_cast<std::size_t>(INT_MAX)) std::abort();
  // A zero-length blob must still be a blob, not NULL: sqlite3_bind_zeroblob keeps the type.
  int rc = blob.empty() ? sqlite3_bind_zeroblob(s_, index, 0)
                        : sqlite3_bind_blob(s_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}
Stmt& Stmt::bind_null(int index) {
  int rc = sqlite3_bind_null(s_, index);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Result<bool, DbError> Stmt::step() {
  if (bind_rc_ != 0) return err(db_->error(DbError::Kind::Bind, bind_rc_));
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return err(db_->error(kind_of(rc, DbError::Kind::Step), rc));
}

Status<DbError> Stmt::run() {
  for (;;) {
    auto r = step();
    if (r.failed()) return err(std::move(r).error());
    if (!r.value()) return ok_unit;
  }
}

int Stmt::column_count() const {
  return sqlite3_column_count(s_);
}
bool Stmt::is_null(int col) const {
  return sqlite3_column_type(s_, col) == SQLITE_NULL;
}
std::int64_t Stmt::int64(int col) const {
  return sqlite3_column_int64(s_, col);
}
std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}
ByteSpan Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  if (p == nullptr || n <= 0) return {};
  return ByteSpan(static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n));
}

// ---- Database ----
DbError Database::error(DbError::Kind kind, int rc) const {
  return DbError{kind, rc, h_ != nullptr ? std::string(sqlite3_errmsg(h_)) : std::string(sqlite3_errstr(rc))};
}

Result<Database, DbError> Database::open(const std::string& path, Synchronous sync) {
  sqlite3* h = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    DbError e{DbError::Kind::Open, rc, fmt::format("{}: {}", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc))};
    sqlite3_close(h);
    return err(std::move(e));
  }
  Database db(h, sync);
  sqlite3_extended_result_codes(h, 1);
  sqlite3_busy_timeout(h, kBusyTimeoutMs);
  auto pragmas = db.exec(sync == Synchronous::Full
                             ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                             : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (pragmas.failed()) {
    auto e = pragmas.error();
    e.kind = DbError::Kind::Open;
    return err(std::move(e));
  }
  return db;
}

Database::Database(Database&& o) noexcept : h_(o.h_), sync_(o.sync_), in_tx_(o.in_tx_), cache_(std::move(o.cache_)) {
  o.h_ = nullptr;
  o.cache_.clear();
}
Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    close();
    h_ = o.h_;
    sync_ = o.sync_;
    in_tx_ = o.in_tx_;
    cache_ = std::move(o.cache_);
    o.h_ = nullptr;
    o.cache_.clear();
  }
  return *this;
}
Database::~Database() {
  close();
}

void Database::close() noexcept {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  cache_.clear();
  if (h_ != nullptr) sqlite3_close(h_);
  h_ = nullptr;
}

Status<DbError> Database::exec(std::string_view sql) {
  std::string s(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(h_, s.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    DbError e{kind_of(rc, DbError::Kind::Step), rc, msg != nullptr ? msg : sqlite3_errstr(rc)};
    sqlite3_free(msg);
    return err(std::move(e));
  }
  return ok_unit;
}

Result<Stmt, DbError> Database::prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(h_, key.c_str(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return err(error(DbError::Kind::Prepare, rc));
    it = cache_.emplace(std::move(key), s).first;
  }
  return Stmt(this, it->second);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(h_);
}
int Database::changes() const {
  return sqlite3_changes(h_);
}

// ---- Transaction ----
Result<Transaction, DbError> Transaction::begin(Database& db) {
  if (db.in_tx_) return err(DbError{DbError::Kind::Nested, 0, "a transaction is already open"});
  auto r = db.exec("BEGIN IMMEDIATE");
  if (r.failed()) return err(std::move(r).error());
  db.in_tx_ = true;
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    // Best effort: if ROLLBACK itself fails the connection is closing or broken, and SQLite rolls back on close.
    (void)db_->exec("ROLLBACK");
    db_->in_tx_ = false;
  }
}

Status<DbError> Transaction::commit() {
  if (db_ == nullptr) return err(DbError{DbError::Kind::Nested, 0, "transaction already finished"});
  auto r = db_->exec("COMMIT");
  if (r.failed()) return r;  // still open: the destructor rolls back
  db_->in_tx_ = false;
  db_ = nullptr;
  return ok_unit;
}

}  // namespace mnoswitch::operators::db
