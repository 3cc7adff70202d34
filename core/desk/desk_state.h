// desk/desk_state.h: everything a view may read about the desk, and nothing a view may change.
//
// Sections: connection lifecycle · session lifecycle · activity · DeskState
// Each lifecycle is a named state machine; its allowed transitions are the tables in
// desk/lifecycles.cpp, and Desk moves between states only through them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/presence.h"
#include "contact/contact.h"
#include "desk/event.h"
#include "desk/intent.h"
#include "protocol/frames.h"
#include "sip/effect.h"
#include "util/result.h"

namespace sb::desk {

// ---- connection lifecycle ----------------------------------------------------------------------
// disconnected -> connecting -> handshaking (hello sent) -> connected
//      ^               |               |                        |
//      +-- waiting_to_reconnect <------+------------------------+   (drop, timeout, failure)
enum class ConnectionState { Disconnected, Connecting, Handshaking, Connected, WaitingToReconnect };

// ---- session lifecycle -------------------------------------------------------------------------
// logged_out -> logging_in -> logged_in -> logging_out -> logged_out
// logged_out (with a saved token) -> resuming -> logged_in | logged_out (token refused)
// logged_in -> resuming (after a reconnect)
// logging_in -> mfa_required (the password was right; the backend asks for a TOTP code or an
//   enrollment) -> logged_in | logged_out (expired, locked, cancelled, connection lost)
enum class SessionState { LoggedOut, LoggingIn, Resuming, LoggedIn, LoggingOut, MfaRequired };

// ---- sign-in's second factor (docs/js-api.md, "Sign-in with a second factor") --------------------
struct MfaChallenge {
    std::string step;             // "code" or "enroll"
    std::string challenge;        // the backend's token for the mfa request; not shown to JS
    int64_t expires_at_ms = 0;    // server clock
    std::string secret, otpauth;  // enroll: the new TOTP secret (base32) and its otpauth:// URI
    int qr_size = 0;              // enroll: the QR code's modules, qr_size * qr_size of '0'/'1'
    std::string qr_modules;
    std::optional<int> attempts_left;  // after a wrong code
    bool verifying = false;       // a code is on its way to the backend
};

// One of the agent's sessions (the `sessions` intent), as the backend lists them.
using SessionInfo = protocol::SessionSummary;

// ---- voice: the agent's phone (SIP over WebSocket to the telephony server) ----------------------
// closed -> connecting -> open; waiting_to_reconnect after a loss (backoff 1 s doubling to 30 s).
enum class SipTransportState { Closed, Connecting, Open, WaitingToReconnect };
std::string_view to_string(SipTransportState s);

// Which tab has the phone (one per agent): claiming -> here | other_tab; here -> other_tab when
// another tab takes it over; other_tab -> claiming when that tab lets go or the agent takes it.
enum class PhoneOwner { Unclaimed, Claiming, Here, OtherTab };
std::string_view to_string(PhoneOwner o);

struct VoiceState {
    bool available = false;   // the session brought SIP credentials (the backend has telephony)
    std::string uri;          // the agent's address: "sip:alice@switchboard.local"
    std::string ws_url;       // where the SIP WebSocket goes
    SipTransportState transport = SipTransportState::Closed;
    PhoneOwner owner = PhoneOwner::Unclaimed;
    int reconnect_attempt = 0;
    sip::RegistrationState registration = sip::RegistrationState::unregistered;
    std::optional<Error> error;  // why the phone is not registered, for people
};

// ---- audio devices: the platform's report (event MediaDevices), for the Audio settings ----------
// Kept apart from VoiceState: the choices belong to this browser, not to the phone's session.
struct AudioSettings {
    bool known = false;                 // the platform has reported (else state().voice.devices is null)
    std::vector<AudioDevice> devices;   // microphones ("input") and speakers ("output")
    std::string input, output, ringer;  // the choices; "" is the system default
    std::string microphone;             // permission: granted, denied, prompt, unavailable
    std::string error;                  // why the last choice could not be applied, for people
};

// ---- calls: what the phone is doing (desk/calls.cpp) ---------------------------------------------
// inbound:  ringing -> connecting (answered; media preparing) -> active <-> held -> (gone)
// outbound: dialing (media preparing, INVITE sent) -> active <-> held -> (gone)
// A call names its voice contact when the backend made one (X-Switchboard-Contact on an
// inbound INVITE; contact.dial for an outbound one); agent-to-agent calls have none.
// (An attended transfer's caller, arriving with Replaces, starts connecting.) The moves are
// lifecycles.cpp's table; Desk::set_call_phase is the only way a phase changes.
enum class CallPhase { Ringing, Dialing, Connecting, Active, Held };
std::string_view to_string(CallPhase p);

// A call's transfer, as the JS API's call.transfer says it (null for none):
//   none -> asking (a contact's transfer: the backend first) -> requested (REFER sent)
//   none -> consulting (attended: the target is being called) -> requested (REFER with Replaces)
//   none -> requested -> trying (202, NOTIFY 1xx) -> done (2xx: the caller is with the target)
//   asking | requested | trying -> failed -> (asking | consulting | requested: try again)
//   none -> transferred (the other party transfers us: we call their target and leave)
// The moves are lifecycles.cpp's table; Desk::set_transfer is the only way one changes.
enum class CallTransfer { None, Asking, Consulting, Requested, Trying, Done, Failed, Transferred };
std::string_view to_string(CallTransfer t);  // "" for none

// An outbound call's progress, from its INVITE's responses:
//   none -> ringing (180: ringback plays) -> early_media (183 with SDP: their audio plays, and
//   its answer is applied) -> answered (2xx: the answer is applied if it was not yet)
//   none -> early_media | answered; ringing -> answered. A 180 after a 183 changes nothing.
// Inbound calls stay none. Desk::set_progress is the only way it changes.
enum class CallProgress { None, Ringing, EarlyMedia, Answered };
std::string_view to_string(CallProgress p);  // "none" | "ringing" | "early_media" | "answered"

// Our own hold or resume while its re-INVITE is out: none -> holding | resuming -> none (the
// phase moves to held or active when it is confirmed). Desk::set_hold_request changes it.
enum class HoldRequest { None, Holding, Resuming };
std::string_view to_string(HoldRequest h);  // "none" | "holding" | "resuming"

struct Call {
    uint32_t id = 0;            // the desk's; also names the call's media
    uint32_t sip = 0;           // the UA's CallId; 0 until the INVITE exists
    std::string contact;        // the voice contact, if any
    bool outgoing = false;
    CallPhase phase = CallPhase::Ringing;
    std::string number, name;   // the other party: number (or SIP user) and display name
    int64_t since_ms = 0;       // when the call appeared
    int64_t connected_ms = 0;   // when it was answered (the call timer), 0 before
    CallProgress progress = CallProgress::None;  // outbound: how far the INVITE got
    HoldRequest hold_request = HoldRequest::None;  // our hold/resume re-INVITE is out
    bool muted = false;
    bool held_by_remote = false;  // the other party's hold (ours is phase Held)
    std::string local_sdp;        // our latest SDP (empty until the media made it): the base of
                                  // hold/resume offers and re-answers
    std::string remote_offer;     // inbound: the INVITE's offer, until answered
    std::string dial_target;      // outbound: what the INVITE goes to, once the offer is ready
    std::optional<uint64_t> intent;  // answer or dial, waiting for the media
    CallTransfer transfer = CallTransfer::None;
    uint32_t consult_for = 0;     // attended transfer: this call consults for that call
    uint32_t follow_refer = 0;    // this call follows the REFER received on that SIP call
    std::string refer_to;         // a contact's transfer the backend agreed to: the REFER's target
                                  // (its contact moves to the target; this desk does not end it)
    nlohmann::json stats;         // the media's latest quality figures (null before)
};

// ---- activity: what the agent is doing, derived from their contacts -----------------------------
// on_contact: any contact offered or active; after_contact_work: only wrap-ups left; else idle.
enum class Activity { Idle, OnContact, AfterContactWork };

std::string_view to_string(ConnectionState s);
std::string_view to_string(SessionState s);
std::string_view to_string(Activity a);

bool connection_transition_allowed(ConnectionState from, ConnectionState to);
bool session_transition_allowed(SessionState from, SessionState to);
bool call_transition_allowed(CallPhase from, CallPhase to);
bool transfer_transition_allowed(CallTransfer from, CallTransfer to);
bool progress_transition_allowed(CallProgress from, CallProgress to);
bool hold_request_transition_allowed(HoldRequest from, HoldRequest to);

// A request sent to the backend and not yet answered.
enum class RequestKind { Hello, Login, Resume, SetState, Logout, Ping, Contact, SendMessage, Dial, Sessions, Messages, Agents,
                         AgentNames };
struct PendingRequest {
    RequestKind kind;
    std::optional<uint64_t> intent;  // the JS/UI intent waiting for this reply, if any
    int64_t deadline_ms;
    std::string contact;    // Contact, SendMessage, Messages: which contact
    std::string client_id;  // SendMessage: the message's client_id
    uint32_t call = 0;      // Dial: a voice contact's transfer for this call (calls.cpp)
    std::string query;      // Agents: the search it answers
};

// Colleagues found by name (find_agents): the last query asked, and what its answer held.
struct AgentSearch {
    std::string query;
    std::string answered;   // the query `found` answers (an answer to an older one is not shown)
    std::vector<contact::AgentSummary> found;
    bool more = false;      // more match than `found` holds: a longer query narrows them
};

// A message the agent sent that the backend has not acknowledged yet. It is in the contact's
// transcript as Pending; it is (re)sent whenever the desk is connected and signed in, with the
// same client_id, so the backend stores it exactly once.
struct OutgoingMessage {
    std::string contact, client_id, text;
    std::optional<uint64_t> intent;
    bool in_flight = false;
};

struct Draft {
    std::string text;                      // the composer
    std::optional<WrapUpDraft> wrap_up;
};

struct PresenceRequest {
    agent::Presence state;
    std::string reason;
};

struct DeskState {
    std::string backend_url;

