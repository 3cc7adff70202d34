// The non-INVITE server transaction, RFC 3261 17.2.2 (figure 8).
//
//   state       on                          effects                          next
//   (start)     request                     deliver                          trying
//   trying      request (retransmitted)     (absorbed)                       trying
//   trying/proceeding  TU 1xx               send                             proceeding
//   trying/proceeding  TU 200-699           send, Timer J                    completed
//   proceeding  request (retransmitted)     resend the last provisional      proceeding
//   completed   request (retransmitted)     resend the final response        completed
//   completed   Timer J                                                      terminated
//   any         transport error             TransportFailed                  terminated
// Timer J is 64*T1 over unreliable transports and zero over reliable ones.
#include "sip/transaction.h"

namespace sb::sip {

Effects NonInviteServerTransaction::start(int64_t /*now_ms*/) {
    Effects out;
    state_ = TransactionState::trying;
    out.push_back(effect::DeliverRequest{id_, request_});
    return out;
}

void NonInviteServerTransaction::on_respond(Effects& out, const Message& response) {
    if (state_ != TransactionState::trying && state_ != TransactionState::proceeding)
        return discard(out, "response " + std::to_string(response.status()) + " from the TU");
    last_response_ = response;
    out.push_back(effect::Send{response});
    if (response.status() < 200) {
        state_ = TransactionState::proceeding;
        return;
    }
    wait_or_terminate(out, TransactionState::completed, TimerName::J, 64 * config_.t1_ms);
}

Effects NonInviteServerTransaction::handle(int64_t /*now_ms*/, const TransactionEvent& event) {
    Effects out;
    if (terminated()) {
        discard(out, "event");
        return out;
    }
    if (auto* r = std::get_if<tx_event::Received>(&event)) {
        if (r->message.is_response()) {
            discard(out, "response " + std::to_string(r->message.status()) + " from the transport");
        } else if (state_ != TransactionState::trying && last_response_) {
            out.push_back(effect::Send{*last_response_});  // proceeding or completed
        }
    } else if (auto* respond = std::get_if<tx_event::Respond>(&event)) {
        if (respond->response.is_response()) {
            on_respond(out, respond->response);
        } else {
            discard(out, "a request given as a response");
        }
    } else if (auto* t = std::get_if<tx_event::TimerFired>(&event)) {
        if (take_fired(t->timer) && t->timer == TimerName::J) terminate(out);
    } else {
        out.push_back(effect::TransportFailed{id_});
        terminate(out);
    }
    return out;
}

}  // namespace sb::sip
