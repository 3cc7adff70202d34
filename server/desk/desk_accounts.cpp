// desk_accounts.cpp: the desk side of `switchboardd admin` (admin.h): a disabled account is
// refused (account_disabled), and the sessions another process revoked end on this server's
// connections. See desk_service.h.
#include <set>

#include "server/desk/desk_service.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;

namespace {
// How far back each look reaches past the previous one: the revoking process's clock and this
// one's may differ a little, and a transaction may commit a moment after the time it wrote.
constexpr int64_t kRevocationSlackMs = 10'000;
}  // namespace

sb::Status DeskService::refuse_if_disabled(const std::string& username) {
    auto agent = d_.store.find_agent(username);
    if (!agent) return agent.error();
    if (!agent.value() || !agent.value()->disabled_at) return sb::Ok{};
    d_.log.warn("sign-in refused: account disabled", {{"username", username}});
    return sb::make_error(code::account_disabled, "This account is disabled; ask a supervisor.");
}

void DeskService::end_revoked_sessions() {
    int64_t now = d_.now();
    int64_t since = (revocations_checked_at_ ? revocations_checked_at_ : now) - kRevocationSlackMs;
    revocations_checked_at_ = now;
    bool anyone = false;
    for (const auto& [id, conn] : connections_) anyone = anyone || conn.agent.has_value();
    if (!anyone) return;  // nobody to sign out: no query

    auto revoked = d_.store.sessions_revoked_since(since);
    if (!revoked) {
        d_.log.error("cannot read revoked sessions", {{"error", revoked.error().message}});
        return;
    }
    std::set<std::string> disabled_agents;
    for (const RevokedSession& s : revoked.value()) {
        bool held = false;
        for (const auto& [id, conn] : connections_) held = held || (conn.agent && conn.token_hash == s.token_hash);
        if (!held) continue;  // this server ended it itself, or never had it
        auto agent = d_.store.find_agent(s.agent);
        bool disabled = agent && agent.value() && agent.value()->disabled_at;
        json data{{"session", s.token_hash.substr(0, 16)}, {"reason", disabled ? "disabled" : "revoked"}};
        auto seq = d_.store.append_event(s.agent, "session.revoked", data, now);
        if (!seq) {
            d_.log.error("event not recorded", {{"username", s.agent}, {"event", "session.revoked"},
                                                {"error", seq.error().message}});
        } else {
            deliver_event(s.agent, seq.value(), "session.revoked", data);
        }
        for (auto& [id, conn] : connections_)
            if (conn.agent && conn.token_hash == s.token_hash) {
                conn.agent.reset();
                conn.token_hash.clear();
            }
        d_.log.info("session ended elsewhere", {{"username", s.agent}, {"reason", data["reason"]}});
        if (disabled) disabled_agents.insert(s.agent);
    }
    for (const std::string& username : disabled_agents) {
        // switchboardd admin set them offline in the store; their offers go back to the queues.
        auto offline = change_presence(username, sb::agent::Presence::Offline, "");
        if (!offline) d_.log.error("disabled agent not set offline", {{"username", username}, {"error", offline.error().message}});
        d_.contacts.on_presence_changed(username);
    }
}

}  // namespace sbd
