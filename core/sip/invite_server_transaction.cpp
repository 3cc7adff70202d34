// The INVITE server transaction, RFC 3261 17.2.1 (figure 7) with RFC 6026's Accepted state.
//
//   state       on                          effects                          next
//   (start)     INVITE                      deliver, send 100 Trying         proceeding
//   proceeding  INVITE (retransmitted)      resend the last provisional      proceeding
//   proceeding  TU 1xx                      send                             proceeding
//   proceeding  TU 2xx                      send, Timer L                    accepted
//   proceeding  TU 300-699                  send, Timer G (unreliable), H    completed
//   completed   INVITE (retransmitted)      resend the final response        completed
//   completed   Timer G                     resend final, G = min(2G, T2)    completed
//   completed   Timer H                     TimedOut(H) (no ACK came)        terminated
//   completed   ACK                         Timer I                          confirmed
//   confirmed   ACK                         (absorbed)                       confirmed
//   confirmed   Timer I                                                      terminated
//   accepted    INVITE (retransmitted)      (absorbed)                       accepted
//   accepted    TU 2xx (retransmitted)      send                             accepted
//   accepted    ACK                         deliver (RFC 6026 8.7)           accepted
//   accepted    Timer L                                                      terminated
//   any         transport error             TransportFailed                  terminated
// Timer I is T4 over unreliable transports and zero over reliable ones.
#include "sip/transaction.h"

#include <algorithm>

namespace sb::sip {

Effects InviteServerTransaction::start(int64_t /*now_ms*/) {
    Effects out;
    state_ = TransactionState::proceeding;
    if (config_.send_100_trying) {
        auto trying = make_response(request_, 100, "Trying");
        if (trying) {
            last_response_ = std::move(trying.value());
            out.push_back(effect::Send{*last_response_});
        }
    }
    out.push_back(effect::DeliverRequest{id_, request_});
    return out;
}

void InviteServerTransaction::on_request(Effects& out, const Message& request) {
    bool ack = request.method() == "ACK";
    switch (state_) {
        case TransactionState::proceeding:
            if (ack) return discard(out, "ACK before a final response");
            if (last_response_) out.push_back(effect::Send{*last_response_});
            return;
        case TransactionState::completed:
            if (!ack) {
                out.push_back(effect::Send{*last_response_});
                return;
            }
            cancel_timer(out, TimerName::G);
            cancel_timer(out, TimerName::H);
            wait_or_terminate(out, TransactionState::confirmed, TimerName::I, config_.t4_ms);
            return;
        case TransactionState::confirmed:
            return;  // retransmitted ACKs and INVITEs are absorbed
        case TransactionState::accepted:
            if (ack) out.push_back(effect::DeliverRequest{TransactionId{}, request});
            return;
        default:
            discard(out, "request " + std::string(request.method()));
    }
}

void InviteServerTransaction::on_respond(Effects& out, const Message& response) {
    int status = response.status();
    if (state_ == TransactionState::accepted && status >= 200 && status < 300) {
        out.push_back(effect::Send{response});  // the TU retransmits its 2xx until the ACK
        return;
    }
    if (state_ != TransactionState::proceeding) return discard(out, "response " + std::to_string(status) + " from the TU");
    last_response_ = response;
    out.push_back(effect::Send{response});
    if (status < 200) return;
    if (status < 300) {
        state_ = TransactionState::accepted;
        start_timer(out, TimerName::L, 64 * config_.t1_ms);
        return;
    }
    state_ = TransactionState::completed;
    if (!config_.reliable) {
        timer_g_ms_ = config_.t1_ms;
        start_timer(out, TimerName::G, timer_g_ms_);
    }
    start_timer(out, TimerName::H, 64 * config_.t1_ms);
}

Effects InviteServerTransaction::handle(int64_t /*now_ms*/, const TransactionEvent& event) {
    Effects out;
    if (terminated()) {
        discard(out, "event");
        return out;
    }
    if (auto* r = std::get_if<tx_event::Received>(&event)) {
        if (r->message.is_request()) {
            on_request(out, r->message);
        } else {
            discard(out, "response " + std::to_string(r->message.status()) + " from the transport");
        }
    } else if (auto* respond = std::get_if<tx_event::Respond>(&event)) {
        if (respond->response.is_response()) {
            on_respond(out, respond->response);
        } else {
            discard(out, "a request given as a response");
        }
    } else if (auto* t = std::get_if<tx_event::TimerFired>(&event)) {
        if (!take_fired(t->timer)) return out;
        switch (t->timer) {
            case TimerName::G:
                out.push_back(effect::Send{*last_response_});
                timer_g_ms_ = std::min(2 * timer_g_ms_, config_.t2_ms);
                start_timer(out, TimerName::G, timer_g_ms_);
                break;
            case TimerName::H:
                out.push_back(effect::TimedOut{id_, TimerName::H});
                terminate(out);
                break;
            case TimerName::I:
            case TimerName::L:
                terminate(out);
                break;
            default:
                break;
        }
    } else {
        out.push_back(effect::TransportFailed{id_});
        terminate(out);
    }
    return out;
}

}  // namespace sb::sip
