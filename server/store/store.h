// store.h: switchboardd's persistent state in SQLite: agents and their presence, reason
// codes, queues, sessions (token hashes only), the per-agent event log and login failures.
//
// Every call returns a value or an sb::Error ("internal"); nothing throws. Times are the
// server clock in ms since the Unix epoch, passed in by the caller.
//
// Sections: open · agents · accounts · reference data · sessions · SIP subscribers · events ·
// login failures
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/presence.h"
#include "server/store/database.h"

namespace sbd {

struct AgentRecord {
    sb::agent::AgentSnapshot snapshot;
    std::string password_hash;
    int64_t last_seq = 0;  // the agent's latest event sequence number
    std::optional<int64_t> disabled_at;  // set: the account is disabled (switchboardd admin)
};

// An agent's account as `switchboardd admin` shows and changes it (store_accounts.cpp).
struct AccountRecord {
    std::string username;
    std::string display_name;
    std::string role;                    // agent | supervisor
    std::optional<int64_t> disabled_at;
    std::string mfa_policy = "default";  // default | required | off
    bool mfa_enrolled = false;
    std::vector<std::string> skills;     // sorted
};

// A new agent (Store::create_agent).
struct NewAgent {
    std::string username;
    std::string display_name;
    std::string password_hash;           // Argon2id (auth.h)
    std::string role = "agent";
    std::vector<std::string> skills;
};

// A session revoked at `revoked_at` (sessions_revoked_since).
struct RevokedSession {
    std::string token_hash;
    std::string agent;
    int64_t revoked_at = 0;
};

struct SessionRecord {
    std::string agent;
    int64_t created_at = 0;
    int64_t expires_at = 0;
    std::optional<int64_t> revoked_at;
};

struct StoredEvent {
    int64_t seq = 0;
    std::string event;
    nlohmann::json data;
};

// A row of Kamailio's subscriber table: one desk session's SIP credentials (sip_credentials.h).
struct SipSubscriber {
    std::string session;   // token hash
    std::string agent;
    std::string username;  // digest username
    std::string domain;
    std::string ha1, ha1b;
    std::string sip_user;
    int64_t expires_at = 0;  // ms; stored in seconds, as Kamailio compares it with $Ts
};

enum class FailureKey { Username, Address };

// The agent's second factor (migration 7). No row means policy "default", not enrolled.
struct MfaRecord {
    std::string policy = "default";      // default | required | off
    std::optional<std::string> secret;   // sealed (mfa.h), never the base32 itself
    bool enrolled = false;
    int64_t last_step = 0;               // the TOTP step of the last code accepted
};

struct AccountLock {
    int64_t locked_until = 0;
    std::string reason;
};

// One of an agent's live sessions, for the `sessions` request.
struct LiveSession {
    std::string token_hash;
    int64_t created_at = 0, expires_at = 0, last_seen = 0;
    std::string address;
};

class Store {
public:
    static constexpr int64_t kEventsKeptPerAgent = 1000;

    // ---- open: creates and migrates the database ----
    static sb::Result<std::unique_ptr<Store>> open(const std::string& path);

    // ---- agents ----
    sb::Result<bool> has_agents();
    sb::Result<std::optional<AgentRecord>> find_agent(const std::string& username);
    sb::Status add_agent(const std::string& username, const std::string& display_name,
                         const std::string& password_hash, int64_t now);
    // Saves the agent's new presence and appends `event` (with data = the agent) as the next
    // seq, in one transaction; trims the log to the last kEventsKeptPerAgent. Returns the seq.
    sb::Result<int64_t> record_presence(const sb::agent::AgentSnapshot& agent, const std::string& event,
                                        int64_t now);

    // Every agent, by username (for the session's transfer list and for routing).
    sb::Result<std::vector<sb::agent::AgentSnapshot>> list_agents();
    // The enabled agents whose username or display name holds `query` (ASCII case-insensitive;
    // every enabled agent when it is empty): available ones first, then by display name; at
    // most `limit`.
    sb::Result<std::vector<sb::agent::AgentSnapshot>> find_agents(const std::string& query, int64_t limit);
    // Appends `event` with `data` as the agent's next seq (trimming the log, as record_presence
    // does); returns the seq.
    sb::Result<int64_t> append_event(const std::string& agent, const std::string& event, const nlohmann::json& data,
                                     int64_t now);

    // ---- nodes: the nodes sharing this database, and where each agent's desk is connected
    // (store_nodes.cpp; docs/architecture.md, "Several nodes") ----
    // A node says it is alive every kNodeBeatMs; one not heard of for kNodeLostMs is taken as
    // gone (its links no longer count), and one gone for kNodeForgottenMs is forgotten.
    static constexpr int64_t kNodeBeatMs = 1000, kNodeLostMs = 5000, kNodeForgottenMs = 60'000;
    sb::Status node_seen(const std::string& node, int64_t now);
    sb::Result<std::set<std::string>> live_nodes(int64_t seen_since);
    // The agent has a desk logged in on `node` (linked), or no longer; announced on feed::agents
    // in the same transaction. Linking an unknown agent does nothing.
    sb::Status link_agent(const std::string& agent, const std::string& node, bool linked);
    sb::Result<std::vector<std::pair<std::string, std::string>>> agent_links();  // (agent, node)
    sb::Result<std::set<std::string>> agent_nodes(const std::string& agent);
    // Nodes not seen since `unseen_since`, and their links; one node (its own, at a clean stop).
    sb::Status forget_nodes(int64_t unseen_since);
    sb::Status forget_node(const std::string& node);

