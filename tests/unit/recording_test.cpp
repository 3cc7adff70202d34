// What a recorded session never holds (platform/recording.h: redaction), and events' JSON form
// (desk/event_json.h), which a recording is made of.
#include <doctest/doctest.h>

#include "contact/card.h"
#include "desk/event_json.h"
#include "platform/recording.h"

using nlohmann::json;
using namespace sb::desk;
namespace rec = sb::platform;

namespace {

std::string digits_in(const std::string& s) {
    std::string d;
    for (char c : s)
        if (c >= '0' && c <= '9') d += c;
    return d;
}

}  // namespace

TEST_CASE("redaction: a card keeps its first six and last four, its format, and its verdict by Luhn") {
    for (std::string number : {"4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "4111111111111112",
                               "6011 1111 1111 1117", "4000 0566 5566 5556", "4242424242424241"}) {
        CAPTURE(number);
        const std::string out = rec::redact_card_number(number);
        const std::string in_d = digits_in(number), out_d = digits_in(out);
        CHECK(out.size() == number.size());
        for (size_t i = 0; i < number.size(); ++i)  // spaces and dashes where they were
            CHECK((number[i] >= '0' && number[i] <= '9') == (out[i] >= '0' && out[i] <= '9'));
        CHECK(out_d.substr(0, 6) == in_d.substr(0, 6));
        CHECK(out_d.substr(out_d.size() - 4) == in_d.substr(in_d.size() - 4));
        CHECK(sb::contact::luhn_valid(out_d) == sb::contact::luhn_valid(in_d));
        CHECK(out_d.substr(7, out_d.size() - 11).find_first_not_of('0') == std::string::npos);
        if (in_d.substr(6, in_d.size() - 10).find_first_not_of('0') != std::string::npos) CHECK(out_d != in_d);
    }
    CHECK(rec::redact_card_number("4111 1111") == "0000 0000");  // too short for a card: nothing kept
    CHECK(rec::redact_card_number("") == "");
}

TEST_CASE("redaction: a code keeps its shape, not its characters") {
    CHECK(rec::redact_code("123 456") == "000 000");
    CHECK(rec::redact_code("ab12-CD34") == "xx00-xx00");
    CHECK(rec::redact_code("") == "");
    CHECK(rec::redact_code("  ") == "  ");  // an empty answer stays empty: the desk refuses it the same way
}

TEST_CASE("redaction: the agent's password, codes, answers and card leave the intent; the rest stays") {
    auto intent_of = [](Intent in) {
        Event out = rec::redact(IntentReceived{9, std::move(in)});
        REQUIRE(std::holds_alternative<IntentReceived>(out));
        CHECK(std::get<IntentReceived>(out).id == 9);
        return std::get<IntentReceived>(out).intent;
    };
    auto login = std::get<LoginIntent>(intent_of(LoginIntent{"alice", "correct horse"}));
    CHECK(login.username == "alice");
    CHECK(login.password == "[redacted]");
    CHECK(std::get<LoginIntent>(intent_of(LoginIntent{"alice", ""})).password.empty());
    auto mfa = std::get<MfaIntent>(intent_of(MfaIntent{"492 039", ""}));
    CHECK(mfa.code == "000 000");
    CHECK(mfa.recovery_code.empty());
    CHECK(std::get<MfaIntent>(intent_of(MfaIntent{"", "k3v9-q2mx"})).recovery_code == "x0x0-x0xx");
    auto answer = std::get<VerifyAnswerIntent>(intent_of(VerifyAnswerIntent{"c1", "dob", "14 March 1985"}));
    CHECK(answer.contact == "c1");
    CHECK(answer.step == "dob");
    CHECK(answer.answer == "00 xxxxx 0000");
    auto card = std::get<PaymentSubmitIntent>(intent_of(PaymentSubmitIntent{"c1", "p1", "4111 1111 1111 1111", "12/29", "737"}));
    CHECK(card.card_number == rec::redact_card_number("4111 1111 1111 1111"));
    CHECK(card.cvc == "000");
    CHECK(card.expiry == "12/29");
    auto message = std::get<SendMessageIntent>(intent_of(SendMessageIntent{"c1", "My password is on its way"}));
    CHECK(message.text == "My password is on its way");  // what the agent wrote to a customer is the transcript
}

