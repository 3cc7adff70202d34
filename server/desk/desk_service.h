// desk_service.h: the desk protocol, versions 1 and 2 (docs/protocol.md), as switchboardd
// implements it, independent of sockets: frames in, frames out through DeskOutput.
//
// A connection is opened, fed frames, and closed. Every request frame gets exactly one reply;
// events caused by a request go out (to every connection logged in as that agent) before its
// reply. Nothing here throws; storage failures become the `internal` error.
//
// Sections: DeskOutput · DeskConfig · DeskService
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/accounts/auth.h"
#include "server/accounts/mfa.h"
#include "server/admin/audit.h"
#include "server/app/clock.h"
#include "server/app/log.h"
#include "server/contacts/contact_service.h"
#include "server/net/frame_handler.h"
#include "protocol/schema.h"
#include "server/store/store.h"
#include "server/telephony/sip_credentials.h"

namespace sbd {

// ConnectionId, DeskOutput (where frames for a connection go) and FrameHandler: frame_handler.h.

// ---- DeskConfig ---------------------------------------------------------------------------------
class PaymentService;  // payments.h

struct DeskConfig {
    int64_t token_ttl_ms = 12LL * 60 * 60 * 1000;
    std::string server_name = "switchboardd/0.1";
    // Telephony: when set, every session carries SIP credentials ("sip") and the subscriber
    // table has a row for it; when not, sessions carry none (docs/telephony.md).
    std::optional<SipConfig> sip;
    // The second factor after the password (docs/protocol.md, "Sign-in").
    MfaConfig mfa;
};

// Clock (server time, ms since the Unix epoch) comes from clock.h.

// ---- DeskService --------------------------------------------------------------------------------
class DeskService : public FrameHandler, public AgentLink {
public:
    struct Deps {
        Store& store;
        ContactService& contacts;
        LoginRateLimit& rate_limit;
        const PasswordVerifier& passwords;
        DeskOutput& output;
        Logger& log;
        Clock now;
        const MfaKeys* mfa_keys = nullptr;  // seals TOTP secrets; without it nobody can enroll
        // Runs `work` off the I/O thread, then `then` back on it (the password check: Argon2
        // takes tens of ms of CPU); false: refused (the workers' queue is full), neither runs.
        // Empty: both run inline.
        std::function<bool(std::function<void()> work, std::function<void()> then)> offload = {};
    };
    DeskService(Deps deps, DeskConfig config) : d_(deps), config_(std::move(config)) {
        d_.contacts.set_agent_link(this);
    }

    // The request types this server answers (its request table, desk_service.cpp), in its order.
    static std::vector<std::string_view> handled_types();

    // The audit log: the `audit` request (supervisors) and the session's `role`.
    void set_audit(AuditLog* audit) { audit_ = audit; }
    // Card payments (payments.h); without them the payment requests answer payments_unavailable.
    void set_payments(PaymentService* payments) { payments_ = payments; }

    void open(ConnectionId connection, std::string remote_address) override;
    void close(ConnectionId connection) override;
    // A complete WebSocket message. `text` is false for binary frames.
    void on_message(ConnectionId connection, std::string_view payload, bool text) override;
    bool greeted(ConnectionId connection) const override;
    std::string internal_error_frame() const override;
    Audience audience() const override { return Audience::agents; }

    // ---- AgentLink: how contacts reach agents ----
    void contact_event(const std::string& username, const std::string& event, const nlohmann::json& data) override;
    bool is_connected(const std::string& username) override;
    void hold_events() override { ++holding_; }
    void release_events(bool committed) override;
    std::set<std::string> connected_agents() override;
    void missed_offer(const std::string& username) override;

    // desk_accounts.cpp: sessions revoked outside this process (switchboardd admin disable or
    // reset-password, another node) end on the connections still using them: session.revoked
    // (reason "disabled" when the account is), logged out; a disabled agent's offers go back to
    // their queues. main.cpp calls it every second.
    void end_revoked_sessions();

    // What the change feed brought (change_feed.h), after ContactService::heard: each agent
    // another node recorded events for is sent, on their connections here, what they have not
    // had, from the log (once however many of theirs came); when the feed was down (`resync`),
    // every connection is.
    void heard(const std::vector<Change>& changes, bool resync);

private:
    int holding_ = 0;  // hold_events() depth
    struct HeldEvent {
        std::string username;
        int64_t seq;
        std::string event;
        nlohmann::json data;
    };
    std::vector<HeldEvent> held_;  // recorded, sent when released
    struct Connection {
        std::string address;
        bool hello_done = false;
        int version = 0;                   // the protocol version hello chose
        bool login_pending = false;  // a password is being checked off the I/O thread
        std::optional<std::string> agent;  // username, once logged in
        std::string token_hash;            // of the session this connection uses
        // The agent's last event sent to this connection: events go out in seq order with no
        // gap, so one recorded by another node first is read from the log (catch_up).
        int64_t delivered = 0;
    };

