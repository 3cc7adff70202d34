// migrations.cpp: the ordered list of schema migrations (see migrations.h).
#include "migrations.h"

#include <vector>

namespace sbd {

namespace {

struct Migration {
    int version;
    const char* sql;
};

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        {1, R"sql(
CREATE TABLE agents (
  username      TEXT PRIMARY KEY,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'offline' CHECK (state IN ('offline', 'available', 'not_ready')),
  reason        TEXT,
  state_since   INTEGER NOT NULL,
  last_seq      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE reason_codes (
  code     TEXT PRIMARY KEY,
  label    TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE TABLE queues (
  name   TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  agent      TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sessions_by_agent ON sessions(agent);
CREATE TABLE events (
  agent TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  seq   INTEGER NOT NULL,
  event TEXT NOT NULL,
  data  TEXT NOT NULL,
  at    INTEGER NOT NULL,
  PRIMARY KEY (agent, seq)
);
CREATE TABLE login_failures (
  id       INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  address  TEXT NOT NULL,
  at       INTEGER NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures(username, at);
CREATE INDEX login_failures_by_address ON login_failures(address, at);
)sql"},
    };
    return list;
}

sb::Result<int> current_version(Database& db) {
    auto st = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
    if (!st) return st.error();
    auto q = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version;");
    if (!q) return q.error();
    auto row = q.value().step();
    if (!row) return row.error();
    return static_cast<int>(q.value().column_int(0));
}

}  // namespace

sb::Result<int> migrate(Database& db) {
    auto version = current_version(db);
    if (!version) return version;
    int v = version.value();
    for (const Migration& m : migrations()) {
        if (m.version <= v) continue;
        Transaction tx(db);
        if (!tx.begun()) return tx.begun().error();
        if (auto st = db.exec(m.sql); !st) return st.error();
        auto ins = db.prepare("INSERT INTO schema_version (version) VALUES (?);");
        if (!ins) return ins.error();
        if (auto st = ins.value().bind(1, int64_t{m.version}).run(); !st) return st.error();
        if (auto st = tx.commit(); !st) return st.error();
        v = m.version;
    }
    return v;
}

}  // namespace sbd
