// postgres_db.cpp: the PostgreSQL engine (see postgres_db.h).
#include "server/store/postgres_db.h"

#include "server/store/change_feed.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>


namespace sbd {

using sb::Error;
using sb::Ok;
using sb::Result;
using sb::Status;

namespace {

// The built-in types' fixed OIDs (PostgreSQL's pg_type.dat): the types parameters are sent as.
constexpr Oid kBool = 16;
constexpr Oid kInt8 = 20;
constexpr Oid kInt2 = 21;
constexpr Oid kInt4 = 23;
constexpr Oid kText = 25;

std::string pg_trimmed(const char* message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// One statement: its numbered text, its parameters as text (or NULL), and the server-side
// prepared statements made of it, one per set of parameter types it ran with.
class PostgresCursor final : public Cursor {
public:
    PostgresCursor(PostgresDatabase& db, std::string sql, int params)
        : db_(db), sql_(std::move(sql)), values_(static_cast<std::size_t>(params)),
          types_(static_cast<std::size_t>(params), 0) {}
    ~PostgresCursor() override {
        if (result_) PQclear(result_);
    }

    void bind_int(int index, int64_t value) override { set(index, std::to_string(value), kInt8); }
    void bind_text(int index, std::string_view value) override { set(index, std::string(value), kText); }
    void bind_null(int index) override { set(index, std::nullopt, 0); }

    Result<bool> step() override {
        if (!result_) {
            if (auto st = execute(); !st) return st.error();
        }
        ++row_;
        return row_ < PQntuples(result_);
    }

    int64_t column_int(int col) const override {
        if (!has(col)) return 0;
        const char* v = PQgetvalue(result_, row_, col);
        if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean
        if (v[0] == 'f' && v[1] == '\0') return 0;
        return std::strtoll(v, nullptr, 10);
    }
    std::string column_text(int col) const override {
        if (!has(col)) return {};
        return std::string(PQgetvalue(result_, row_, col), static_cast<std::size_t>(PQgetlength(result_, row_, col)));
    }
    bool column_is_null(int col) const override { return !has(col) || PQgetisnull(result_, row_, col); }
    int column_count() const override { return result_ ? PQnfields(result_) : 0; }
    std::string column_name(int col) const override {
        const char* n = result_ && col >= 0 && col < PQnfields(result_) ? PQfname(result_, col) : nullptr;
        return n ? n : "";
    }
    ColumnKind column_kind(int col) const override {
        if (column_is_null(col)) return ColumnKind::Null;
        const Oid t = PQftype(result_, col);
        return t == kInt8 || t == kInt4 || t == kInt2 || t == kBool ? ColumnKind::Integer : ColumnKind::Text;
    }

    void reset() override {
        if (result_) PQclear(result_);
        result_ = nullptr;
        row_ = -1;
        for (auto& v : values_) v.reset();
        for (auto& t : types_) t = 0;
    }

private:
    void set(int index, std::optional<std::string> value, Oid type) {
        if (index < 1 || static_cast<std::size_t>(index) > values_.size()) return;  // as SQLite: ignored
        values_[static_cast<std::size_t>(index - 1)] = std::move(value);
        types_[static_cast<std::size_t>(index - 1)] = type;
    }
    bool has(int col) const {
        return result_ && row_ >= 0 && row_ < PQntuples(result_) && col >= 0 && col < PQnfields(result_);
    }

    // The prepared statement for this set of parameter types (prepared now if it is new, or if
    // the connection was re-established since).
    Result<const std::string*> prepared() {
        if (generation_ != db_.generation()) {
            names_.clear();
            generation_ = db_.generation();
        }
        std::string signature(types_.size(), 'n');
        for (std::size_t i = 0; i < types_.size(); ++i) signature[i] = types_[i] == kInt8 ? 'i' : types_[i] == kText ? 't' : 'n';
        for (auto& [sig, name] : names_)
            if (sig == signature) return &name;
        std::string name = db_.next_statement_name();
        PGresult* r = PQprepare(db_.connection(), name.c_str(), sql_.c_str(), static_cast<int>(types_.size()),
                                types_.data());
        const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        Error error = ok ? Error{} : db_.failure("prepare", r ? PQresultErrorMessage(r) : nullptr);
        if (r) PQclear(r);
        if (!ok) return error;
        names_.emplace_back(std::move(signature), std::move(name));
        return &names_.back().second;
    }

    Status execute() {
        if (auto st = db_.usable(); !st) return st;
        auto name = prepared();
        if (!name) return name.error();
        std::vector<const char*> values(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i) values[i] = values_[i] ? values_[i]->c_str() : nullptr;
        PGresult* r = PQexecPrepared(db_.connection(), name.value()->c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, 0);
        ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            Error error = db_.failure("query", r ? PQresultErrorMessage(r) : nullptr);
            if (r) PQclear(r);
            return error;
        }
        result_ = r;
        row_ = -1;
        return Ok{};
    }

    PostgresDatabase& db_;
    std::string sql_;
    std::vector<std::optional<std::string>> values_;
    std::vector<Oid> types_;
    std::vector<std::pair<std::string, std::string>> names_;  // parameter types -> prepared statement
    uint64_t generation_ = 0;
    PGresult* result_ = nullptr;
    int row_ = -1;
};

}  // namespace

std::string PostgresDatabase::number_parameters(const std::string& sql, int* count) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (c == '\'' || c == '"') {  // a literal or a quoted name, to its closing quote ('' and "" stay inside)
            std::size_t end = i + 1;
            while (end < sql.size()) {
                if (sql[end] == c) {
                    if (end + 1 < sql.size() && sql[end + 1] == c) {
                        end += 2;
                        continue;
                    }
                    break;
                }
                ++end;
            }
            out.append(sql, i, end - i + 1);
            i = end;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {  // a comment, to the line's end
            std::size_t end = sql.find('\n', i);
            if (end == std::string::npos) end = sql.size();
            out.append(sql, i, end - i);
            i = end - 1;
        } else if (c == '?') {
            out += '$';
            out += std::to_string(++n);
        } else {
            out += c;
        }
    }
    if (count) *count = n;
    return out;
}

