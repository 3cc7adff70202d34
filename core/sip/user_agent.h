// sip/user_agent.h: the SIP user agent of one agent: registration and calls over one reliable
// transport (SIP over WebSocket, RFC 7118), on top of the transaction layer, dialogs, digest
// and the registration client. The desk drives it with `UaEvent`s and performs the `UaEffect`s
// it returns; like every core layer it reads no clock and draws no random numbers of its own.
//
//   desk --Configure/TransportUp/Received/TimerFired/commands--> UserAgent --Send/timers/call news--> desk
//
// Calls are identified by the UA's own `CallId` (1, 2, ...; never reused). Several calls may be
// up at once; the desk decides policy (which is active, which held).
//
// Call states (CallState) and what moves them:
//   state        on                                   effects                          next
//   (none)       Dial                                 Outgoing, send INVITE            calling
//   calling      1xx (180/183)                        Ringing / EarlyMedia             early
//   calling      Hangup                               (CANCEL waits for a 1xx)         cancelling
//   early        Hangup                               send CANCEL                      cancelling
//   calling/early 2xx                                 send ACK, Answered               confirmed
//   calling/early 401/407 (first for this request)    send INVITE with credentials     calling
//   calling/early 300-699, timeout                    Ended(remote, status)            terminated
//   cancelling   1xx                                  send CANCEL                      cancelling
//   cancelling   487 / other final                    Ended(local, cancelled, 487)     terminated
//   cancelling   2xx (crossed the CANCEL)             send ACK, BYE; Ended(local)      terminated
//   (none)       INVITE                               100, 180, Incoming               incoming
//   incoming     Answer                               send 200                         confirmed
//   incoming     Reject / Hangup                      send 486|603 / 603, Ended(local) terminated
//   incoming     CANCEL                               200 + 487, Ended(remote, 487)    terminated
//   confirmed    Hangup                               send BYE, Ended(local)           terminated
//   confirmed    BYE                                  200, Ended(remote)               terminated
//   confirmed    Hold/Resume, re-INVITE, INFO, REFER, NOTIFY: the call stays confirmed.
//
// Sections: ids and identities · events · effects · the user agent
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sip/dialog.h"
#include "sip/digest.h"
#include "sip/registration.h"
#include "sip/transaction_layer.h"