    ConnectionState connection = ConnectionState::Disconnected;
    int64_t connection_since_ms = 0;
    int reconnect_attempt = 0;            // failed attempts since the last good connection
    int64_t reconnect_at_ms = 0;          // when WaitingToReconnect ends
    std::string connection_error;         // why the last connection ended, for people
    int protocol_version = 0;
    int64_t clock_offset_ms = 0;          // server clock minus local clock, from hello

    SessionState session = SessionState::LoggedOut;
    std::string token;                    // empty when there is no session to resume
    int64_t token_expires_at_ms = 0;
    int64_t last_seq = 0;                 // highest event seq applied
    std::optional<agent::AgentSnapshot> agent;
    std::vector<agent::ReasonCode> reason_codes;
    std::optional<PresenceRequest> presence_pending;  // sent, not yet confirmed
    std::optional<Error> login_error;     // why the last login or resume failed, for the login screen
    std::optional<MfaChallenge> mfa;      // mfa_required: what the backend asks for
    int64_t locked_until_ms = 0;          // account_locked: when sign-in works again (server clock)
    std::vector<std::string> recovery_codes;  // after an enrollment, until the agent saved them
    std::string session_id;               // this session's id among the agent's sessions
    std::vector<SessionInfo> sessions;    // the agent's sessions, as last listed
    std::string notice;                   // a short message for the agent bar: a presence change or a
                                          // contact action the backend refused, and why

