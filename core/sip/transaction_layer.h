// sip/transaction_layer.h: the transactions of one user agent, and the matching rules that
// route every message to the right one (RFC 3261 17.1.3 for responses, 17.2.3 for requests).
//
//   TU  --SendRequest/SendResponse-->  TransactionLayer  --Send-->  transport
//   TU  <--DeliverRequest/Response--   TransactionLayer  <--Received--  transport
//
// The layer creates a client transaction for each request the TU sends (the TU puts a Via with
// a fresh z9hG4bK branch on top) and a server transaction for each new request that arrives;
// retransmissions reach their transaction, never the TU twice. Terminated transactions are
// dropped. Inputs that match nothing or make no sense give an effect::Discarded with the
// reason (code sip_tx_*) and change nothing; a request that fails check_semantics is answered
// 400 with the problem as the reason phrase.
//
// A CANCEL is its own non-INVITE server transaction (same branch, method CANCEL); the TU
// finds the INVITE it cancels by the same id with method INVITE, answers the CANCEL 200 and
// the INVITE 487 (RFC 3261 9.2). An ACK to a 2xx has its own branch and reaches the TU as
// DeliverRequest with an empty id; the TU sends ACKs to 2xx as SendRequest (no transaction).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "sip/transaction.h"

namespace sb::sip {

namespace layer_event {
struct SendRequest {     // TU: a new client transaction (an ACK for a 2xx is just sent)
    Message request;
};
struct SendResponse {    // TU: a response, for the server transaction its Via and CSeq name
    Message response;
};
struct Received {        // transport: one parsed message
    Message message;
};
struct TimerFired {
    Timer timer;
};
struct TransportError {  // transport: sending for this transaction failed
    TransactionId transaction;
};
}  // namespace layer_event
using LayerEvent = std::variant<layer_event::SendRequest, layer_event::SendResponse, layer_event::Received,
                                layer_event::TimerFired, layer_event::TransportError>;

class TransactionLayer {
public:
    explicit TransactionLayer(TransactionConfig config = {}) : config_(config) {}

    Effects handle(int64_t now_ms, const LayerEvent& event);

    const Transaction* find(const TransactionId& id) const;
    size_t size() const { return transactions_.size(); }
    // Every live transaction (for a TU that fails them all when its transport drops).
    std::vector<TransactionId> ids() const;
    const TransactionConfig& config() const { return config_; }

    // The id a message belongs to: client side for responses (branch + CSeq method), server
    // side for requests (branch + sent-by + method, ACK counted as INVITE). An error
    // (kTxNoBranch, kTxBadMessage) when the message cannot name a transaction.
    static Result<TransactionId> client_id(const Message& response_or_request);
    static Result<TransactionId> server_id(const Message& request_or_response);

private:
    Effects send_request(int64_t now_ms, const Message& request);
    Effects send_response(int64_t now_ms, const Message& response);
    Effects received(int64_t now_ms, const Message& message);
    Effects dispatch(int64_t now_ms, const TransactionId& id, const TransactionEvent& event);

    TransactionConfig config_;
    std::map<std::string, std::unique_ptr<Transaction>> transactions_;  // by TransactionId::key
};

// A branch for a new client transaction: the RFC 3261 magic cookie and 16 hex digits of
// `random` (drawn by the caller from injected randomness).
std::string make_branch(uint64_t random);
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

}  // namespace sb::sip