namespace sb::sip {

// Error codes of ua_effect::Refused and ua_effect::Discarded (besides the layers' own).
inline constexpr std::string_view kUaNotConfigured = "sip_ua_not_configured";  // no Configure yet
inline constexpr std::string_view kUaTransportDown = "sip_ua_transport_down";  // Dial while down
inline constexpr std::string_view kUaNoCall = "sip_ua_no_call";                // unknown CallId
inline constexpr std::string_view kUaWrongState = "sip_ua_wrong_state";        // not in this state
inline constexpr std::string_view kUaBadInput = "sip_ua_bad_input";            // a bad target, digit...
inline constexpr std::string_view kUaNoDialog = "sip_ua_no_dialog";            // a message for no call
inline constexpr std::string_view kUaMalformed = "sip_ua_malformed";           // not a SIP message

// ---- ids and identities -----------------------------------------------------------------------
using CallId = uint32_t;

struct Identity {
    std::string display_name;  // "Alice Liddell"; empty when none
    std::string user;          // the user part or telephone number ("alice", "+15551234567")
    std::string uri;           // "sip:alice@atlanta.example.com"
    friend bool operator==(const Identity&, const Identity&) = default;
};

enum class CallState : uint8_t { calling, early, cancelling, incoming, confirmed, terminated };
std::string_view to_string(CallState s);

enum class Party : uint8_t { local, remote };
std::string_view to_string(Party p);

// ---- events -----------------------------------------------------------------------------------
namespace ua_event {
struct Configure {          // once, before TransportUp
    std::string uri;        // the agent's AOR: "sip:alice@atlanta.example.com"
    std::string username;   // digest username
    std::string password;
    std::string realm;      // empty: any realm
    std::string display_name;
    uint64_t seed = 0;      // the only randomness: tags, Call-IDs, branches, cnonces, hosts
    bool secure = true;     // Via transport WSS (wss://) or WS (ws://)
    uint32_t expires_s = 600;
    std::string user_agent = "Switchboard";
    // RFC 5626 4.4.1 keepalive while registered: a CRLF CRLF ping every 80-100% of the interval
    // (a missing CRLF pong within pong_timeout_ms fails the registration), an OPTIONS, or none
    // (for a server that neither answers CRLF over WebSocket nor needs it).
    KeepaliveMode keepalive = KeepaliveMode::crlf;
    int64_t keepalive_interval_ms = 30000;
    int64_t pong_timeout_ms = 10000;
    int64_t register_retry_ms = 0;  // > 0: a failed registration is tried again after this
};
struct TransportUp {};      // a WebSocket is open: (re-)register
struct TransportDown {};    // it closed: transactions in flight fail; dialogs stay
struct Received {           // one WebSocket message
    std::string text;
};
struct TimerFired {         // a StartTimer's key coming back
    std::string key;
};
struct Dial {               // a number ("7001") or a URI ("sip:bob@example.com")
    std::string target;
    std::string sdp_offer;
    // The INVITE a received REFER asks for (ua_effect::TransferRequested): the target is the
    // REFER's Refer-To (with its Replaces), `target` is ignored, and the referrer hears the
    // progress as NOTIFYs.
    std::optional<CallId> for_transfer;
    // Extension headers for the INVITE (e.g. X-Switchboard-Contact): names must be tokens
    // beginning "X-", values single-line; anything else refuses the Dial.
    std::vector<std::pair<std::string, std::string>> headers;
};
struct Answer {
    CallId call;
    std::string sdp_answer;
};
struct Reject {
    CallId call;
    int status = 486;       // 486 Busy Here or 603 Decline
};
struct Hangup {             // CANCEL before an answer, BYE after, 603 to an unanswered incoming call
    CallId call;
};
struct Hold {               // re-INVITE with the desk's offer (a=sendonly or inactive)
    CallId call;
    std::string sdp_offer;
};
struct Resume {             // re-INVITE with the desk's offer (a=sendrecv)
    CallId call;
    std::string sdp_offer;
};
struct AnswerRemoteOffer {  // the answer to ua_effect::RemoteOffer
    CallId call;
    std::string sdp_answer;
};
struct Dtmf {               // SIP INFO, application/dtmf-relay, one INFO per digit, in order
    CallId call;
    std::string digits;     // 0-9 * # A-D
};
struct BlindTransfer {      // REFER with Refer-To: target
    CallId call;
    std::string target;
};
struct AttendedTransfer {   // REFER to `call`'s peer: Refer-To `other`'s peer with Replaces
    CallId call;
    CallId other;
};
}  // namespace ua_event
using UaEvent = std::variant<ua_event::Configure, ua_event::TransportUp, ua_event::TransportDown, ua_event::Received,
                             ua_event::TimerFired, ua_event::Dial, ua_event::Answer, ua_event::Reject,
                             ua_event::Hangup, ua_event::Hold, ua_event::Resume, ua_event::AnswerRemoteOffer,
                             ua_event::Dtmf, ua_event::BlindTransfer, ua_event::AttendedTransfer>;

// ---- effects ----------------------------------------------------------------------------------
namespace ua_effect {
struct Send {               // one WebSocket message
    std::string text;
};
struct SendKeepalive {};    // CRLF CRLF (RFC 5626 3.5.1)
struct StartTimer {         // replaces a timer of the same key; comes back as TimerFired{key}
    std::string key;
    int64_t delay_ms = 0;
};
struct CancelTimer {
    std::string key;
};
using RegistrationChanged = effect::RegistrationChanged;
struct Outgoing {           // Dial made this call
    CallId call;
    std::string target;     // the Request-URI
};
struct Incoming {           // a new INVITE; 100 and 180 have gone
    CallId call;
    Identity remote;        // P-Asserted-Identity, else From
    std::string sdp_offer;  // may be empty (offer in the 200/ACK is not supported: see docs)
    std::optional<CallId> replaces;  // RFC 3891: answering it ends that call
    // The INVITE's extension headers ("X-..."), as written, in order: the proxy's annotations,
    // e.g. X-Switchboard-Contact naming the contact center's contact for this call.
    std::vector<std::pair<std::string, std::string>> x_headers;
};
struct Ringing {
    CallId call;
};
struct EarlyMedia {         // a 1xx with SDP (183 Session Progress)
    CallId call;
    std::string sdp;
};
struct Answered {           // our INVITE got its 2xx (the ACK is sent)
    CallId call;
    std::string sdp;
};
struct RemoteOffer {        // a re-INVITE: answer with ua_event::AnswerRemoteOffer
    CallId call;
    std::string sdp;
};
struct HeldByRemote {
    CallId call;
};
struct ResumedByRemote {
    CallId call;
};
struct HoldDone {           // our Hold / Resume re-INVITE was answered
    CallId call;
    bool held = false;          // what it asked for
    std::string sdp;
    bool ok = true;             // false: refused or unanswered, nothing changed (Refused says why)
};
struct DtmfReceived {       // an INFO with application/dtmf-relay
    CallId call;
    char digit = 0;
};
struct TransferProgress {   // our REFER: 202, then each NOTIFY's sipfrag status; >= 300 failed
    CallId call;
    int status = 0;
};
struct TransferRequested {  // the peer REFERred us: Dial{for_transfer = call} to follow it
    CallId call;
    std::string target;     // the Refer-To URI without its headers
    bool replaces = false;  // attended: the INVITE will carry Replaces
};
struct Ended {
    CallId call;
    Party who = Party::remote;
    std::string reason;     // "hangup", "cancelled", "rejected", "Busy Here", "transferred"...
    int status = 0;         // the SIP status that ended it (0 for BYE)
};
struct Refused {            // a command that could not be carried out, and why
    CallId call = 0;
    Error reason;
};
struct Discarded {          // a received message or timer that meant nothing, and why
    Error reason;
};
}  // namespace ua_effect
using UaEffect = std::variant<ua_effect::Send, ua_effect::SendKeepalive, ua_effect::StartTimer, ua_effect::CancelTimer,
                              ua_effect::RegistrationChanged, ua_effect::Outgoing, ua_effect::Incoming,
                              ua_effect::Ringing, ua_effect::EarlyMedia, ua_effect::Answered, ua_effect::RemoteOffer,
                              ua_effect::HeldByRemote, ua_effect::ResumedByRemote, ua_effect::HoldDone,
                              ua_effect::DtmfReceived, ua_effect::TransferProgress, ua_effect::TransferRequested,
                              ua_effect::Ended, ua_effect::Refused, ua_effect::Discarded>;
using UaEffects = std::vector<UaEffect>;

// ---- the user agent ---------------------------------------------------------------------------
class UserAgent {
public:
    UserAgent() = default;
    UaEffects handle(int64_t now_ms, const UaEvent& event);

