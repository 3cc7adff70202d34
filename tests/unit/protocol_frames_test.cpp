// The backend frames' decoding (core/protocol/frames.h) beyond field types (those are
// desk_frame_types_test.cpp): nesting depth, replies a backend could not match, a session with
// a part the desk cannot read, and what else reaches Desk::handle from outside the core (stored
// drafts, an intent's bytes); the frame parser (JsonDoc) and writer (append_json_string) against
// nlohmann, whose places they took.
#include <string>

#include "desk_harness.h"
#include "protocol/frames.h"
#include "protocol/json_doc.h"
#include "protocol/json_text.h"

using namespace sb::test;

namespace {

std::string event_with_depth(int depth, const std::string& inside = "1") {
    // The envelope and data are 2 levels; the rest is arrays.
    return R"({"type":"event","seq":9,"event":"x.y","data":{"v":)" + std::string(depth - 2, '[') + inside +
           std::string(depth - 2, ']') + "}}";
}

json contact_with(const std::string& id, json customer) {
    return {{"id", id}, {"channel", "chat"}, {"state", "active"}, {"queue", "support"}, {"customer", std::move(customer)},
            {"message_count", 0}, {"last_message", nullptr}, {"created_at", 1}, {"offer_expires_at", nullptr}, {"accepted_at", 2},
            {"ended_at", nullptr}, {"ended_by", nullptr}, {"acw_expires_at", nullptr}, {"transfer", nullptr},
            {"customer_typing", false}};
}

json customer(const std::string& first) {
    return {{"id", "cu1"}, {"first_name", first}, {"last_name", "W"}, {"phone", nullptr}, {"chat_identity", "d@x"},
            {"email", nullptr}, {"notes", ""}, {"history", json::array()}};
}

bool logged(const DeskHarness& h, const std::string& text) {
    for (const auto& e : h.effects)
        if (auto* l = std::get_if<Log>(&e); l && l->message.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("frames: nesting deeper than kMaxFrameDepth is refused before parsing; brackets in strings do not count") {
    CHECK(protocol::decode_frame(event_with_depth(protocol::kMaxFrameDepth)).ok());
    auto deep = protocol::decode_frame(event_with_depth(protocol::kMaxFrameDepth + 1));
    REQUIRE_FALSE(deep.ok());
    CHECK(deep.error().code == "bad_json");
    CHECK(protocol::decode_frame(std::string(100'000, '[')).error().code == "bad_json");
    // The same characters inside a string (escaped quotes too) are text, not depth.
    std::string text = "\"\\\"" + std::string(100, '[') + "\"";
    CHECK(protocol::decode_frame(event_with_depth(3, text)).ok());
}

TEST_CASE("frames: a reply without an id is refused whole, and names the backend's error") {
    auto r = protocol::decode_frame(R"({"type":"reply","id":null,"ok":false,"error":{"code":"bad_message","message":"Field \"x\" is not allowed."}})");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("bad_message: Field \"x\" is not allowed.") != std::string::npos);
    // With its id, an unreadable reply is still a reply: its request fails.
    auto readable_id = protocol::decode_frame(R"({"type":"reply","id":"7","ok":"yes"})");
    REQUIRE(readable_id.ok());
    const auto& reply = std::get<protocol::ReplyFrame>(readable_id.value());
    CHECK(reply.id == "7");
    CHECK_FALSE(reply.ok);
    CHECK(reply.error.code == "bad_reply");
    CHECK(reply.refused == "reply.ok must be a boolean");
}

TEST_CASE("frames: an error reply's missing or wrong-typed parts get defaults; it is an error either way") {
    auto r = protocol::decode_frame(R"({"type":"reply","id":"3","ok":false,"error":{"code":7,"message":null,"retry_after_ms":"soon","attempts_left":2}})");
    REQUIRE(r.ok());
    const auto& reply = std::get<protocol::ReplyFrame>(r.value());
    CHECK(reply.refused.empty());
    CHECK(reply.error.code == "internal");
    CHECK(reply.error.message == "Unknown error.");
    CHECK_FALSE(reply.error.retry_after_ms);
    CHECK(reply.attempts_left == 2);
}

TEST_CASE("desk: a resume whose session cannot read one contact keeps that contact as it was") {
    DeskHarness h;
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session(3);
    s["contacts"] = json::array({contact_with("c1", customer("Dana")), contact_with("c2", customer("Dana"))});
    h.reply_ok(s);
    REQUIRE(h.s().contacts.size() == 2);

    h.step(TransportClosed{"gone"});
    h.now += 60'000;
    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "test"}, {"now", h.now}, {"max_frame", 65536}});
    REQUIRE(h.last_sent()["type"] == "resume");
    json broken = contact_with("c1", customer("Dee"));
    broken["customer"]["phone"] = 5551234;  // a number where a string (or null) belongs
    s["contacts"] = json::array({broken, contact_with("c2", customer("Dee"))});
    h.reply_ok(s);

