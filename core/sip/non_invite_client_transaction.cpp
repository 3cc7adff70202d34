// The non-INVITE client transaction, RFC 3261 17.1.2 (figure 6).
//
//   state       on                          effects                          next
//   trying      Timer E (unreliable)        resend, E = min(2E, T2)          trying
//   proceeding  Timer E (unreliable)        resend, E = T2                   proceeding
//   trying/proceeding  Timer F              TimedOut(F)                      terminated
//   trying/proceeding  1xx                  deliver                          proceeding
//   trying/proceeding  200-699              deliver, Timer K                 completed
//   completed   any response                (absorbed)                       completed
//   completed   Timer K                                                      terminated
//   any         transport error             TransportFailed                  terminated
// Timer K is T4 over unreliable transports and zero over reliable ones.
#include "sip/transaction.h"

#include <algorithm>

namespace sb::sip {

Effects NonInviteClientTransaction::start(int64_t /*now_ms*/) {
    Effects out;
    state_ = TransactionState::trying;
    out.push_back(effect::Send{request_});
    if (!config_.reliable) {
        timer_e_ms_ = config_.t1_ms;
        start_timer(out, TimerName::E, timer_e_ms_);
    }
    start_timer(out, TimerName::F, 64 * config_.t1_ms);
    return out;
}

void NonInviteClientTransaction::on_response(Effects& out, const Message& response) {
    switch (state_) {
        case TransactionState::trying:
        case TransactionState::proceeding:
            out.push_back(effect::DeliverResponse{id_, response});
            if (response.status() < 200) {
                state_ = TransactionState::proceeding;
            } else {
                cancel_timer(out, TimerName::E);
                cancel_timer(out, TimerName::F);
                wait_or_terminate(out, TransactionState::completed, TimerName::K, config_.t4_ms);
            }
            return;
        case TransactionState::completed:
            return;  // retransmissions of the final response are absorbed
        default:
            discard(out, "response " + std::to_string(response.status()));
    }
}

Effects NonInviteClientTransaction::handle(int64_t /*now_ms*/, const TransactionEvent& event) {
    Effects out;
    if (terminated()) {
        discard(out, "event");
        return out;
    }
    if (auto* r = std::get_if<tx_event::Received>(&event)) {
        if (r->message.is_response()) {
            on_response(out, r->message);
        } else {
            discard(out, "request " + std::string(r->message.method()));
        }
    } else if (auto* t = std::get_if<tx_event::TimerFired>(&event)) {
        if (!take_fired(t->timer)) return out;
        switch (t->timer) {
            case TimerName::E:
                out.push_back(effect::Send{request_});
                timer_e_ms_ = state_ == TransactionState::trying ? std::min(2 * timer_e_ms_, config_.t2_ms)
                                                                 : config_.t2_ms;
                start_timer(out, TimerName::E, timer_e_ms_);
                break;
            case TimerName::F:
                out.push_back(effect::TimedOut{id_, TimerName::F});
                terminate(out);
                break;
            case TimerName::K:
                terminate(out);
                break;
            default:
                break;
        }
    } else if (std::holds_alternative<tx_event::TransportError>(event)) {
        out.push_back(effect::TransportFailed{id_});
        terminate(out);
    } else {
        discard(out, "a response from the TU");
    }
    return out;
}

}  // namespace sb::sip
