// Contacts on the desk: offers, accept/reject, messages (with the outbox that survives
// reconnects), typing, unread counts, end and wrap-up, transfer, drafts, customer updates,
// and every intent refused before anything is sent.
#include "desk_harness.h"
#include "desk/state_json.h"

using namespace sb::test;
using sb::contact::ContactState;
using sb::contact::MessageStatus;

namespace {

json customer(const std::string& id = "cu1", const std::string& first = "Dana") {
    return {{"id", id}, {"first_name", first}, {"last_name", "Whitfield"}, {"phone", nullptr},
            {"chat_identity", "dana@example.com"}, {"email", "dana@example.com"}, {"notes", ""},
            {"history", json::array({{{"contact", "old1"}, {"channel", "sms"}, {"at", 1'690'000'000'000},
                                      {"queue", "support"}, {"disposition", "resolved"}, {"notes", "billing issue"},
                                      {"agent", "bob"}}})}};
}

json message(const std::string& id, int64_t seq, const std::string& from, const std::string& text,
             json client_id = nullptr) {
    json m = {{"id", id}, {"seq", seq}, {"from", from}, {"text", text}, {"at", 1'700'000'001'000},
              {"agent", from == "agent" ? json("alice") : json(nullptr)}, {"status", "sent"}, {"segments", nullptr}};
    if (!client_id.is_null()) m["client_id"] = client_id;
    return m;
}

json contact_json(const std::string& id, const std::string& state, const std::string& channel = "chat") {
    return {{"id", id}, {"channel", channel}, {"state", state}, {"queue", "support"}, {"customer", customer()},
            {"message_count", 1}, {"last_message", {{"id", "k1"}, {"seq", 1}}},
            {"created_at", 1'700'000'000'000}, {"offer_expires_at", state == "offered" ? json(1'700'000'020'000) : json(nullptr)},
            {"accepted_at", nullptr}, {"ended_at", nullptr}, {"ended_by", nullptr}, {"acw_expires_at", nullptr},
            {"transfer", nullptr}, {"customer_typing", false}};
}

json session_with(json contacts) {
    json s = DeskHarness::session(3);
    s["contacts"] = std::move(contacts);
    s["queues"] = json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"},
                                {"dispositions", json::array({{{"code", "resolved"}, {"label", "Resolved"}},
                                                              {{"code", "follow_up"}, {"label", "Follow-up needed"}}})}}});
    s["canned_responses"] = json::array({{{"id", "greet"}, {"title", "Greeting"}, {"text", "Hi {customer.first_name}!"}}});
    s["agents"] = json::array({{{"username", "bob"}, {"display_name", "Bob Okafor"}, {"state", "available"}}});
    return s;
}

// The desk fetches each contact's transcript (a contact object only counts its messages):
// every contact here has the customer's one message.
void answer_fetches(DeskHarness& h) {
    for (const json& r : h.unanswered("get_messages"))
        h.reply_to(r, {{"messages", json::array({message("k1", 1, "customer", "Hi, my bill is wrong")})}, {"more", false}});
}

// A logged-in desk holding the given contacts.
void login_with(DeskHarness& h, json contacts) {
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    h.reply_ok(session_with(std::move(contacts)));
    REQUIRE(h.s().session == SessionState::LoggedIn);
    answer_fetches(h);
}

std::string error_code(DeskHarness& h, uint64_t id) {
    auto* c = h.completion(id);
    REQUIRE(c);
    return c->error ? c->error->code : "ok";
}

}  // namespace

TEST_CASE("the session brings contacts, queues, canned responses and agents") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active"), contact_json("c2", "wrap_up", "sms")}));
    REQUIRE(h.s().contacts.size() == 2);
    CHECK(h.s().contacts[0].customer.history.size() == 1);
    CHECK(h.s().contacts[1].channel == sb::contact::Channel::Sms);
    CHECK(h.s().queues.at(0).dispositions.size() == 2);
    CHECK(h.s().canned_responses.at(0).title == "Greeting");
    CHECK(h.s().agents.at(0).username == "bob");
    CHECK(activity_of(h.s()) == Activity::OnContact);
    json js = state_to_json(h.s(), h.now);
    CHECK(js["contacts"].size() == 2);
    CHECK(js["contacts"][0]["unread"] == 1);
    CHECK(js["agent"]["activity"] == "on_contact");
}

