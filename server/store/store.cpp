// store.cpp: SQLite-backed store (see store.h).
#include "server/store/store.h"

#include "server/store/change_feed.h"

#include <cctype>

#include "server/store/migrations.h"
#include "protocol/schema.h"

namespace sbd {

using sb::Ok;
using sb::Result;
using sb::Status;
using sb::agent::AgentSnapshot;
using sb::agent::Presence;
using sb::agent::ReasonCode;

// ---- open ----------------------------------------------------------------------------------------
Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
    auto db = Database::open(path);
    if (!db) return db.error();
    auto version = migrate(*db.value());
    if (!version) return version.error();
    return std::unique_ptr<Store>(new Store(std::move(db.value())));
}

// ---- agents --------------------------------------------------------------------------------------
Result<bool> Store::has_agents() {
    auto q = db_->prepare("SELECT EXISTS (SELECT 1 FROM agents);");
    if (!q) return q.error();
    auto row = q.value().step();
    if (!row) return row.error();
    return q.value().column_int(0) != 0;
}

Result<std::optional<AgentRecord>> Store::find_agent(const std::string& username) {
    auto q = db_->prepare(
        "SELECT username, display_name, password_hash, state, reason, state_since, last_seq, disabled_at "
        "FROM agents WHERE username = ?;");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, username);
    auto row = st.step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<AgentRecord>{};
    AgentRecord rec;
    rec.snapshot.username = st.column_text(0);
    rec.snapshot.display_name = st.column_text(1);
    rec.password_hash = st.column_text(2);
    rec.snapshot.state = sb::agent::parse_presence(st.column_text(3)).value_or(Presence::Offline);
    rec.snapshot.reason = st.column_is_null(4) ? std::string() : st.column_text(4);
    rec.snapshot.state_since_ms = st.column_int(5);
    rec.last_seq = st.column_int(6);
    if (!st.column_is_null(7)) rec.disabled_at = st.column_int(7);
    return std::optional<AgentRecord>(std::move(rec));
}

Status Store::add_agent(const std::string& username, const std::string& display_name,
                        const std::string& password_hash, int64_t now) {
    auto q = db_->prepare(
        "INSERT INTO agents (username, display_name, password_hash, state, reason, state_since, last_seq) "
        "VALUES (?, ?, ?, 'offline', NULL, ?, 0);");
    if (!q) return q.error();
    return q.value().bind(1, username).bind(2, display_name).bind(3, password_hash).bind(4, now).run();
}

Result<int64_t> Store::record_presence(const AgentSnapshot& agent, const std::string& event, int64_t now) {
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    auto upd = db_->prepare("UPDATE agents SET state = ?, reason = ?, state_since = ? WHERE username = ?;");
    if (!upd) return upd.error();
    upd.value()
        .bind(1, sb::agent::to_string(agent.state))
        .bind(4, agent.username)
        .bind(3, agent.state_since_ms);
    if (agent.reason.empty()) upd.value().bind(2, std::optional<int64_t>{});
    else upd.value().bind(2, agent.reason);
    if (auto st = upd.value().run(); !st) return st.error();
    auto seq = append_event_in_transaction(agent.username, event, sb::agent::to_json(agent), now);
    if (!seq) return seq.error();
    if (auto st = db_->announce(feed::agents, agent.username); !st) return st.error();
    if (auto c = tx.commit(); !c) return c.error();
    return seq.value();
}

namespace {
// The agents of a `SELECT username, display_name, state, reason, state_since ...`.
Result<std::vector<AgentSnapshot>> agent_rows(Statement& st) {
    std::vector<AgentSnapshot> out;
    for (;;) {
        auto row = st.step();
        if (!row) return row.error();
        if (!row.value()) break;
        AgentSnapshot a;
        a.username = st.column_text(0);
        a.display_name = st.column_text(1);
        a.state = sb::agent::parse_presence(st.column_text(2)).value_or(Presence::Offline);
        a.reason = st.column_is_null(3) ? std::string() : st.column_text(3);
        a.state_since_ms = st.column_int(4);
        out.push_back(std::move(a));
    }
    return out;
}
}  // namespace

