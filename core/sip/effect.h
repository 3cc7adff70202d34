// sip/effect.h: what every SIP layer of the core asks its platform to do, as values: send a
// message or a keepalive, start or cancel a named timer, hand a message to the layer above, or
// report an outcome. The transactions (sip/transaction.h), the transaction layer and the
// registration client (sip/registration.h) all return `Effects`, so one loop performs them.
//
// Sections: timers and transaction ids · registration states · effects
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sip/message.h"
#include "util/result.h"

namespace sb::sip {

// ---- timers and transaction ids ---------------------------------------------------------------
// RFC 3261 table 4 and RFC 6026 (L, M); the others belong to the registration client.
enum class TimerName : uint8_t {
    A, B, D, E, F, K, G, H, I, J, L, M,
    register_refresh, register_retry, keepalive, keepalive_pong,
};

std::string_view to_string(TimerName t);

// Which transaction: the branch of the top Via and the method (CSeq's; ACK is matched to the
// INVITE it acknowledges, so a server INVITE transaction's method is INVITE), which side, and
// for server transactions the top Via's sent-by (17.2.3: branches are unique per sender only).
struct TransactionId {
    std::string branch;
    std::string method;
    bool server = false;
    std::string sent_by;  // server transactions: "host" or "host:port" of the top Via
    bool empty() const { return branch.empty(); }
    std::string key() const;  // "c|z9hG4bK...|INVITE", "s|z9hG4bK...|INVITE|host:port"
    friend bool operator==(const TransactionId&, const TransactionId&) = default;
};

// ---- registration states ----------------------------------------------------------------------
// unregistered -> registering -> registered <-> refreshing; -> unregistering -> unregistered;
// failed from any of them (with a reason), left by the next Register.
enum class RegistrationState : uint8_t { unregistered, registering, registered, refreshing, unregistering, failed };
std::string_view to_string(RegistrationState s);

// ---- effects ----------------------------------------------------------------------------------
// A named timer: the transaction's id and the RFC's letter; non-transaction timers (the
// registration client's) have an empty id.
struct Timer {
    TransactionId transaction;
    TimerName name = TimerName::A;
    std::string key() const;  // "c|z9hG4bK...|INVITE|A", "register_refresh"
    friend bool operator==(const Timer&, const Timer&) = default;
};

namespace effect {
struct Send {            // to the transport, as it is
    Message message;
};
struct SendKeepalive {   // a CRLF CRLF ping (RFC 5626 3.5.1) on the flow
};
struct StartTimer {      // replaces a running timer of the same key
    Timer timer;
    int64_t delay_ms = 0;
};
struct CancelTimer {
    Timer timer;
};
struct DeliverRequest {  // a new request for the TU; `transaction` is empty for an ACK to a 2xx
    TransactionId transaction;
    Message request;
};
struct DeliverResponse { // a response for the TU; `transaction` is empty for a stray one (17.1.3)
    TransactionId transaction;
    Message response;
};
struct TimedOut {        // Timer B, F or H: no answer; the TU acts as on a 408 (RFC 3261 8.1.3.1)
    TransactionId transaction;
    TimerName timer;
};
struct TransportFailed { // 17.1.4 / 17.2.4: the transport reported an error for this transaction
    TransactionId transaction;
};
struct Terminated {      // the transaction is gone; its timers are cancelled
    TransactionId transaction;
};
struct Discarded {       // an input that matched nothing or made no sense, and why
    Error reason;
};
struct RegistrationChanged {  // the registration client's state changed (sip/registration.h)
    RegistrationState state;
    uint32_t expires_s = 0;        // registered: what the registrar granted
    std::optional<Error> reason;   // failed: why
};
}  // namespace effect

using Effect = std::variant<effect::Send, effect::SendKeepalive, effect::StartTimer, effect::CancelTimer,
                            effect::DeliverRequest, effect::DeliverResponse, effect::TimedOut,
                            effect::TransportFailed, effect::Terminated, effect::Discarded,
                            effect::RegistrationChanged>;
using Effects = std::vector<Effect>;

}  // namespace sb::sip
