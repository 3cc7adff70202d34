// pg_cluster.h: one PostgreSQL for a unit test binary, started the first time a test asks for it
// (scripts/postgres, in a temporary directory, loopback, a free port) and stopped by its pid file
// when the binary ends; each test takes a fresh, empty database in it.
#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

namespace sbtest {

// Runs a shell command; its output without the trailing newline (a failure fails the test).
inline std::string run(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int rc = pclose(p);
    INFO(command, " failed: ", out);
    REQUIRE(rc == 0);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

// One cluster for the whole binary, started the first time a test asks for it.
class PgCluster {
public:
    static PgCluster& get() {
        static PgCluster c;
        return c;
    }
    // A new, empty database in it.
    std::string fresh_database() {
        return run(script_ + " createdb t" + std::to_string(++databases_) + " --dir " + dir_ + " 2>&1");
    }
    ~PgCluster() {
        std::string stop = script_ + " stop --dir " + dir_ + " >/dev/null 2>&1";
        if (std::system(stop.c_str()) == 0) std::filesystem::remove_all(dir_);
    }

private:
    PgCluster() {
        char name[] = "/tmp/sb-pg-unit-XXXXXX";
        REQUIRE(mkdtemp(name) != nullptr);
        dir_ = name;
        script_ = std::string(SB_SOURCE_DIR) + "/scripts/postgres";
        run(script_ + " start --port 0 --dir " + dir_ + " 2>&1");
        setenv("PGPASSFILE", (dir_ + "/pgpass").c_str(), 1);
    }
    std::string dir_, script_;
    int databases_ = 0;
};

}  // namespace sbtest