TEST_CASE("an offer is announced; accept is sent and the contact becomes active") {
    DeskHarness h;
    login_with(h, json::array());
    CHECK(activity_of(h.s()) == Activity::Idle);
    h.event(4, "contact.offered", contact_json("c1", "offered"));
    REQUIRE(h.s().contacts.size() == 1);
    auto* n = h.find<Notify>();
    REQUIRE(n);
    CHECK(n->event == "contact.offered");
    CHECK(activity_of(h.s()) == Activity::OnContact);

    uint64_t id = h.intent(AcceptIntent{"c1"});
    CHECK(h.last_sent()["type"] == "accept");
    CHECK(h.last_sent()["contact"] == "c1");
    h.reply_ok({{"contact", contact_json("c1", "active")}});
    CHECK(error_code(h, id) == "ok");
    CHECK(h.s().contacts[0].state == ContactState::Active);
}

TEST_CASE("contact intents in the wrong state or for unknown contacts are refused without a request") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    auto sent = h.sent.size();
    CHECK(error_code(h, h.intent(AcceptIntent{"c1"})) == "wrong_state");
    CHECK(error_code(h, h.intent(RejectIntent{"nope"})) == "unknown_contact");
    CHECK(error_code(h, h.intent(WrapUpIntent{"c1", "resolved", "", {}})) == "wrong_state");
    CHECK(error_code(h, h.intent(SendMessageIntent{"c1", "   \n"})) == "bad_intent");
    CHECK(error_code(h, h.intent(SendMessageIntent{"c1", std::string(4001, 'x')})) == "bad_intent");
    CHECK(error_code(h, h.intent(TransferIntent{"c1", "support", "bob", ""})) == "bad_intent");
    CHECK(error_code(h, h.intent(TransferIntent{"c1", "", "", ""})) == "bad_intent");
    CHECK(error_code(h, h.intent(TransferIntent{"c1", "nowhere", "", ""})) == "unknown_queue");
    CHECK(error_code(h, h.intent(UpdateCustomerIntent{"cu9", std::nullopt, std::nullopt, std::nullopt, "x"})) == "unknown_customer");
    CHECK(h.sent.size() == sent);
    CHECK(h.s().contacts[0].messages.size() == 1);

    DeskHarness out;
    out.connect();
    CHECK(error_code(out, out.intent(AcceptIntent{"c1"})) == "not_logged_in");
}

TEST_CASE("an SMS longer than 1,600 characters is refused; 1,600 is fine") {
    DeskHarness h;
    login_with(h, json::array({contact_json("s1", "active", "sms")}));
    CHECK(error_code(h, h.intent(SendMessageIntent{"s1", std::string(1601, 'x')})) == "bad_intent");
    h.intent(SendMessageIntent{"s1", std::string(1600, 'x')});
    CHECK(h.last_sent()["type"] == "send_message");
}

