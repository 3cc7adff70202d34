// A contact's transcript on the desk (protocol version 2, desk/transcript.cpp): contact objects
// only count their messages; the desk fetches the transcript once with get_messages, page by
// page, appends what contact.message brings, fetches again only past a gap, merges by message
// id (duplicates, replays and pages that overlap are held once; a status change updates the
// message in place), and refuses a malformed page without throwing or losing what it holds.
#include "desk_harness.h"

using namespace sb::test;
using sb::contact::MessageStatus;

namespace {

json message(int64_t seq, const std::string& from = "customer", const std::string& status = "sent") {
    return {{"id", "m" + std::to_string(seq)}, {"seq", seq}, {"from", from}, {"text", "text " + std::to_string(seq)},
            {"at", 1'700'000'000'000 + seq}, {"agent", from == "agent" ? json("alice") : json(nullptr)},
            {"status", status}, {"segments", nullptr}};
}

json page(int64_t first, int64_t last, bool more) {
    json list = json::array();
    for (int64_t s = first; s <= last; ++s) list.push_back(message(s));
    return {{"messages", std::move(list)}, {"more", more}};
}

json chat(const std::string& state, int64_t count) {
    return {{"id", "c1"}, {"channel", "chat"}, {"state", state}, {"queue", "support"},
            {"customer", {{"id", "cu1"}, {"first_name", "Dana"}, {"last_name", "W"}, {"phone", nullptr},
                          {"chat_identity", "d@x"}, {"email", nullptr}, {"notes", ""}, {"history", json::array()}}},
            {"message_count", count},
            {"last_message", count ? json{{"id", "m" + std::to_string(count)}, {"seq", count}} : json(nullptr)},
            {"created_at", 1}, {"offer_expires_at", nullptr}, {"accepted_at", 2}, {"ended_at", nullptr},
            {"ended_by", nullptr}, {"acw_expires_at", nullptr}, {"transfer", nullptr}, {"customer_typing", false}};
}

std::vector<int64_t> seqs(const DeskHarness& h) {
    std::vector<int64_t> out;
    for (const auto& m : h.s().contacts.at(0).messages) out.push_back(m.seq);
    return out;
}

std::vector<int64_t> range(int64_t first, int64_t last) {
    std::vector<int64_t> out;
    for (int64_t s = first; s <= last; ++s) out.push_back(s);
    return out;
}

bool warned(const DeskHarness& h) {
    for (const auto& e : h.effects)
        if (auto* l = std::get_if<Log>(&e); l && l->level == LogLevel::Warn) return true;
    return false;
}

// A logged-in desk holding chat c1, `count` messages long, with its transcript fetched.
void holding(DeskHarness& h, int64_t count) {
    h.login();
    h.event(4, "contact.offered", chat("offered", count));
    if (count == 0) return;
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    h.reply_to(asked[0], page(1, count, false));
    REQUIRE(seqs(h) == range(1, count));
}

}  // namespace

TEST_CASE("transcript: fetched once when the contact appears, then appended from contact.message") {
    DeskHarness h;
    h.login();
    h.event(4, "contact.offered", chat("offered", 3));
    REQUIRE(h.s().contacts.size() == 1);
    CHECK(h.s().contacts[0].messages.empty());
    CHECK(h.s().contacts[0].message_count == 3);
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0]["contact"] == "c1");
    CHECK(asked[0]["after"] == 0);
    CHECK(asked[0]["limit"] == 200);

    // While the page is on its way, news of the contact does not ask again.
    h.event(5, "contact.updated", chat("offered", 3));
    CHECK(h.unanswered("get_messages").size() == 1);

    h.reply_to(asked[0], page(1, 3, false));
    CHECK(seqs(h) == range(1, 3));
    CHECK(h.s().contacts[0].messages[2].text == "text 3");
    const Notify* n = h.find<Notify>();
    REQUIRE(n);
    CHECK(n->event == "contact.updated");

    auto sent = h.sent.size();
    h.event(6, "contact.message", {{"contact", "c1"}, {"message", message(4)}});
    h.event(7, "contact.updated", chat("active", 4));
    h.event(8, "contact.message", {{"contact", "c1"}, {"message", message(5, "agent")}});
    CHECK(seqs(h) == range(1, 5));
    CHECK(h.sent.size() == sent);  // nothing fetched again
    CHECK(h.s().contacts[0].state == sb::contact::ContactState::Active);
}

