// sqlite_db.cpp: SQLite RAII wrapper (see sqlite_db.h).
#include "server/store/sqlite_db.h"

#include <sqlite3.h>

#include "protocol/schema.h"

namespace sbd {

using sb::Error;
using sb::Ok;
using sb::Result;
using sb::Status;

namespace {
Error internal(std::string message) { return sb::make_error(sb::protocol::code::internal, std::move(message)); }
}  // namespace

Statement::~Statement() {
    if (!stmt_) return;
    if (cache_) cache_->give_back(stmt_, std::move(key_));
    else sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::optional<int64_t> value) {
    if (value) sqlite3_bind_int64(stmt_, index, *value);
    else sqlite3_bind_null(stmt_, index);
    return *this;
}

Result<bool> Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return internal(std::string("database: ") + sqlite3_errmsg(db_));
}

Status Statement::run() {
    auto r = step();
    if (!r) return r.error();
    return Ok{};
}

int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::column_text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
}

bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        if (raw) sqlite3_close(raw);
        return internal("cannot open database " + path + ": " + msg);
    }
    std::unique_ptr<Database> db(new Database(raw));
    sqlite3_busy_timeout(raw, 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL;", "PRAGMA foreign_keys=ON;", "PRAGMA synchronous=NORMAL;"}) {
        auto st = db->exec(pragma);
        if (!st) return st.error();
    }
    return db;
}

Database::~Database() {
    for (auto& [sql, list] : idle_)
        for (sqlite3_stmt* stmt : list) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Status Database::leave_checkpoints_to_thread() { return exec("PRAGMA wal_autocheckpoint=0;"); }

Status Database::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return internal("database: " + msg);
    }
    return Ok{};
}

Result<Statement> Database::prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = idle_.find(key); it != idle_.end() && !it->second.empty()) {
        sqlite3_stmt* stmt = it->second.back();
        it->second.pop_back();
        --idle_count_;
        return Statement(db_, stmt, this, std::move(key));
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return last_error("prepare");
    return Statement(db_, stmt, this, std::move(key));
}

void Database::give_back(sqlite3_stmt* stmt, std::string key) {
    // Reset: a statement stopped mid-way holds its read open until then. Its error, if its last
    // step had one, was that step's to report.
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    // Kept under the text it was asked for, not SQLite's copy of it (which ends at the first
    // statement's end: a text with more after it would never be found again, and its copies
    // would fill the cache).
    if (idle_count_ >= kCachedStatements) {
        sqlite3_finalize(stmt);
        return;
    }
    idle_[std::move(key)].push_back(stmt);
    ++idle_count_;
}

Error Database::last_error(std::string_view context) const {
    return internal("database " + std::string(context) + ": " + sqlite3_errmsg(db_));
}

// ---- Checkpointer ---------------------------------------------------------------------------------
Checkpointer::Checkpointer(std::string path, std::chrono::milliseconds interval)
    : path_(std::move(path)), interval_(interval), thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Checkpointer::run() {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return;  // the serving connection's own errors say why
    }
    sqlite3_busy_timeout(db, 1000);
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        bool stopping = wake_.wait_for(lock, interval_, [this] { return stop_; });
        lock.unlock();
        int log = 0, copied = 0;
        sqlite3_wal_checkpoint_v2(db, nullptr, stopping ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &copied);
        ++done_;
        lock.lock();
        if (stopping) break;
    }
    lock.unlock();
    sqlite3_close(db);
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Transaction::Transaction(Database& db, Durability durability)
    : db_(db), joined_(db.in_transaction()), begun_(Ok{}) {
    if (joined_) return;
    if (durability == Durability::Durable) {
        begun_ = db_.exec("PRAGMA synchronous=FULL;");
        if (!begun_) return;
        durable_ = true;
    }
    begun_ = db_.exec("BEGIN IMMEDIATE;");
    if (!begun_) restore();
}

Transaction::~Transaction() {
    if (joined_) return;
    if (begun_ && !done_) db_.exec("ROLLBACK;");
    restore();
}

void Transaction::restore() {
    if (!durable_) return;
    durable_ = false;
    db_.exec("PRAGMA synchronous=NORMAL;");
}

Status Transaction::commit() {
    if (joined_) return begun_;
    if (!begun_) return begun_;
    auto st = db_.exec("COMMIT;");
    if (st) {
        done_ = true;
        restore();
    }
    return st;
}

}  // namespace sbd
