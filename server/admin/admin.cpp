// admin.cpp: accounts without SQL (see admin.h).
#include "server/admin/admin.h"

#include <algorithm>
#include <set>

#include <sodium.h>

#include "server/accounts/auth.h"
#include "server/desk/desk_service.h"  // is_valid_utf8

namespace sbd {

using json = nlohmann::json;
using sb::make_error;

// ---- checks -------------------------------------------------------------------------------------
namespace {

sb::Error bad(std::string message) { return make_error("bad_option", std::move(message)); }

bool has_control_characters(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7f;
    });
}

bool is_name_character(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'; }

bool is_name(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), is_name_character) && s[0] != '.' &&
           s[0] != '_' && s[0] != '-';
}

}  // namespace

sb::Status check_username(std::string_view username) {
    if (!is_name(username))
        return bad("A username is 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.");
    if (username == "admin" || username == "system")
        return bad("\"" + std::string(username) + "\" names an actor in the audit log; choose another username.");
    return sb::Ok{};
}

sb::Status check_display_name(std::string_view name) {
    if (name.empty() || name.size() > 100 || !is_valid_utf8(name) || has_control_characters(name))
        return bad("A display name is 1 to 100 bytes of UTF-8 text without control characters.");
    return sb::Ok{};
}

sb::Status check_password(std::string_view password) {
    if (password.size() < kMinPasswordLength)
        return bad("A password needs at least " + std::to_string(kMinPasswordLength) + " characters.");
    if (password.size() > kMaxPasswordLength)
        return bad("A password has at most " + std::to_string(kMaxPasswordLength) + " bytes.");
    if (!is_valid_utf8(password) || has_control_characters(password))
        return bad("A password is UTF-8 text without control characters.");
    return sb::Ok{};
}

sb::Status check_role(std::string_view role) {
    if (role != "agent" && role != "supervisor") return bad("A role is agent or supervisor.");
    return sb::Ok{};
}

sb::Result<std::vector<std::string>> parse_name_list(std::string_view csv, std::string_view what) {
    std::set<std::string> names;
    std::size_t start = 0;
    while (start <= csv.size() && !csv.empty()) {
        std::size_t comma = csv.find(',', start);
        std::string_view name = csv.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!is_name(name))
            return bad("Each of the " + std::string(what) + " is 1 to 64 characters of a-z, 0-9, '.', '_' and '-' " +
                       "(a comma-separated list, no spaces): \"" + std::string(name) + "\" is not.");
        names.insert(std::string(name));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return std::vector<std::string>(names.begin(), names.end());
}

std::string generate_password() {
    // No 0/o, 1/l/i: read aloud or copied by hand, it survives.
    static const char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    const uint32_t n = sizeof kAlphabet - 1;
    std::string out;
    for (int i = 0; i < 20; ++i) {
        if (i > 0 && i % 5 == 0) out += '-';
        out += kAlphabet[randombytes_uniform(n)];
    }
    return out;
}

// ---- AccountAdmin -------------------------------------------------------------------------------
sb::Result<AccountRecord> AccountAdmin::existing(const std::string& username) {
    auto found = d_.store.account(username);
    if (!found) return found.error();
    if (!found.value()) return make_error("unknown_agent", "There is no agent \"" + username + "\".");
    return std::move(*found.value());
}

sb::Result<std::vector<std::string>> AccountAdmin::skills_of_queues(const std::vector<std::string>& queues) {
    auto all = d_.store.queue_skills();
    if (!all) return all.error();
    std::set<std::string> skills;
    for (const std::string& q : queues) {
        auto it = std::find_if(all.value().begin(), all.value().end(), [&](const auto& p) { return p.first == q; });
        if (it == all.value().end()) {
            std::string known;
            for (const auto& [name, skill] : all.value()) known += (known.empty() ? "" : ", ") + name;
            return make_error("unknown_queue", "There is no queue \"" + q + "\" (queues: " +
                                                   (known.empty() ? "none yet" : known) + ").");
        }
        skills.insert(it->second);
    }
    return std::vector<std::string>(skills.begin(), skills.end());
}

sb::Status AccountAdmin::record(std::string_view action, const std::string& username, json detail) {
    detail["agent"] = username;
    detail["os_user"] = d_.os_user;
    return d_.audit.record(d_.now(), "admin", action, std::nullopt, std::nullopt, detail);
}

