// database.cpp: what both engines share (see database.h): the statement cache and transactions.
#include "server/store/database.h"

#include "protocol/schema.h"
#include "server/store/postgres_db.h"
#include "server/store/sqlite_db.h"

namespace sbd {

using sb::Ok;
using sb::Result;
using sb::Status;

sb::Error database_error(std::string message) {
    return sb::make_error(sb::protocol::code::internal, std::move(message));
}

Statement::~Statement() {
    if (cursor_) owner_->give_back(std::move(cursor_), std::move(key_));
}

Status Statement::run() {
    auto r = step();
    if (!r) return r.error();
    return Ok{};
}

bool Database::is_postgres(std::string_view where) {
    return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Database>> Database::open(const std::string& where) {
    if (is_postgres(where)) return PostgresDatabase::open(where);
    return SqliteDatabase::open(where);
}

Database::~Database() = default;

Result<Statement> Database::prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = idle_.find(key); it != idle_.end() && !it->second.empty()) {
        std::unique_ptr<Cursor> cursor = std::move(it->second.back());
        it->second.pop_back();
        --idle_count_;
        return Statement(std::move(cursor), this, std::move(key));
    }
    auto compiled = compile(key);
    if (!compiled) return compiled.error();
    return Statement(std::move(compiled.value()), this, std::move(key));
}

void Database::give_back(std::unique_ptr<Cursor> cursor, std::string key) {
    // Reset: a statement stopped mid-way holds its read open until then. Its error, if its last
    // step had one, was that step's to report. Kept under the text it was asked for.
    cursor->reset();
    if (idle_count_ >= kCachedStatements) return;  // dropped: its engine finalizes it
    idle_[std::move(key)].push_back(std::move(cursor));
    ++idle_count_;
}

void Database::drop_cached_statements() {
    idle_.clear();
    idle_count_ = 0;
}

Transaction::Transaction(Database& db, Durability durability)
    : db_(db), joined_(db.in_transaction()), begun_(Ok{}) {
    if (joined_) return;
    begun_ = db_.begin(durability);
}

Transaction::~Transaction() {
    if (joined_) return;
    if (begun_ && !done_) db_.rollback();
}

Status Transaction::commit() {
    if (joined_ || !begun_) return begun_;
    auto st = db_.commit();
    if (st) done_ = true;
    return st;
}

}  // namespace sbd
