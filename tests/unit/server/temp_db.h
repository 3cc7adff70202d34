// temp_db.h: a migrated SQLite database in a temporary file for the server's unit tests,
// removed (with its -wal and -shm files) when the test ends.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/store/migrations.h"
#include "server/store/database.h"

namespace sbd::test {

struct TempDb {
    std::string path;
    std::unique_ptr<Database> db;
    TempDb() {
        char name[] = "/tmp/sb-server-unit-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
        auto opened = Database::open(path);
        REQUIRE(opened.ok());
        db = std::move(opened.value());
        REQUIRE(migrate(*db).ok());
    }
    ~TempDb() {
        db.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
    // Everything SQLite wrote, as bytes (what must never hold a card number).
    std::string bytes() const {
        std::string all;
        for (const char* suffix : {"", "-wal"}) {
            if (FILE* f = std::fopen((path + suffix).c_str(), "rb")) {
                char buf[65536];
                std::size_t n;
                while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, n);
                std::fclose(f);
            }
        }
        return all;
    }
};

}  // namespace sbd::test
