// postgres_db.h: the PostgreSQL engine behind the store's Database (database.h), through libpq:
// what several switchboardd nodes share (docs/operations.md, "Several nodes").
//
// The store's SQL is written once with `?` parameters; compile() numbers them `$1..$n` (outside
// quotes and comments). A statement is prepared on the server the first time it runs with a
// given set of parameter types (integers as int8, text as text, NULL left for the server to
// infer), so that `? IS NULL` and friends have a type, and kept. Integers are read from the
// text format; booleans (`EXISTS`, comparisons) read as 1 and 0, as SQLite gives them.
//
// A lost connection is re-established on the next use, at most once a second (until then every
// call fails at once with "database unavailable", so a node cut off from its database refuses
// work instead of waiting on it); its prepared statements are prepared again.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/store/database.h"

struct pg_conn;

namespace sbd {

// A new connection to `uri` (never null; check its status), with what a node needs to notice a
// database that went silent (a network black hole: no reset, no answer) in seconds rather than
// when TCP gives up after many minutes: a connect timeout, TCP keepalives on an idle connection
// (the change feed's), and a TCP user timeout on one waiting for an answer. The URI's own
// settings of these win.
pg_conn* pg_connect(const std::string& uri);

class PostgresDatabase final : public Database {
public:
    static sb::Result<std::unique_ptr<Database>> open(const std::string& uri);
    ~PostgresDatabase() override;

    Dialect dialect() const override { return Dialect::Postgres; }
    sb::Status exec(const std::string& sql) override;
    bool in_transaction() const override;
    sb::Status announce(std::string_view channel, std::string_view key) override;

    // The SQL text with each `?` outside quotes and comments written `$1`, `$2`, ... and how
    // many there were (postgres_db_test.cpp).
    static std::string number_parameters(const std::string& sql, int* count = nullptr);

    // For the cursors (postgres_db.cpp).
    pg_conn* connection() { return conn_; }
    uint64_t generation() const { return generation_; }  // + 1 each time the connection is re-established
    std::string next_statement_name();
    // Ok when the connection is up (re-established if it was lost and a second has passed).
    sb::Status usable();
    sb::Error failure(const std::string& context, const char* message);

private:
    explicit PostgresDatabase(pg_conn* conn, std::string uri) : conn_(conn), uri_(std::move(uri)) {}
    static sb::Status configure(pg_conn* conn);
    sb::Result<std::unique_ptr<Cursor>> compile(const std::string& sql) override;
    sb::Status begin(Durability durability) override;
    sb::Status commit() override;
    void rollback() override;
    pg_conn* conn_;
    std::string uri_;
    uint64_t generation_ = 0;
    uint64_t statements_ = 0;
    std::chrono::steady_clock::time_point last_reconnect_{};
};

}  // namespace sbd
