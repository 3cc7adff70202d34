// The INVITE client transaction, RFC 3261 17.1.1 (figure 5) with RFC 6026's Accepted state.
//
//   state       on                          effects                          next
//   calling     Timer A (unreliable)        resend INVITE, A doubled         calling
//   calling     Timer B                     TimedOut(B)                      terminated
//   calling     1xx                         deliver                          proceeding
//   calling/proceeding  2xx                 deliver, Timer M                 accepted
//   calling/proceeding  300-699             deliver, send ACK, Timer D       completed
//   proceeding  1xx                         deliver                          proceeding
//   completed   300-699 (retransmitted)     resend ACK                       completed
//   completed   Timer D                                                      terminated
//   accepted    2xx (retransmitted, forked) deliver (the TU ACKs 2xx)        accepted
//   accepted    Timer M                                                      terminated
//   any         transport error             TransportFailed                  terminated
// Timer D is 32 s over unreliable transports and zero over reliable ones (17.1.1.2), so
// completed ends at once there.
#include "sip/transaction.h"

namespace sb::sip {

Effects InviteClientTransaction::start(int64_t /*now_ms*/) {
    Effects out;
    state_ = TransactionState::calling;
    out.push_back(effect::Send{request_});
    if (!config_.reliable) {
        timer_a_ms_ = config_.t1_ms;
        start_timer(out, TimerName::A, timer_a_ms_);
    }
    start_timer(out, TimerName::B, 64 * config_.t1_ms);
    return out;
}

void InviteClientTransaction::on_response(Effects& out, const Message& response) {
    int status = response.status();
    switch (state_) {
        case TransactionState::calling:
        case TransactionState::proceeding:
            cancel_timer(out, TimerName::A);
            cancel_timer(out, TimerName::B);
            out.push_back(effect::DeliverResponse{id_, response});
            if (status < 200) {
                state_ = TransactionState::proceeding;
            } else if (status < 300) {
                state_ = TransactionState::accepted;
                start_timer(out, TimerName::M, 64 * config_.t1_ms);
            } else {
                auto ack = make_non_2xx_ack(request_, response);
                if (ack) {
                    ack_ = std::move(ack.value());
                    out.push_back(effect::Send{*ack_});
                } else {
                    out.push_back(effect::Discarded{ack.error()});
                }
                wait_or_terminate(out, TransactionState::completed, TimerName::D, 32000);
            }
            return;
        case TransactionState::completed:
            if (status >= 300 && ack_) out.push_back(effect::Send{*ack_});
            return;  // a late 1xx or 2xx here is absorbed
        case TransactionState::accepted:
            if (status >= 200 && status < 300) out.push_back(effect::DeliverResponse{id_, response});
            return;
        default:
            discard(out, "response " + std::to_string(status));
    }
}

Effects InviteClientTransaction::handle(int64_t /*now_ms*/, const TransactionEvent& event) {
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
        if (!take_fired(t->timer)) return out;  // late: its state has passed
        switch (t->timer) {
            case TimerName::A:
                out.push_back(effect::Send{request_});
                timer_a_ms_ *= 2;
                start_timer(out, TimerName::A, timer_a_ms_);
                break;
            case TimerName::B:
                out.push_back(effect::TimedOut{id_, TimerName::B});
                terminate(out);
                break;
            case TimerName::D:
            case TimerName::M:
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
