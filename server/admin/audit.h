// audit.h: the audit log (docs/security.md, "Audit log"): who did what, when, on which contact
// and customer, kept in the `audit` table (migration 8; store/audit_store.h) and read by supervisors through
// GET /api/audit (http_api.cpp) and the desk request `audit` (desk_service.cpp).
//
// Entries are only ever added. Every string of an entry (actor, contact, customer, and every
// string and key of the detail) goes through mask_card_numbers before it is stored: a card
// number never reaches the audit table. Numbers in the detail are kept as they are (they are
// timestamps and amounts), so a card number must never be put there as a JSON number.
//
// Sections: actions · entries and filters · AuditLog · roles
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/store/audit_store.h"
#include "server/store/database.h"
#include "util/result.h"

namespace sbd {

// ---- actions ------------------------------------------------------------------------------------
// The documented action names (docs/security.md keeps the same list with what each one's detail
// holds). record() accepts any name of the form `word.word` (lower case, digits, '_'), so that a
// new feature can add its action here and in the docs without a change to the table.
namespace audit_action {
inline constexpr const char* login_succeeded = "login.succeeded";          // a session started (password, and code if asked)
inline constexpr const char* login_failed = "login.failed";                // a wrong username or password
inline constexpr const char* session_revoked = "session.revoked";          // a session ended early (logout, revocation)
inline constexpr const char* mfa_failed = "mfa.failed";                    // a wrong second-factor code
inline constexpr const char* account_locked = "account.locked";            // too many failures: sign-in locked
inline constexpr const char* verification_attempt = "verification.attempt";  // one answer to one step
inline constexpr const char* verification_passed = "verification.passed";
inline constexpr const char* verification_locked = "verification.locked";
inline constexpr const char* verification_refused = "verification.refused";  // an answer or code refused unasked (expired, locked...)
inline constexpr const char* card_unlocked = "card.unlocked";              // the customer card's sensitive section
inline constexpr const char* customer_updated = "customer.updated";        // address, postcode, email or phone changed
inline constexpr const char* customer_identified = "customer.identified";  // a claimed chat verified: moved to that customer
inline constexpr const char* payment_taken = "payment.taken";
inline constexpr const char* recording_paused = "recording.paused";
inline constexpr const char* recording_resumed = "recording.resumed";
// accounts, changed by `switchboardd admin` (admin.h; actor "admin")
inline constexpr const char* agent_created = "agent.created";
inline constexpr const char* agent_disabled = "agent.disabled";
inline constexpr const char* agent_enabled = "agent.enabled";
inline constexpr const char* password_reset = "password.reset";
inline constexpr const char* mfa_reset = "mfa.reset";
inline constexpr const char* agent_role_changed = "agent.role_changed";
inline constexpr const char* agent_skills_changed = "agent.skills_changed";
}  // namespace audit_action

const std::vector<std::string_view>& audit_actions();
// `word.word`: 1 to 64 characters of a-z, 0-9, '_' with exactly one '.' inside.
bool is_audit_action_name(std::string_view action);

// ---- entries and filters (the records are store/audit_store.h) ---------------------------------
nlohmann::json to_json(const AuditEntry& e);
// {entries: [...], next_before_id: id or null}
nlohmann::json to_json(const AuditPage& page);

// The filters from a JSON object (the desk request: strings and integers) or from a URL query
// (GET /api/audit: every value a string). Unknown keys, wrong types, a limit outside 1..500,
// negative times or ids and since > until are refused with bad_message and a message that says
// which parameter is wrong.
sb::Result<AuditFilter> audit_filter_from_json(const nlohmann::json& body);
sb::Result<AuditFilter> audit_filter_from_query(const std::map<std::string, std::string>& query);

// ---- AuditLog -----------------------------------------------------------------------------------
class AuditLog {
public:
    explicit AuditLog(Database& db) : store_(db) {}

    // Adds an entry. `detail` must be an object (null counts as {}); its strings are masked.
    // Errors: bad_message (action name, detail not an object, empty actor), internal (storage).
    sb::Status record(int64_t at_ms, std::string_view actor, std::string_view action,
                      std::optional<std::string> contact, std::optional<std::string> customer,
                      const nlohmann::json& detail);

    // The entries matching every given filter, newest first, at most filter.limit.
    sb::Result<AuditPage> query(const AuditFilter& filter);

    // ---- roles ----
    // The agent's role ("agent" or "supervisor"); nullopt for an unknown username.
    sb::Result<std::optional<std::string>> role_of(const std::string& username);

private:
    AuditStore store_;  // the table (store/audit_store.h)
};

// The desk request `audit` (docs/protocol.md) for the logged-in `agent`: forbidden unless they
// are a supervisor; bad_message for bad filters; else {entries, next_before_id}.
sb::Result<nlohmann::json> audit_desk_request(AuditLog& audit, const std::string& agent, const nlohmann::json& body);

}  // namespace sbd