    using Reply = sb::Result<nlohmann::json>;
    // What a request needs before its handler runs.
    enum class Needs {
        nothing,   // hello itself
        hello,     // a connection that said hello (the handler checks for an agent if it needs one)
        agent,     // ... and is logged in
        payments,  // ... logged in, on a server with card payments configured
    };
    struct Route {
        std::string_view type;
        Needs needs;
        Reply (*run)(DeskService&, Connection&, ConnectionId, const nlohmann::json& body);
    };
    static const std::vector<Route>& routes();
    Reply dispatch(Connection& c, ConnectionId id, const sb::protocol::Request& request);
    Reply hello(Connection& c, const nlohmann::json& body);
    Reply login(Connection& c, ConnectionId id, const nlohmann::json& body);
    // The rest of a login once the password was checked (`right`): a session, a challenge, or
    // the failure counted.
    Reply finish_login(Connection& c, ConnectionId id, const LoginAttempt& attempt, bool right);
    // verify_answer, with a security phrase's check off the I/O thread (offload).
    Reply verify_answer(Connection& c, ConnectionId id, const nlohmann::json& body);
    // Sends the reply of request `r` (and what follows it: resumed events, offers).
    void respond(ConnectionId id, const sb::protocol::Request& r, Reply reply);
    Reply resume(Connection& c, ConnectionId id, const nlohmann::json& body);
    Reply set_state(Connection& c, const nlohmann::json& body);
    Reply get_reason_codes(Connection& c);
    // The agents a transfer or a call may name, found by name (the session lists none).
    Reply find_agents(const nlohmann::json& body);
    Reply logout(Connection& c);
    // desk_mfa.cpp: the second factor, and the agent's sessions.
    Reply mfa(Connection& c, ConnectionId id, const nlohmann::json& body);
    Reply sessions(Connection& c);
    Reply revoke_session(Connection& c, ConnectionId id, const nlohmann::json& body);
    // After the password: a session, or (if the agent's policy asks) a challenge for the code.
    Reply after_password(Connection& c, ConnectionId id, const std::string& username);
    // A new session for `username` on this connection (password and any second factor done).
    Reply start_session(Connection& c, ConnectionId id, const std::string& username);
    // A failed password or code: counted; account_locked once it is one too many.
    sb::Error failed_attempt(const std::string& username, const std::string& address, std::string_view what,
                             sb::Error error);
    sb::Error locked_error(const AccountLock& lock);
    // account_disabled if the agent's account is disabled (desk_accounts.cpp).
    sb::Status refuse_if_disabled(const std::string& username);
    // Ends these sessions everywhere: revoked, their SIP rows gone, their connections told
    // (session.revoked) and logged out.
    // `reason` and `actor` (default: the agent) go to the audit log's session.revoked.
    sb::Status end_sessions(const std::string& username, const std::vector<std::string>& token_hashes,
                            const std::string& reason = "revoked", const std::string& actor = "");
    // Sign-in's audit entries (docs/security.md): logins, failures, locks, revocations.
    void audit_sign_in(const std::string& actor, const char* action, nlohmann::json detail);
    Reply ping();
    Reply ping(Connection& c);

    // The session object of a login/resume reply (with its SIP credentials, issued here).
    Reply session_result(const std::string& token, int64_t expires_at, const std::string& username);
    // Writes the session's subscriber row; returns the session's "sip" object.
    Reply issue_sip_credentials(const std::string& token, int64_t expires_at, const std::string& username);
    // Saves a presence change (if it is one), sends the event to the agent's connections;
    // returns the agent as it now is.
    sb::Result<sb::agent::AgentSnapshot> change_presence(const std::string& username, sb::agent::Presence state,
                                                         const std::string& reason);
    // desk_versions.cpp: what differs between the versions on the wire. The server builds
    // version 2; these turn it into what a connection's version reads.
    // An event recorded for `username`, to each of their connections in its version.
    void deliver_event(const std::string& username, int64_t seq, const std::string& event, const nlohmann::json& data);
    void catch_up(ConnectionId id, Connection& c);  // the events after c.delivered, from the log
    nlohmann::json contact_for(int version, nlohmann::json contact);
    void result_for(int version, nlohmann::json& result);  // a reply's result: its contact(s)
    std::string event_text(int version, int64_t seq, const std::string& event, const nlohmann::json& data);
    void send(ConnectionId id, const nlohmann::json& frame);

    Deps d_;
    DeskConfig config_;
    std::unordered_map<ConnectionId, Connection> connections_;
    std::vector<std::string> after_reply_;  // frames for the requester that follow its reply (resume)
    std::optional<std::string> just_connected_;  // an agent who logged in or resumed: route after the reply
    MfaChallenges challenges_;
    nlohmann::json error_extra_;  // fields the failing request's error carries besides code and message
    const sb::protocol::Request* current_ = nullptr;  // the request being dispatched
    bool deferred_ = false;       // its reply comes later (login, a security phrase: offload)
    AuditLog* audit_ = nullptr;
    PaymentService* payments_ = nullptr;
    int64_t revocations_checked_at_ = 0;  // end_revoked_sessions: the last look
};

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace sbd
