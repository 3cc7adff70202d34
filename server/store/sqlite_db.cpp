// sqlite_db.cpp: the SQLite engine (see sqlite_db.h).
#include "server/store/sqlite_db.h"

#include <sqlite3.h>

namespace sbd {

using sb::Error;
using sb::Ok;
using sb::Result;
using sb::Status;

namespace {

class SqliteCursor final : public Cursor {
public:
    SqliteCursor(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    ~SqliteCursor() override { sqlite3_finalize(stmt_); }
    void bind_int(int index, int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
    void bind_text(int index, std::string_view value) override {
        sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    }
    void bind_null(int index) override { sqlite3_bind_null(stmt_, index); }
    Result<bool> step() override {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        return database_error(std::string("database: ") + sqlite3_errmsg(db_));
    }
    int64_t column_int(int col) const override { return sqlite3_column_int64(stmt_, col); }
    std::string column_text(int col) const override {
        const unsigned char* p = sqlite3_column_text(stmt_, col);
        return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
    }
    bool column_is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    int column_count() const override { return sqlite3_column_count(stmt_); }
    std::string column_name(int col) const override {
        const char* n = sqlite3_column_name(stmt_, col);
        return n ? n : "";
    }
    ColumnKind column_kind(int col) const override {
        switch (sqlite3_column_type(stmt_, col)) {
            case SQLITE_NULL: return ColumnKind::Null;
            case SQLITE_INTEGER: return ColumnKind::Integer;
            default: return ColumnKind::Text;  // (the schema has no REAL or BLOB columns)
        }
    }
    void reset() override {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};
}  // namespace

Result<std::unique_ptr<Database>> SqliteDatabase::open(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        if (raw) sqlite3_close(raw);
        return database_error("cannot open database " + path + ": " + msg);
    }
    std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(raw));
    sqlite3_busy_timeout(raw, 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL;", "PRAGMA foreign_keys=ON;", "PRAGMA synchronous=NORMAL;"}) {
        auto st = db->exec(pragma);
        if (!st) return st.error();
    }
    return std::unique_ptr<Database>(std::move(db));
}

SqliteDatabase::~SqliteDatabase() {
    drop_cached_statements();  // finalized before the connection closes
    sqlite3_close(db_);
}

Status SqliteDatabase::leave_checkpoints_to_thread() { return exec("PRAGMA wal_autocheckpoint=0;"); }

Status SqliteDatabase::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return database_error("database: " + msg);
    }
    return Ok{};
}

Result<std::unique_ptr<Cursor>> SqliteDatabase::compile(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return last_error("prepare");
    return std::unique_ptr<Cursor>(new SqliteCursor(db_, stmt));
}

Error SqliteDatabase::last_error(std::string_view context) const {
    return database_error("database " + std::string(context) + ": " + sqlite3_errmsg(db_));
}

bool SqliteDatabase::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status SqliteDatabase::begin(Durability durability) {
    if (durability == Durability::Durable) {
        if (auto st = exec("PRAGMA synchronous=FULL;"); !st) return st;
        durable_ = true;
    }
    auto st = exec("BEGIN IMMEDIATE;");
    if (!st) restore();
    return st;
}

Status SqliteDatabase::commit() {
    auto st = exec("COMMIT;");
    if (st) restore();
    return st;
}

void SqliteDatabase::rollback() {
    exec("ROLLBACK;");
    restore();
}

void SqliteDatabase::restore() {
    if (!durable_) return;
    durable_ = false;
    exec("PRAGMA synchronous=NORMAL;");
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

}  // namespace sbd
