// tests/unit/desk_harness.h: drives a Desk as a platform would, with a hand-held clock, and
// plays the backend's part. Every frame the desk sends is checked against the protocol's
// request table (parse_request), so a desk that sends a malformed request fails any test.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "desk/desk.h"
#include "protocol/schema.h"

namespace sb::test {

using nlohmann::json;
using namespace sb;
using namespace sb::desk;

struct DeskHarness {
    Desk desk;
    int64_t now = 1'700'000'000'000;
    std::vector<Effect> effects;  // from the last step
    std::vector<json> sent;       // every request the desk sent, in order
    uint64_t next_intent = 1;

    explicit DeskHarness(DeskConfig config = {}) : desk(config) {}

    const DeskState& s() const { return desk.state(); }

    std::vector<Effect>& step(const Event& e) {
        effects = desk.handle(now, e);
        for (const auto& eff : effects) {
            // Every flow the tests drive keeps to the lifecycles' tables (desk/lifecycles.cpp).
            if (auto* l = std::get_if<Log>(&eff))
                CHECK_MESSAGE((l->message.find("refused") == std::string::npos || l->level != LogLevel::Error),
                              "a lifecycle move was refused: " << l->message);
            if (auto* f = std::get_if<SendFrame>(&eff)) {
                auto parsed = protocol::parse_request(f->text);
                REQUIRE_MESSAGE(parsed.ok(), "desk sent an invalid request: " << f->text);
                sent.push_back(parsed.value().body);
            }
        }
        return effects;
    }

    template <class T>
    const T* find() const {
        for (const auto& e : effects)
            if (auto* p = std::get_if<T>(&e)) return p;
        return nullptr;
    }
    template <class T>
    int count() const {
        int n = 0;
        for (const auto& e : effects) n += std::holds_alternative<T>(e) ? 1 : 0;
        return n;
    }
    const StartTimer* timer(TimerId id) const {
        for (const auto& e : effects)
            if (auto* p = std::get_if<StartTimer>(&e); p && p->timer == id) return p;
        return nullptr;
    }
    const CompleteIntent* completion(uint64_t id) const {
        for (const auto& e : effects)
            if (auto* p = std::get_if<CompleteIntent>(&e); p && p->id == id) return p;
        return nullptr;
    }

    // The last request sent, leaving out the desk's own lookups of agents' names (an `agents`
    // request with `usernames`, sent whenever a frame brings a username it cannot name): tests
    // that look at those find them with unanswered("agents").
    const json& last_sent() const {
        for (auto it = sent.rbegin(); it != sent.rend(); ++it)
            if (!((*it)["type"] == "agents" && it->contains("usernames"))) return *it;
        return sent.back();
    }

    void reply_ok(json result) {
        step(FrameReceived{protocol::reply_ok(last_sent()["id"].get<std::string>(), std::move(result)).dump()});
    }
    // Answers an earlier request (one of `sent`), not necessarily the last.
    void reply_to(const json& request, json result) {
        step(FrameReceived{protocol::reply_ok(request["id"].get<std::string>(), std::move(result)).dump()});
    }
    // The requests of `type` sent and not answered yet.
    std::vector<json> unanswered(const std::string& type) const {
        std::vector<json> out;
        for (const json& r : sent)
            if (r["type"] == type && s().pending.count(r["id"].get<std::string>())) out.push_back(r);
        return out;
    }
    void reply_error(const std::string& code, const std::string& message = "no") {
        step(FrameReceived{protocol::reply_error(last_sent()["id"], make_error(code, message)).dump()});
    }
    void event(int64_t seq, const std::string& name, json data) {
        step(FrameReceived{protocol::event_frame(seq, name, std::move(data)).dump()});
    }

    uint64_t intent(Intent i) {
        uint64_t id = next_intent++;
        step(IntentReceived{id, std::move(i)});
        return id;
    }

    // Start, open, and answer hello: a connected desk.
    void connect(std::optional<StoredSession> stored = std::nullopt) {
        step(Start{"ws://backend/desk", 42, std::move(stored)});
        step(TransportOpened{});
        REQUIRE(last_sent()["type"] == "hello");
        reply_ok({{"version", 3}, {"server", "test"}, {"now", now + 5000}, {"max_frame", 65536}});
    }

    static json agent(const std::string& state = "offline", json reason = nullptr, int64_t since = 1'699'999'000'000) {
        return {{"username", "alice"}, {"display_name", "Alice Moreau"}, {"state", state}, {"reason", reason},
                {"state_since", since}};
    }
    static json session(int64_t seq = 3, json agent_json = agent()) {
        return {{"token", "tok-0123456789abcdef"}, {"expires_at", 1'700'043'200'000}, {"seq", seq},
                {"agent", agent_json},
                {"reason_codes", json::array({{{"code", "break"}, {"label", "Break"}}, {{"code", "lunch"}, {"label", "Lunch"}}})}};
    }

    // A connected, logged-in desk.
    void login() {
        connect();
        uint64_t id = intent(LoginIntent{"alice", "switchboard"});
        REQUIRE(last_sent()["type"] == "login");
        reply_ok(session());
        REQUIRE(completion(id));
        REQUIRE(s().session == SessionState::LoggedIn);
    }
};

// A desk signed in as bob with these open contacts in its session.
inline void signed_in_with(DeskHarness& h, json contacts) {
    h.connect();
    h.intent(LoginIntent{"bob", "switchboard"});
    json session = DeskHarness::session(3);
    session["contacts"] = std::move(contacts);
    h.reply_ok(session);
    REQUIRE(h.s().session == SessionState::LoggedIn);
}

// How an intent ended: "ok" or its error's code.
inline std::string outcome(DeskHarness& h, uint64_t id) {
    auto* c = h.completion(id);
    REQUIRE(c);
    return c->error ? c->error->code : "ok";
}

}  // namespace sb::test