TEST_CASE("transcript: a long one comes in pages, each after the last message held") {
    DeskHarness h;
    h.login();
    h.event(4, "contact.offered", chat("offered", 450));
    auto first = h.unanswered("get_messages");
    REQUIRE(first.size() == 1);
    h.reply_to(first[0], page(1, 200, true));
    auto second = h.unanswered("get_messages");
    REQUIRE(second.size() == 1);
    CHECK(second[0]["after"] == 200);
    h.reply_to(second[0], page(201, 400, true));
    auto third = h.unanswered("get_messages");
    REQUIRE(third.size() == 1);
    CHECK(third[0]["after"] == 400);
    h.reply_to(third[0], page(401, 450, false));
    CHECK(h.unanswered("get_messages").empty());
    CHECK(seqs(h) == range(1, 450));
}

TEST_CASE("transcript: a message past a gap fetches what was missed; out of order and twice, each is held once") {
    DeskHarness h;
    holding(h, 2);
    // Message 5 arrives first (3 and 4 were lost on the way, say): the desk asks for what follows 2.
    h.event(5, "contact.message", {{"contact", "c1"}, {"message", message(5)}});
    CHECK(seqs(h) == std::vector<int64_t>{1, 2, 5});
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0]["after"] == 2);
    // The page overlaps what the events bring meanwhile.
    h.event(6, "contact.message", {{"contact", "c1"}, {"message", message(4)}});
    h.reply_to(asked[0], page(3, 5, false));
    CHECK(seqs(h) == range(1, 5));
    CHECK(h.unanswered("get_messages").empty());
    // Replayed (a resume) and repeated: nothing new.
    auto sent = h.sent.size();
    h.event(7, "contact.message", {{"contact", "c1"}, {"message", message(3)}});
    h.event(8, "contact.message", {{"contact", "c1"}, {"message", message(5)}});
    CHECK(seqs(h) == range(1, 5));
    CHECK(h.count<Notify>() == 0);
    CHECK(h.sent.size() == sent);
}

TEST_CASE("transcript: a message seen again with another status is updated in place") {
    DeskHarness h;
    holding(h, 3);
    h.event(5, "contact.message", {{"contact", "c1"}, {"message", message(2, "agent", "delivered")}});
    CHECK(seqs(h) == range(1, 3));
    CHECK(h.s().contacts[0].messages[1].status == MessageStatus::Delivered);
    h.event(6, "contact.message", {{"contact", "c1"}, {"message", message(2, "agent", "failed")}});
    CHECK(h.s().contacts[0].messages[1].status == MessageStatus::Failed);
}

TEST_CASE("transcript: a resume keeps what the desk holds and fetches only what it missed") {
    DeskHarness h;
    holding(h, 3);
    h.step(TransportClosed{"cut"});
    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    REQUIRE(h.last_sent()["type"] == "resume");
    json session = DeskHarness::session(8);
    session["contacts"] = json::array({chat("active", 6)});
    h.reply_ok(session);
    CHECK(seqs(h) == range(1, 3));
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0]["after"] == 3);
    h.reply_to(asked[0], page(4, 6, false));
    CHECK(seqs(h) == range(1, 6));

    // Nothing missed: nothing asked.
    h.step(TransportClosed{"cut"});
    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    auto sent = h.sent.size();
    h.reply_ok(session);
    CHECK(h.sent.size() == sent);
    CHECK(seqs(h) == range(1, 6));
}

TEST_CASE("transcript: the agent's own message is held once, whether its event or its reply comes first") {
    for (bool event_first : {true, false}) {
        CAPTURE(event_first);
        DeskHarness h;
        holding(h, 2);
        h.event(5, "contact.updated", chat("active", 2));
        h.intent(SendMessageIntent{"c1", "text 3"});
        json request = h.last_sent();
        REQUIRE(request["type"] == "send_message");
        CHECK(h.s().contacts[0].messages.back().status == MessageStatus::Pending);
        json stored = message(3, "agent");
        auto reply = [&] { h.reply_to(request, {{"message", stored}}); };
        auto event = [&] { h.event(6, "contact.message", {{"contact", "c1"}, {"message", stored}}); };
        if (event_first) { event(); reply(); }
        else { reply(); event(); }
        CHECK(seqs(h) == range(1, 3));
        CHECK(h.s().contacts[0].messages.back().client_id.empty());
        CHECK(h.unanswered("get_messages").empty());
    }
}

