// admin.h: accounts without SQL. What `switchboardd admin` does (admin_cli.cpp reads its command
// line, asks for passwords and prints; docs/operations.md, "Accounts"): add an agent, disable and
// enable one, reset a password or a second factor, set a role and skills (or the queues, through
// their skills). Every change goes through the store (store_accounts.cpp) in one transaction and
// is recorded in the audit log with the actor "admin" (docs/security.md, "Audit log").
//
// Secrets: a password reaches AccountAdmin as a value, read from standard input or generated
// (never from the command line); only its Argon2id hash is stored, and it is never logged or
// recorded. A running switchboardd ends at once the sessions a change revokes (disable, a new
// password): it looks for revoked sessions every second (DeskService::end_revoked_sessions).
//
// Sections: checks · AccountAdmin
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/admin/audit.h"
#include "server/app/clock.h"
#include "server/store/store.h"
#include "util/result.h"

namespace sbd {

// ---- checks -------------------------------------------------------------------------------------
// Every refusal is the error bad_option with a message that says what is wanted.
inline constexpr std::size_t kMinPasswordLength = 12;  // characters (bytes of UTF-8)
inline constexpr std::size_t kMaxPasswordLength = 1024;

// 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit; not "admin" or "system"
// (the audit log's actors for this tool and for the server).
sb::Status check_username(std::string_view username);
// 1 to 100 characters of UTF-8 without control characters.
sb::Status check_display_name(std::string_view name);
// kMinPasswordLength to kMaxPasswordLength bytes of UTF-8 without control characters.
sb::Status check_password(std::string_view password);
// "agent" or "supervisor".
sb::Status check_role(std::string_view role);
// A comma-separated list ("support,sales"; "" is the empty list) of names like usernames;
// sorted, without repeats.
sb::Result<std::vector<std::string>> parse_name_list(std::string_view csv, std::string_view what);
// 20 random characters in 4 groups (about 98 bits), from an alphabet without look-alikes.
std::string generate_password();

// ---- AccountAdmin -------------------------------------------------------------------------------
class AccountAdmin {
public:
    struct Deps {
        Store& store;
        AuditLog& audit;
        Clock now;
        // Who ran the command (the operating system's user), kept in each entry's detail.
        std::string os_user;
    };
    explicit AccountAdmin(Deps deps) : d_(std::move(deps)) {}

    struct NewAccount {
        std::string username, display_name;
        std::string role = "agent";
        std::vector<std::string> skills;  // together with the skills of `queues`
        std::vector<std::string> queues;
        std::string password;             // checked here, hashed, then forgotten
        bool password_generated = false;  // for the audit detail only
    };
    sb::Status add_agent(const NewAccount& account);
    // Returns how many live sessions ended.
    sb::Result<int64_t> disable(const std::string& username);
    sb::Status enable(const std::string& username);
    sb::Result<int64_t> reset_password(const std::string& username, const std::string& password, bool generated);
    sb::Status reset_mfa(const std::string& username);
    sb::Status set_role(const std::string& username, const std::string& role);
    sb::Status set_skills(const std::string& username, const std::vector<std::string>& skills);
    // The agent takes exactly these queues' contacts: the skills of every other queue are removed,
    // the skills of these added; skills no queue uses stay. Errors: unknown_queue.
    sb::Status set_queues(const std::string& username, const std::vector<std::string>& queues);
    sb::Result<std::vector<AccountRecord>> list() { return d_.store.accounts(); }

private:
    sb::Result<AccountRecord> existing(const std::string& username);
    // The skills `queues` need; unknown_queue for a name that is no queue.
    sb::Result<std::vector<std::string>> skills_of_queues(const std::vector<std::string>& queues);
    sb::Status record(std::string_view action, const std::string& username, nlohmann::json detail);

    Deps d_;
};

}  // namespace sbd
