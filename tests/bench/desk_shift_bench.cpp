// desk_shift_bench: events per second through Desk::handle, natively, replaying a busy 8-hour
// chat shift (docs/PERFORMANCE.md, "core throughput").
//
//   desk_shift_bench [SECONDS]   prints one JSON object on stdout
//
// First the shift is recorded: a scripted backend (below) plays switchboardd's part against a
// real Desk with a simulated clock — login, going available, chats offered all day (up to
// three at once), customers typing and writing, the agent answering, ending and wrapping up,
// heartbeats and every timer the desk asks for — and every event the desk receives is kept
// with its time. Then the recorded events are replayed into fresh desks, and only
// Desk::handle is timed. The replay must give the same effects as the recording (checked by
// count), or the figure means nothing.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "desk/desk.h"
#include "protocol/schema.h"

using nlohmann::json;
using namespace sb::desk;

namespace {

struct Recorded {
    int64_t at;
    Event event;
};

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kShiftMs = 8LL * 3600 * 1000;

json customer(int n) {
    return {{"id", "cu" + std::to_string(n)}, {"first_name", "Dana"}, {"last_name", "Whitfield"},
            {"phone", nullptr}, {"chat_identity", "dana" + std::to_string(n) + "@example.com"},
            {"email", "dana@example.com"}, {"notes", ""}, {"history", json::array()}};
}

json contact(const std::string& id, int n, const std::string& state, int64_t now) {
    return {{"id", id}, {"channel", "chat"}, {"state", state}, {"queue", "support"}, {"customer", customer(n)},
            {"message_count", 0}, {"last_message", nullptr}, {"created_at", now},
            {"offer_expires_at", state == "offered" ? json(now + 20'000) : json(nullptr)},
            {"accepted_at", state == "offered" ? json(nullptr) : json(now)}, {"ended_at", nullptr},
            {"ended_by", nullptr}, {"acw_expires_at", nullptr}, {"transfer", nullptr}, {"customer_typing", false}};
}

json message(const std::string& id, int64_t seq, const std::string& from, const std::string& text, int64_t at,
             json client_id) {
    json m = {{"id", id}, {"seq", seq}, {"from", from}, {"text", text}, {"at", at},
              {"agent", from == "agent" ? json("alice") : json(nullptr)}, {"status", "sent"}, {"segments", nullptr}};
    if (!client_id.is_null()) m["client_id"] = client_id;
    return m;
}

// The recording: a backend and a clock around one Desk.
class ShiftRecorder {
public:
    std::vector<Recorded> events;
    size_t effects = 0;
    size_t refused = 0;  // intents the desk refused: the script is wrong

    void run() {
        feed(Start{"ws://backend/desk", 42, std::nullopt});
        feed(TransportOpened{});
        intent(LoginIntent{"alice", "switchboard"});
        intent(SetStateIntent{sb::agent::Presence::Available, std::nullopt});
        int next_contact = 0;
        int64_t next_offer = now_ + 5'000;
        while (now_ < kStart + kShiftMs) {
            now_ += 1'000;  // one simulated second at a time
            fire_due_timers();
            if (now_ >= next_offer && chats_.size() < 3) {
                int n = next_contact++;
                std::string id = "k" + std::to_string(n);
                chats_[id] = Chat{n, now_ + 3'000, 0, 30 + n % 20};
                event("contact.offered", contact(id, n, "offered", now_));
                next_offer = now_ + 40'000 + (n % 7) * 10'000;
            }
            for (auto it = chats_.begin(); it != chats_.end();) {
                if (advance(it->first, it->second)) it = chats_.erase(it);
                else ++it;
            }
        }
    }

    const Desk& desk() const { return desk_; }

private:
    struct Chat {
        int n;
        int64_t next_at;
        int step;   // 0 offered; then turns; -1 ended, waiting for wrap-up
        int turns;  // customer/agent exchanges before the end
        int64_t messages = 0;  // the transcript's length: the next message's seq is one more
    };

    int64_t now_ = kStart;
    Desk desk_;
    std::map<TimerId, int64_t> timers_;
    int64_t seq_ = 3;
    uint64_t intent_id_ = 1;
    int message_id_ = 0;
    std::map<std::string, Chat> chats_;

    void feed(Event e) {
        events.push_back({now_, e});
        auto out = desk_.handle(now_, e);
        effects += out.size();
        for (auto& eff : out) {
            if (auto* t = std::get_if<StartTimer>(&eff)) timers_[t->timer] = now_ + t->delay_ms;
            else if (auto* c = std::get_if<CancelTimer>(&eff)) timers_.erase(c->timer);
            else if (auto* f = std::get_if<SendFrame>(&eff)) answer(json::parse(f->text));
            else if (auto* c = std::get_if<CompleteIntent>(&eff); c && c->error) {
                if (refused++ == 0) std::fprintf(stderr, "desk_shift_bench: the desk refused an intent: %s\n", c->error->message.c_str());
            }
        }
    }
    void intent(Intent i) { feed(IntentReceived{intent_id_++, std::move(i)}); }
    void event(const std::string& name, json data) {
        feed(FrameReceived{sb::protocol::event_frame(++seq_, name, std::move(data)).dump()});
    }
    void reply(const json& request, json result) {
        feed(FrameReceived{sb::protocol::reply_ok(request["id"].get<std::string>(), std::move(result)).dump()});
    }

    // The backend's answer to each request the desk sends.
    void answer(const json& r) {
        const std::string type = r.value("type", "");
        if (type == "hello") return reply(r, {{"version", sb::protocol::kVersion}, {"server", "bench"}, {"now", now_}, {"max_frame", 65536}});
        if (type == "login") {
            json agent = {{"username", "alice"}, {"display_name", "Alice Moreau"}, {"state", "offline"},
                          {"reason", nullptr}, {"state_since", now_}};
            return reply(r, {{"token", "tok-0123456789abcdef"}, {"expires_at", now_ + kShiftMs * 2}, {"seq", seq_},
                             {"agent", agent}, {"reason_codes", json::array()}, {"contacts", json::array()},
                             {"queues", json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"},
                                                      {"dispositions", json::array({{{"code", "resolved"}, {"label", "Resolved"}}})}}})},
                             {"canned_responses", json::array()}, {"agents", json::array()}});
        }
        if (type == "set_state")
            return reply(r, {{"agent", {{"username", "alice"}, {"display_name", "Alice Moreau"}, {"state", r["state"]},
                                       {"reason", nullptr}, {"state_since", now_}}}});
        if (type == "ping") return reply(r, {{"now", now_}});
        const std::string id = r.value("contact", "");
        auto chat = chats_.find(id);
        if (type == "accept" && chat != chats_.end()) return reply(r, {{"contact", contact(id, chat->second.n, "active", now_)}});
        if (type == "send_message") {
            int64_t seq = chat != chats_.end() ? ++chat->second.messages : 1;
            json m = message("m" + std::to_string(++message_id_), seq, "agent", r["text"], now_, r["client_id"]);
            reply(r, {{"message", m}});
            return event("contact.message", {{"contact", id}, {"message", m}});
        }
        if (type == "end" && chat != chats_.end()) {
            json c = contact(id, chat->second.n, "wrap_up", now_);
            c["ended_by"] = "agent";
            return reply(r, {{"contact", c}});
        }
        if (type == "wrap_up" && chat != chats_.end()) {
            reply(r, {{"contact", contact(id, chat->second.n, "closed", now_)}});
            return event("contact.ended", {{"contact", id}, {"reason", "closed"}});
        }
        reply(r, json::object());  // ping, typing, and anything else
    }

    void fire_due_timers() {
        for (bool fired = true; fired;) {
            fired = false;
            for (auto [timer, at] : timers_)
                if (at <= now_) {
                    timers_.erase(timer);
                    feed(TimerFired{timer});
                    fired = true;
                    break;
                }
        }
    }

    // One chat's next move; true when it is over.
    bool advance(const std::string& id, Chat& c) {
        if (now_ < c.next_at) return false;
        if (c.step == 0) {
            intent(AcceptIntent{id});
            c.step = 1;
            c.next_at = now_ + 4'000;
            return false;
        }
        if (c.step == -1) {
            intent(WrapUpIntent{id, "resolved", "Customer asked about their bill; explained the charges.", {"billing"}});
            return true;
        }
        if (c.step <= c.turns) {
            event("contact.typing", {{"contact", id}, {"typing", true}});
            event("contact.typing", {{"contact", id}, {"typing", false}});
            event("contact.message", {{"contact", id},
                                      {"message", message("m" + std::to_string(++message_id_), ++c.messages, "customer",
                                                          "I was charged twice for last month, can you check order 12345?", now_, nullptr)}});
            intent(MarkReadIntent{id});
            intent(SaveDraftIntent{id, std::string("Let me look at that for you"), std::nullopt});
            intent(SendMessageIntent{id, "Let me look at that for you, one moment please."});
            ++c.step;
            c.next_at = now_ + 8'000 + (c.step % 5) * 1'000;
            return false;
        }
        intent(EndIntent{id});
        c.step = -1;
        c.next_at = now_ + 15'000;
        return false;
    }
};

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    ShiftRecorder recorder;
    recorder.run();
    // A shift the desk refused any part of, or one that leaves contacts behind, is not the
    // busy day it claims to be.
    if (recorder.refused || recorder.desk().state().contacts.size() > 3) {
        std::fprintf(stderr, "desk_shift_bench: the recording went wrong (%zu intents refused, %zu contacts left)\n",
                     recorder.refused, recorder.desk().state().contacts.size());
        return 1;
    }
    const auto& events = recorder.events;

    using clock = std::chrono::steady_clock;
    size_t handled = 0, replays = 0, effects_seen = 0;
    const auto start = clock::now();
    double elapsed = 0;
    do {
        Desk desk;
        size_t effects = 0;
        for (const auto& r : events) effects += desk.handle(r.at, r.event).size();
        if (effects != recorder.effects) {
            std::fprintf(stderr, "desk_shift_bench: the replay gave %zu effects, the recording %zu\n", effects, recorder.effects);
            return 1;
        }
        effects_seen = effects;
        handled += events.size();
        ++replays;
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < seconds);
    std::printf("{\"shift_hours\": 8, \"events\": %zu, \"effects\": %zu, \"replays\": %zu, \"seconds\": %.3f, \"events_per_s\": %.0f}\n",
                events.size(), effects_seen, replays, elapsed, handled / elapsed);
    return 0;
}