    // Contacts on this agent's desk (offered, active, wrap_up), in the order they arrived.
    std::vector<contact::Contact> contacts;
    std::vector<contact::Queue> queues;
    std::vector<contact::CannedResponse> canned_responses;
    // The agents this desk knows, for their names: the session's list (protocol 2) and every
    // search's answers, at most kKnownAgents (the oldest go first).
    std::vector<contact::AgentSummary> agents;
    static constexpr std::size_t kKnownAgents = 2000;
    AgentSearch agent_search;
    // Usernames shown (transcripts, transfers, history) whose names the desk will ask for once
    // (the `agents` request with `usernames`), and those asked for or known already.
    std::vector<std::string> agent_names_wanted;
    std::set<std::string> agent_names_asked;
    std::map<std::string, Draft> drafts;      // by contact id; persisted (key "drafts")
    std::map<std::string, size_t> read_upto;  // by contact id: messages seen
    std::vector<OutgoingMessage> outbox;

    VoiceState voice;
    AudioSettings audio;                  // microphone, speaker and ringer (voice.cpp)
    std::vector<Call> calls;              // live calls, in the order they appeared
    uint32_t next_call_id = 1;
    std::map<std::string, std::string> unreported_ends;  // contact -> who hung up, for the backend
    std::string tone;                     // the tone playing: "ring", "ringback" or ""

    // Bookkeeping of the protocol, not for views.
    uint64_t next_request_number = 1;
    std::map<std::string, PendingRequest> pending;
    std::optional<uint64_t> queued_login_intent;  // login waiting for the connection
    std::string queued_login_username, queued_login_password;
    uint64_t rng = 0;                      // deterministic jitter, seeded by an input
};

Activity activity_of(const DeskState& s);

// Signing in: the login is sent, or waits for the connection to come up.
bool signing_in(const DeskState& s);

const contact::Contact* find_contact(const DeskState& s, std::string_view id);
const Call* find_call_for(const DeskState& s, std::string_view contact);  // the call of a voice contact
// What the JS API and the views call a voice contact's state: offered, connecting, active,
// held, wrap_up (the backend's state, refined by the desk's call).
std::string_view voice_state(const DeskState& s, const contact::Contact& c);
const contact::Queue* find_queue(const DeskState& s, std::string_view code);
int unread_count(const DeskState& s, const contact::Contact& c);  // customer messages not yet seen
// The answer to the agent search's query has not come yet.
bool agent_search_pending(const DeskState& s);

// The elapsed time in the agent's current state, by the server's clock.
int64_t state_elapsed_ms(const DeskState& s, int64_t now_ms);

}  // namespace sb::desk
