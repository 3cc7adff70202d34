// migrations.h: the database schema as an ordered list of migrations, applied on start.
//
// The `schema_version` table holds the highest migration applied. New schema changes are
// appended to the list in migrations.cpp; an applied migration is never edited.
#pragma once

#include <string>

#include "server/store/database.h"

namespace sbd {

// Applies every migration newer than the database's schema_version, each in its own
// transaction. Returns the resulting version.
// On PostgreSQL (for_postgres), one node migrates while the others wait.
sb::Result<int> migrate(Database& db);

// A migration's SQLite text as PostgreSQL runs it (migrations_test.cpp).
std::string for_postgres(const std::string& sql);

}  // namespace sbd
