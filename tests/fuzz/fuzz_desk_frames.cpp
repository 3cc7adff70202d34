// fuzz_desk_frames: a logged-in desk holding a chat and an SMS contact, with requests waiting
// for their replies, receives whatever the backend might send: the input, split at newlines,
// arrives as one frame per line. Nothing may crash or throw; the state must still serialize for
// the JS API, and what the desk sends stays valid.
//
// Byte mutations alone rarely turn a valid frame into one whose field has another JSON type
// (null for a string, an object for a number), which is what nlohmann's accessors throw on. So
// the target also mutates structure: a line that is JSON is sent again with one of its values
// (objects' members and arrays' elements, at any depth) replaced by a value of another type.
// Which value and which type come from bytes of the input: a line may begin "~XY" (X picks the
// value, Y the replacement) and is then sent only mutated; otherwise the line's own bytes pick.
//
// Waiting when the frames arrive (their ids, for seeds that answer them): "3" set_state
// not_ready/break, "4" sessions, "5" send_message on c1, "6" update_customer cu-c1, "7"
// payment_start on c1, "8" accept c3 (offered). The contacts start with empty transcripts, so
// that a frame saying one has messages (a contact.updated, a contact.message past a gap) makes
// the desk ask for them: get_messages "9", then "10"...
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "desk/desk.h"
#include "desk/state_json.h"
#include "protocol/schema.h"

using nlohmann::json;
using namespace sb::desk;

namespace {

int64_t now = 1'700'000'000'000;

std::string last_request_id(const std::vector<Effect>& effects) {
    std::string id;
    for (const auto& e : effects) {
        if (auto* f = std::get_if<SendFrame>(&e)) {
            auto r = sb::protocol::parse_request(f->text);
            if (!r) std::abort();  // the desk itself must never send an invalid request
            id = r.value().id;
        }
        // Desk::handle's last resort caught a throw: a decoder relied on it.
        if (auto* l = std::get_if<Log>(&e); l && l->message.find(kHandlerFailed) != std::string::npos) std::abort();
    }
    return id;
}

std::vector<Effect> handle(Desk& desk, const Event& e) {
    auto effects = desk.handle(now, e);
    (void)last_request_id(effects);
    return effects;
}

json contact(const std::string& id, const std::string& channel, const std::string& state) {
    json customer = {{"id", "cu-" + id}, {"first_name", "Dana"}, {"last_name", "Whitfield"}, {"phone", "+15550100001"},
                     {"chat_identity", nullptr}, {"email", nullptr}, {"notes", ""}, {"history", json::array()}};
    return {{"id", id}, {"channel", channel}, {"state", state}, {"queue", "support"}, {"customer", customer},
            {"message_count", 0}, {"last_message", nullptr}, {"created_at", now - 60'000}, {"offer_expires_at", nullptr},
            {"accepted_at", now - 30'000}, {"ended_at", nullptr}, {"ended_by", nullptr}, {"acw_expires_at", nullptr},
            {"transfer", nullptr}, {"customer_typing", false}};
}

void logged_in(Desk& desk) {
    handle(desk, Start{"ws://backend/desk", 7, std::nullopt, ""});
    auto hello = desk.handle(now, TransportOpened{});
    handle(desk, FrameReceived{sb::protocol::reply_ok(last_request_id(hello),
                                                      {{"version", sb::protocol::kVersion}, {"server", "fuzz"}, {"now", now}, {"max_frame", 65536}})
                                   .dump()});
    auto login = desk.handle(now, IntentReceived{1, Intent{LoginIntent{"alice", "switchboard"}}});
    json session = {{"token", "tok-0123456789abcdef"}, {"expires_at", now + 3'600'000}, {"seq", 3},
                    {"agent", {{"username", "alice"}, {"display_name", "Alice"}, {"state", "available"}, {"reason", nullptr},
                               {"state_since", now}}},
                    {"reason_codes", json::array({{{"code", "break"}, {"label", "Break"}}})},
                    {"contacts", json::array({contact("c1", "chat", "active"), contact("c2", "sms", "active"),
                                              contact("c3", "chat", "offered")})},
                    {"queues", json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"},
                                             {"dispositions", json::array({{{"code", "resolved"}, {"label", "Resolved"}}})}}})},
                    {"canned_responses", json::array()},
                    {"agents", json::array()}};
    handle(desk, FrameReceived{sb::protocol::reply_ok(last_request_id(login), session).dump()});
    // Requests "3" to "8" (see the top), so that replies have something to answer.
    handle(desk, IntentReceived{2, Intent{SetStateIntent{sb::agent::Presence::NotReady, "break"}}});
    handle(desk, IntentReceived{3, Intent{SessionsIntent{}}});
    handle(desk, IntentReceived{4, Intent{SendMessageIntent{"c1", "hello"}}});
    handle(desk, IntentReceived{5, Intent{UpdateCustomerIntent{"cu-c1", "Dee", {}, {}, {}}}});
    handle(desk, IntentReceived{6, Intent{PaymentStartIntent{"c1", 4599, "USD"}}});
    handle(desk, IntentReceived{7, Intent{AcceptIntent{"c3"}}});
}

