// sqlite_db.h: the SQLite engine behind the store's Database (database.h), the embedded default:
// one file with WAL, foreign keys and a busy timeout; and a thread that checkpoints its WAL.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/store/database.h"

struct sqlite3;

namespace sbd {

class SqliteDatabase final : public Database {
public:
    // Opens (creating) the file with WAL, foreign keys, synchronous=NORMAL and a busy timeout.
    static sb::Result<std::unique_ptr<Database>> open(const std::string& path);
    ~SqliteDatabase() override;

    Dialect dialect() const override { return Dialect::Sqlite; }
    sb::Status exec(const std::string& sql) override;
    bool in_transaction() const override;
    // Leaves the WAL's checkpoints to a Checkpointer (below): this connection stops running them
    // inside its commits.
    sb::Status leave_checkpoints_to_thread();

private:
    explicit SqliteDatabase(sqlite3* db) : db_(db) {}
    sb::Result<std::unique_ptr<Cursor>> compile(const std::string& sql) override;
    // BEGIN IMMEDIATE. SQLite refuses to change `synchronous` inside a transaction, so a durable
    // one sets FULL before BEGIN and NORMAL again after COMMIT or ROLLBACK.
    sb::Status begin(Durability durability) override;
    sb::Status commit() override;
    void rollback() override;
    void restore();
    sb::Error last_error(std::string_view context) const;
    sqlite3* db_;
    bool durable_ = false;  // synchronous is FULL until restore()
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

}  // namespace sbd
