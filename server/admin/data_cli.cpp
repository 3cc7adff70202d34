// data_cli.cpp: `switchboardd migrate | export | import` (see data_cli.h).
#include "server/admin/data_cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "server/app/options.h"
#include "server/store/data_transfer.h"
#include "server/store/migrations.h"

namespace sbd {

namespace {

struct DataArgs {
    std::string db;
    std::optional<std::string> file;  // export --out, import --in
    bool replace = false;
    bool help = false;
};

int usage_error(std::ostream& err, const std::string& message) {
    err << "switchboardd: " << message << "\n" << data_usage();
    return 2;
}

int failed(std::ostream& err, const sb::Error& e) {
    err << "switchboardd: " << e.message << " (" << e.code << ")\n";
    return 1;
}

// The database, opened without creating a SQLite file that is not there (a mistyped --db would
// otherwise export an empty database, or import into a new file nobody uses).
sb::Result<std::unique_ptr<Database>> open_existing(const std::string& where, bool create) {
    if (auto why = postgres_uri_problem(where); !why.empty()) return sb::make_error("bad_option", why);
    std::error_code ec;
    if (!Database::is_postgres(where) && !create && !std::filesystem::exists(where, ec))
        return sb::make_error("no_database", "There is no database at " + where + " (see --db).");
    if (!Database::is_postgres(where) && create) {
        auto dir = std::filesystem::path(where).parent_path();
        if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    }
    return Database::open(where);
}

void print_summary(std::ostream& err, const char* verb, const TransferSummary& s) {
    err << verb << " " << s.rows << " rows of " << s.tables.size() << " tables (schema " << s.schema << "):";
    for (const auto& [table, rows] : s.tables)
        if (rows) err << " " << table << " " << rows;
    err << "\n";
}

}  // namespace

bool is_data_command(const std::string& command) {
    return command == "migrate" || command == "export" || command == "import";
}

std::string data_usage() {
    return "usage: switchboardd migrate [--db PATH|URI]\n"
           "       switchboardd export  [--db PATH|URI] [--out FILE]\n"
           "       switchboardd import  [--db PATH|URI] [--in FILE] [--replace]\n"
           "\n"
           "  migrate   brings the database's schema up to date (as switchboardd does on start) and exits\n"
           "  export    writes every row, as JSON lines, to FILE (created, mode 0600; never overwritten)\n"
           "            or standard output: one consistent read of a database, live or not\n"
           "  import    migrates the database, then loads an export into it in one transaction: a file\n"
           "            cut short or malformed changes nothing. A database that already holds agents,\n"
           "            contacts or audit entries is refused unless --replace (which replaces them all)\n"
           "\n"
           "  --db      a SQLite file, or postgresql://USER@HOST:PORT/DBNAME (password from PGPASSFILE\n"
           "            or ~/.pgpass); default: switchboardd's\n"
           "\n"
           "Moving from SQLite to PostgreSQL: stop switchboardd, then\n"
           "  switchboardd export --db switchboard.db --out move.jsonl\n"
           "  switchboardd import --db postgresql://switchboard@db:5432/switchboard --in move.jsonl\n"
           "An export holds password hashes, sealed MFA secrets and customers' details: keep it as\n"
           "you keep the database, and delete it once imported.\n";
}

int run_data_command(const std::string& command, const std::vector<std::string>& args, std::istream& in,
                     std::ostream& out, std::ostream& err) {
    DataArgs a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        if (arg == "--help" || arg == "-h") {
            a.help = true;
        } else if (arg == "--db") {
            auto v = value();
            if (!v) return usage_error(err, "--db needs a value");
            a.db = *v;
        } else if ((arg == "--out" && command == "export") || (arg == "--in" && command == "import")) {
            auto v = value();
            if (!v) return usage_error(err, arg + " needs a value");
            a.file = *v;
        } else if (arg == "--replace" && command == "import") {
            a.replace = true;
        } else {
            return usage_error(err, "unknown option " + arg + " for " + command);
        }
    }
    if (a.help) {
        out << data_usage();
        return 0;
    }
    if (a.db.empty()) a.db = default_db_path();

    if (command == "migrate") {
        auto db = open_existing(a.db, true);
        if (!db) return failed(err, db.error());
        auto v = migrate(*db.value());
        if (!v) return failed(err, v.error());
        err << "schema version " << v.value() << "\n";
        return 0;
    }

    if (command == "export") {
        auto db = open_existing(a.db, false);
        if (!db) return failed(err, db.error());
        if (!a.file) {
            auto done = export_database(*db.value(), out);
            if (!done) return failed(err, done.error());
            print_summary(err, "exported", done.value());
            return 0;
        }
        // Created here, never over another file, readable by its owner only.
        int fd = ::open(a.file->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return failed(err, sb::make_error("cannot_write", "cannot create " + *a.file + ": " + std::strerror(errno)));
        ::close(fd);
        std::ofstream file(*a.file, std::ios::binary | std::ios::trunc);
        auto done = export_database(*db.value(), file);
        file.close();
        if (!done || !file) {
            std::filesystem::remove(*a.file);
            return failed(err, done ? sb::make_error("cannot_write", "cannot write " + *a.file) : done.error());
        }
        print_summary(err, "exported", done.value());
        return 0;
    }

    // import
    auto db = open_existing(a.db, true);
    if (!db) return failed(err, db.error());
    auto v = migrate(*db.value());
    if (!v) return failed(err, v.error());
    ImportOptions options;
    options.replace = a.replace;
    std::ifstream file;
    if (a.file) {
        file.open(*a.file, std::ios::binary);
        if (!file) return failed(err, sb::make_error("cannot_read", "cannot read " + *a.file));
    }
    auto done = import_database(*db.value(), a.file ? file : in, options);
    if (!done) return failed(err, done.error());
    print_summary(err, "imported", done.value());
    return 0;
}

}  // namespace sbd