TEST_CASE("redaction: tokens, secrets and passwords leave the backend's frames, at any depth") {
    json reply = {{"type", "reply"}, {"id", "r1"}, {"ok", true},
                  {"result", {{"token", "tok-abc"}, {"recovery_codes", {"aaaa-bbbb", "cccc-dddd"}},
                              {"sip", {{"username", "alice"}, {"password", "sip-secret"}, {"uri", "sip:alice@x"}}},
                              {"mfa", {{"challenge", "ch-1"}, {"secret", "JBSWY3DP"}, {"otpauth", "otpauth://totp/x"}}},
                              {"empty_token", ""}}}};
    Event out = rec::redact(FrameReceived{reply.dump()});
    json j = json::parse(std::get<FrameReceived>(out).text);
    CHECK(j["result"]["token"] == "[redacted]");
    CHECK(j["result"]["recovery_codes"] == json({"[redacted]", "[redacted]"}));
    CHECK(j["result"]["sip"]["password"] == "[redacted]");
    CHECK(j["result"]["sip"]["username"] == "alice");
    CHECK(j["result"]["sip"]["uri"] == "sip:alice@x");
    CHECK(j["result"]["mfa"]["challenge"] == "[redacted]");
    CHECK(j["result"]["mfa"]["secret"] == "[redacted]");
    CHECK(j["result"]["mfa"]["otpauth"] == "[redacted]");
    CHECK(j["id"] == "r1");

    // A frame that names no secret is kept byte for byte (key order, spacing and all).
    const std::string plain = R"({"type":"event","seq":4,  "event":"contact.message","data":{"z":1,"a":2}})";
    CHECK(std::get<FrameReceived>(rec::redact(FrameReceived{plain})).text == plain);
    // A key spelt with escapes is the same key to the desk, so it is redacted too.
    const std::string escaped = R"({"result":{"\u0074oken":"tok-hidden"}})";
    CHECK(std::get<FrameReceived>(rec::redact(FrameReceived{escaped})).text.find("tok-hidden") == std::string::npos);
    // Not JSON: kept as it came (the desk refuses it the same way on replay).
    CHECK(std::get<FrameReceived>(rec::redact(FrameReceived{"{\"token\": oops"})).text == "{\"token\": oops");
}

TEST_CASE("redaction: a frame nested too deep to parse is kept as it came, never parsed (no stack to overflow)") {
    std::string deep = "{\"token\":\"tok-x\",\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
    Event out = rec::redact(FrameReceived{deep});
    CHECK(std::get<FrameReceived>(out).text == deep);
    const std::string log = "{\"switchboard_log\":1}\n{\"t\":1,\"event\":" + std::string(200000, '[') +
                            std::string(200000, ']') + "}\n";
    auto r = rec::replay(log);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("line 2: nested too deep") == 0);
}

TEST_CASE("redaction: a resumed session's token, and ICE passwords in SDP") {
    Event start = rec::redact(Start{"ws://x/desk", 5, StoredSession{"tok-stored", 12, "alice"}, "{}"});
    CHECK(std::get<Start>(start).stored->token == "[redacted]");
    CHECK(std::get<Start>(start).stored->last_seq == 12);
    const std::string sdp = "v=0\r\na=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    const std::string out = std::get<SipReceived>(rec::redact(SipReceived{sdp})).text;
    CHECK(out.find("x9cml") == std::string::npos);
    CHECK(out.find("a=ice-pwd:xxxxxxxxxxxxxxxxxxxxxx\r\nm=audio") != std::string::npos);
    CHECK(out.size() == sdp.size());
    CHECK(out.find("a=ice-ufrag:F7gI") != std::string::npos);
    MediaEvent m{MediaEvent::Kind::LocalSdp, 3, sdp, "", nullptr, ""};
    CHECK(std::get<MediaEvent>(rec::redact(m)).sdp == out);
}