Result<std::vector<AgentSnapshot>> Store::find_agents(const std::string& query, int64_t limit) {
    // LIKE with its wildcards escaped: the query is text to find, not a pattern.
    std::string pattern = "%";
    for (char ch : query) {
        if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
        pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    pattern += '%';
    auto q = db_->prepare(
        "SELECT username, display_name, state, reason, state_since FROM agents "
        "WHERE disabled_at IS NULL AND (LOWER(username) LIKE ? ESCAPE '\\' OR LOWER(display_name) LIKE ? ESCAPE '\\') "
        "ORDER BY CASE WHEN state = 'available' THEN 0 ELSE 1 END, display_name, username LIMIT ?;");
    if (!q) return q.error();
    q.value().bind(1, pattern).bind(2, pattern).bind(3, limit);
    return agent_rows(q.value());
}

Result<std::vector<AgentSnapshot>> Store::list_agents() {
    auto q = db_->prepare("SELECT username, display_name, state, reason, state_since FROM agents ORDER BY username;");
    if (!q) return q.error();
    return agent_rows(q.value());
}

Result<int64_t> Store::append_event(const std::string& agent, const std::string& event, const nlohmann::json& data,
                                    int64_t now) {
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    auto seq = append_event_in_transaction(agent, event, data, now);
    if (!seq) return seq.error();
    if (auto c = tx.commit(); !c) return c.error();
    return seq.value();
}

// The event log's one rule: the agent's next seq, the event stored under it, and only the last
// kEventsKeptPerAgent kept. The caller holds the transaction.
Result<int64_t> Store::append_event_in_transaction(const std::string& agent, const std::string& event,
                                                   const nlohmann::json& data, int64_t now) {
    auto upd = db_->prepare("UPDATE agents SET last_seq = last_seq + 1 WHERE username = ? RETURNING last_seq;");
    if (!upd) return upd.error();
    upd.value().bind(1, agent);
    auto row = upd.value().step();
    if (!row) return row.error();
    if (!row.value()) return sb::make_error(sb::protocol::code::internal, "agent vanished");
    int64_t seq = upd.value().column_int(0);
    if (auto done = upd.value().step(); !done) return done.error();
    auto ins = db_->prepare("INSERT INTO events (agent, seq, event, data, at) VALUES (?, ?, ?, ?, ?);");
    if (!ins) return ins.error();
    if (auto st = ins.value().bind(1, agent).bind(2, seq).bind(3, event).bind(4, sb::protocol::to_text(data)).bind(5, now).run(); !st)
        return st.error();
    auto trim = db_->prepare("DELETE FROM events WHERE agent = ? AND seq <= ?;");
    if (!trim) return trim.error();
    if (auto t = trim.value().bind(1, agent).bind(2, seq - kEventsKeptPerAgent).run(); !t) return t.error();
    if (auto st = db_->announce(feed::events, agent); !st) return st.error();
    return seq;
}

// ---- reference data ------------------------------------------------------------------------------
Result<std::vector<ReasonCode>> Store::reason_codes() {
    auto q = db_->prepare("SELECT code, label FROM reason_codes WHERE system = 0 ORDER BY position, code;");
    if (!q) return q.error();
    std::vector<ReasonCode> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        out.push_back({q.value().column_text(0), q.value().column_text(1)});
    }
    return out;
}

Status Store::add_reason_code(const std::string& code, const std::string& label, int64_t position) {
    auto q = db_->prepare("INSERT INTO reason_codes (code, label, position) VALUES (?, ?, ?);");
    if (!q) return q.error();
    return q.value().bind(1, code).bind(2, label).bind(3, position).run();
}

Status Store::add_queue(const std::string& name, const std::string& number) {
    auto q = db_->prepare("INSERT INTO queues (name, number) VALUES (?, ?);");
    if (!q) return q.error();
    return q.value().bind(1, name).bind(2, number).run();
}

// ---- sessions ------------------------------------------------------------------------------------
Status Store::add_session(const std::string& token_hash, const std::string& agent, int64_t created_at,
                          int64_t expires_at) {
    auto q = db_->prepare("INSERT INTO sessions (token_hash, agent, created_at, expires_at) VALUES (?, ?, ?, ?);");
    if (!q) return q.error();
    return q.value().bind(1, token_hash).bind(2, agent).bind(3, created_at).bind(4, expires_at).run();
}

