// sip/transaction.h: the four RFC 3261 section 17 transactions: their names, configuration
// and events, the messages a transaction builds itself, and the machines.
//
// A transaction is a pure state machine: `handle(now_ms, event)` returns the effects to
// perform (send a message, start or cancel a named timer, deliver a message to the TU, report
// a timeout). Nothing reads a clock: a timer is started as an effect and comes back as a
// TimerFired event. The machines are in one file each, as RFC 3261 names them:
//   invite_client_transaction.cpp      17.1.1 (+ RFC 6026 Accepted)   timers A, B, D, M
//   non_invite_client_transaction.cpp  17.1.2                         timers E, F, K
//   invite_server_transaction.cpp      17.2.1 (+ RFC 6026 Accepted)   timers G, H, I, L
//   non_invite_server_transaction.cpp  17.2.2                         timer J
// and transaction_layer.h matches messages to them (17.1.3, 17.2.3).
//
// Sections: names · configuration · events · building responses and ACKs · the machines
// (timers, ids and effects are in sip/effect.h)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sip/effect.h"
#include "sip/message.h"
#include "util/result.h"

namespace sb::sip {

// ---- names ------------------------------------------------------------------------------------
enum class TransactionKind : uint8_t { invite_client, non_invite_client, invite_server, non_invite_server };
enum class TransactionState : uint8_t { calling, trying, proceeding, completed, confirmed, accepted, terminated };

std::string_view to_string(TransactionKind k);
std::string_view to_string(TransactionState s);

// ---- configuration ----------------------------------------------------------------------------
// RFC 3261 17.1.1.1 and table 4. Over a reliable transport (WebSocket, TCP, TLS) requests and
// responses are never retransmitted (timers A, E and G are not started) and the waits for
// stray retransmissions (D, K, I, J) are zero, so those states end at once.
struct TransactionConfig {
    int64_t t1_ms = 500;
    int64_t t2_ms = 4000;
    int64_t t4_ms = 5000;
    bool reliable = true;
    // A server INVITE transaction answers 100 Trying itself (17.2.1); a TU that always answers
    // within 200 ms may turn this off.
    bool send_100_trying = true;
};


// ---- events (of one transaction) --------------------------------------------------------------
namespace tx_event {
struct Received {        // a message from the transport that matched this transaction
    Message message;
};
struct Respond {         // server transactions: the TU's response
    Message response;
};
struct TimerFired {
    TimerName timer;
};
struct TransportError {
};
}  // namespace tx_event
using TransactionEvent =
    std::variant<tx_event::Received, tx_event::Respond, tx_event::TimerFired, tx_event::TransportError>;

// Error codes of the transaction layer (effect::Discarded, rejected TU calls).
inline constexpr std::string_view kTxNoBranch = "sip_tx_no_branch";          // no RFC 3261 branch
inline constexpr std::string_view kTxNoMatch = "sip_tx_no_match";            // no such transaction
inline constexpr std::string_view kTxBadMessage = "sip_tx_bad_message";      // unusable message
inline constexpr std::string_view kTxWrongState = "sip_tx_wrong_state";      // not now
inline constexpr std::string_view kTxDuplicate = "sip_tx_duplicate";         // branch in use

// ---- building responses and ACKs --------------------------------------------------------------
// A response to `request` (RFC 3261 8.2.6.2): its Via headers, From, To (with `to_tag` added
// when the To has no tag yet and to_tag is not empty), Call-ID and CSeq, in that order.
// Errors only from the builder (a status out of range, a reason with a line break).
Result<Message> make_response(const Message& request, int status, std::string_view reason,
                              std::string_view to_tag = {});
// The ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 17.1.1.3): the
// INVITE's Request-URI, top Via, From, Call-ID, CSeq number and Route headers, the response's To.
Result<Message> make_non_2xx_ack(const Message& invite, const Message& response);

// The CANCEL of an INVITE (RFC 3261 9.1): its Request-URI, top Via (so the same branch), From,
// To, Call-ID, CSeq number and Route headers; the TU sends it as a new non-INVITE transaction
// once the INVITE has had a provisional response.
Result<Message> make_cancel(const Message& invite);

// Shared by the machines: the top Via's branch of a message, or empty.
std::string top_branch(const Message& m);

}  // namespace sb::sip