TEST_CASE("a sent message shows as pending, then is replaced by the stored one exactly once") {
    for (bool event_first : {true, false}) {
        DeskHarness h;
        login_with(h, json::array({contact_json("c1", "active")}));
        uint64_t id = h.intent(SendMessageIntent{"c1", "Let me check that for you."});
        REQUIRE(h.s().contacts[0].messages.size() == 2);
        const auto& pending = h.s().contacts[0].messages[1];
        CHECK(pending.status == MessageStatus::Pending);
        std::string client_id = h.last_sent()["client_id"];
        CHECK(pending.client_id == client_id);
        json request = h.last_sent();
        json stored = message("k2", 2, "agent", "Let me check that for you.", client_id);
        bool completed = false;
        auto reply = [&] {
            h.step(FrameReceived{sb::protocol::reply_ok(request["id"], {{"message", stored}}).dump()});
            auto* done = h.completion(id);
            completed = done && !done->error && done->result_value()["message"]["id"] == "k2";
        };
        if (event_first) {
            h.event(4, "contact.message", {{"contact", "c1"}, {"message", stored}});
            reply();
        } else {
            reply();
            h.event(4, "contact.message", {{"contact", "c1"}, {"message", stored}});
        }
        CAPTURE(event_first);
        REQUIRE(h.s().contacts[0].messages.size() == 2);
        CHECK(h.s().contacts[0].messages[1].id == "k2");
        CHECK(h.s().contacts[0].messages[1].status == MessageStatus::Sent);
        CHECK(h.s().outbox.empty());
        CHECK(completed);
    }
}

TEST_CASE("messages written while disconnected wait in the outbox and go once the session resumes") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    uint64_t first = h.intent(SendMessageIntent{"c1", "one"});
    std::string first_client_id = h.last_sent()["client_id"];
    h.step(TransportClosed{"cut"});
    CHECK_FALSE(h.completion(first));  // not failed: it will be sent again
    auto sent = h.sent.size();
    uint64_t second = h.intent(SendMessageIntent{"c1", "two"});
    CHECK(h.sent.size() == sent);      // nothing to send it on
    CHECK_FALSE(h.completion(second));
    CHECK(h.s().outbox.size() == 2);

    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    h.reply_ok(session_with(json::array({contact_json("c1", "active")})));  // the resume
    REQUIRE(h.sent.size() >= 2);
    json a = h.sent[h.sent.size() - 2], b = h.sent.back();
    CHECK(a["type"] == "send_message");
    CHECK(a["client_id"] == first_client_id);  // the same id: the backend stores it once
    CHECK(a["text"] == "one");
    CHECK(b["text"] == "two");
    // The pending copies survived the session refresh, in order.
    auto& msgs = h.s().contacts[0].messages;
    REQUIRE(msgs.size() == 3);
    CHECK(msgs[1].text == "one");
    CHECK(msgs[2].status == MessageStatus::Pending);
}

TEST_CASE("a refused message is marked failed and its intent says why") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    uint64_t id = h.intent(SendMessageIntent{"c1", "hello"});
    h.reply_error("wrong_state", "The customer has left.");
    CHECK(error_code(h, id) == "wrong_state");
    CHECK(h.s().contacts[0].messages.back().status == MessageStatus::Failed);
    CHECK(h.s().outbox.empty());
}

TEST_CASE("customer messages count as unread until the agent looks; typing shows") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    CHECK(unread_count(h.s(), h.s().contacts[0]) == 1);
    h.intent(MarkReadIntent{"c1"});
    CHECK(unread_count(h.s(), h.s().contacts[0]) == 0);
    h.event(4, "contact.typing", {{"contact", "c1"}, {"typing", true}});
    CHECK(h.s().contacts[0].customer_typing);
    h.event(5, "contact.message", {{"contact", "c1"}, {"message", message("k2", 2, "customer", "Hello?")}});
    CHECK_FALSE(h.s().contacts[0].customer_typing);
    CHECK(unread_count(h.s(), h.s().contacts[0]) == 1);
    h.event(6, "contact.message", {{"contact", "c1"}, {"message", message("k2", 2, "customer", "Hello?")}});
    CHECK(h.s().contacts[0].messages.size() == 2);  // a replayed message is not added twice
}