Result<std::optional<SessionRecord>> Store::find_session(const std::string& token_hash) {
    auto q = db_->prepare("SELECT agent, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = ?;");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, token_hash);
    auto row = st.step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<SessionRecord>{};
    SessionRecord rec;
    rec.agent = st.column_text(0);
    rec.created_at = st.column_int(1);
    rec.expires_at = st.column_int(2);
    if (!st.column_is_null(3)) rec.revoked_at = st.column_int(3);
    return std::optional<SessionRecord>(std::move(rec));
}

Status Store::revoke_session(const std::string& token_hash, int64_t now) {
    auto q = db_->prepare("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL;");
    if (!q) return q.error();
    return q.value().bind(1, now).bind(2, token_hash).run();
}

// ---- SIP subscribers ----------------------------------------------------------------------------
Status Store::put_sip_subscriber(const SipSubscriber& row) {
    // A row with the same login or session is replaced: deleted, then written, in one
    // transaction (standard SQL; SQLite's INSERT OR REPLACE would do both, PostgreSQL has none).
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun();
    auto old = db_->prepare("DELETE FROM subscriber WHERE (username = ? AND domain = ?) OR session = ?;");
    if (!old) return old.error();
    if (auto st = old.value().bind(1, row.username).bind(2, row.domain).bind(3, row.session).run(); !st) return st;
    auto q = db_->prepare(
        "INSERT INTO subscriber (username, domain, ha1, ha1b, sip_user, expires, agent, session) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?);");
    if (!q) return q.error();
    auto written = q.value()
        .bind(1, row.username)
        .bind(2, row.domain)
        .bind(3, row.ha1)
        .bind(4, row.ha1b)
        .bind(5, row.sip_user)
        .bind(6, row.expires_at / 1000)
        .bind(7, row.agent)
        .bind(8, row.session)
        .run();
    if (!written) return written;
    return tx.commit();
}

Status Store::remove_sip_subscriber(const std::string& token_hash) {
    auto q = db_->prepare("DELETE FROM subscriber WHERE session = ?;");
    if (!q) return q.error();
    return q.value().bind(1, token_hash).run();
}

Status Store::purge_sip_subscribers(int64_t now) {
    auto q = db_->prepare(
        "DELETE FROM subscriber WHERE expires <= ? OR session IN "
        "(SELECT token_hash FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= ?);");
    if (!q) return q.error();
    return q.value().bind(1, now / 1000).bind(2, now).run();
}

Status Store::remove_all_sip_subscribers() { return db_->exec("DELETE FROM subscriber;"); }

namespace {
const char* const kLiveSubscriber =
    " FROM subscriber s JOIN sessions se ON se.token_hash = s.session"
    " WHERE se.revoked_at IS NULL AND se.expires_at > ? AND s.expires > ?";
}

Result<std::optional<std::string>> Store::current_sip_username(const std::string& agent, int64_t now) {
    // The row written last: the session that logged in or resumed most recently.
    auto q = db_->prepare(std::string("SELECT s.username") + kLiveSubscriber + " AND s.agent = ? ORDER BY s.id DESC LIMIT 1;");
    if (!q) return q.error();
    q.value().bind(1, now).bind(2, now / 1000).bind(3, agent);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<std::string>{};
    return std::optional<std::string>{q.value().column_text(0)};
}

Result<std::optional<std::string>> Store::sip_username_agent(const std::string& username, int64_t now) {
    auto q = db_->prepare(std::string("SELECT s.agent") + kLiveSubscriber + " AND s.username = ? LIMIT 1;");
    if (!q) return q.error();
    q.value().bind(1, now).bind(2, now / 1000).bind(3, username);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<std::string>{};
    return std::optional<std::string>{q.value().column_text(0)};
}

