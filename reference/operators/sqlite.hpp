// Durable state for REQ-HO-70..79 (spec/formats.md §Store): a small RAII wrapper over SQLite 3 — WAL, a
// selectable synchronous level, cached prepared statements, and a transaction guard that rolls back unless
// committed. Every failure is a DbError value; nothing throws and nothing prints.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "reference/core/bytes.hpp"
#include "reference/core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mnoswitch::operators::db {

struct DbError {
  enum class Kind {
    Open,        // the file cannot be opened or created
    Prepare,     // SQL did not compile (a bug, or a schema mismatch)
    Bind,        // a parameter could not be bound
    Step,        // execution failed (I/O, disk full, ...)
    Constraint,  // a UNIQUE/CHECK/FOREIGN KEY constraint said no
    Busy,        // another connection holds the lock past the timeout
    Schema,      // the file is not a store of this program/version
    NotFound,    // a row the caller needs does not exist
    Nested,      // a transaction was begun inside another one
    Exhausted,   // a counter has no next value (OTA CNTR at 2^40 - 1)
  } kind;
  int code = 0;         // the SQLite result code, 0 if none
  std::string message;  // SQLite's message or ours; never contains key material
};
[[nodiscard]] std::string describe(const DbError& e);

// REQ-HO-71: FULL survives power loss after each commit; NORMAL (with WAL) may lose the last commits on power
// loss but never corrupts, and survives a process crash.
enum class Synchronous { Full, Normal };

class Database;

// A cached prepared statement, borrowed for one use: reset and unbound when the handle goes away. Two handles for
// the same SQL text share one sqlite3_stmt, so never hold one while preparing the same text again.
class Stmt {
 public:
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite.
  Stmt& bind(int index, std::int64_t v);
  Stmt& bind(int index, std::string_view text);
  Stmt& bind_blob(int index, ByteSpan blob);
  Stmt& bind_null(int index);
  // Runs one step: true = a row is available, false = done.
  [[nodiscard]] Result<bool, DbError> step();
  // Runs to completion expecting no rows (INSERT/UPDATE/DELETE).
  [[nodiscard]] Status<DbError> run();

  [[nodiscard]] int column_count() const;
  [[nodiscard]] bool is_null(int col) const;
  [[nodiscard]] std::int64_t int64(int col) const;
  [[nodiscard]] std::string text(int col) const;
  // Valid until the next step()/reset: copy it (into a Secret for keys) before stepping again.
  [[nodiscard]] ByteSpan blob(int col) const;

 private:
  friend class Database;
  Stmt(Database* db, sqlite3_stmt* s) noexcept : db_(db), s_(s) {}
  Database* db_;
  sqlite3_stmt* s_;
  int bind_rc_ = 0;  // first bind failure, reported by step()
};

class Database {
 public:
  // Opens or creates `path` with journal_mode=WAL, the given synchronous level, foreign keys on and a busy
  // timeout. ":memory:" works too (WAL then silently stays "memory").
  [[nodiscard]] static Result<Database, DbError> open(const std::string& path, Synchronous sync);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements without parameters (schema, pragmas).
  [[nodiscard]] Status<DbError> exec(std::string_view sql);
  // A prepared statement compiled once per distinct SQL text and reused.
  [[nodiscard]] Result<Stmt, DbError> prepare(std::string_view sql);
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] int changes() const;
  [[nodiscard]] bool in_transaction() const noexcept { return in_tx_; }
  [[nodiscard]] Synchronous synchronous() const noexcept { return sync_; }

 private:
  friend class Stmt;
  friend class Transaction;
  Database(sqlite3* h, Synchronous s) noexcept : h_(h), sync_(s) {}
  [[nodiscard]] DbError error(DbError::Kind kind, int rc) const;
  void close() noexcept;
  sqlite3* h_ = nullptr;
  Synchronous sync_ = Synchronous::Full;
  bool in_tx_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE (the write lock up front, so a later write cannot fail with BUSY half-way); ROLLBACK in the
// destructor unless commit() succeeded. A failed step therefore leaves the database as it was (REQ-HO-72).
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction, DbError> begin(Database& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  [[nodiscard]] Status<DbError> commit();

 private:
  explicit Transaction(Database* db) noexcept : db_(db) {}
  Database* db_;
};

}  // namespace mnoswitch::operators::db
