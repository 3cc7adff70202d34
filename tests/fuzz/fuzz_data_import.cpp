// fuzz_data_import: any bytes as a `switchboardd import` file (server/store/data_transfer.h), into
// a migrated SQLite database in memory. Nothing may crash; an import that fails changes nothing
// (the database exports exactly as before it); one that succeeds exports a file that imports
// again to the same export (what went in is what comes out).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "server/store/data_transfer.h"
#include "server/store/database.h"
#include "server/store/migrations.h"

namespace {

sbd::Database& db() {
    static std::unique_ptr<sbd::Database> d = [] {
        auto opened = sbd::Database::open(":memory:");
        if (!opened || !sbd::migrate(*opened.value())) std::abort();
        return std::move(opened.value());
    }();
    return *d;
}

std::string exported() {
    std::ostringstream out;
    if (!sbd::export_database(db(), out)) std::abort();
    return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static std::string last = exported();
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    sbd::ImportOptions options;
    options.replace = true;
    options.max_line_bytes = 1 << 16;
    auto imported = sbd::import_database(db(), in, options);
    const std::string now = exported();
    if (!imported) {
        if (now != last) std::abort();  // a refused import changed the database
        return 0;
    }
    std::istringstream again(now);
    if (!sbd::import_database(db(), again, options)) std::abort();
    if (exported() != now) std::abort();
    last = now;
    return 0;
}
