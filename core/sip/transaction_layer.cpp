// The transaction layer: matching (RFC 3261 17.1.3, 17.2.3), creation and clean-up.
#include "sip/transaction_layer.h"

#include <cstdio>

#include "sip/checks.h"
#include "sip/fields.h"

namespace sb::sip {
namespace {

Error error(std::string_view code, std::string message) { return make_error(std::string(code), std::move(message)); }

std::string describe(const Message& m) {
    if (m.is_request()) return "request " + std::string(m.method());
    return "response " + std::to_string(m.status());
}

struct TopVia {
    std::string branch;
    std::string sent_by;
};

Result<TopVia> top_via(const Message& m) {
    auto top = m.find(HeaderId::via);
    if (!top) return error(kTxBadMessage, describe(m) + " has no Via");
    auto values = split_list(top->value);
    auto via = parse_via(values.empty() ? top->value : values.front());
    if (!via) return error(kTxBadMessage, describe(m) + ": " + via.error().message);
    TopVia out;
    out.branch = std::string(via.value().branch());
    out.sent_by = std::string(via.value().host);
    if (via.value().port) out.sent_by += ":" + std::to_string(*via.value().port);
    if (out.branch.empty()) return error(kTxNoBranch, describe(m) + " has no branch in its top Via");
    if (out.branch.compare(0, kMagicCookie.size(), kMagicCookie) != 0)
        return error(kTxNoBranch, describe(m) + " has branch " + out.branch +
                                      " without the RFC 3261 magic cookie z9hG4bK (RFC 2543 peers are not supported)");
    return out;
}

Result<std::string> method_of(const Message& m) {
    auto cseq = read_cseq(m);
    if (!cseq) return error(kTxBadMessage, describe(m) + ": " + cseq.error().message);
    if (m.is_request()) return std::string(m.method());
    return std::string(cseq.value().method);
}

}  // namespace

std::string make_branch(uint64_t random) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(random));
    return std::string(kMagicCookie) + buf;
}

Result<TransactionId> TransactionLayer::client_id(const Message& m) {
    auto via = top_via(m);
    if (!via) return via.error();
    auto method = method_of(m);
    if (!method) return method.error();
    return TransactionId{via.value().branch, method.value(), false, {}};
}

Result<TransactionId> TransactionLayer::server_id(const Message& m) {
    auto via = top_via(m);
    if (!via) return via.error();
    auto method = method_of(m);
    if (!method) return method.error();
    std::string name = method.value() == "ACK" ? "INVITE" : method.value();
    return TransactionId{via.value().branch, name, true, via.value().sent_by};
}

const Transaction* TransactionLayer::find(const TransactionId& id) const {
    auto it = transactions_.find(id.key());
    return it == transactions_.end() ? nullptr : it->second.get();
}

std::vector<TransactionId> TransactionLayer::ids() const {
    std::vector<TransactionId> out;
    for (const auto& [key, tx] : transactions_) out.push_back(tx->id());
    return out;
}

Effects TransactionLayer::handle(int64_t now_ms, const LayerEvent& event) {
    if (auto* e = std::get_if<layer_event::SendRequest>(&event)) return send_request(now_ms, e->request);
    if (auto* e = std::get_if<layer_event::SendResponse>(&event)) return send_response(now_ms, e->response);
    if (auto* e = std::get_if<layer_event::Received>(&event)) return received(now_ms, e->message);
    if (auto* e = std::get_if<layer_event::TimerFired>(&event)) {
        if (e->timer.transaction.empty() || !find(e->timer.transaction)) return {};  // late: already gone
        return dispatch(now_ms, e->timer.transaction, tx_event::TimerFired{e->timer.name});
    }
    const auto& failed = std::get<layer_event::TransportError>(event);
    if (!find(failed.transaction)) return {};
    return dispatch(now_ms, failed.transaction, tx_event::TransportError{});
}

