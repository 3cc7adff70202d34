// A security phrase answer is checked off the I/O thread (server/desk/desk_service.cpp,
// verify_answer): its Argon2id check goes to the password workers like a sign-in's, the desk's
// other requests are answered meanwhile, and the answer is applied when the check is back, to
// the verification as it stands then. The workers here are a queue the test runs by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "desk_stack.h"
#include "protocol/schema.h"
#include "server/store/demo_seed.h"

namespace {

using nlohmann::json;

struct Stack : sbtest::DeskStack {
    int ids = 0;
    Stack() : DeskStack("verify-offload") {
        REQUIRE(sbd::seed_verification_demo_data(*store).ok());
        // The chat's queue asks for the security phrase (the demo's sales queue does; chats go to support).
        REQUIRE(store->database().exec("UPDATE verification_policies SET steps = 'security_phrase,dob,postcode' WHERE queue = 'support';").ok());
    }
    // The frame with a new id ("r1", "r2", ...); its reply if it came at once.
    json request(sbd::ConnectionId conn, json frame) {
        frame["id"] = "r" + std::to_string(++ids);
        return DeskStack::request(conn, frame);
    }
};

json ok_result(const json& r) {
    REQUIRE(r.is_object());
    REQUIRE_MESSAGE(r.value("ok", false), r.dump());
    return r["result"];
}

// alice, signed in on connection 1 and available, with Dana's chat (claiming the record that has
// the phrase "autumn leaves") accepted.
std::string active_chat(Stack& s) {
    s.desk->open(1, "192.0.2.7");
    ok_result(s.request(1, {{"type", "hello"}, {"versions", {3}}, {"client", "test"}}));
    ok_result(s.request(1, {{"type", "login"}, {"username", "alice"}, {"password", "switchboard"}}));
    ok_result(s.request(1, {{"type", "set_state"}, {"state", "available"}}));
    auto chat = s.contacts->start_chat("Dana", std::string("dana@example.com"));
    REQUIRE(chat.ok());
    const std::string id = chat.value().contact.id;
    s.pump();
    ok_result(s.request(1, {{"type", "accept"}, {"contact", id}}));
    return id;
}

}  // namespace

TEST_CASE("a security phrase is checked off the I/O thread; the desk is answered meanwhile") {
    Stack s;
    const std::string contact = active_chat(s);
    s.workers = Stack::Workers::Queued;

    const std::size_t before = s.out.sent.size();
    json wrong = s.request(1, {{"type", "verify_answer"}, {"contact", contact}, {"step", "security_phrase"}, {"answer", "winter snow"}});
    CHECK(wrong.is_null());  // not yet: the check is with the workers
    REQUIRE(s.queued.size() == 1);
    // The same desk's other requests are answered while it waits.
    json verification = ok_result(s.request(1, {{"type", "verify"}, {"contact", contact}}))["verification"];
    CHECK(verification.value("state", "") == "unverified");  // nothing applied yet
    CHECK(s.out.sent.size() > before);

    s.run_workers();
    json answered = ok_result(s.reply("r" + std::to_string(s.ids - 1)));
    CHECK(answered.value("passed", true) == false);
    CHECK(answered.value("attempts_left", 0) == 2);

    // The right phrase, however it is typed (the check compares the normalised answer).
    json right = s.request(1, {{"type", "verify_answer"}, {"contact", contact}, {"step", "security_phrase"}, {"answer", "  Autumn   LEAVES "}});
    CHECK(right.is_null());
    s.run_workers();
    json passed = ok_result(s.reply("r" + std::to_string(s.ids)));
    CHECK(passed.value("passed", false) == true);
    CHECK(passed["verification"]["steps"][0].value("state", "") == "passed");
}

TEST_CASE("answers checked together count one by one; a desk gone before its check is back changes nothing") {
    Stack s;
    const std::string contact = active_chat(s);
    s.workers = Stack::Workers::Queued;
    // Four wrong answers at once: three attempts, then the step is used up. Each is applied in
    // turn to the flow as the one before left it.
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) {
        CHECK(s.request(1, {{"type", "verify_answer"}, {"contact", contact}, {"step", "security_phrase"}, {"answer", "wrong " + std::to_string(i)}})
                  .is_null());
        ids.push_back("r" + std::to_string(s.ids));
    }
    s.run_workers();
    CHECK(ok_result(s.reply(ids[0])).value("attempts_left", -1) == 2);
    CHECK(ok_result(s.reply(ids[1])).value("attempts_left", -1) == 1);
    CHECK(ok_result(s.reply(ids[2])).value("attempts_left", -1) == 0);
    json fourth = s.reply(ids[3]);
    REQUIRE(fourth.is_object());
    CHECK_FALSE(fourth.value("ok", true));  // no attempts left: refused, whatever the check said

    // A dob answer has nothing slow: answered at once.
    json dob = s.request(1, {{"type", "verify_answer"}, {"contact", contact}, {"step", "dob"}, {"answer", "1979-11-23"}});
    CHECK(ok_result(dob).value("passed", false));
    CHECK(s.queued.empty());

    // A second contact: its desk closes while its check is out; nothing is applied.
    Stack t;
    const std::string other = active_chat(t);
    t.workers = Stack::Workers::Queued;
    auto stored = [&] {
        auto v = t.verification_store->find(other);
        REQUIRE(v.ok());
        return v.value() ? v.value()->flow_json : std::string();
    };
    const std::string flow_before = stored();
    CHECK(t.request(1, {{"type", "verify_answer"}, {"contact", other}, {"step", "security_phrase"}, {"answer", "nope"}}).is_null());
    t.desk->close(1);
    t.run_workers();
    CHECK(stored() == flow_before);  // no attempt was recorded
}

TEST_CASE("a security phrase the workers cannot take: come back later, no attempt used") {
    Stack s;
    const std::string contact = active_chat(s);
    s.workers = Stack::Workers::Full;
    json r = s.request(1, {{"type", "verify_answer"}, {"contact", contact}, {"step", "security_phrase"}, {"answer", "autumn leaves"}});
    REQUIRE(r.is_object());
    CHECK_FALSE(r.value("ok", true));
    CHECK(r["error"].value("code", "") == sb::protocol::code::rate_limited);
    CHECK(r["error"].value("retry_after_ms", 0) > 0);
    json verification = ok_result(s.request(1, {{"type", "verify"}, {"contact", contact}}))["verification"];
    CHECK(verification["steps"][0].value("attempts_left", 0) == 3);
}