    // Read-only views for the desk and the tests.
    bool configured() const { return registration_ != nullptr; }
    bool transport_up() const { return transport_up_; }
    RegistrationState registration_state() const;
    const std::string& contact() const { return contact_; }  // "sip:x@y.invalid;transport=ws"
    const std::string& via_host() const { return via_host_; }
    std::optional<CallState> call_state(CallId call) const;
    const Dialog* dialog(CallId call) const;
    std::vector<CallId> calls() const;  // live calls, in creation order

private:
    // One call: its INVITE, its dialog once there is one, and what is in flight on it.
    struct Call {
        CallId id = 0;
        bool outgoing = false;
        CallState state = CallState::calling;
        Message invite;              // ours (the latest, with credentials) or theirs
        std::string server_tx_key;   // incoming: the INVITE server transaction
        std::string local_tag;       // incoming: our To tag
        std::optional<Dialog> dialog;
        // Outgoing: how far our INVITE got. A CANCEL may go only once a provisional response
        // came (RFC 3261 9.1), and goes once; a retry with credentials is a new INVITE (sent).
        enum class Invite : uint8_t { sent, provisional, cancel_sent } invite_progress = Invite::sent;
        // Our re-INVITE in flight, and what it asks for (its answer is HoldDone with it).
        enum class ReInvite : uint8_t { none, hold, resume } our_reinvite = ReInvite::none;
        std::optional<Message> remote_reinvite;  // waiting for AnswerRemoteOffer
        bool held_by_remote = false;
        std::deque<char> digits;                 // DTMF digits waiting to be sent, one INFO each
        std::optional<char> info_digit;          // the digit whose INFO is out: the next one waits
        // Our REFER (RFC 3515): sent, then accepted (202); its NOTIFYs report the new call until a
        // final one (or a refusal) makes it none again. NOTIFYs are heard while it is not none.
        enum class Refer : uint8_t { none, sent, accepted } our_refer = Refer::none;
        std::string refer_target, refer_replaces;  // a REFER we received
        std::optional<CallId> transfer_of;       // this call follows that call's REFER
        std::optional<CallId> replaces;          // incoming INVITE with Replaces
    };