// ---- structure-aware mutation ------------------------------------------------------------------

// A value of type `pick % 7` (null, boolean, integer, float, string, object, array), in a few
// variants each (pick / 7): the edges a reader might trip on.
json replacement(uint8_t pick) {
    int variant = (pick / 7) % 3;
    switch (pick % 7) {
        case 0: return nullptr;
        case 1: return variant == 0;
        case 2: return variant == 0 ? json(-1) : variant == 1 ? json(std::numeric_limits<int64_t>::max())
                                                              : json(std::numeric_limits<uint64_t>::max());
        case 3: return variant == 0 ? json(1.5) : variant == 1 ? json(-1e308) : json(0.0);
        case 4: return variant == 0 ? json("") : variant == 1 ? json("c1") : json(std::string(300, 'x'));
        case 5: return variant == 0 ? json::object() : json{{"id", "c1"}, {"type", "event"}};
        default: return variant == 0 ? json::array() : json::array({nullptr, 1, "c1"});
    }
}

// The `n`th value below the root, in preorder; counts them in `seen`.
json* nth_value(json& v, size_t n, size_t& seen) {
    if (!v.is_object() && !v.is_array()) return nullptr;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (seen++ == n) return &*it;
        if (json* found = nth_value(*it, n, seen)) return found;
    }
    return nullptr;
}

// `doc` with one of its values replaced: value `which` (modulo their number) by replacement(type).
bool mutate(json& doc, size_t which, uint8_t type) {
    size_t count = 0;
    nth_value(doc, SIZE_MAX, count);
    if (count == 0) return false;
    size_t seen = 0;
    json* target = nth_value(doc, which % count, seen);
    if (!target) return false;
    *target = replacement(type);
    return true;
}

// Nested deeper than the desk reads (it refuses such frames before parsing): not worth a
// mutation, and nth_value recurses.
bool shallow(std::string_view text) {
    int depth = 0;
    for (char c : text) {
        if (c == '[' || c == '{') ++depth;
        if (depth > 32) return false;
    }
    return true;
}

void deliver(Desk& desk, std::string_view line) {
    std::string_view frame = line;
    bool directed = line.size() >= 3 && line[0] == '~';
    size_t which = 0;
    uint8_t type = 0;
    if (directed) {
        which = static_cast<uint8_t>(line[1]);
        type = static_cast<uint8_t>(line[2]);
        frame = line.substr(3);
    } else if (!line.empty()) {
        which = static_cast<uint8_t>(line.back()) + line.size();
        type = static_cast<uint8_t>(line[line.size() / 2]);
    }
    now += 10;
    if (!directed) handle(desk, FrameReceived{std::string(frame)});
    if (!shallow(frame)) return;
    json doc = json::parse(frame.begin(), frame.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !mutate(doc, which, type)) return;
    now += 10;
    handle(desk, FrameReceived{doc.dump(-1, ' ', false, json::error_handler_t::replace)});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Desk desk;
    logged_in(desk);
    if (desk.state().session != SessionState::LoggedIn) std::abort();
    std::string_view input(reinterpret_cast<const char*>(data), size);
    size_t pos = 0;
    while (pos <= input.size()) {
        size_t nl = input.find('\n', pos);
        deliver(desk, input.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    (void)sb::desk::state_to_json(desk.state(), now).dump(-1, ' ', false, json::error_handler_t::replace);
    // Intents still go through whatever state the frames left (every frame sent is checked).
    handle(desk, IntentReceived{99, Intent{SendMessageIntent{"c1", "still here"}}});
    handle(desk, IntentReceived{100, Intent{EndIntent{"c2"}}});
    return 0;
}
