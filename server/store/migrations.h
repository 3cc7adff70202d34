// migrations.h: the database schema as an ordered list of migrations, applied on start.
//
// The `schema_version` table holds the highest migration applied. New schema changes are
// appended to the list in migrations.cpp; an applied migration is never edited.
#pragma once

#include "server/store/sqlite_db.h"

namespace sbd {

// Applies every migration newer than the database's schema_version, each in its own
// transaction. Returns the resulting version.
sb::Result<int> migrate(Database& db);

}  // namespace sbd