TEST_CASE("end, then wrap-up with a disposition from the queue's list closes the contact") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    h.intent(SaveDraftIntent{"c1", std::string("half a thought"), std::nullopt});
    uint64_t end = h.intent(EndIntent{"c1"});
    CHECK(h.last_sent()["type"] == "end");
    h.reply_ok({{"contact", contact_json("c1", "wrap_up")}});
    CHECK(error_code(h, end) == "ok");
    CHECK(activity_of(h.s()) == Activity::AfterContactWork);

    CHECK(error_code(h, h.intent(WrapUpIntent{"c1", "", "", {}})) == "invalid_disposition");
    CHECK(error_code(h, h.intent(WrapUpIntent{"c1", "made_up", "", {}})) == "invalid_disposition");
    uint64_t wrap = h.intent(WrapUpIntent{"c1", "resolved", "refund issued", {"billing", "refund"}});
    CHECK(h.last_sent()["tags"] == json::array({"billing", "refund"}));
    json closed = contact_json("c1", "closed");
    h.reply_ok({{"contact", closed}});
    CHECK(error_code(h, wrap) == "ok");
    CHECK(h.s().contacts.empty());
    CHECK(h.s().drafts.empty());
    CHECK(activity_of(h.s()) == Activity::Idle);
}

TEST_CASE("contact.ended removes the contact and its draft, and says why") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    h.intent(SaveDraftIntent{"c1", std::string("draft"), std::nullopt});
    h.event(4, "contact.ended", {{"contact", "c1"}, {"reason", "transferred"}});
    CHECK(h.s().contacts.empty());
    CHECK(h.s().drafts.empty());
    bool told = false;
    for (const auto& e : h.effects)
        if (auto* n = std::get_if<Notify>(&e); n && n->event == "contact.ended") told = n->data["reason"] == "transferred";
    CHECK(told);
}

TEST_CASE("a contact action the backend refuses is shown to the agent") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    uint64_t id = h.intent(TransferIntent{"c1", "", "bob", ""});
    h.reply_error("unknown_agent", "Bob is not signed in.");
    CHECK(error_code(h, id) == "unknown_agent");
    CHECK(h.s().notice == "Bob is not signed in.");
    CHECK(h.s().contacts.size() == 1);
}

TEST_CASE("transfer to a queue or an agent, with a note") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    h.intent(TransferIntent{"c1", "support", "", "Wants a refund"});
    CHECK(h.last_sent()["queue"] == "support");
    CHECK_FALSE(h.last_sent().contains("agent"));
    h.intent(TransferIntent{"c1", "", "bob", ""});
    CHECK(h.last_sent()["agent"] == "bob");
}

TEST_CASE("drafts are persisted and come back after a reload with the session") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active"), contact_json("c2", "wrap_up")}));
    h.intent(SaveDraftIntent{"c1", std::string("Dear Dana"), std::nullopt});
    h.intent(SaveDraftIntent{"c2", std::nullopt, WrapUpDraft{"follow_up", "call back", {"vip"}}});
    const Persist* p = h.find<Persist>();
    REQUIRE(p);
    REQUIRE(p->value);
    std::string stored = *p->value;

    DeskHarness again;
    Start start{"ws://backend/desk", 42, StoredSession{"tok-0123456789abcdef", 3, "alice"}, stored};
    again.step(start);
    again.step(TransportOpened{});
    again.reply_ok({{"version", 3}, {"server", "t"}, {"now", again.now}, {"max_frame", 65536}});
    again.reply_ok(session_with(json::array({contact_json("c1", "active"), contact_json("c2", "wrap_up")})));
    CHECK(again.s().drafts.at("c1").text == "Dear Dana");
    CHECK(again.s().drafts.at("c2").wrap_up->tags == std::vector<std::string>{"vip"});
    json js = state_to_json(again.s(), again.now);
    CHECK(js["contacts"][0]["draft"]["text"] == "Dear Dana");
    CHECK(js["contacts"][1]["draft"]["wrap_up"]["disposition"] == "follow_up");
}

TEST_CASE("a resume drops contacts that ended while away") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active"), contact_json("c2", "active")}));
    h.step(TransportClosed{"cut"});
    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    h.reply_ok(session_with(json::array({contact_json("c2", "active")})));
    REQUIRE(h.s().contacts.size() == 1);
    CHECK(h.s().contacts[0].id == "c2");
}