namespace sb::sip {

// ---- the machines -----------------------------------------------------------------------------
// What every transaction has: its id, kind, state and request, and the timers it has running
// (so that a timer fired late, after the state it belongs to, is ignored, and termination
// cancels what is left).
class Transaction {
public:
    virtual ~Transaction() = default;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Client transactions send their request; server transactions deliver it to the TU.
    virtual Effects start(int64_t now_ms) = 0;
    virtual Effects handle(int64_t now_ms, const TransactionEvent& event) = 0;

    const TransactionId& id() const { return id_; }
    TransactionKind kind() const { return kind_; }
    TransactionState state() const { return state_; }
    bool terminated() const { return state_ == TransactionState::terminated; }
    const Message& request() const { return request_; }
    bool timer_running(TimerName t) const { return (running_ >> unsigned(t)) & 1u; }

protected:
    Transaction(TransactionKind kind, TransactionId id, Message request, const TransactionConfig& config)
        : id_(std::move(id)), kind_(kind), request_(std::move(request)), config_(config) {}

    void start_timer(Effects& out, TimerName t, int64_t delay_ms);
    void cancel_timer(Effects& out, TimerName t);
    // Clears a fired timer's mark; false when it was not running (late or unknown): ignore it.
    bool take_fired(TimerName t);
    void terminate(Effects& out);
    // Moves to `next` and, for a wait that is zero over a reliable transport, ends at once.
    void wait_or_terminate(Effects& out, TransactionState next, TimerName t, int64_t unreliable_ms);
    void discard(Effects& out, std::string_view what) const;

    TransactionId id_;
    TransactionKind kind_;
    TransactionState state_ = TransactionState::terminated;
    Message request_;
    TransactionConfig config_;
    uint32_t running_ = 0;
};

// RFC 3261 17.1.1: Calling -> Proceeding -> Completed (ACK sent for 300-699) -> Terminated;
// a 2xx goes to Accepted (RFC 6026) where further 2xx reach the TU until Timer M.
class InviteClientTransaction final : public Transaction {
public:
    InviteClientTransaction(TransactionId id, Message invite, const TransactionConfig& config)
        : Transaction(TransactionKind::invite_client, std::move(id), std::move(invite), config) {}
    Effects start(int64_t now_ms) override;
    Effects handle(int64_t now_ms, const TransactionEvent& event) override;

private:
    void on_response(Effects& out, const Message& response);
    int64_t timer_a_ms_ = 0;
    std::optional<Message> ack_;
};

// RFC 3261 17.1.2: Trying -> Proceeding -> Completed -> Terminated.
class NonInviteClientTransaction final : public Transaction {
public:
    NonInviteClientTransaction(TransactionId id, Message request, const TransactionConfig& config)
        : Transaction(TransactionKind::non_invite_client, std::move(id), std::move(request), config) {}
    Effects start(int64_t now_ms) override;
    Effects handle(int64_t now_ms, const TransactionEvent& event) override;

private:
    void on_response(Effects& out, const Message& response);
    int64_t timer_e_ms_ = 0;
};

// RFC 3261 17.2.1: Proceeding -> Completed -> Confirmed -> Terminated; a 2xx goes to
// Accepted (RFC 6026), where retransmitted INVITEs are absorbed until Timer L.
class InviteServerTransaction final : public Transaction {
public:
    InviteServerTransaction(TransactionId id, Message invite, const TransactionConfig& config)
        : Transaction(TransactionKind::invite_server, std::move(id), std::move(invite), config) {}
    Effects start(int64_t now_ms) override;
    Effects handle(int64_t now_ms, const TransactionEvent& event) override;

private:
    void on_request(Effects& out, const Message& request);
    void on_respond(Effects& out, const Message& response);
    std::optional<Message> last_response_;
    int64_t timer_g_ms_ = 0;
};

// RFC 3261 17.2.2: Trying -> Proceeding -> Completed -> Terminated.
class NonInviteServerTransaction final : public Transaction {
public:
    NonInviteServerTransaction(TransactionId id, Message request, const TransactionConfig& config)
        : Transaction(TransactionKind::non_invite_server, std::move(id), std::move(request), config) {}
    Effects start(int64_t now_ms) override;
    Effects handle(int64_t now_ms, const TransactionEvent& event) override;

private:
    void on_respond(Effects& out, const Message& response);
    std::optional<Message> last_response_;
};

}  // namespace sb::sip