Status PostgresDatabase::configure(PGconn* conn) {
    // Notices ("relation already exists, skipping") are not errors: not printed.
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    // A Normal commit returns before its WAL is flushed (as SQLite's synchronous=NORMAL); a
    // Durable transaction turns it on for itself (begin()). UTC, and the C collation's order is
    // the tables' own (initdb --locale=C in tests and scripts/cluster).
    PGresult* r = PQexec(conn, "SET synchronous_commit = off; SET TIME ZONE 'UTC'; SET client_min_messages = warning;");
    const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string message = ok ? "" : pg_trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    if (r) PQclear(r);
    if (!ok) return database_error("database: cannot configure the connection: " + message);
    return Ok{};
}

PGconn* pg_connect(const std::string& uri) {
    // Keepalives: the first probe after 2 s idle, then each second, 3 unanswered: about 5 s.
    // A request unacknowledged for 5 s fails the same way. Left to right, later wins: the URI
    // (dbname, expanded) comes last.
    const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                          "keepalives_count", "tcp_user_timeout", "dbname", nullptr};
    const char* values[] = {"3", "1", "2", "1", "3", "5000", uri.c_str(), nullptr};
    return PQconnectdbParams(keys, values, 1);
}

Result<std::unique_ptr<Database>> PostgresDatabase::open(const std::string& uri) {
    PGconn* conn = pg_connect(uri);
    if (!conn) return database_error("cannot open database: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = pg_trimmed(PQerrorMessage(conn));
        PQfinish(conn);
        return database_error("cannot open database " + uri + ": " + message);
    }
    if (auto st = configure(conn); !st) {
        PQfinish(conn);
        return st.error();
    }
    return std::unique_ptr<Database>(new PostgresDatabase(conn, uri));
}

PostgresDatabase::~PostgresDatabase() {
    drop_cached_statements();
    PQfinish(conn_);
}

Status PostgresDatabase::announce(std::string_view channel, std::string_view key) {
    auto q = prepare("SELECT pg_notify(?, ?);");
    if (!q) return q.error();
    q.value().bind(1, channel).bind(2, ChangeFeed::payload(node(), key));
    auto row = q.value().step();
    if (!row) return row.error();
    return Ok{};
}

std::string PostgresDatabase::next_statement_name() { return "sb" + std::to_string(++statements_); }

Status PostgresDatabase::usable() {
    if (PQstatus(conn_) == CONNECTION_OK) return Ok{};
    auto now = std::chrono::steady_clock::now();
    if (now - last_reconnect_ < std::chrono::seconds(1)) return database_error("database unavailable: " + pg_trimmed(PQerrorMessage(conn_)));
    last_reconnect_ = now;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) return database_error("database unavailable: " + pg_trimmed(PQerrorMessage(conn_)));
    ++generation_;  // the server forgot our prepared statements
    statements_ = 0;
    if (auto st = configure(conn_); !st) return st;
    return Ok{};
}

Error PostgresDatabase::failure(const std::string& context, const char* message) {
    std::string text = pg_trimmed(message ? message : PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK) return database_error("database unavailable: " + text);
    return database_error("database " + context + ": " + text);
}

Status PostgresDatabase::exec(const std::string& sql) {
    if (auto st = usable(); !st) return st;
    PGresult* r = PQexec(conn_, sql.c_str());
    ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        Error error = failure("exec", r ? PQresultErrorMessage(r) : nullptr);
        if (r) PQclear(r);
        return error;
    }
    PQclear(r);
    return Ok{};
}

Result<std::unique_ptr<Cursor>> PostgresDatabase::compile(const std::string& sql) {
    int params = 0;
    std::string numbered = number_parameters(sql, &params);
    return std::unique_ptr<Cursor>(new PostgresCursor(*this, std::move(numbered), params));
}

bool PostgresDatabase::in_transaction() const {
    PGTransactionStatusType t = PQtransactionStatus(conn_);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

Status PostgresDatabase::begin(Durability durability) {
    return exec(durability == Durability::Durable ? "BEGIN; SET LOCAL synchronous_commit = on;" : "BEGIN;");
}

Status PostgresDatabase::commit() {
    // COMMIT of a transaction that failed part-way is a ROLLBACK: PostgreSQL says so only in the
    // command tag, so that is checked (the caller must not believe it committed).
    if (auto st = usable(); !st) return st;
    PGresult* r = PQexec(conn_, "COMMIT;");
    ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    std::string tag = r ? PQcmdStatus(r) : "";
    if (status != PGRES_COMMAND_OK || tag != "COMMIT") {
        Error error = status != PGRES_COMMAND_OK ? failure("commit", r ? PQresultErrorMessage(r) : nullptr)
                                                 : database_error("database commit: the transaction had failed and was rolled back");
        if (r) PQclear(r);
        return error;
    }
    PQclear(r);
    return Ok{};
}

void PostgresDatabase::rollback() {
    if (PQstatus(conn_) != CONNECTION_OK) return;  // the server rolled it back when the connection went
    PGresult* r = PQexec(conn_, "ROLLBACK;");
    if (r) PQclear(r);
}

}  // namespace sbd
