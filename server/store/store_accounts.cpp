// store_accounts.cpp: the agents' accounts as `switchboardd admin` changes them (see store.h,
// "accounts", and admin.h). Plain SQL that PostgreSQL runs as well: ON CONFLICT, no INSERT OR.
#include <algorithm>

#include "server/store/store.h"

namespace sbd {

using sb::Ok;
using sb::Result;
using sb::Status;

namespace {

sb::Error unknown_agent(const std::string& username) {
    return sb::make_error("unknown_agent", "There is no agent \"" + username + "\".");
}

// Whether `username` has an account; inside the caller's transaction when there is one.
Result<bool> exists(Database& db, const std::string& username) {
    auto q = db.prepare("SELECT 1 FROM agents WHERE username = ?;");
    if (!q) return q.error();
    q.value().bind(1, username);
    return q.value().step();
}

// Revokes the agent's live sessions and deletes their SIP credentials (Kamailio stops accepting
// them at once). The caller holds the transaction. Returns how many it revoked.
Result<int64_t> revoke_live_sessions(Database& db, const std::string& username, int64_t now) {
    auto count = db.prepare("SELECT COUNT(*) FROM sessions WHERE agent = ? AND revoked_at IS NULL AND expires_at > ?;");
    if (!count) return count.error();
    count.value().bind(1, username).bind(2, now);
    if (auto row = count.value().step(); !row) return row.error();
    int64_t n = count.value().column_int(0);
    auto sip = db.prepare("DELETE FROM subscriber WHERE session IN "
                          "(SELECT token_hash FROM sessions WHERE agent = ? AND revoked_at IS NULL);");
    if (!sip) return sip.error();
    if (auto st = sip.value().bind(1, username).run(); !st) return st.error();
    auto revoke = db.prepare("UPDATE sessions SET revoked_at = ? WHERE agent = ? AND revoked_at IS NULL;");
    if (!revoke) return revoke.error();
    if (auto st = revoke.value().bind(1, now).bind(2, username).run(); !st) return st.error();
    return n;
}

// Failed logins and a lock are forgotten: an administrator has just vouched for the account.
Status forget_failures(Database& db, const std::string& username) {
    for (const char* sql : {"DELETE FROM login_failures WHERE username = ?;", "DELETE FROM account_locks WHERE username = ?;"}) {
        auto q = db.prepare(sql);
        if (!q) return q.error();
        if (auto st = q.value().bind(1, username).run(); !st) return st.error();
    }
    return Ok{};
}

Status replace_skills(Database& db, const std::string& username, const std::vector<std::string>& skills) {
    auto del = db.prepare("DELETE FROM agent_skills WHERE agent = ?;");
    if (!del) return del.error();
    if (auto st = del.value().bind(1, username).run(); !st) return st.error();
    for (const std::string& skill : skills) {
        auto ins = db.prepare("INSERT INTO agent_skills (agent, skill) VALUES (?, ?) ON CONFLICT DO NOTHING;");
        if (!ins) return ins.error();
        if (auto st = ins.value().bind(1, username).bind(2, skill).run(); !st) return st.error();
    }
    return Ok{};
}

// Runs `change` in a transaction on an existing agent's account.
template <class T, class Change>
Result<T> on_agent(Database& db, const std::string& username, Change change) {
    Transaction tx(db);
    if (!tx.begun()) return tx.begun().error();
    auto found = exists(db, username);
    if (!found) return found.error();
    if (!found.value()) return unknown_agent(username);
    Result<T> result = change();
    if (!result) return result;
    if (auto st = tx.commit(); !st) return st.error();
    return result;
}

const char* const kAccountColumns =
    "SELECT a.username, a.display_name, a.role, a.disabled_at, COALESCE(m.policy, 'default'), "
    "COALESCE(m.enrolled, 0) FROM agents a LEFT JOIN agent_mfa m ON m.agent = a.username";

}  // namespace

Result<std::vector<AccountRecord>> Store::accounts() {
    auto q = db_->prepare(std::string(kAccountColumns) + " ORDER BY a.username;");
    if (!q) return q.error();
    std::vector<AccountRecord> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        const Statement& st = q.value();
        AccountRecord a;
        a.username = st.column_text(0);
        a.display_name = st.column_text(1);
        a.role = st.column_text(2);
        if (!st.column_is_null(3)) a.disabled_at = st.column_int(3);
        a.mfa_policy = st.column_text(4);
        a.mfa_enrolled = st.column_int(5) != 0;
        out.push_back(std::move(a));
    }
    auto s = db_->prepare("SELECT agent, skill FROM agent_skills ORDER BY agent, skill;");
    if (!s) return s.error();
    for (;;) {
        auto row = s.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        std::string agent = s.value().column_text(0);
        auto it = std::find_if(out.begin(), out.end(), [&](const AccountRecord& a) { return a.username == agent; });
        if (it != out.end()) it->skills.push_back(s.value().column_text(1));
    }
    return out;
}

Result<std::optional<AccountRecord>> Store::account(const std::string& username) {
    auto all = accounts();
    if (!all) return all.error();
    for (AccountRecord& a : all.value())
        if (a.username == username) return std::optional<AccountRecord>(std::move(a));
    return std::optional<AccountRecord>{};
}