TEST_CASE("updating the customer refreshes every contact of theirs") {
    DeskHarness h;
    login_with(h, json::array({contact_json("c1", "active")}));
    uint64_t id = h.intent(UpdateCustomerIntent{"cu1", std::nullopt, std::nullopt, std::nullopt, std::string("prefers SMS")});
    CHECK(h.last_sent()["notes"] == "prefers SMS");
    CHECK_FALSE(h.last_sent().contains("email"));
    json c = customer();
    c["notes"] = "prefers SMS";
    h.reply_ok({{"customer", c}});
    CHECK(error_code(h, id) == "ok");
    CHECK(h.s().contacts[0].customer.notes == "prefers SMS");
}

TEST_CASE("contact intents from JSON") {
    CHECK(std::holds_alternative<AcceptIntent>(intent_from_json(json::parse(R"({"type":"accept","contact":"c"})")).value()));
    auto w = intent_from_json(json::parse(R"({"type":"wrap_up","contact":"c","disposition":"d","notes":"n","tags":["a"]})"));
    REQUIRE(w);
    CHECK(std::get<WrapUpIntent>(w.value()).tags.size() == 1);
    auto t = intent_from_json(json::parse(R"({"type":"transfer","contact":"c","agent":"bob"})"));
    CHECK(std::get<TransferIntent>(t.value()).agent == "bob");
    auto d = intent_from_json(json::parse(R"({"type":"save_draft","contact":"c","wrap_up":{"disposition":"x","tags":[]}})"));
    CHECK(std::get<SaveDraftIntent>(d.value()).wrap_up->disposition == "x");
    CHECK(intent_from_json(json::parse(R"({"type":"accept"})")).error().code == "bad_intent");
    CHECK(intent_from_json(json::parse(R"({"type":"typing","contact":"c","typing":"yes"})")).error().code == "bad_intent");
    CHECK(intent_from_json(json::parse(R"({"type":"wrap_up","contact":"c","disposition":"d","tags":[1]})")).error().code == "bad_intent");
    CHECK(intent_from_json(json::parse(R"({"type":"update_customer","customer":"x","notes":5})")).error().code == "bad_intent");
}

TEST_CASE("canned responses fill placeholders from the customer card") {
    sb::contact::Customer c;
    c.first_name = "Dana";
    c.last_name = "Whitfield";
    CHECK(sb::contact::fill_placeholders("Hi {customer.first_name} {customer.last_name}, {agent.display_name} here. {x}", c,
                                         "Alice") == "Hi Dana Whitfield, Alice here. {x}");
    CHECK(sb::contact::fill_placeholders("Hi {customer.first_name}!", sb::contact::Customer{}, "") == "Hi there!");
}

TEST_CASE("contact wire forms round-trip and reject bad input") {
    auto c = sb::contact::contact_from_json(contact_json("c1", "active"));
    REQUIRE(c);
    auto back = sb::contact::contact_from_json(sb::contact::to_json(c.value()));
    REQUIRE(back);
    CHECK(sb::contact::to_json(back.value()) == sb::contact::to_json(c.value()));
    json bad = contact_json("c1", "asleep");
    CHECK(sb::contact::contact_from_json(bad).error().message.find("state") != std::string::npos);
    json bad2 = contact_json("c1", "active");
    bad2["message_count"] = -1;
    CHECK_FALSE(sb::contact::contact_from_json(bad2));
    json robot = message("k1", 1, "robot", "beep");
    CHECK_FALSE(sb::contact::message_from_json(robot));
    CHECK_FALSE(sb::contact::message_from_json(message("k1", 0, "customer", "no place in the transcript")));
    json bad3 = contact_json("c1", "active");
    bad3.erase("customer");
    CHECK_FALSE(sb::contact::contact_from_json(bad3));
}