    // What a request we sent is for: how its response is handled.
    enum class Purpose : uint8_t { invite, reinvite, ack, bye, cancel, info, refer, notify, other };
    static Purpose purpose_of(std::string_view in_dialog_method);  // "INVITE" in a dialog: reinvite
    struct Pending {
        CallId call = 0;
        Purpose purpose = Purpose::other;
        bool retried = false;
        Message request;
    };
    struct Out {  // what one event produced
        UaEffects fx;
    };

    uint64_t next_random();
    std::string hex(int digits);
    std::string target_uri(std::string_view target) const;

    // Layer plumbing: every effect of the transaction layer passes the registration client
    // first, then reaches the calls.
    void run(int64_t now, Effects effects, Out& out);
    void send_request(int64_t now, Message request, CallId call, Purpose purpose, bool retried, Out& out);
    void send_response(int64_t now, const Message& response, Out& out);
    void respond(int64_t now, const Message& request, int status, std::string_view reason, Out& out,
                 std::string_view to_tag = {});

    void on_received(int64_t now, const std::string& text, Out& out);
    void on_request(int64_t now, const TransactionId& tx, const Message& request, Out& out);
    void on_initial_invite(int64_t now, const Message& invite, Out& out);
    void on_cancel(int64_t now, const TransactionId& tx, const Message& cancel, Out& out);
    void on_in_dialog(int64_t now, Call& call, const Message& request, Out& out);
    void on_notify(int64_t now, Call& call, const Message& notify, Out& out);
    void on_refer(int64_t now, Call& call, const Message& refer, Out& out);
    void on_response(int64_t now, const TransactionId& tx, const Message& response, Out& out);
    void on_invite_response(int64_t now, Call& call, const Pending& p, const Message& response, Out& out);
    void on_failed(int64_t now, const TransactionId& tx, int status, std::string reason, Out& out);
    bool retry_with_credentials(int64_t now, const Pending& p, const Message& response, Out& out);

    void dial(int64_t now, const ua_event::Dial& e, Out& out);
    void answer(int64_t now, const ua_event::Answer& e, Out& out);
    void reject(int64_t now, CallId id, int status, Out& out);
    void hangup(int64_t now, CallId id, Out& out);
    void reinvite(int64_t now, CallId id, const std::string& sdp, bool hold, Out& out);
    void answer_remote_offer(int64_t now, const ua_event::AnswerRemoteOffer& e, Out& out);
    void dtmf(int64_t now, const ua_event::Dtmf& e, Out& out);
    void send_next_digit(int64_t now, Call& call, Out& out);
    void refer(int64_t now, CallId id, const std::string& refer_to, Out& out);
    void attended_transfer(int64_t now, const ua_event::AttendedTransfer& e, Out& out);
    void send_in_dialog(int64_t now, Call& call, std::string_view method, Out& out, std::string_view content_type = {},
                        std::string_view body = {}, const std::vector<std::pair<std::string, std::string>>& extra = {});
    void notify_referrer(int64_t now, Call& new_call, int status, std::string_view reason, Out& out);
    void send_ack(int64_t now, Call& call, uint32_t cseq, Out& out);
    void end(Call& call, Party who, std::string reason, int status, Out& out);
    void transport_down(int64_t now, Out& out);

    Call* find(CallId id);
    Call* find_by_dialog(const DialogId& id);
    Call* live(CallId id, Out& out);

    ua_event::Configure config_;
    std::unique_ptr<RegistrationClient> registration_;
    std::unique_ptr<DigestClient> digest_;
    TransactionLayer layer_{TransactionConfig{}};
    uint64_t random_state_ = 0;
    std::string contact_, via_host_, via_transport_ = "WSS", domain_;
    bool transport_up_ = false;
    CallId next_call_ = 1;
    std::map<CallId, std::unique_ptr<Call>> calls_;
    std::map<std::string, Pending> pending_;       // our client transactions, by TransactionId::key
    std::map<std::string, Timer> timers_;          // running timers by key
};

}  // namespace sb::sip
