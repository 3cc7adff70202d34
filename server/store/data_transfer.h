// data_transfer.h: every row of a switchboardd database out to a file and back in, from either
// engine to either engine: how a SQLite deployment moves to PostgreSQL (`switchboardd export`,
// `switchboardd import`: docs/operations.md, "Moving from SQLite to PostgreSQL").
//
// The file is JSON lines:
//   {"switchboard_export":1,"schema":16,"engine":"sqlite","tables":29}
//   {"table":"agents","columns":["username",...],"rows":5}
//   ["alice","Alice Smith",...]                     one line per row: integers, text, null
//   ...
//   {"end":true,"rows":1234}
// Tables come parents first (exported_tables()), so that an import inserts them in order with
// every foreign key checked. An export is one read transaction: a consistent copy of a live
// database. An import is one transaction: a file that is cut short, malformed, from a newer
// schema, or names a table or column the database does not have changes nothing.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "server/store/database.h"

namespace sbd {

// The tables an export holds, parents before children. The schema's own bookkeeping
// (schema_version, Kamailio's `version`) is not data: the target's migrations made it.
const std::vector<std::string>& exported_tables();

struct TransferSummary {
    int schema = 0;                                       // the source's schema version
    std::vector<std::pair<std::string, int64_t>> tables;  // rows per table, in order
    int64_t rows = 0;
};

sb::Result<TransferSummary> export_database(Database& db, std::ostream& out);

struct ImportOptions {
    // The target may already hold data: its rows are replaced. Without it, a target that holds
    // any agent, contact or audit entry is refused (the starter configuration a first start
    // seeds is replaced either way).
    bool replace = false;
    std::size_t max_line_bytes = 64 * 1024 * 1024;
};

// Into a migrated database (migrate() first).
sb::Result<TransferSummary> import_database(Database& db, std::istream& in, const ImportOptions& options = {});

}  // namespace sbd
