// durability_bench [DIR] [COMMITS]: what a durable commit costs (docs/PERFORMANCE.md,
// "durability"). switchboardd's connection runs WAL with synchronous=NORMAL; payments and the
// audit log commit with Durability::Durable (synchronous=FULL: the WAL is synced before COMMIT
// returns, so the entry survives a power loss; docs/payments.md, "Durability"). Measured on a
// database in DIR (default: the current directory; it must be on the disk a real database
// would be on, not a tmpfs): one small row per commit, Normal against Durable in the same run,
// interleaved over three rounds, and the real AuditLog::record. Prints one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "server/admin/audit.h"
#include "server/store/database.h"
#include "server/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double micros_since(Clock::time_point t) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

// Per-commit times (µs) of `n` single-row transactions of the given durability.
std::vector<double> commits(sbd::Database& db, sbd::Durability durability, int n, int& serial) {
    std::vector<double> out;
    for (int i = 0; i < n; ++i) {
        auto t = Clock::now();
        sbd::Transaction tx(db, durability);
        if (!tx.begun()) std::abort();
        if (!db.exec("INSERT INTO bench_rows (n, text) VALUES (" + std::to_string(++serial) +
                     ", 'an entry about as long as an audit line: actor, action, contact, detail');"))
            std::abort();
        if (!tx.commit()) std::abort();
        out.push_back(micros_since(t));
    }
    return out;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::current_path();
    int n = argc > 2 ? std::max(10, std::atoi(argv[2])) : 200;
    fs::path file = dir / "durability-bench.db";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
    auto store = sbd::Store::open(file.string());
    if (!store) {
        std::fprintf(stderr, "cannot open %s: %s\n", file.c_str(), store.error().message.c_str());
        return 1;
    }
    sbd::Database& db = store.value()->database();
    if (!db.exec("CREATE TABLE bench_rows (n INTEGER, text TEXT);")) return 1;
    sbd::AuditLog audit(db);
    std::vector<double> normal, durable, audited;
    int serial = 0;
    for (int round = 0; round < 3; ++round) {
        auto a = commits(db, sbd::Durability::Normal, n, serial);
        auto b = commits(db, sbd::Durability::Durable, n, serial);
        normal.insert(normal.end(), a.begin(), a.end());
        durable.insert(durable.end(), b.begin(), b.end());
        for (int i = 0; i < n; ++i) {
            auto t = Clock::now();
            if (!audit.record(1, "bench", "bench.entry", std::string("ct-1"), std::string("cu-1"), {{"n", i}})) return 1;
            audited.push_back(micros_since(t));
        }
    }
    store.value().reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
    double mn = median(normal), md = median(durable), ma = median(audited);
    std::printf("{\"commits\": %zu, \"normal_us\": %.1f, \"durable_us\": %.1f, \"audit_record_us\": %.1f, "
                "\"ratio\": %.2f, \"durable_per_s\": %.0f}\n",
                normal.size(), mn, md, ma, mn > 0 ? md / mn : 0.0, md > 0 ? 1e6 / md : 0.0);
    return 0;
}
