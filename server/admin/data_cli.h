// data_cli.h: `switchboardd migrate`, `switchboardd export` and `switchboardd import`: the schema
// brought up to date without starting the server, and every row moved out of one database and
// into another (data_transfer.h), e.g. from SQLite to PostgreSQL (docs/operations.md, "Moving
// from SQLite to PostgreSQL"). main.cpp hands it the command and the arguments after it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sbd {

bool is_data_command(const std::string& command);

// Returns the exit status (0 done, 1 refused or failed, 2 bad usage). export writes to `out`
// unless --out; import reads `in` unless --in; what was done, and errors, go to `err`.
int run_data_command(const std::string& command, const std::vector<std::string>& args, std::istream& in,
                     std::ostream& out, std::ostream& err);

std::string data_usage();

}  // namespace sbd