// ---- events --------------------------------------------------------------------------------------
Result<std::vector<StoredEvent>> Store::events_after(const std::string& agent, int64_t seq) {
    auto q = db_->prepare("SELECT seq, event, data FROM events WHERE agent = ? AND seq > ? ORDER BY seq;");
    if (!q) return q.error();
    q.value().bind(1, agent).bind(2, seq);
    std::vector<StoredEvent> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        auto data = nlohmann::json::parse(q.value().column_text(2), nullptr, false);
        if (data.is_discarded()) return sb::make_error(sb::protocol::code::internal, "corrupt event data");
        out.push_back({q.value().column_int(0), q.value().column_text(1), std::move(data)});
    }
    return out;
}

// ---- login failures ------------------------------------------------------------------------------
Status Store::add_login_failure(const std::string& username, const std::string& address, int64_t at) {
    auto q = db_->prepare("INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?);");
    if (!q) return q.error();
    return q.value().bind(1, username).bind(2, address).bind(3, at).run();
}

Result<int64_t> Store::add_login_attempt(const std::string& username, const std::string& address, int64_t at) {
    auto q = db_->prepare("INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?) RETURNING id;");
    if (!q) return q.error();
    q.value().bind(1, username).bind(2, address).bind(3, at);
    auto row = q.value().step();
    if (!row) return row.error();
    int64_t id = q.value().column_int(0);
    if (auto done = q.value().step(); !done) return done.error();
    return id;
}

Status Store::remove_login_failure(int64_t id) {
    auto q = db_->prepare("DELETE FROM login_failures WHERE id = ?;");
    if (!q) return q.error();
    return q.value().bind(1, id).run();
}

Status Store::clear_login_failures(const std::string& username) {
    auto q = db_->prepare("DELETE FROM login_failures WHERE username = ?;");
    if (!q) return q.error();
    return q.value().bind(1, username).run();
}

Status Store::forget_login_failures_before(int64_t at) {
    auto q = db_->prepare("DELETE FROM login_failures WHERE at < ?;");
    if (!q) return q.error();
    return q.value().bind(1, at).run();
}

Result<std::vector<int64_t>> Store::login_failures_since(FailureKey key, const std::string& value, int64_t since) {
    auto q = db_->prepare(key == FailureKey::Username
                              ? "SELECT at FROM login_failures WHERE username = ? AND at >= ? ORDER BY at;"
                              : "SELECT at FROM login_failures WHERE address = ? AND at >= ? ORDER BY at;");
    if (!q) return q.error();
    q.value().bind(1, value).bind(2, since);
    std::vector<int64_t> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        out.push_back(q.value().column_int(0));
    }
    return out;
}

}  // namespace sbd