TEST_CASE("event JSON: every kind of event comes back from its JSON as it was") {
    std::vector<Event> events = {
        Start{"ws://127.0.0.1:8080/desk", 18446744073709551557ull, StoredSession{"t", 41, "alice"}, "{\"c1\":{}}"},
        Start{"ws://x/desk", 0, std::nullopt, ""},
        TransportOpened{},
        TransportClosed{"going away"},
        FrameReceived{R"({"type":"event"})"},
        IntentReceived{7, DialIntent{"+15550100", "", "", ""}},
        TimerFired{TimerId::RequestDeadline},
        SipTransportOpened{},
        SipTransportClosed{"1006"},
        SipReceived{"SIP/2.0 200 OK\r\n\r\n"},
        MediaEvent{MediaEvent::Kind::Stats, 4, "", "", json{{"rtt_ms", 20}}, ""},
        MediaEvent{MediaEvent::Kind::DtmfFallback, 5, "", "", nullptr, "12#"},
        MediaEvent{MediaEvent::Kind::Failed, 6, "", "Microphone permission was refused.", nullptr, ""},
        PhoneOwnership{PhoneOwnership::Kind::Taken},
        MediaDevices{{{"input", "d1", "Headset"}, {"output", "d2", "Speakers"}}, "d1", "", "d2", "granted", "no such device"},
    };
    std::vector<bool> seen(std::variant_size_v<Event>, false);
    for (const Event& e : events) {
        const json j = event_to_json(e);
        CAPTURE(j.dump());
        auto back = event_from_json(j);
        REQUIRE(back);
        CHECK(back.value().index() == e.index());
        CHECK(event_to_json(back.value()) == j);
        seen[e.index()] = true;
    }
    for (size_t i = 0; i < seen.size(); ++i) {
        CAPTURE(i);
        CHECK(seen[i]);  // a new kind of event needs a case here (and a JSON form)
    }
}

TEST_CASE("event JSON: what is not an event is refused, naming the field") {
    auto error_of = [](const json& j) {
        auto r = event_from_json(j);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "bad_event");
        return r.error().message;
    };
    CHECK(error_of(json::array()).find("object") != std::string::npos);
    CHECK(error_of({{"type", "warp"}}).find("names no event") != std::string::npos);
    CHECK(error_of({{"type", "timer"}, {"timer", "egg"}}).find("timer") != std::string::npos);
    CHECK(error_of({{"type", "frame"}, {"text", 5}}).find("\"text\"") != std::string::npos);
    CHECK(error_of({{"type", "media"}, {"kind", "local_sdp"}, {"call", -1}}).find("\"call\"") != std::string::npos);
    CHECK(error_of({{"type", "media"}, {"kind", "smoke"}, {"call", 1}}).find("\"kind\"") != std::string::npos);
    CHECK(error_of({{"type", "start"}, {"backend_url", "ws://x"}}).find("\"seed\"") != std::string::npos);
    CHECK(error_of({{"type", "intent"}, {"id", 1}, {"intent", json::object({{"type", "fly"}})}}).find("fly") != std::string::npos);
    CHECK(error_of({{"type", "phone"}, {"kind", "mine"}}).find("\"kind\"") != std::string::npos);
}

TEST_CASE("effect JSON: media and devices commands in the form web/media.js reads") {
    json m = effect_to_json(Media{MediaOp::Hold, 3, "", true, "", ""});
    CHECK(m == json{{"type", "media"}, {"op", "hold"}, {"call", 3}, {"on", true}});
    json d = effect_to_json(Devices{DevicesOp::Set, "output", "d2", false, 0});
    CHECK(d == json{{"type", "devices"}, {"op", "set"}, {"kind", "output"}, {"id", "d2"}});
    json t = effect_to_json(StartTimer{TimerId::Heartbeat, 20000});
    CHECK(t == json{{"type", "start_timer"}, {"timer", "heartbeat"}, {"delay_ms", 20000}});
    json c = effect_to_json(CompleteIntent{4, sb::make_error("bad_intent", "No."), nullptr});
    CHECK(c["error"]["code"] == "bad_intent");
}
