// database.h: the store's one seam to its SQL engine. A Database is one connection to SQLite
// (sqlite_db.h, the embedded default) or to PostgreSQL (postgres_db.h, for several nodes); the
// stores above it (store.h, contact_store.h, ...) write their SQL once, in the subset both run:
// `?` parameters (PostgreSQL's `$n` are written for it), ON CONFLICT upserts, RETURNING, no
// rowid, no INSERT OR. Failures are values (sb::Error with code "internal"), never exceptions.
//
// Sections: statements · connections · transactions
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

namespace sbd {

class Database;

// Which engine a connection speaks to (the one place SQL may differ: migrations.cpp).
enum class Dialect { Sqlite, Postgres };

// What a column of the current row holds (an export copies it as such: data_transfer.h).
enum class ColumnKind { Null, Integer, Text };

// An engine's failure as the stores report it: code "internal" (a desk is told the server failed;
// the log has the message).
sb::Error database_error(std::string message);

// ---- statements ----------------------------------------------------------------------------------

// One compiled statement of an engine: what Statement lends. Parameters are 1-based; columns
// 0-based. Integers come back as int64 whatever the engine's type (PostgreSQL's booleans as 0/1).
class Cursor {
public:
    virtual ~Cursor() = default;
    virtual void bind_int(int index, int64_t value) = 0;
    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_null(int index) = 0;
    // true: a row is available; false: done.
    virtual sb::Result<bool> step() = 0;
    virtual int64_t column_int(int col) const = 0;
    virtual std::string column_text(int col) const = 0;
    virtual bool column_is_null(int col) const = 0;
    virtual int column_count() const = 0;
    virtual std::string column_name(int col) const = 0;
    virtual ColumnKind column_kind(int col) const = 0;
    // Back to unexecuted with no bindings (its rows, if it was stopped mid-way, let go).
    virtual void reset() = 0;
};

// One prepared statement, in use. Database::prepare() lends it from the connection's cache (see
// Database) and the destructor gives it back, reset.
class Statement {
public:
    Statement(std::unique_ptr<Cursor> cursor, Database* owner, std::string key)
        : cursor_(std::move(cursor)), owner_(owner), key_(std::move(key)) {}
    Statement(Statement&& other) noexcept = default;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, int64_t value) {
        cursor_->bind_int(index, value);
        return *this;
    }
    Statement& bind(int index, std::string_view value) {
        cursor_->bind_text(index, value);
        return *this;
    }
    Statement& bind(int index, std::optional<int64_t> value) {
        if (value) cursor_->bind_int(index, *value);
        else cursor_->bind_null(index);
        return *this;
    }

    // true: a row is available; false: done.
    sb::Result<bool> step() { return cursor_->step(); }
    // For statements that return no rows.
    sb::Status run();

    int64_t column_int(int col) const { return cursor_->column_int(col); }
    std::string column_text(int col) const { return cursor_->column_text(col); }
    bool column_is_null(int col) const { return cursor_->column_is_null(col); }
    // The result's shape, once step() has run.
    int column_count() const { return cursor_->column_count(); }
    std::string column_name(int col) const { return cursor_->column_name(col); }
    ColumnKind column_kind(int col) const { return cursor_->column_kind(col); }

private:
    std::unique_ptr<Cursor> cursor_;
    Database* owner_;
    std::string key_;  // the text it was asked for: the cache's key
};

// ---- connections ---------------------------------------------------------------------------------

// How far a commit goes before it returns. A Normal commit survives a crash of switchboardd (the
// engine has it) but the last ones before a power loss may be lost; a Durable one is on disk
// before COMMIT returns. Payments and the audit log use Durable, everything else Normal
// (docs/payments.md, "Durability"). SQLite: synchronous NORMAL or FULL; PostgreSQL:
// synchronous_commit off or on.
enum class Durability { Normal, Durable };

// One connection. Its prepared statements are kept (a SQL text is compiled once, not on every
// request: compiling was an eighth of a chat message's cost) and lent out by prepare(): a
// statement in use is not lent twice (a query run inside another's loop gets one of its own),
// and at most kCachedStatements wait idle (the SQL texts are the store's own, a few hundred).
class Database {
public:
    // `where` is a file path (SQLite, created if absent) or a PostgreSQL URI
    // (postgresql://user@host:port/dbname; the password comes from libpq's environment or
    // password file, never from the URI on a command line).
    static sb::Result<std::unique_ptr<Database>> open(const std::string& where);
    static bool is_postgres(std::string_view where);

    virtual ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    virtual Dialect dialect() const = 0;
    // Runs one or more statements that return no rows.
    virtual sb::Status exec(const std::string& sql) = 0;
    sb::Result<Statement> prepare(std::string_view sql);
    // A transaction is open on this connection (BEGIN ... not yet committed or rolled back).
    virtual bool in_transaction() const = 0;

    std::size_t cached_statements() const { return idle_count_; }

    // Tells the other nodes that what `key` names on `channel` (change_feed.h, feed::) changed:
    // on PostgreSQL a NOTIFY, delivered when the transaction commits (at once outside one); on
    // SQLite, where there is one node, nothing.
    virtual sb::Status announce(std::string_view /*channel*/, std::string_view /*key*/) { return sb::Ok{}; }
    // This node's tag on what it announces (its own feed leaves those out).
    void set_node(std::string node) { node_ = std::move(node); }
    const std::string& node() const { return node_; }

protected:
    Database() = default;
    // Compiles one statement (`sql` as the store wrote it, with `?` parameters).
    virtual sb::Result<std::unique_ptr<Cursor>> compile(const std::string& sql) = 0;
    // Forgets every idle statement (a PostgreSQL connection that was re-established has none).
    void drop_cached_statements();

private:
    friend class Statement;
    friend class Transaction;
    static constexpr std::size_t kCachedStatements = 512;
    virtual sb::Status begin(Durability durability) = 0;
    virtual sb::Status commit() = 0;
    virtual void rollback() = 0;
    void give_back(std::unique_ptr<Cursor> cursor, std::string key);  // reset, kept (or dropped past the cap)
    std::unordered_map<std::string, std::vector<std::unique_ptr<Cursor>>> idle_;  // SQL text -> idle
    std::size_t idle_count_ = 0;
    std::string node_;
};

// ---- transactions --------------------------------------------------------------------------------

// Begins a transaction that takes the write lock at once (SQLite: BEGIN IMMEDIATE); rolls back on
// destruction unless commit() succeeded. Inside another transaction it joins it: begun() is Ok,
// commit() does nothing and the outer one decides (and its durability counts).
class Transaction {
public:
    explicit Transaction(Database& db, Durability durability = Durability::Normal);
    ~Transaction();
    sb::Status begun() const { return begun_; }
    sb::Status commit();

private:
    Database& db_;
    bool joined_ = false;
    sb::Status begun_;
    bool done_ = false;
};

}  // namespace sbd
