// What the four transactions share: names, ids, timer bookkeeping, and the messages a
// transaction builds itself (100 Trying, the ACK for a non-2xx final response).
#include "sip/transaction.h"

#include <iterator>

#include "sip/address.h"
#include "sip/fields.h"

namespace sb::sip {

// ---- names ------------------------------------------------------------------------------------
std::string_view to_string(TransactionKind k) {
    switch (k) {
        case TransactionKind::invite_client: return "invite_client";
        case TransactionKind::non_invite_client: return "non_invite_client";
        case TransactionKind::invite_server: return "invite_server";
        case TransactionKind::non_invite_server: return "non_invite_server";
    }
    return "?";
}

std::string_view to_string(TransactionState s) {
    switch (s) {
        case TransactionState::calling: return "calling";
        case TransactionState::trying: return "trying";
        case TransactionState::proceeding: return "proceeding";
        case TransactionState::completed: return "completed";
        case TransactionState::confirmed: return "confirmed";
        case TransactionState::accepted: return "accepted";
        case TransactionState::terminated: return "terminated";
    }
    return "?";
}

std::string_view to_string(TimerName t) {
    static constexpr std::string_view kNames[] = {"A", "B", "D", "E", "F", "K", "G", "H", "I", "J", "L", "M",
                                                  "register_refresh", "register_retry", "keepalive", "keepalive_pong"};
    auto i = size_t(t);
    return i < std::size(kNames) ? kNames[i] : "?";
}

std::string TransactionId::key() const {
    std::string k = std::string(server ? "s|" : "c|") + branch + "|" + method;
    if (server) k += "|" + sent_by;
    return k;
}

std::string Timer::key() const {
    if (transaction.empty()) return std::string(to_string(name));
    return transaction.key() + "|" + std::string(to_string(name));
}

// ---- timer bookkeeping ------------------------------------------------------------------------
void Transaction::start_timer(Effects& out, TimerName t, int64_t delay_ms) {
    running_ |= 1u << unsigned(t);
    out.push_back(effect::StartTimer{Timer{id_, t}, delay_ms});
}

void Transaction::cancel_timer(Effects& out, TimerName t) {
    if (!timer_running(t)) return;
    running_ &= ~(1u << unsigned(t));
    out.push_back(effect::CancelTimer{Timer{id_, t}});
}

bool Transaction::take_fired(TimerName t) {
    if (!timer_running(t)) return false;
    running_ &= ~(1u << unsigned(t));
    return true;
}

void Transaction::terminate(Effects& out) {
    for (unsigned t = 0; t < 32; ++t)
        if ((running_ >> t) & 1u) cancel_timer(out, TimerName(t));
    state_ = TransactionState::terminated;
    out.push_back(effect::Terminated{id_});
}

void Transaction::wait_or_terminate(Effects& out, TransactionState next, TimerName t, int64_t unreliable_ms) {
    state_ = next;
    if (config_.reliable) {
        terminate(out);
    } else {
        start_timer(out, t, unreliable_ms);
    }
}

void Transaction::discard(Effects& out, std::string_view what) const {
    out.push_back(effect::Discarded{make_error(std::string(kTxWrongState),
                                               std::string(what) + " in state " + std::string(to_string(state_)) +
                                                   " of " + std::string(to_string(kind_)) + " transaction " +
                                                   id_.branch)});
}

// ---- building ---------------------------------------------------------------------------------
std::string top_branch(const Message& m) {
    auto top = m.find(HeaderId::via);
    if (!top) return {};
    auto values = split_list(top->value);
    if (values.empty()) return {};
    auto via = parse_via(values.front());
    if (!via) return {};
    return std::string(via.value().branch());
}

Result<Message> make_response(const Message& request, int status, std::string_view reason, std::string_view to_tag) {
    auto built = Message::response(status, reason);
    if (!built) return built.error();
    Message r = std::move(built.value());
    for (size_t i = 0; i < request.header_count(); ++i) {
        Header h = request.header(i);
        if (h.id == HeaderId::via) {
            if (auto s = r.add_header("Via", h.value); !s) return s.error();
        }
    }
    if (auto from = request.find(HeaderId::from)) {
        if (auto s = r.add_header("From", from->value); !s) return s.error();
    }
    if (auto to = request.find(HeaderId::to)) {
        std::string value(to->value);
        auto parsed = parse_name_addr(to->value, "To");
        if (!to_tag.empty() && parsed && parsed.value().tag().empty()) value += ";tag=" + std::string(to_tag);
        if (auto s = r.add_header("To", value); !s) return s.error();
    }
    if (auto call_id = request.find(HeaderId::call_id)) {
        if (auto s = r.add_header("Call-ID", call_id->value); !s) return s.error();
    }
    if (auto cseq = request.find(HeaderId::cseq)) {
        if (auto s = r.add_header("CSeq", cseq->value); !s) return s.error();
    }
    return r;
}

Result<Message> make_non_2xx_ack(const Message& invite, const Message& response) {
    auto built = Message::request("ACK", invite.uri());
    if (!built) return built.error();
    Message ack = std::move(built.value());
    auto cseq = read_cseq(invite);
    if (!cseq) return cseq.error();
    auto top = invite.find(HeaderId::via);
    auto from = invite.find(HeaderId::from);
    auto call_id = invite.find(HeaderId::call_id);
    auto to = response.find(HeaderId::to);
    if (!top || !from || !call_id || !to)
        return make_error(std::string(kTxBadMessage), "cannot build an ACK without Via, From, Call-ID and To");
    auto vias = split_list(top->value);
    Status s = ack.add_header("Via", vias.empty() ? top->value : vias.front());
    if (s) s = ack.add_header("Max-Forwards", "70");
    if (s) s = ack.add_header("From", from->value);
    if (s) s = ack.add_header("To", to->value);
    if (s) s = ack.add_header("Call-ID", call_id->value);
    if (s) s = ack.add_header("CSeq", std::to_string(cseq.value().number) + " ACK");
    for (size_t i = 0; s && i < invite.header_count(); ++i) {
        Header h = invite.header(i);
        if (h.id == HeaderId::route) s = ack.add_header("Route", h.value);
    }
    if (!s) return s.error();
    return ack;
}

Result<Message> make_cancel(const Message& invite) {
    if (!invite.is_request() || invite.method() != "INVITE")
        return make_error(std::string(kTxBadMessage), "only an INVITE can be cancelled");
    auto built = Message::request("CANCEL", invite.uri());
    if (!built) return built.error();
    Message cancel = std::move(built.value());
    auto cseq = read_cseq(invite);
    auto top = invite.find(HeaderId::via);
    auto from = invite.find(HeaderId::from);
    auto to = invite.find(HeaderId::to);
    auto call_id = invite.find(HeaderId::call_id);
    if (!cseq || !top || !from || !to || !call_id)
        return make_error(std::string(kTxBadMessage), "cannot build a CANCEL without Via, From, To, Call-ID and CSeq");
    auto vias = split_list(top->value);
    Status s = cancel.add_header("Via", vias.empty() ? top->value : vias.front());
    if (s) s = cancel.add_header("Max-Forwards", "70");
    if (s) s = cancel.add_header("From", from->value);
    if (s) s = cancel.add_header("To", to->value);
    if (s) s = cancel.add_header("Call-ID", call_id->value);
    if (s) s = cancel.add_header("CSeq", std::to_string(cseq.value().number) + " CANCEL");
    for (size_t i = 0; s && i < invite.header_count(); ++i) {
        Header h = invite.header(i);
        if (h.id == HeaderId::route) s = cancel.add_header("Route", h.value);
    }
    if (!s) return s.error();
    return cancel;
}

}  // namespace sb::sip
