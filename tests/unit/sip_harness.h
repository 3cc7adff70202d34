// tests/unit/sip_harness.h: what the SIP layer tests share: messages from text, effects as
// one readable line ("send INVITE; start A 500; start B 32000"), and a hand-held clock that
// fires named timers in order.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "sip/message.h"
#include "sip/transaction.h"

namespace sb::test {

using namespace sb::sip;

inline Message sip_message(std::string text) {
    auto r = parse_message(std::move(text));
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r.value();
}

// A request from alice's UA over WebSocket; `extra` are more header lines ("Route: <...>\r\n").
inline Message request(std::string_view method, std::string_view branch, uint32_t cseq = 1,
                       std::string_view extra = "", std::string_view cseq_method = {}) {
    std::string m(method);
    return sip_message(m + " sip:bob@biloxi.example.com SIP/2.0\r\n"
               "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=" + std::string(branch) + "\r\n"
               "Max-Forwards: 70\r\n"
               "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
               "To: Bob <sip:bob@biloxi.example.com>\r\n"
               "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
               "CSeq: " + std::to_string(cseq) + " " + std::string(cseq_method.empty() ? method : cseq_method) + "\r\n" +
               std::string(extra) + "Content-Length: 0\r\n\r\n");
}

inline Message response_to(const Message& req, int status, std::string_view reason = "X",
                           std::string_view to_tag = "a6c85cf") {
    auto r = make_response(req, status, reason, status > 100 ? to_tag : std::string_view{});
    REQUIRE(r.ok());
    // Through the wire and back, as the far end's message would arrive.
    return sip_message(r.value().serialize());
}

inline std::string describe(const Effect& e) {
    using namespace sb::sip::effect;
    if (auto* s = std::get_if<Send>(&e))
        return "send " + (s->message.is_request() ? std::string(s->message.method()) : std::to_string(s->message.status()));
    if (std::holds_alternative<SendKeepalive>(e)) return "keepalive";
    if (auto* t = std::get_if<StartTimer>(&e))
        return "start " + std::string(to_string(t->timer.name)) + " " + std::to_string(t->delay_ms);
    if (auto* t = std::get_if<CancelTimer>(&e)) return "cancel " + std::string(to_string(t->timer.name));
    if (auto* d = std::get_if<DeliverRequest>(&e))
        return "deliver " + std::string(d->request.method()) + (d->transaction.empty() ? " (stray)" : "");
    if (auto* d = std::get_if<DeliverResponse>(&e))
        return "deliver " + std::to_string(d->response.status()) + (d->transaction.empty() ? " (stray)" : "");
    if (auto* t = std::get_if<TimedOut>(&e)) return "timeout " + std::string(to_string(t->timer));
    if (std::holds_alternative<TransportFailed>(e)) return "transport failed";
    if (std::holds_alternative<Terminated>(e)) return "terminated";
    if (auto* d = std::get_if<Discarded>(&e)) return "discard " + d->reason.code;
    return "?";
}

inline std::string describe(const Effects& effects) {
    std::string out;
    for (const auto& e : effects) out += (out.empty() ? "" : "; ") + describe(e);
    return out;
}

template <class T>
std::vector<T> all_of(const Effects& effects) {
    std::vector<T> out;
    for (const auto& e : effects)
        if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
    return out;
}

template <class T>
const T* first_of(const Effects& effects) {
    for (const auto& e : effects)
        if (auto* p = std::get_if<T>(&e)) return p;
    return nullptr;
}

// Named timers as a platform keeps them: StartTimer replaces a timer of the same key,
// CancelTimer removes it, and `due(now)` pops the earliest timer due by then.
struct TimerWheel {
    struct Entry {
        int64_t due;
        Timer timer;
    };
    std::map<std::string, Entry> timers;

    void apply(int64_t now, const Effects& effects) {
        for (const auto& e : effects) {
            if (auto* s = std::get_if<effect::StartTimer>(&e)) timers[s->timer.key()] = {now + s->delay_ms, s->timer};
            if (auto* c = std::get_if<effect::CancelTimer>(&e)) timers.erase(c->timer.key());
        }
    }
    // The earliest timer due at or before `now`, removed; nullopt when none is due.
    std::optional<Entry> pop_due(int64_t now) {
        auto best = timers.end();
        for (auto it = timers.begin(); it != timers.end(); ++it)
            if (it->second.due <= now && (best == timers.end() || it->second.due < best->second.due)) best = it;
        if (best == timers.end()) return std::nullopt;
        Entry e = best->second;
        timers.erase(best);
        return e;
    }
    std::optional<int64_t> next_due() const {
        std::optional<int64_t> n;
        for (const auto& [k, e] : timers)
            if (!n || e.due < *n) n = e.due;
        return n;
    }
};

}  // namespace sb::test
