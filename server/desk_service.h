// desk_service.h: the desk protocol v1 (docs/protocol.md) as switchboardd implements it,
// independent of sockets: frames in, frames out through DeskOutput.
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

#include "auth.h"
#include "clock.h"
#include "contact_service.h"
#include "frame_handler.h"
#include "log.h"
#include "protocol/schema.h"
#include "sip_credentials.h"
#include "store.h"

namespace sbd {

// ConnectionId, DeskOutput (where frames for a connection go) and FrameHandler: frame_handler.h.

// ---- DeskConfig ---------------------------------------------------------------------------------
struct DeskConfig {
    int64_t token_ttl_ms = 12LL * 60 * 60 * 1000;
    std::string server_name = "switchboardd/0.1";
    // Telephony: when set, every session carries SIP credentials ("sip") and the subscriber
    // table has a row for it; when not, sessions carry none (docs/telephony.md).
    std::optional<SipConfig> sip;
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
    };
    DeskService(Deps deps, DeskConfig config) : d_(deps), config_(std::move(config)) {
        d_.contacts.set_agent_link(this);
    }

    void open(ConnectionId connection, std::string remote_address) override;
    void close(ConnectionId connection) override;
    // A complete WebSocket message. `text` is false for binary frames.
    void on_message(ConnectionId connection, std::string_view payload, bool text) override;

    // ---- AgentLink: how contacts reach agents ----
    void contact_event(const std::string& username, const std::string& event, const nlohmann::json& data) override;
    bool is_connected(const std::string& username) override;
    void missed_offer(const std::string& username) override;

private:
    struct Connection {
        std::string address;
        bool hello_done = false;
        std::optional<std::string> agent;  // username, once logged in
        std::string token_hash;            // of the session this connection uses
    };

    using Reply = sb::Result<nlohmann::json>;
    Reply dispatch(Connection& c, ConnectionId id, const sb::protocol::Request& request);
    Reply hello(Connection& c, const nlohmann::json& body);
    Reply login(Connection& c, ConnectionId id, const nlohmann::json& body);
    Reply resume(Connection& c, ConnectionId id, const nlohmann::json& body);
    Reply set_state(Connection& c, const nlohmann::json& body);
    Reply get_reason_codes(Connection& c);
    Reply logout(Connection& c);
    Reply ping();
    Reply contact_request(Connection& c, const sb::protocol::Request& r);

    // The session object of a login/resume reply (with its SIP credentials, issued here).
    Reply session_result(const std::string& token, int64_t expires_at, const std::string& username);
    // Writes the session's subscriber row; returns the session's "sip" object.
    Reply issue_sip_credentials(const std::string& token, int64_t expires_at, const std::string& username);
    // Saves a presence change (if it is one), sends the event to the agent's connections;
    // returns the agent as it now is.
    sb::Result<sb::agent::AgentSnapshot> change_presence(const std::string& username, sb::agent::Presence state,
                                                         const std::string& reason);
    void send_to_agent(const std::string& username, const std::string& frame);
    void send(ConnectionId id, const nlohmann::json& frame);

    Deps d_;
    DeskConfig config_;
    std::unordered_map<ConnectionId, Connection> connections_;
    std::vector<std::string> after_reply_;  // frames for the requester that follow its reply (resume)
    std::optional<std::string> just_connected_;  // an agent who logged in or resumed: route after the reply
};

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace sbd