    CHECK(h.s().session == SessionState::LoggedIn);
    REQUIRE(h.s().contacts.size() == 2);
    CHECK(find_contact(h.s(), "c1")->customer.first_name == "Dana");  // not refreshed, not dropped
    CHECK(find_contact(h.s(), "c2")->customer.first_name == "Dee");
    CHECK(logged(h, "session.contacts[0].customer.phone must be a string or null"));
    for (const auto& e : h.effects)
        if (auto* n = std::get_if<Notify>(&e)) CHECK(n->event != "contact.ended");
}

TEST_CASE("desk: stored drafts of the wrong shape are left out, not thrown on") {
    DeskHarness h;
    h.step(Start{"ws://backend/desk", 42, StoredSession{"tok-0123456789abcdef", 3, "alice"},
                 R"({"c1":{"text":5},"c2":{"text":"hi","wrap_up":{"tags":[1]}},"c3":{"text":"ok"},"c4":[]})"});
    CHECK(h.s().drafts.size() == 2);
    CHECK(h.s().drafts.at("c2").text == "hi");
    CHECK_FALSE(h.s().drafts.at("c2").wrap_up);
    CHECK(h.s().drafts.at("c3").text == "ok");
}

TEST_CASE("desk: an intent's invalid UTF-8 reaches the backend replaced, not thrown on") {
    DeskHarness h;
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session(3);
    s["contacts"] = json::array({contact_with("c1", customer("Dana"))});
    h.reply_ok(s);
    h.intent(SendMessageIntent{"c1", "caf\xe9 \xff"});
    REQUIRE(h.last_sent()["type"] == "send_message");
    CHECK(h.last_sent()["text"] == "caf\xef\xbf\xbd \xef\xbf\xbd");
}