    // ---- accounts: what `switchboardd admin` changes (store_accounts.cpp) ----
    // Each change is one transaction; an unknown username is the error "unknown_agent".
    sb::Result<std::optional<AccountRecord>> account(const std::string& username);
    sb::Result<std::vector<AccountRecord>> accounts();  // by username
    // Whether an enabled supervisor exists (without one, nobody can read the audit log).
    sb::Result<bool> has_enabled_supervisor();
    // Errors: "agent_exists" when the username is taken.
    sb::Status create_agent(const NewAgent& agent, int64_t now);
    // Disables the account (keeps the first time if it already was) and revokes its live
    // sessions, whose SIP credentials stop working; returns how many sessions it revoked.
    sb::Result<int64_t> disable_agent(const std::string& username, int64_t now);
    sb::Status enable_agent(const std::string& username);
    // A new password hash; the live sessions are revoked (whoever knew the old password is signed
    // out), and the failed logins and any lock are forgotten. Returns the sessions revoked.
    sb::Result<int64_t> set_password_hash(const std::string& username, const std::string& password_hash, int64_t now);
    // Forgets the TOTP secret, its enrollment and the recovery codes (the policy stays): the next
    // sign-in enrolls again where the policy asks for a second factor. Forgets any lock too.
    sb::Status reset_mfa(const std::string& username);
    sb::Status set_role(const std::string& username, const std::string& role);
    // Replaces the agent's skills.
    sb::Status set_skills(const std::string& username, const std::vector<std::string>& skills);
    // Each queue's skill, by queue name (a queue's skill is what an agent needs to take its contacts).
    sb::Result<std::vector<std::pair<std::string, std::string>>> queue_skills();
    // Sessions revoked at or after `since` (ms), oldest first: how a running server learns of
    // revocations another process made (switchboardd admin, another node).
    sb::Result<std::vector<RevokedSession>> sessions_revoked_since(int64_t since);

    // ---- reference data ----
    // The reason codes an agent may choose; system codes ("missed") are left out.
    sb::Result<std::vector<sb::agent::ReasonCode>> reason_codes();
    sb::Status add_reason_code(const std::string& code, const std::string& label, int64_t position);
    sb::Status add_queue(const std::string& name, const std::string& number);

    // ---- sessions ----
    sb::Status add_session(const std::string& token_hash, const std::string& agent, int64_t created_at,
                           int64_t expires_at);
    sb::Result<std::optional<SessionRecord>> find_session(const std::string& token_hash);
    sb::Status revoke_session(const std::string& token_hash, int64_t now);

    // ---- SIP subscribers (what Kamailio authenticates against) ----
    // Inserts or replaces the session's row.
    sb::Status put_sip_subscriber(const SipSubscriber& row);
    sb::Status remove_sip_subscriber(const std::string& token_hash);
    // Removes the rows of sessions that expired before `now` or were revoked.
    sb::Status purge_sip_subscribers(int64_t now);
    sb::Status remove_all_sip_subscribers();
    // The digest username of the agent's current SIP credentials: of their live session whose
    // row was written last (the latest login or resume); none without a live session.
    sb::Result<std::optional<std::string>> current_sip_username(const std::string& agent, int64_t now);
    // The agent a live session's digest username belongs to.
    sb::Result<std::optional<std::string>> sip_username_agent(const std::string& username, int64_t now);

    // ---- events ----
    sb::Result<std::vector<StoredEvent>> events_after(const std::string& agent, int64_t seq);

    // ---- MFA, account locks, session activity ----
    sb::Result<MfaRecord> mfa_of(const std::string& agent);
    sb::Status set_mfa_policy(const std::string& agent, const std::string& policy);
    // Saves a completed enrollment and replaces the recovery codes, in one transaction.
    sb::Status enroll_mfa(const std::string& agent, const std::string& sealed_secret, int64_t step,
                          const std::vector<std::string>& recovery_code_hashes);
    // Moves last_step forward to `step`; false if it already was at or past it (a replay).
    sb::Result<bool> advance_mfa_step(const std::string& agent, int64_t step);
    // Marks an unused recovery code used; false if there is none such.
    sb::Result<bool> use_recovery_code(const std::string& agent, const std::string& code_hash, int64_t now);
    sb::Result<int64_t> recovery_codes_left(const std::string& agent);
    sb::Result<std::optional<AccountLock>> account_lock(const std::string& username, int64_t now);
    sb::Status lock_account(const std::string& username, int64_t until, const std::string& reason);
    sb::Status touch_session(const std::string& token_hash, const std::string& address, int64_t now);
    // The agent's sessions that are neither revoked nor expired, newest first.
    sb::Result<std::vector<LiveSession>> live_sessions(const std::string& agent, int64_t now);

    // ---- login failures ----
    sb::Status add_login_failure(const std::string& username, const std::string& address, int64_t at);
    // A login attempt counted as a failure before its password is checked; its row id, so that
    // a right password takes it back (remove_login_failure).
    sb::Result<int64_t> add_login_attempt(const std::string& username, const std::string& address, int64_t at);
    sb::Status remove_login_failure(int64_t id);
    sb::Status clear_login_failures(const std::string& username);
    sb::Status forget_login_failures_before(int64_t at);
    // Times of the failures for that username or address at or after `since`, oldest first.
    sb::Result<std::vector<int64_t>> login_failures_since(FailureKey key, const std::string& value, int64_t since);

    // For the stores of other concepts (contact_store) that share this database.
    Database& database() { return *db_; }

private:
    sb::Result<int64_t> append_event_in_transaction(const std::string& agent, const std::string& event,
                                                    const nlohmann::json& data, int64_t now);

    explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}
    std::unique_ptr<Database> db_;
};

}  // namespace sbd