Result<bool> Store::has_enabled_supervisor() {
    auto q = db_->prepare("SELECT EXISTS (SELECT 1 FROM agents WHERE role = 'supervisor' AND disabled_at IS NULL);");
    if (!q) return q.error();
    auto row = q.value().step();
    if (!row) return row.error();
    return q.value().column_int(0) != 0;
}

Status Store::create_agent(const NewAgent& agent, int64_t now) {
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    auto found = exists(*db_, agent.username);
    if (!found) return found.error();
    if (found.value()) return sb::make_error("agent_exists", "There already is an agent \"" + agent.username + "\".");
    auto q = db_->prepare(
        "INSERT INTO agents (username, display_name, password_hash, state, reason, state_since, last_seq, role) "
        "VALUES (?, ?, ?, 'offline', NULL, ?, 0, ?);");
    if (!q) return q.error();
    q.value().bind(1, agent.username).bind(2, agent.display_name).bind(3, agent.password_hash).bind(4, now).bind(5, agent.role);
    if (auto st = q.value().run(); !st) return st.error();
    if (auto st = replace_skills(*db_, agent.username, agent.skills); !st) return st.error();
    // A name once locked (or mistyped) before the account existed starts clean.
    if (auto st = forget_failures(*db_, agent.username); !st) return st.error();
    return tx.commit();
}

Result<int64_t> Store::disable_agent(const std::string& username, int64_t now) {
    return on_agent<int64_t>(*db_, username, [&]() -> Result<int64_t> {
        auto q = db_->prepare("UPDATE agents SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL;");
        if (!q) return q.error();
        if (auto st = q.value().bind(1, now).bind(2, username).run(); !st) return st.error();
        return revoke_live_sessions(*db_, username, now);
    });
}

Status Store::enable_agent(const std::string& username) {
    auto r = on_agent<bool>(*db_, username, [&]() -> Result<bool> {
        auto q = db_->prepare("UPDATE agents SET disabled_at = NULL WHERE username = ?;");
        if (!q) return q.error();
        if (auto st = q.value().bind(1, username).run(); !st) return st.error();
        if (auto st = forget_failures(*db_, username); !st) return st.error();
        return true;
    });
    if (!r) return r.error();
    return Ok{};
}

Result<int64_t> Store::set_password_hash(const std::string& username, const std::string& password_hash, int64_t now) {
    return on_agent<int64_t>(*db_, username, [&]() -> Result<int64_t> {
        auto q = db_->prepare("UPDATE agents SET password_hash = ? WHERE username = ?;");
        if (!q) return q.error();
        if (auto st = q.value().bind(1, password_hash).bind(2, username).run(); !st) return st.error();
        if (auto st = forget_failures(*db_, username); !st) return st.error();
        return revoke_live_sessions(*db_, username, now);
    });
}

Status Store::reset_mfa(const std::string& username) {
    auto r = on_agent<bool>(*db_, username, [&]() -> Result<bool> {
        auto q = db_->prepare("UPDATE agent_mfa SET secret = NULL, enrolled = 0, last_step = 0 WHERE agent = ?;");
        if (!q) return q.error();
        if (auto st = q.value().bind(1, username).run(); !st) return st.error();
        auto codes = db_->prepare("DELETE FROM recovery_codes WHERE agent = ?;");
        if (!codes) return codes.error();
        if (auto st = codes.value().bind(1, username).run(); !st) return st.error();
        if (auto st = forget_failures(*db_, username); !st) return st.error();
        return true;
    });
    if (!r) return r.error();
    return Ok{};
}

Status Store::set_role(const std::string& username, const std::string& role) {
    auto r = on_agent<bool>(*db_, username, [&]() -> Result<bool> {
        auto q = db_->prepare("UPDATE agents SET role = ? WHERE username = ?;");
        if (!q) return q.error();
        if (auto st = q.value().bind(1, role).bind(2, username).run(); !st) return st.error();
        return true;
    });
    if (!r) return r.error();
    return Ok{};
}

Status Store::set_skills(const std::string& username, const std::vector<std::string>& skills) {
    auto r = on_agent<bool>(*db_, username, [&]() -> Result<bool> {
        if (auto st = replace_skills(*db_, username, skills); !st) return st.error();
        return true;
    });
    if (!r) return r.error();
    return Ok{};
}

Result<std::vector<std::pair<std::string, std::string>>> Store::queue_skills() {
    // A queue without a skill of its own needs its name (as ContactStore::queues reads it).
    auto q = db_->prepare("SELECT name, CASE WHEN skill = '' THEN name ELSE skill END FROM queues ORDER BY name;");
    if (!q) return q.error();
    std::vector<std::pair<std::string, std::string>> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        out.emplace_back(q.value().column_text(0), q.value().column_text(1));
    }
    return out;
}

Result<std::vector<RevokedSession>> Store::sessions_revoked_since(int64_t since) {
    auto q = db_->prepare(
        "SELECT token_hash, agent, revoked_at FROM sessions WHERE revoked_at >= ? ORDER BY revoked_at, token_hash;");
    if (!q) return q.error();
    q.value().bind(1, since);
    std::vector<RevokedSession> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        out.push_back({q.value().column_text(0), q.value().column_text(1), q.value().column_int(2)});
    }
    return out;
}

}  // namespace sbd
