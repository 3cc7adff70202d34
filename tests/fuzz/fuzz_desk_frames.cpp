// fuzz_desk_frames: a logged-in desk holding a chat and an SMS contact receives whatever the
// backend might send: the input, split at newlines, arrives as one frame per line. Nothing may
// crash; the state must still serialize for the JS API, and what the desk sends stays valid.
#include <cstdint>
#include <cstdlib>
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
    for (const auto& e : effects)
        if (auto* f = std::get_if<SendFrame>(&e)) {
            auto r = sb::protocol::parse_request(f->text);
            if (!r) std::abort();  // the desk itself must never send an invalid request
            return r.value().id;
        }
    return "";
}

json contact(const std::string& id, const std::string& channel, const std::string& state) {
    json customer = {{"id", "cu-" + id}, {"first_name", "Dana"}, {"last_name", "Whitfield"}, {"phone", "+15550100001"},
                     {"chat_identity", nullptr}, {"email", nullptr}, {"notes", ""}, {"history", json::array()}};
    json message = {{"id", "m-" + id}, {"from", "customer"}, {"text", "Hello"}, {"at", now}, {"agent", nullptr},
                    {"status", "delivered"}, {"segments", channel == "sms" ? json(1) : json(nullptr)}};
    return {{"id", id}, {"channel", channel}, {"state", state}, {"queue", "support"}, {"customer", customer},
            {"messages", json::array({message})}, {"created_at", now - 60'000}, {"offer_expires_at", nullptr},
            {"accepted_at", now - 30'000}, {"ended_at", nullptr}, {"ended_by", nullptr}, {"acw_expires_at", nullptr},
            {"transfer", nullptr}, {"customer_typing", false}};
}

void logged_in(Desk& desk) {
    desk.handle(now, Start{"ws://backend/desk", 7, std::nullopt, ""});
    auto hello = desk.handle(now, TransportOpened{});
    desk.handle(now, FrameReceived{sb::protocol::reply_ok(last_request_id(hello),
                                                          {{"version", 1}, {"server", "fuzz"}, {"now", now}, {"max_frame", 65536}})
                                       .dump()});
    auto login = desk.handle(now, IntentReceived{1, Intent{LoginIntent{"alice", "switchboard"}}});
    json session = {{"token", "tok-0123456789abcdef"}, {"expires_at", now + 3'600'000}, {"seq", 3},
                    {"agent", {{"username", "alice"}, {"display_name", "Alice"}, {"state", "available"}, {"reason", nullptr},
                               {"state_since", now}}},
                    {"reason_codes", json::array({{{"code", "break"}, {"label", "Break"}}})},
                    {"contacts", json::array({contact("c1", "chat", "active"), contact("c2", "sms", "active")})},
                    {"queues", json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"},
                                             {"dispositions", json::array({{{"code", "resolved"}, {"label", "Resolved"}}})}}})},
                    {"canned_responses", json::array()},
                    {"agents", json::array()}};
    desk.handle(now, FrameReceived{sb::protocol::reply_ok(last_request_id(login), session).dump()});
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
        std::string_view frame = input.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        now += 10;
        desk.handle(now, FrameReceived{std::string(frame)});
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    (void)sb::desk::state_to_json(desk.state(), now).dump(-1, ' ', false, json::error_handler_t::replace);
    // Intents still go through whatever state the frames left (every frame sent is checked).
    (void)last_request_id(desk.handle(now, IntentReceived{99, Intent{SendMessageIntent{"c1", "still here"}}}));
    (void)last_request_id(desk.handle(now, IntentReceived{100, Intent{EndIntent{"c2"}}}));
    return 0;
}