sb::Status AccountAdmin::add_agent(const NewAccount& account) {
    if (auto st = check_username(account.username); !st) return st;
    if (auto st = check_display_name(account.display_name); !st) return st;
    if (auto st = check_role(account.role); !st) return st;
    if (auto st = check_password(account.password); !st) return st;
    auto queue_skills = skills_of_queues(account.queues);
    if (!queue_skills) return queue_skills.error();
    std::set<std::string> skills(account.skills.begin(), account.skills.end());
    skills.insert(queue_skills.value().begin(), queue_skills.value().end());
    auto hash = hash_password(account.password);
    if (!hash) return hash.error();
    NewAgent agent{account.username, account.display_name, hash.value(), account.role,
                   std::vector<std::string>(skills.begin(), skills.end())};
    if (auto st = d_.store.create_agent(agent, d_.now()); !st) return st;
    return record(audit_action::agent_created, account.username,
                  {{"display_name", account.display_name},
                   {"role", account.role},
                   {"skills", agent.skills},
                   {"password", account.password_generated ? "generated" : "entered"}});
}

sb::Result<int64_t> AccountAdmin::disable(const std::string& username) {
    auto before = existing(username);
    if (!before) return before.error();
    int64_t now = d_.now();
    auto ended = d_.store.disable_agent(username, now);
    if (!ended) return ended.error();
    // Offline in the store too (the event log says so), whether or not a server is running.
    auto agent = d_.store.find_agent(username);
    if (!agent) return agent.error();
    if (agent.value() && agent.value()->snapshot.state != sb::agent::Presence::Offline) {
        sb::agent::AgentSnapshot offline = agent.value()->snapshot;
        offline.state = sb::agent::Presence::Offline;
        offline.reason.clear();
        offline.state_since_ms = now;
        if (auto seq = d_.store.record_presence(offline, "agent.state", now); !seq) return seq.error();
    }
    if (auto st = record(audit_action::agent_disabled, username,
                         {{"sessions_ended", ended.value()}, {"already", before.value().disabled_at.has_value()}});
        !st)
        return st.error();
    return ended;
}

sb::Status AccountAdmin::enable(const std::string& username) {
    auto before = existing(username);
    if (!before) return before.error();
    if (auto st = d_.store.enable_agent(username); !st) return st;
    return record(audit_action::agent_enabled, username, {{"already", !before.value().disabled_at.has_value()}});
}

sb::Result<int64_t> AccountAdmin::reset_password(const std::string& username, const std::string& password,
                                                 bool generated) {
    if (auto st = check_password(password); !st) return st.error();
    if (auto found = existing(username); !found) return found.error();
    auto hash = hash_password(password);
    if (!hash) return hash.error();
    auto ended = d_.store.set_password_hash(username, hash.value(), d_.now());
    if (!ended) return ended.error();
    if (auto st = record(audit_action::password_reset, username,
                         {{"sessions_ended", ended.value()}, {"password", generated ? "generated" : "entered"}});
        !st)
        return st.error();
    return ended;
}

sb::Status AccountAdmin::reset_mfa(const std::string& username) {
    auto before = existing(username);
    if (!before) return before.error();
    if (auto st = d_.store.reset_mfa(username); !st) return st;
    return record(audit_action::mfa_reset, username,
                  {{"was_enrolled", before.value().mfa_enrolled}, {"policy", before.value().mfa_policy}});
}

sb::Status AccountAdmin::set_role(const std::string& username, const std::string& role) {
    if (auto st = check_role(role); !st) return st;
    auto before = existing(username);
    if (!before) return before.error();
    if (auto st = d_.store.set_role(username, role); !st) return st;
    return record(audit_action::agent_role_changed, username, {{"from", before.value().role}, {"to", role}});
}

sb::Status AccountAdmin::set_skills(const std::string& username, const std::vector<std::string>& skills) {
    auto before = existing(username);
    if (!before) return before.error();
    if (auto st = d_.store.set_skills(username, skills); !st) return st;
    return record(audit_action::agent_skills_changed, username, {{"from", before.value().skills}, {"to", skills}});
}

sb::Status AccountAdmin::set_queues(const std::string& username, const std::vector<std::string>& queues) {
    auto before = existing(username);
    if (!before) return before.error();
    auto wanted = skills_of_queues(queues);
    if (!wanted) return wanted.error();
    auto all = d_.store.queue_skills();
    if (!all) return all.error();
    std::set<std::string> queue_skills;
    for (const auto& [queue, skill] : all.value()) queue_skills.insert(skill);
    std::set<std::string> skills;
    for (const std::string& s : before.value().skills)
        if (!queue_skills.count(s)) skills.insert(s);  // a skill no queue uses stays
    skills.insert(wanted.value().begin(), wanted.value().end());
    std::vector<std::string> after(skills.begin(), skills.end());
    if (auto st = d_.store.set_skills(username, after); !st) return st;
    return record(audit_action::agent_skills_changed, username,
                  {{"from", before.value().skills}, {"to", after}, {"queues", queues}});
}

}  // namespace sbd