namespace sbd {

// ---- MFA, account locks, session activity --------------------------------------------------------
Result<MfaRecord> Store::mfa_of(const std::string& agent) {
    auto q = db_->prepare("SELECT policy, secret, enrolled, last_step FROM agent_mfa WHERE agent = ?;");
    if (!q) return q.error();
    q.value().bind(1, agent);
    auto row = q.value().step();
    if (!row) return row.error();
    MfaRecord rec;
    if (!row.value()) return rec;
    Statement& st = q.value();
    rec.policy = st.column_text(0);
    if (!st.column_is_null(1)) rec.secret = st.column_text(1);
    rec.enrolled = st.column_int(2) != 0;
    rec.last_step = st.column_int(3);
    return rec;
}

Status Store::set_mfa_policy(const std::string& agent, const std::string& policy) {
    auto q = db_->prepare(
        "INSERT INTO agent_mfa (agent, policy) VALUES (?, ?) ON CONFLICT (agent) DO UPDATE SET policy = excluded.policy;");
    if (!q) return q.error();
    return q.value().bind(1, agent).bind(2, policy).run();
}

Status Store::enroll_mfa(const std::string& agent, const std::string& sealed_secret, int64_t step,
                         const std::vector<std::string>& recovery_code_hashes) {
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    auto up = db_->prepare(
        "INSERT INTO agent_mfa (agent, secret, enrolled, last_step) VALUES (?, ?, 1, ?) ON CONFLICT (agent) "
        "DO UPDATE SET secret = excluded.secret, enrolled = 1, last_step = excluded.last_step;");
    if (!up) return up.error();
    if (auto st = up.value().bind(1, agent).bind(2, sealed_secret).bind(3, step).run(); !st) return st.error();
    auto del = db_->prepare("DELETE FROM recovery_codes WHERE agent = ?;");
    if (!del) return del.error();
    if (auto st = del.value().bind(1, agent).run(); !st) return st.error();
    for (const std::string& h : recovery_code_hashes) {
        auto ins = db_->prepare("INSERT INTO recovery_codes (agent, code_hash) VALUES (?, ?);");
        if (!ins) return ins.error();
        if (auto st = ins.value().bind(1, agent).bind(2, h).run(); !st) return st.error();
    }
    return tx.commit();
}

Result<bool> Store::advance_mfa_step(const std::string& agent, int64_t step) {
    auto q = db_->prepare("UPDATE agent_mfa SET last_step = ? WHERE agent = ? AND last_step < ? RETURNING agent;");
    if (!q) return q.error();
    q.value().bind(1, step).bind(2, agent).bind(3, step);
    auto row = q.value().step();
    if (!row) return row.error();
    bool changed = row.value();
    if (changed)
        if (auto done = q.value().step(); !done) return done.error();
    return changed;
}

Result<bool> Store::use_recovery_code(const std::string& agent, const std::string& code_hash, int64_t now) {
    auto q = db_->prepare(
        "UPDATE recovery_codes SET used_at = ? WHERE agent = ? AND code_hash = ? AND used_at IS NULL RETURNING agent;");
    if (!q) return q.error();
    q.value().bind(1, now).bind(2, agent).bind(3, code_hash);
    auto row = q.value().step();
    if (!row) return row.error();
    bool used = row.value();
    if (used)
        if (auto done = q.value().step(); !done) return done.error();
    return used;
}

Result<int64_t> Store::recovery_codes_left(const std::string& agent) {
    auto q = db_->prepare("SELECT COUNT(*) FROM recovery_codes WHERE agent = ? AND used_at IS NULL;");
    if (!q) return q.error();
    q.value().bind(1, agent);
    auto row = q.value().step();
    if (!row) return row.error();
    return q.value().column_int(0);
}

Result<std::optional<AccountLock>> Store::account_lock(const std::string& username, int64_t now) {
    auto q = db_->prepare("SELECT locked_until, reason FROM account_locks WHERE username = ? AND locked_until > ?;");
    if (!q) return q.error();
    q.value().bind(1, username).bind(2, now);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<AccountLock>{};
    return std::optional<AccountLock>(AccountLock{q.value().column_int(0), q.value().column_text(1)});
}

Status Store::lock_account(const std::string& username, int64_t until, const std::string& reason) {
    auto q = db_->prepare(
        "INSERT INTO account_locks (username, locked_until, reason) VALUES (?, ?, ?) ON CONFLICT (username) "
        "DO UPDATE SET locked_until = excluded.locked_until, reason = excluded.reason;");
    if (!q) return q.error();
    return q.value().bind(1, username).bind(2, until).bind(3, reason).run();
}

Status Store::touch_session(const std::string& token_hash, const std::string& address, int64_t now) {
    auto q = db_->prepare(
        "INSERT INTO session_activity (token_hash, address, last_seen) VALUES (?, ?, ?) ON CONFLICT (token_hash) "
        "DO UPDATE SET address = excluded.address, last_seen = excluded.last_seen;");
    if (!q) return q.error();
    return q.value().bind(1, token_hash).bind(2, address).bind(3, now).run();
}

Result<std::vector<LiveSession>> Store::live_sessions(const std::string& agent, int64_t now) {
    auto q = db_->prepare(
        "SELECT s.token_hash, s.created_at, s.expires_at, COALESCE(a.last_seen, s.created_at), COALESCE(a.address, '') "
        "FROM sessions s LEFT JOIN session_activity a ON a.token_hash = s.token_hash "
        "WHERE s.agent = ? AND s.revoked_at IS NULL AND s.expires_at > ? ORDER BY s.created_at DESC, s.token_hash;");
    if (!q) return q.error();
    q.value().bind(1, agent).bind(2, now);
    std::vector<LiveSession> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        Statement& st = q.value();
        out.push_back({st.column_text(0), st.column_int(1), st.column_int(2), st.column_int(3), st.column_text(4)});
    }
    return out;
}

}  // namespace sbd