Effects TransactionLayer::dispatch(int64_t now_ms, const TransactionId& id, const TransactionEvent& event) {
    auto it = transactions_.find(id.key());
    Effects out = it->second->handle(now_ms, event);
    if (it->second->terminated()) transactions_.erase(it);
    return out;
}

Effects TransactionLayer::send_request(int64_t now_ms, const Message& request) {
    if (!request.is_request()) return {effect::Discarded{error(kTxBadMessage, "SendRequest given a response")}};
    if (auto s = check_semantics(request); !s) return {effect::Discarded{s.error()}};
    if (request.method() == "ACK") return {effect::Send{request}};  // an ACK for a 2xx: no transaction
    auto id = client_id(request);
    if (!id) return {effect::Discarded{id.error()}};
    if (find(id.value()))
        return {effect::Discarded{error(kTxDuplicate, "a " + id.value().method + " transaction with branch " +
                                                          id.value().branch + " already exists")}};
    std::unique_ptr<Transaction> tx;
    if (request.method() == "INVITE") {
        tx = std::make_unique<InviteClientTransaction>(id.value(), request, config_);
    } else {
        tx = std::make_unique<NonInviteClientTransaction>(id.value(), request, config_);
    }
    Effects out = tx->start(now_ms);
    if (!tx->terminated()) transactions_.emplace(id.value().key(), std::move(tx));
    return out;
}

Effects TransactionLayer::send_response(int64_t now_ms, const Message& response) {
    if (!response.is_response()) return {effect::Discarded{error(kTxBadMessage, "SendResponse given a request")}};
    auto id = server_id(response);
    if (!id) return {effect::Discarded{id.error()}};
    if (!find(id.value()))
        return {effect::Discarded{error(kTxNoMatch, describe(response) + " to " + id.value().method +
                                                        " matches no server transaction (branch " +
                                                        id.value().branch + ")")}};
    return dispatch(now_ms, id.value(), tx_event::Respond{response});
}

Effects TransactionLayer::received(int64_t now_ms, const Message& message) {
    if (message.is_response()) {
        auto id = client_id(message);
        if (!id) return {effect::Discarded{id.error()}};
        if (find(id.value())) return dispatch(now_ms, id.value(), tx_event::Received{message});
        // 17.1.3: an unmatched response goes to the core; only a 2xx to an INVITE (retransmitted
        // after Timer M, or a late fork) means anything there, so the rest are dropped here.
        if (id.value().method == "INVITE" && message.status() >= 200 && message.status() < 300)
            return {effect::DeliverResponse{TransactionId{}, message}};
        return {effect::Discarded{error(kTxNoMatch, describe(message) + " to " + id.value().method +
                                                        " matches no client transaction (branch " +
                                                        id.value().branch + ")")}};
    }

    if (auto s = check_semantics(message); !s) {
        Effects out;
        if (message.method() != "ACK" && message.find(HeaderId::via)) {
            std::string reason = s.error().message.substr(0, 120);
            auto bad = make_response(message, 400, reason);
            if (bad) out.push_back(effect::Send{std::move(bad.value())});
        }
        out.push_back(effect::Discarded{s.error()});
        return out;
    }
    auto id = server_id(message);
    if (!id) return {effect::Discarded{id.error()}};
    if (find(id.value())) return dispatch(now_ms, id.value(), tx_event::Received{message});
    if (message.method() == "ACK") return {effect::DeliverRequest{TransactionId{}, message}};  // ACK to a 2xx
    std::unique_ptr<Transaction> tx;
    if (message.method() == "INVITE") {
        tx = std::make_unique<InviteServerTransaction>(id.value(), message, config_);
    } else {
        tx = std::make_unique<NonInviteServerTransaction>(id.value(), message, config_);
    }
    Effects out = tx->start(now_ms);
    if (!tx->terminated()) transactions_.emplace(id.value().key(), std::move(tx));
    return out;
}

}  // namespace sb::sip