TEST_CASE("transcript: malformed pages are refused with a log, nothing held is lost, and the next change asks again") {
    json bad_pages[] = {
        json{{"messages", "none"}, {"more", false}},
        json{{"messages", json::array({message(1), json{{"id", "m2"}, {"from", "customer"}, {"text", "x"}, {"at", 1}}})},
             {"more", false}},                                           // a message without its seq
        json{{"messages", json::array({message(1)})}},                    // no "more"
        json{{"messages", json::array({message(1)})}, {"more", "yes"}},
        json{{"messages", json::array({message(1), nullptr})}, {"more", false}},
        json::object(),
    };
    for (const json& bad : bad_pages) {
        CAPTURE(bad.dump());
        DeskHarness h;
        h.login();
        h.event(4, "contact.offered", chat("offered", 2));
        auto asked = h.unanswered("get_messages");
        REQUIRE(asked.size() == 1);
        h.reply_to(asked[0], bad);
        CHECK(warned(h));
        CHECK(h.s().contacts.at(0).messages.empty());
        CHECK(h.s().connection == ConnectionState::Connected);
        CHECK(h.unanswered("get_messages").empty());
        // The next news of the contact asks again, and a good page is taken.
        h.event(5, "contact.updated", chat("active", 2));
        auto again = h.unanswered("get_messages");
        REQUIRE(again.size() == 1);
        h.reply_to(again[0], page(1, 2, false));
        CHECK(seqs(h) == range(1, 2));
    }

    // More than a page may hold, a reply that is not an object, an error: refused the same way.
    DeskHarness h;
    holding(h, 1);
    h.event(5, "contact.updated", chat("active", 500));
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    h.reply_to(asked[0], page(2, 300, false));
    CHECK(warned(h));
    CHECK(seqs(h) == range(1, 1));
    h.event(6, "contact.updated", chat("active", 500));
    asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    h.step(FrameReceived{R"({"type":"reply","id":")" + asked[0]["id"].get<std::string>() + R"(","ok":true,"result":[1]})"});
    CHECK(warned(h));
    h.event(7, "contact.updated", chat("active", 500));
    asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    h.step(FrameReceived{protocol::reply_error(asked[0]["id"], make_error("not_your_contact", "Not yours.")).dump()});
    CHECK(warned(h));
    CHECK(seqs(h) == range(1, 1));
    CHECK(h.s().connection == ConnectionState::Connected);
}

TEST_CASE("transcript: a backend whose pages bring nothing new cannot keep the desk asking") {
    DeskHarness h;
    holding(h, 2);
    h.event(5, "contact.updated", chat("active", 10));
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    h.reply_to(asked[0], page(1, 2, true));  // "more", yet nothing past what the desk holds
    CHECK(h.unanswered("get_messages").empty());
    CHECK(warned(h));
    CHECK(seqs(h) == range(1, 2));
}

TEST_CASE("transcript: a page for a contact that left meanwhile is dropped") {
    DeskHarness h;
    h.login();
    h.event(4, "contact.offered", chat("offered", 2));
    auto asked = h.unanswered("get_messages");
    REQUIRE(asked.size() == 1);
    h.event(5, "contact.ended", {{"contact", "c1"}, {"reason", "missed"}});
    h.reply_to(asked[0], page(1, 2, false));
    CHECK(h.s().contacts.empty());
}

TEST_CASE("the desk speaks version 3 only: a backend answering an older one is left") {
    for (int older : {1, 2}) {
        DeskHarness h;
        h.step(Start{"ws://backend/desk", 1, std::nullopt});
        h.step(TransportOpened{});
        CHECK(h.last_sent()["versions"] == json::array({3}));
        h.reply_ok({{"version", older}, {"server", "old"}, {"now", h.now}, {"max_frame", 65536}});
        CHECK(h.s().connection == ConnectionState::WaitingToReconnect);
    }
}