TEST_CASE("JsonDoc: reads what nlohmann reads, as nlohmann types it, and refuses what it refuses") {
    using protocol::JsonDoc;
    for (std::string text : std::initializer_list<std::string>{R"({"a":1,"b":-2,"c":1.5,"d":18446744073709551615,"e":18446744073709551616,"f":-0})",
                             R"([true,false,null,"",{},[],"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t"])",
                             "\xef\xbb\xbf {\"bom\" : [ 1 , 2 ] }\r\n", R"({"k":1,"k":"last"})", "\"caf\xc3\xa9\"", "-9223372036854775808",
                             "1e2", "0.000001", std::string("{\"a\":1} \0 anything", 16)}) {
        auto ours = JsonDoc::parse(text, protocol::kMaxFrameDepth);
        auto theirs = json::parse(text, nullptr, false);
        INFO(text);
        REQUIRE(ours.status == JsonDoc::Status::Ok);
        REQUIRE_FALSE(theirs.is_discarded());
        CHECK(protocol::to_nlohmann(ours.doc.root()).dump() == theirs.dump());
        JsonDoc copy = ours.doc;
        CHECK(protocol::to_nlohmann(copy.root()).dump() == theirs.dump());
    }
    auto dup = JsonDoc::parse(R"({"k":1,"k":"last"})", 8);
    CHECK(dup.doc.root().find("k")->string() == "last");
    CHECK(dup.doc.root().find("d") == nullptr);
    auto big = JsonDoc::parse(R"([18446744073709551615,-1,2.0])", 8);
    auto it = big.doc.root().begin();
    CHECK(it->is_number_integer());
    CHECK((++it)->integer() == -1);
    CHECK_FALSE((++it)->is_number_integer());
    CHECK(big.doc.root().size() == 3);

    for (std::string text : std::initializer_list<std::string>{"", " ", "{", "[1,]", R"({"a":1,})", "01", "1.", ".5", "+1", "1e", "-", "nul", "truex", "[1] 2",
                             R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")", R"("\x")", R"("\u12G4")", "\"a\tb\"",
                             "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\"\xff\"", "1e999",
                             "\xef\xbb{}", std::string("[1,\0]", 5), "'a'", R"({a:1})", "[1 2]"}) {
        INFO(text);
        CHECK(JsonDoc::parse(text, protocol::kMaxFrameDepth).status == JsonDoc::Status::Invalid);
        CHECK(json::parse(text, nullptr, false).is_discarded());
    }
    CHECK(JsonDoc::parse(std::string(32, '[') + std::string(32, ']'), 32).status == JsonDoc::Status::Ok);
    CHECK(JsonDoc::parse(std::string(33, '[') + std::string(33, ']'), 32).status == JsonDoc::Status::TooDeep);
    CHECK(JsonDoc::parse(std::string(100'000, '['), 32).status == JsonDoc::Status::TooDeep);
}

TEST_CASE("append_json_string writes what nlohmann's dump writes") {
    for (std::string s : std::initializer_list<std::string>{"", "plain text 123", "quote \" and \\ backslash", "tab\tnew\nline\x01\x1f\x7f", "caf\xc3\xa9 \xf0\x9f\x98\x80",
                          "bad \xff \xc3 utf-8 \xed\xa0\x80", std::string("nul\0in", 6)}) {
        std::string ours;
        protocol::append_json_string(ours, s);
        INFO(s);
        CHECK(ours == json(s).dump(-1, ' ', false, json::error_handler_t::replace));
    }
}

TEST_CASE("desk: the drafts and send_message it writes directly are nlohmann's text") {
    DeskHarness h;
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session(3);
    s["contacts"] = json::array({contact_with("c1", customer("Dana")), contact_with("c2", customer("Eve"))});
    h.reply_ok(s);
    h.intent(SendMessageIntent{"c1", "a \"quoted\" caf\xc3\xa9\n"});
    auto sent = std::find_if(h.effects.rbegin(), h.effects.rend(), [](const Effect& e) { return std::holds_alternative<SendFrame>(e); });
    REQUIRE(sent != h.effects.rend());
    const std::string& text = std::get<SendFrame>(*sent).text;
    CHECK(text == json::parse(text).dump(-1, ' ', false, json::error_handler_t::replace));
    CHECK(json::parse(text)["text"] == "a \"quoted\" caf\xc3\xa9\n");
    h.intent(SaveDraftIntent{"c2", std::string("draft \"two\""), WrapUpDraft{"resolved", "n\u00f6tes", {"a", "b\\c"}}});
    h.intent(SaveDraftIntent{"c1", std::string("one"), std::nullopt});
    std::string drafts;
    for (const auto& e : h.effects)
        if (auto* p = std::get_if<Persist>(&e); p && p->key == "drafts" && p->value) drafts = *p->value;
    CHECK(drafts == json::parse(drafts).dump(-1, ' ', false, json::error_handler_t::replace));
    CHECK(json::parse(drafts)["c2"]["wrap_up"]["tags"][1] == "b\\c");
    CHECK(json::parse(drafts)["c1"]["text"] == "one");
}
