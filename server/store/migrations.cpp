// migrations.cpp: the ordered list of schema migrations (see migrations.h).
#include "server/store/migrations.h"

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace sbd {

namespace {

// The advisory lock's key while migrating (any number, the same on every node).
constexpr int64_t kMigrationLock = 0x53574244;  // "SWBD"

// One description for both engines: `sql` is written for SQLite and runs on PostgreSQL as
// for_postgres() writes it (types and the few words that differ); where the change itself must
// differ (SQLite rebuilds a table to change a CHECK, PostgreSQL alters it), `postgres` says it.
struct Migration {
    int version;
    const char* sql;
    // Rebuilds a table (SQLite cannot alter a CHECK): foreign keys are off while it runs, or
    // dropping the old table would cascade into its children; they are checked before commit.
    bool rebuilds_table = false;
    const char* postgres = nullptr;  // PostgreSQL's own text of this change, if it differs
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
        // 2: contacts (chat and SMS): the CRM tables, queue details, skills, capacity, the
        // contacts with their transcripts, canned responses, and the fake SMS provider's outbox.
        {2, R"sql(
ALTER TABLE queues ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN skill TEXT NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0;
ALTER TABLE queues ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE queues SET label = upper(substr(name, 1, 1)) || substr(name, 2), skill = name;
CREATE TABLE dispositions (
  queue    TEXT NOT NULL REFERENCES queues(name) ON DELETE CASCADE,
  code     TEXT NOT NULL,
  label    TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (queue, code)
);
CREATE TABLE agent_skills (
  agent TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  skill TEXT NOT NULL,
  PRIMARY KEY (agent, skill)
);
CREATE TABLE agent_capacity (
  agent    TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  channel  TEXT NOT NULL CHECK (channel IN ('voice', 'chat', 'sms')),
  capacity INTEGER NOT NULL CHECK (capacity >= 0),
  PRIMARY KEY (agent, channel)
);
ALTER TABLE reason_codes ADD COLUMN system INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO reason_codes (code, label, position, system) VALUES ('missed', 'Missed offer', 1000, 1);
CREATE TABLE customers (
  id            TEXT PRIMARY KEY,
  first_name    TEXT NOT NULL DEFAULT '',
  last_name     TEXT NOT NULL DEFAULT '',
  phone         TEXT UNIQUE,
  chat_identity TEXT UNIQUE,
  email         TEXT,
  notes         TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL
);
CREATE TABLE accounts (
  id            TEXT PRIMARY KEY,
  customer      TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  plan          TEXT NOT NULL,
  status        TEXT NOT NULL,
  balance_cents INTEGER NOT NULL DEFAULT 0,
  opened_at     INTEGER NOT NULL
);
CREATE INDEX accounts_by_customer ON accounts(customer);
CREATE TABLE contacts (
  id               TEXT PRIMARY KEY,
  channel          TEXT NOT NULL CHECK (channel IN ('chat', 'sms')),
  state            TEXT NOT NULL CHECK (state IN ('queued', 'offered', 'active', 'wrap_up', 'closed')),
  queue            TEXT NOT NULL REFERENCES queues(name),
  customer         TEXT NOT NULL REFERENCES customers(id),
  agent            TEXT REFERENCES agents(username),
  rank             INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  offer_expires_at INTEGER,
  accepted_at      INTEGER,
  ended_at         INTEGER,
  ended_by         TEXT CHECK (ended_by IN ('agent', 'customer')),
  acw_expires_at   INTEGER,
  closed_at        INTEGER,
  transfer_from    TEXT,
  transfer_note    TEXT,
  target_agent     TEXT,
  disposition      TEXT,
  notes            TEXT NOT NULL DEFAULT '',
  tags             TEXT NOT NULL DEFAULT '[]',
  customer_address TEXT,
  service_address  TEXT,
  chat_token_hash  TEXT UNIQUE
);
CREATE INDEX contacts_by_state ON contacts(state);
CREATE INDEX contacts_by_customer ON contacts(customer, channel, state);
CREATE TABLE messages (
  id        TEXT PRIMARY KEY,
  contact   TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  sender    TEXT NOT NULL CHECK (sender IN ('customer', 'agent', 'system')),
  text      TEXT NOT NULL,
  at        INTEGER NOT NULL,
  agent     TEXT,
  status    TEXT NOT NULL CHECK (status IN ('sent', 'delivered', 'failed')),
  segments  INTEGER,
  client_id TEXT,
  UNIQUE (contact, seq),
  UNIQUE (contact, sender, client_id)
);
CREATE TABLE interactions (
  id          INTEGER PRIMARY KEY,
  customer    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  contact     TEXT NOT NULL,
  channel     TEXT NOT NULL CHECK (channel IN ('chat', 'sms', 'voice')),
  at          INTEGER NOT NULL,
  queue       TEXT NOT NULL,
  disposition TEXT,
  notes       TEXT NOT NULL DEFAULT '',
  agent       TEXT
);
CREATE INDEX interactions_by_customer ON interactions(customer, at);
CREATE TABLE canned_responses (
  id       TEXT PRIMARY KEY,
  title    TEXT NOT NULL,
  text     TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE TABLE sms_provider_outbox (
  id          INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  sender      TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  body        TEXT NOT NULL
);
)sql"},
        // 3: a contact nobody took in time is closed by the system (ended_by 'system').
        {3, R"sql(
CREATE TABLE contacts_v3 (
  id               TEXT PRIMARY KEY,
  channel          TEXT NOT NULL CHECK (channel IN ('chat', 'sms')),
  state            TEXT NOT NULL CHECK (state IN ('queued', 'offered', 'active', 'wrap_up', 'closed')),
  queue            TEXT NOT NULL REFERENCES queues(name),
  customer         TEXT NOT NULL REFERENCES customers(id),
  agent            TEXT REFERENCES agents(username),
  rank             INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  offer_expires_at INTEGER,
  accepted_at      INTEGER,
  ended_at         INTEGER,
  ended_by         TEXT CHECK (ended_by IN ('agent', 'customer', 'system')),
  acw_expires_at   INTEGER,
  closed_at        INTEGER,
  transfer_from    TEXT,
  transfer_note    TEXT,
  target_agent     TEXT,
  disposition      TEXT,
  notes            TEXT NOT NULL DEFAULT '',
  tags             TEXT NOT NULL DEFAULT '[]',
  customer_address TEXT,
  service_address  TEXT,
  chat_token_hash  TEXT UNIQUE
);
INSERT INTO contacts_v3 SELECT * FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_v3 RENAME TO contacts;
CREATE INDEX contacts_by_state ON contacts(state);
CREATE INDEX contacts_by_customer ON contacts(customer, channel, state);
)sql", true, R"sql(
ALTER TABLE contacts DROP CONSTRAINT contacts_ended_by_check;
ALTER TABLE contacts ADD CONSTRAINT contacts_ended_by_check CHECK (ended_by IN ('agent', 'customer', 'system'));
)sql"},
        // 4: outbound SMS the provider has not settled yet, so that sending resumes after a crash.
        {4, R"sql(
CREATE TABLE sms_pending (
  message TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE
);
)sql"},
        // 5: SIP credentials for the telephony (docs/telephony.md). Kamailio's auth_db reads
        // `subscriber` from this database (db_sqlite, read-only) and first checks the table's
        // schema version in `version`: Kamailio's own table and column names, subscriber at 7.
        // One row per desk session; only HA1/HA1b, never a password (sip_credentials.h). IF NOT
        // EXISTS: a database already prepared for Kamailio (kamdbctl) keeps its tables.
        {5, R"sql(
CREATE TABLE IF NOT EXISTS version (
  id            INTEGER PRIMARY KEY NOT NULL,
  table_name    VARCHAR(32) NOT NULL UNIQUE,
  table_version INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('version', 1), ('subscriber', 7);
CREATE TABLE IF NOT EXISTS subscriber (
  id       INTEGER PRIMARY KEY NOT NULL,
  username VARCHAR(64) NOT NULL,   -- digest username: <agent>.<session tag>
  domain   VARCHAR(64) NOT NULL,   -- SIP domain, also the realm
  ha1      VARCHAR(128) NOT NULL,  -- md5(username:realm:password)
  ha1b     VARCHAR(128) NOT NULL,  -- md5(username@domain:realm:password)
  sip_user TEXT NOT NULL,          -- user part of the agent's URI; Kamailio checks From/To against it
  expires  INTEGER NOT NULL,       -- seconds since the Unix epoch: when the session ends
  agent    TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  session  TEXT NOT NULL UNIQUE REFERENCES sessions(token_hash) ON DELETE CASCADE,
  UNIQUE (username, domain)
);
)sql"},
        // 6: voice contacts (docs/telephony.md, "Queue calls"): the channel CHECK widens to
        // 'voice', and a call's direction and whether it is a callback are kept (NULL and 0 for
        // chat and SMS). A rebuild, like migration 3.
        {6, R"sql(
CREATE TABLE contacts_v6 (
  id               TEXT PRIMARY KEY,
  channel          TEXT NOT NULL CHECK (channel IN ('chat', 'sms', 'voice')),
  state            TEXT NOT NULL CHECK (state IN ('queued', 'offered', 'active', 'wrap_up', 'closed')),
  queue            TEXT NOT NULL REFERENCES queues(name),
  customer         TEXT NOT NULL REFERENCES customers(id),
  agent            TEXT REFERENCES agents(username),
  rank             INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  offer_expires_at INTEGER,
  accepted_at      INTEGER,
  ended_at         INTEGER,
  ended_by         TEXT CHECK (ended_by IN ('agent', 'customer', 'system')),
  acw_expires_at   INTEGER,
  closed_at        INTEGER,
  transfer_from    TEXT,
  transfer_note    TEXT,
  target_agent     TEXT,
  disposition      TEXT,
  notes            TEXT NOT NULL DEFAULT '',
  tags             TEXT NOT NULL DEFAULT '[]',
  customer_address TEXT,
  service_address  TEXT,
  chat_token_hash  TEXT UNIQUE,
  call_direction   TEXT,
  callback         INTEGER NOT NULL DEFAULT 0
);
INSERT INTO contacts_v6 (id, channel, state, queue, customer, agent, rank, created_at, offer_expires_at,
  accepted_at, ended_at, ended_by, acw_expires_at, closed_at, transfer_from, transfer_note, target_agent,
  disposition, notes, tags, customer_address, service_address, chat_token_hash)
SELECT id, channel, state, queue, customer, agent, rank, created_at, offer_expires_at,
  accepted_at, ended_at, ended_by, acw_expires_at, closed_at, transfer_from, transfer_note, target_agent,
  disposition, notes, tags, customer_address, service_address, chat_token_hash FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_v6 RENAME TO contacts;
CREATE INDEX contacts_by_state ON contacts(state);
CREATE INDEX contacts_by_customer ON contacts(customer, channel, state);
)sql", true, R"sql(
ALTER TABLE contacts DROP CONSTRAINT contacts_channel_check;
ALTER TABLE contacts ADD CONSTRAINT contacts_channel_check CHECK (channel IN ('chat', 'sms', 'voice'));
ALTER TABLE contacts ADD COLUMN call_direction TEXT;
ALTER TABLE contacts ADD COLUMN callback INTEGER NOT NULL DEFAULT 0;
)sql"},
        // 7: agent sign-in's second factor (docs/protocol.md, "Sign-in"): per-agent MFA policy
        // and TOTP state (the secret sealed with the server's key, never in clear), recovery
        // codes as hashes, account locks, and where and when each session was last seen. New
        // tables only (IF NOT EXISTS), so that it can run again.
        {7, R"sql(
CREATE TABLE IF NOT EXISTS agent_mfa (
  agent     TEXT PRIMARY KEY REFERENCES agents(username) ON DELETE CASCADE,
  policy    TEXT NOT NULL DEFAULT 'default' CHECK (policy IN ('default', 'required', 'off')),
  secret    TEXT,
  enrolled  INTEGER NOT NULL DEFAULT 0,
  last_step INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS recovery_codes (
  agent     TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at   INTEGER,
  PRIMARY KEY (agent, code_hash)
);
CREATE TABLE IF NOT EXISTS account_locks (
  username     TEXT PRIMARY KEY,
  locked_until INTEGER NOT NULL,
  reason       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS session_activity (
  token_hash TEXT PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
  address    TEXT NOT NULL,
  last_seen  INTEGER NOT NULL
);
)sql"},
        // 8: the audit log (server/admin/audit.h, docs/security.md) and the agents' role: `agent`, or
        // `supervisor`, who may read the audit log. The audit table is IF NOT EXISTS so that it can
        // run again after its column is dropped (tests/server/migrations.test.mjs).
        {8, R"sql(
CREATE TABLE IF NOT EXISTS audit (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  contact  TEXT,
  customer TEXT,
  detail   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_by_contact ON audit(contact, id);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit(actor, id);
CREATE INDEX IF NOT EXISTS audit_by_at ON audit(at);
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'supervisor'));
)sql"},
        // 10: customer verification (docs/verification.md): what the record holds to verify a
        // customer (date of birth as YYYY-MM-DD, address and postcode, account numbers, the
        // security phrase only as an Argon2id hash), a policy per queue, each contact's flow
        // with its SMS code (hash only), and the per-customer lock. The tables are IF NOT EXISTS so
        // that it can run again after its columns are dropped (tests/server/migrations.test.mjs).
        {10, R"sql(
ALTER TABLE customers ADD COLUMN date_of_birth TEXT;
ALTER TABLE customers ADD COLUMN address TEXT;
ALTER TABLE customers ADD COLUMN postcode TEXT;
ALTER TABLE customers ADD COLUMN security_phrase_hash TEXT;
ALTER TABLE accounts ADD COLUMN number TEXT;
CREATE TABLE IF NOT EXISTS verification_policies (
  queue        TEXT PRIMARY KEY REFERENCES queues(name) ON DELETE CASCADE,
  steps        TEXT NOT NULL,     -- in order, comma-separated: dob,postcode,account_last4,security_phrase,sms_code,caller_number
  required     INTEGER NOT NULL CHECK (required >= 1),
  attempts     INTEGER NOT NULL CHECK (attempts BETWEEN 1 AND 10),
  max_failures INTEGER NOT NULL CHECK (max_failures >= 1),
  lock_ms      INTEGER NOT NULL CHECK (lock_ms > 0)
);
CREATE TABLE IF NOT EXISTS contact_verifications (
  contact         TEXT PRIMARY KEY,
  customer        TEXT NOT NULL,
  flow            TEXT NOT NULL,  -- JSON: state, required, attempts, steps [{step, state, attempts_left}]
  code_hash       TEXT,           -- BLAKE2b of "<contact>:<code>"; NULL when no code is out
  code_expires_at INTEGER,
  codes_sent      INTEGER NOT NULL DEFAULT 0,
  updated_at      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS verification_locks (
  customer     TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  failures     INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0
);
)sql"},
        // 11: card payments (server/payments/payments.h, docs/payments.md): a customer's payment methods
        // (the gateway's token, brand, last four digits and expiry: never the number or the CVC)
        // and every payment taken on a contact. IF NOT EXISTS, so that it can run again.
        {11, R"sql(
CREATE TABLE IF NOT EXISTS payment_methods (
  id         INTEGER PRIMARY KEY,
  customer   TEXT NOT NULL,
  token      TEXT NOT NULL,
  brand      TEXT NOT NULL,
  last4      TEXT NOT NULL CHECK (length(last4) = 4),
  exp_month  INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year   INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_methods_by_customer ON payment_methods(customer);
CREATE TABLE IF NOT EXISTS payments (
  id          TEXT PRIMARY KEY,
  contact     TEXT NOT NULL,
  customer    TEXT NOT NULL,
  agent       TEXT NOT NULL,
  amount      INTEGER NOT NULL CHECK (amount > 0),
  currency    TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('capturing', 'authorizing', 'approved', 'cancelled', 'expired', 'refunded')),
  method      INTEGER REFERENCES payment_methods(id),
  gateway_ref TEXT,
  error       TEXT,             -- JSON {code, message} or NULL
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_contact ON payments(contact, created_at);
CREATE INDEX IF NOT EXISTS payments_by_state ON payments(state);
)sql"},
        // 12: call recording (server/telephony/recording.h, docs/telephony.md "Recording"): which SIP
        // Call-ID carries a voice contact's media and whether rtpengine's recording of it is on
        // or paused (the last confirmed state; unknown when a command went unanswered), so that
        // a restarted switchboardd still knows.
        {12, R"sql(
CREATE TABLE IF NOT EXISTS call_recordings (
  contact    TEXT PRIMARY KEY,
  call_id    TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('on', 'paused', 'unknown')),
  updated_at INTEGER NOT NULL
);
)sql"},
        // 13: accounts without SQL (server/admin/admin.h, docs/operations.md "Accounts"): an agent can be
        // disabled (NULL: enabled), and the sessions revoked lately are found by an index, so that
        // a running switchboardd ends at once the sessions `switchboardd admin` revoked.
        {13, R"sql(
ALTER TABLE agents ADD COLUMN disabled_at INTEGER;
CREATE INDEX IF NOT EXISTS sessions_by_revoked_at ON sessions(revoked_at);
)sql"},
        // 14: a chat's claim is a hint, never a link (docs/verification.md, "Claims"): the
        // customer on file whose email a chat customer typed, against whom the contact's
        // verification runs; the contact is attached to that customer only once verified.
        {14, R"sql(
ALTER TABLE contacts ADD COLUMN claimed_customer TEXT;  -- a customers.id
)sql"},
        // 15: each charge sent to the payment gateway carries an idempotency key, kept with the
        // payment (with the card it was for: brand, last four, expiry) so that a charge whose
        // outcome is unknown is sent again under the same key (docs/payments.md, "Idempotency").
        {15, R"sql(
ALTER TABLE payments ADD COLUMN charge_key TEXT;
ALTER TABLE payments ADD COLUMN charge_card TEXT;
)sql"},
        // 16: a payment's place in the order payments were made (a contact's latest is the one
        // with the highest), so that no query needs SQLite's own row numbers: PostgreSQL has none
        // (docs/architecture.md, "Store"). Existing payments keep the order they were stored in.
        {16, R"sql(
ALTER TABLE payments ADD COLUMN seq INTEGER;
UPDATE payments SET seq = rowid;
CREATE INDEX IF NOT EXISTS payments_by_contact_seq ON payments(contact, seq);
)sql", false, R"sql(
ALTER TABLE payments ADD COLUMN seq INTEGER;
CREATE INDEX IF NOT EXISTS payments_by_contact_seq ON payments(contact, seq);
)sql"},
        // 17: a contact's version, raised by every save: a node whose copy is older than the row
        // cannot overwrite what another node stored (an offer, an end), so no contact is offered
        // to two agents; and its transcript's last seq, taken by an update that locks the row,
        // so two nodes adding a message at once cannot take the same (docs/architecture.md,
        // "Several nodes").
        {17, R"sql(
ALTER TABLE contacts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN message_seq INTEGER NOT NULL DEFAULT 0;
UPDATE contacts SET message_seq = COALESCE((SELECT MAX(seq) FROM messages WHERE messages.contact = contacts.id), 0);
)sql"},
        // 18: routing across nodes (docs/architecture.md, "Several nodes"). Which node each
        // agent's desk is connected to, and when each node last said it was alive: every node
        // routes to every live node's agents. An offer locks its agent's row (last_offer_at)
        // and counts the agent's contacts before it is stored, so two nodes offering at once
        // never take an agent past their capacity; contacts_by_agent makes that count cheap.
        {18, R"sql(
CREATE TABLE IF NOT EXISTS nodes (
  node    TEXT PRIMARY KEY,
  seen_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS agent_links (
  agent TEXT NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  node  TEXT NOT NULL,
  PRIMARY KEY (agent, node)
);
CREATE INDEX IF NOT EXISTS agent_links_by_node ON agent_links(node);
CREATE INDEX IF NOT EXISTS contacts_by_agent ON contacts(agent, state);
ALTER TABLE agents ADD COLUMN last_offer_at INTEGER;
)sql"},
        // 19: which contact a queue call's SIP Call-ID made (docs/telephony.md, "Several nodes"):
        // Kamailio asks the next node when one is slow to answer, and that node must answer with
        // the same contact rather than make a second one for the same call. Kept a day.
        {19, R"sql(
CREATE TABLE IF NOT EXISTS call_ids (
  call_id    TEXT PRIMARY KEY,
  contact    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS call_ids_by_time ON call_ids(created_at);
)sql"},
    };
    return list;
}

}  // namespace

// SQLite's text of a migration as PostgreSQL runs it: integers are 64-bit (BIGINT: times are
// milliseconds), a rowid alias becomes an identity column, INSERT OR IGNORE an ON CONFLICT.
std::string for_postgres(const std::string& sql) {
    static const std::regex identity(R"(\bINTEGER PRIMARY KEY( NOT NULL)?)");
    static const std::regex integer(R"(\bINTEGER\b)");
    static const std::regex insert_or_ignore(R"(INSERT OR IGNORE INTO ([^;]*);)");
    std::string out = std::regex_replace(sql, identity, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    out = std::regex_replace(out, integer, "BIGINT");
    return std::regex_replace(out, insert_or_ignore, "INSERT INTO $1 ON CONFLICT DO NOTHING;");
}

namespace {

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
    const bool postgres = db.dialect() == Dialect::Postgres;
    // Several nodes may start at once on one PostgreSQL: one migrates, the others wait for it
    // (a session-level advisory lock, let go at the end or when the connection goes).
    if (postgres)
        if (auto st = db.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ");"); !st) return st.error();
    struct Unlock {
        Database& db;
        bool on;
        ~Unlock() {
            if (on) db.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ");");
        }
    } unlock{db, postgres};
    auto version = current_version(db);
    if (!version) return version;
    int v = version.value();
    // In version order, whatever order they were written in (migrations are added concurrently).
    std::vector<Migration> ordered = migrations();
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (const Migration& m : ordered) {
        if (m.version <= v) continue;
        const bool rebuild = m.rebuilds_table && !postgres;
        // (The pragma is a no-op inside a transaction, so it goes around it.)
        if (rebuild)
            if (auto st = db.exec("PRAGMA foreign_keys=OFF;"); !st) return st.error();
        auto applied = [&]() -> sb::Status {
            Transaction tx(db);
            if (!tx.begun()) return tx.begun().error();
            std::string sql = postgres ? for_postgres(m.postgres ? m.postgres : m.sql) : m.sql;
            if (auto st = db.exec(sql); !st)
                return sb::make_error(st.error().code, "migration " + std::to_string(m.version) + ": " + st.error().message);
            if (rebuild) {
                auto check = db.prepare("PRAGMA foreign_key_check;");
                if (!check) return check.error();
                auto row = check.value().step();
                if (!row) return row.error();
                if (row.value())
                    return sb::make_error("migration", "migration " + std::to_string(m.version) +
                                                           " would break a foreign key; nothing changed");
            }
            auto ins = db.prepare("INSERT INTO schema_version (version) VALUES (?);");
            if (!ins) return ins.error();
            if (auto st = ins.value().bind(1, int64_t{m.version}).run(); !st) return st.error();
            return tx.commit();
        }();
        if (rebuild)
            if (auto st = db.exec("PRAGMA foreign_keys=ON;"); !st) return st.error();
        if (!applied) return applied.error();
        v = m.version;
    }
    return v;
}

}  // namespace sbd
