// desk/desk.h: the single entry point of the core.
//
//   std::vector<Effect> Desk::handle(now_ms, Event)
//
// The same sequence of (time, event) pairs always produces the same state and effects, natively
// and in wasm: the desk owns no socket, clock, timer or random source. Views read state().
//
// Sections (desk.cpp): dispatch · connection (connection.cpp) · session and presence (session.cpp)
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "desk/desk_state.h"
#include "desk/effect.h"
#include "desk/event.h"
#include "desk/timer_wheel.h"
#include "protocol/frames.h"
#include "sip/user_agent.h"

namespace sb::desk {

// Tunables, in one place.
struct DeskConfig {
    int64_t request_timeout_ms = 10'000;    // a request with no reply by then fails with "timeout"
    int64_t heartbeat_interval_ms = 20'000; // ping while connected
    int64_t reconnect_base_ms = 500;        // backoff: base * 2^attempt, capped, with jitter
    int64_t reconnect_cap_ms = 30'000;
    int64_t login_wait_ms = 15'000;         // how long a login waits for the connection
    const char* client_name = "switchboard/0.1";
};

// What Desk::handle logs when a handler threw after all (see handle): a bug, never a way in.
inline constexpr const char* kHandlerFailed = "desk: an event's handler failed; the event was dropped: ";

class Desk {
public:
    explicit Desk(DeskConfig config = {}) : config_(config) {}
    Desk(const Desk&) = delete;
    Desk& operator=(const Desk&) = delete;

    // Never throws: backend frames are decoded without exceptions (core/protocol/frames.h), and
    // a throw from a handler anyway (a bug) is caught here, logged, and the event dropped.
    std::vector<Effect> handle(int64_t now_ms, const Event& event);
    const DeskState& state() const { return state_; }
    const DeskConfig& config() const { return config_; }

private:
    using Out = std::vector<Effect>;

    // connection.cpp
    void on_start(const Start& e, Out& out);
    void on_transport_opened(Out& out);
    void on_transport_closed(const std::string& reason, Out& out);
    void dispatch(const Event& event, Out& out);
    void on_frame(const std::string& text, Out& out);
    void on_timer(TimerId timer, Out& out);
    void on_hello_reply(const protocol::ReplyFrame& reply, Out& out);
    void dispatch_reply(const PendingRequest& req, protocol::ReplyFrame& reply, Out& out);
    void refuse_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, const std::string& why, Out& out);
    void lose_connection(const std::string& reason, Out& out);
    void schedule_reconnect(Out& out);
    std::string send_request(RequestKind kind, nlohmann::json body, std::optional<uint64_t> intent, Out& out);
    // send_request in two halves, for a request whose text is written directly (flush_outbox):
    // the id, pending; then the text, which must carry that id.
    std::string begin_request(RequestKind kind, std::optional<uint64_t> intent);
    void send_request_text(std::string text, Out& out);
    void arm_request_deadline(Out& out);
    void set_connection(ConnectionState to, Out& out);

    // session.cpp
    void on_intent(const IntentReceived& e, Out& out);
    void login(uint64_t intent, const LoginIntent& in, Out& out);
    void set_state(uint64_t intent, const SetStateIntent& in, Out& out);
    void logout(uint64_t intent, Out& out);
    void send_login(uint64_t intent, const std::string& username, const std::string& password, Out& out);
    void send_resume(Out& out);
    void on_reply(const PendingRequest& req, protocol::ReplyFrame& reply, Out& out);
    void on_session_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void on_event(const protocol::EventFrame& frame, Out& out);
    void end_session(const std::optional<Error>& why, Out& out);
    void persist_session(Out& out);
    void set_session(SessionState to, Out& out);
    // A call's phase and transfer change only here: a move the table (lifecycles.cpp) does not
    // have is logged as an error and not made (false).
    bool set_call_phase(Call& c, CallPhase to, Out& out);
    bool set_transfer(Call& c, CallTransfer to, Out& out);
    bool set_progress(Call& c, CallProgress to, Out& out);
    bool set_hold_request(Call& c, HoldRequest to, Out& out);
    template <class S>
    bool move_call(Call& c, S& field, S to, bool (*allowed)(S, S), std::string_view what, Out& out);
    void fail_queued_login(const Error& e, Out& out);
    // session.cpp: the second factor after the password, and the agent's sessions
    void mfa(uint64_t intent, const MfaIntent& in, Out& out);
    void mfa_done(uint64_t intent, Out& out);
    void list_sessions(uint64_t intent, Out& out);
    void find_agents(uint64_t intent, const FindAgentsIntent& in, Out& out);
    void on_agents_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void remember_agents(const std::vector<contact::AgentSummary>& agents);
    // A username the views will show: its name is asked for (once) unless known.
    void want_agent_name(const std::string& username);
    void want_agent_names(const contact::Contact& c);
    void ask_agent_names(Out& out);  // sends what is wanted, at most a page at a time
    void revoke_session(uint64_t intent, const RevokeSessionIntent& in, Out& out);
    void on_mfa_challenge(const PendingRequest& req, const protocol::MfaPrompt& mfa, Out& out);
    void on_login_refused(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void on_sessions_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);

