// sqlite_db.h: a thin RAII wrapper over SQLite (connection and prepared statement) whose
// failures are values (sb::Error with code "internal"), never exceptions.
#pragma once

#include <cstdint>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sbd {

class Database;

// One prepared statement, in use. Database::prepare() lends it from the connection's cache (see
// Database) and the destructor gives it back, reset; a statement not from a cache is finalized.
class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt, Database* cache = nullptr, std::string key = {})
        : db_(db), stmt_(stmt), cache_(cache), key_(std::move(key)) {}
    Statement(Statement&& other) noexcept
        : db_(other.db_), stmt_(other.stmt_), cache_(other.cache_), key_(std::move(other.key_)) {
        other.stmt_ = nullptr;
    }
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, std::optional<int64_t> value);

    // true: a row is available; false: done.
    sb::Result<bool> step();
    // For statements that return no rows.
    sb::Status run();

    int64_t column_int(int col) const;
    std::string column_text(int col) const;
    bool column_is_null(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    Database* cache_;
    std::string key_;  // the text it was asked for (the cache's key: SQLite's own copy may differ)
};

// One connection. Its prepared statements are kept (a SQL text is compiled once, not on every
// request: compiling was an eighth of a chat message's cost) and lent out by prepare(): a
// statement in use is not lent twice (a query run inside another's loop gets one of its own),
// and at most kCachedStatements wait idle (the SQL texts are the store's own, a few hundred).
class Database {
public:
    // Opens (creating) the file with WAL, foreign keys and a busy timeout.
    static sb::Result<std::unique_ptr<Database>> open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sb::Status exec(const std::string& sql);
    sb::Result<Statement> prepare(std::string_view sql);
    sb::Error last_error(std::string_view context) const;
    // A transaction is open on this connection (BEGIN ... not yet committed or rolled back).
    bool in_transaction() const;
    // Leaves the WAL's checkpoints to a Checkpointer (below): this connection stops running them
    // inside its commits.
    sb::Status leave_checkpoints_to_thread();

    std::size_t cached_statements() const { return idle_count_; }

private:
    friend class Statement;
    static constexpr std::size_t kCachedStatements = 512;
    explicit Database(sqlite3* db) : db_(db) {}
    void give_back(sqlite3_stmt* stmt, std::string key);  // reset, kept for its text (or finalized past the cap)
    sqlite3* db_;
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;  // SQL text -> idle statements
    std::size_t idle_count_ = 0;
};

// Checkpoints the WAL on a thread and a connection of its own. SQLite's automatic checkpoint
// runs inside whichever commit crosses the threshold, and its fdatasync (seconds on a busy
// disk) then stalls switchboardd's one I/O thread and every desk with it. With a Checkpointer
// the serving connection turns its automatic checkpoint off (`PRAGMA wal_autocheckpoint=0`)
// and this thread runs a PASSIVE checkpoint (which never blocks readers or writers) each
// `interval`, and a TRUNCATE one when it stops.
class Checkpointer {
public:
    Checkpointer(std::string path, std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
    ~Checkpointer();  // stops: a last checkpoint, then the thread ends
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;
    int64_t checkpoints() const { return done_.load(); }

private:
    void run();
    std::string path_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::atomic<int64_t> done_{0};
    std::thread thread_;
};

// How far a commit goes before it returns. The connection runs WAL with synchronous=NORMAL: a
// commit survives a crash of the process, but the last ones before a power loss (or a kernel
// panic) may be lost, since the WAL is synced only at checkpoints. Durable commits run with
// synchronous=FULL: the WAL is synced (fdatasync) before COMMIT returns, so they survive a power
// loss too. The cost is one sync per such commit (milliseconds on a disk, far less on flash with
// a write cache); payments and the audit log use it, everything else does not (docs/payments.md,
// "Durability").
enum class Durability { Normal, Durable };

// Runs BEGIN IMMEDIATE; rolls back on destruction unless commit() succeeded. Inside another
// transaction it joins it: begun() is Ok, commit() does nothing and the outer one decides (and
// its durability counts). SQLite refuses to change `synchronous` inside a transaction, so a
// durable one sets it before BEGIN and back after COMMIT or ROLLBACK.
class Transaction {
public:
    explicit Transaction(Database& db, Durability durability = Durability::Normal);
    ~Transaction();
    sb::Status begun() const { return begun_; }
    sb::Status commit();

private:
    void restore();
    Database& db_;
    bool joined_ = false;
    bool durable_ = false;  // synchronous is FULL until restore()
    sb::Status begun_;
    bool done_ = false;
};

}  // namespace sbd