    // contacts.cpp
    void on_contact_intent(uint64_t intent, const Intent& in, Out& out);
    void send_message(uint64_t intent, const SendMessageIntent& in, Out& out);
    void flush_outbox(Out& out);
    void on_contact_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void on_send_message_reply(const PendingRequest& req, protocol::ReplyFrame& reply, Out& out);
    bool on_contact_event(protocol::Event& event, Out& out);  // false: not a contact event; may take its parts
    void apply_session_contacts(const protocol::Session& session, Out& out);
    // payments.cpp
    void on_payment_intent(uint64_t intent, const Intent& in, Out& out);
    void apply_payment(const std::string& contact, const contact::Payment& payment, Out& out);
    bool on_payment_event(const protocol::Event& event, Out& out);
    // transcript.cpp: each contact's messages, fetched with get_messages and merged by id
    // True when the transcript changed; *is_new: the message was not held before.
    bool merge_message(contact::Contact& c, contact::Message m, const std::string& client_id, bool* is_new = nullptr);
    void sync_transcript(const contact::Contact& c, Out& out);
    void fetch_messages(const std::string& contact, int64_t after, Out& out);
    void on_messages_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void upsert_contact(contact::Contact c, Out& out);
    void remove_contact(const std::string& id, Out& out);
    void save_draft(const SaveDraftIntent& in, Out& out);
    void persist_drafts(Out& out);
    contact::Contact* contact_mut(std::string_view id);
    std::string next_client_id();
    uint64_t next_random();  // xorshift64 on DeskState::rng (seeded by Start)

    // voice.cpp
    void start_voice(const protocol::Session& session, Out& out);
    void stop_voice(Out& out);
    void on_voice(const Event& event, Out& out);
    void on_phone_ownership(const PhoneOwnership& e, Out& out);
    void take_phone(uint64_t intent, Out& out);
    void on_sip_timer(Out& out);
    void to_ua(const sip::UaEvent& event, Out& out);
    void open_sip(Out& out);
    void sip_lost(const std::string& reason, Out& out);
    void arm_sip_timer(Out& out);
    bool on_device_intent(const IntentReceived& e, Out& out);  // false: not a device intent
    void on_media_devices(const MediaDevices& e, Out& out);

    // calls.cpp
    void on_call_intent(uint64_t intent, const Intent& in, Out& out);
    const Call* voice_call_of(const Intent& in) const;
    void dial(uint64_t intent, const DialIntent& in, Out& out);
    void dial_agent(uint64_t intent, const std::string& agent, uint32_t consult_for, Out& out);
    void decline(Call& c, Out& out);
    void voice_transfer(uint64_t intent, const TransferIntent& in, Out& out);
    void transfer_contact(uint64_t intent, Call& c, const std::string& queue, const std::string& agent,
                          const std::string& note, Out& out);
    void on_transfer_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void on_dial_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out);
    void on_ua_call(const sip::UaEffect& effect, Out& out);
    void on_media(const MediaEvent& e, Out& out);
    void hold_others(uint32_t keep, Out& out);
    void set_hold(Call& c, bool on, Out& out);
    void update_tone(Out& out);
    void drop_call(uint32_t id, const std::string& reason, bool remote, Out& out);
    void drop_all_calls(Out& out);
    void report_call_ends(Out& out);
    void call_changed(const Call& c, Out& out);
    Call* call_mut(uint32_t id);
    Call* call_by_sip(uint32_t sip);
    Call* call_for(const CallRef& ref);

    int64_t now_ = 0;
    DeskConfig config_;
    DeskState state_;
    // The phone: the SIP user agent (core/sip) and its timers; the credentials stay here, never
    // in DeskState (which the JS API shows) or in a log.
    std::unique_ptr<sip::UserAgent> ua_;
    TimerWheel sip_timers_;
    std::optional<protocol::SipCredentials> sip_credentials_;  // the session's, to notice a change
    uint32_t dialing_call_ = 0;    // the call whose Dial is being handed to the UA (its Outgoing)
    // persist_session's record without last_seq, for the token and username it was made from.
    struct {
        std::string token, username, tail;
    } persisted_session_;
};

// Helpers for effects, shared by desk/*.cpp.
void complete(std::vector<Effect>& out, uint64_t intent, const Error& e);
void complete(std::vector<Effect>& out, uint64_t intent, nlohmann::json result);
// Success, with the backend's reply (an object) as the result, converted only when read.
void complete(std::vector<Effect>& out, uint64_t intent, std::shared_ptr<const protocol::JsonDoc> reply);
void log(std::vector<Effect>& out, LogLevel level, std::string message);

}  // namespace sb::desk
