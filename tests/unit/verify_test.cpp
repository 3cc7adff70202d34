// Customer verification (core/verify): the flow's transition table and every move, the
// customer lock, the answer normalisers and masks, the wire form; and the desk's side: the
// verify intents, a contact's verification and the customer's masked section in state().
#include <set>

#include <doctest/doctest.h>

#include "desk/state_json.h"
#include "desk_harness.h"
#include "verify/normalise.h"
#include "verify/verification.h"

using namespace sb::verify;
using nlohmann::json;

namespace {
Policy support() {
    Policy p;
    p.steps = {StepKind::Dob, StepKind::Postcode, StepKind::SmsCode, StepKind::CallerNumber};
    p.required = 2;
    p.attempts = 3;
    p.max_failures = 5;
    p.lock_ms = 60'000;
    return p;
}
OnFile everything() { return OnFile{true, true, true, true, true}; }
Flow wrong(Flow f, StepKind k, int times) {
    for (int i = 0; i < times; ++i) f = answer(f, k, false).value();
    return f;
}
}  // namespace

TEST_CASE("verify: the transition table") {
    using S = State;
    const S all[] = {S::Unverified, S::InProgress, S::Verified, S::Failed, S::Locked};
    std::set<std::pair<S, S>> allowed = {
        {S::Unverified, S::InProgress}, {S::Unverified, S::Verified}, {S::Unverified, S::Failed},
        {S::Unverified, S::Locked},     {S::InProgress, S::InProgress}, {S::InProgress, S::Verified},
        {S::InProgress, S::Failed},     {S::InProgress, S::Locked},   {S::Failed, S::Locked},
        {S::Locked, S::Unverified}};
    for (S from : all)
        for (S to : all) {
            INFO(to_string(from) << " -> " << to_string(to));
            CHECK(transition_allowed(from, to) == (allowed.count({from, to}) > 0));
        }
    CHECK_FALSE(transition_allowed(S::Verified, S::Locked));  // a verified contact stays verified
    for (S s : all) CHECK(parse_state(to_string(s)) == s);
    CHECK_FALSE(parse_state("Verified"));
}

TEST_CASE("verify: policies") {
    CHECK(check_policy(support()));
    CHECK(check_policy(default_policy()));
    Policy p = support();
    p.required = 3;  // only three answerable steps... fine
    CHECK(check_policy(p));
    p.required = 4;  // caller_number does not count
    CHECK(check_policy(p).error().code == "bad_policy");
    p = support();
    p.steps.push_back(StepKind::Dob);
    CHECK(check_policy(p).error().code == "bad_policy");
    p = support();
    p.attempts = 0;
    CHECK_FALSE(check_policy(p));
    p = support();
    p.lock_ms = 0;
    CHECK_FALSE(check_policy(p));
    auto steps = parse_steps("dob, postcode,sms_code,caller_number");
    REQUIRE(steps);
    CHECK(steps.value() == support().steps);
    CHECK(steps_text(steps.value()) == "dob,postcode,sms_code,caller_number");
    CHECK(parse_steps("dob,shoe_size").error().code == "bad_policy");
}

TEST_CASE("verify: a new flow from a policy and what is on file") {
    Flow f = start_flow(support(), everything());
    CHECK(f.state == State::Unverified);
    CHECK(f.required == 2);
    CHECK(f.caller_hint);
    REQUIRE(f.steps.size() == 3);  // the hint is not a step
    CHECK(f.steps[0] == Step{StepKind::Dob, StepState::Pending, 3});
    CHECK(f.steps[2].kind == StepKind::SmsCode);

    OnFile little;
    little.postcode = true;
    Flow g = start_flow(support(), little);
    CHECK(g.steps[0].state == StepState::Unavailable);
    CHECK(g.steps[0].attempts_left == 0);
    CHECK(g.steps[1].state == StepState::Pending);
    CHECK_FALSE(can_still_verify(g));  // one step can pass, two are needed
    CHECK(can_still_verify(f));
}

TEST_CASE("verify: unverified -> in_progress -> verified") {
    Flow f = start_flow(support(), everything());
    auto a = answer(f, StepKind::Dob, true);
    REQUIRE(a);
    CHECK(a.value().state == State::InProgress);
    CHECK(find_step(a.value(), StepKind::Dob)->state == StepState::Passed);
    auto b = answer(a.value(), StepKind::Postcode, false);
    REQUIRE(b);
    CHECK(b.value().state == State::InProgress);
    CHECK(find_step(b.value(), StepKind::Postcode)->attempts_left == 2);
    auto c = answer(b.value(), StepKind::SmsCode, true);
    REQUIRE(c);
    CHECK(c.value().state == State::Verified);
    CHECK(passed_count(c.value()) == 2);
    // Verified is final for the contact: no more answers, and a customer lock does not undo it.
    CHECK(answer(c.value(), StepKind::Postcode, true).error().code == "wrong_state");
    CHECK(lock(c.value(), 99).state == State::Verified);
}

TEST_CASE("verify: unverified -> verified and -> failed in one answer (one step required)") {
    Policy p = support();
    p.required = 1;
    p.attempts = 1;
    CHECK(answer(start_flow(p, everything()), StepKind::Dob, true).value().state == State::Verified);
    p.steps = {StepKind::Dob};
    CHECK(answer(start_flow(p, everything()), StepKind::Dob, false).value().state == State::Failed);
}

TEST_CASE("verify: in_progress -> failed when no step left can make it") {
    Flow f = start_flow(support(), everything());
    f = wrong(f, StepKind::Dob, 3);
    CHECK(find_step(f, StepKind::Dob)->state == StepState::Failed);
    CHECK(find_step(f, StepKind::Dob)->attempts_left == 0);
    CHECK(f.state == State::InProgress);  // postcode and code can still make two
    CHECK(answer(f, StepKind::Dob, true).error().code == "wrong_state");
    f = wrong(f, StepKind::Postcode, 2);
    CHECK(f.state == State::InProgress);
    f = wrong(f, StepKind::Postcode, 1);
    CHECK(f.state == State::Failed);
    auto again = answer(f, StepKind::SmsCode, true);
    CHECK(again.error().code == "wrong_state");
    // failed -> locked
    Flow l = lock(f, 5000);
    CHECK(l.state == State::Locked);
    CHECK(l.locked_until_ms == 5000);
}

TEST_CASE("verify: locked -> unverified with fresh attempts; answers refused while locked") {
    Flow f = wrong(start_flow(support(), everything()), StepKind::Dob, 2);
    f = answer(f, StepKind::Postcode, true).value();
    Flow l = lock(f, 1000);
    CHECK(l.state == State::Locked);
    auto refused = answer(l, StepKind::SmsCode, true);
    CHECK(refused.error().code == "verification_locked");
    CHECK(code_sent(l).error().code == "verification_locked");
    CHECK(lock(start_flow(support(), everything()), 7).state == State::Locked);  // unverified -> locked

    Flow u = unlock(l);
    CHECK(u.state == State::Unverified);
    CHECK(u.locked_until_ms == 0);
    for (const Step& s : u.steps) {
        CHECK(s.state == StepState::Pending);
        CHECK(s.attempts_left == 3);
    }
    CHECK(unlock(f) == f);  // only a locked flow unlocks
}

TEST_CASE("verify: bad answers change nothing") {
    Flow f = start_flow(support(), everything());
    CHECK(answer(f, StepKind::SecurityPhrase, true).error().code == "unknown_step");
    CHECK(answer(f, StepKind::CallerNumber, true).error().code == "bad_message");
    OnFile none;
    Flow g = start_flow(support(), none);
    CHECK(answer(g, StepKind::Dob, true).error().code == "wrong_state");
    CHECK(code_sent(g).error().code == "wrong_state");
}

TEST_CASE("verify: sending a code begins the flow") {
    Flow f = start_flow(support(), everything());
    auto s = code_sent(f);
    REQUIRE(s);
    CHECK(s.value().state == State::InProgress);
    CHECK(code_sent(s.value()).value().state == State::InProgress);
    Policy sales;
    sales.steps = {StepKind::AccountLast4, StepKind::SecurityPhrase};
    CHECK(code_sent(start_flow(sales, everything())).error().code == "unknown_step");
}

TEST_CASE("verify: the customer lock counts wrong answers in a window") {
    Policy p = support();  // 5 failures, 60 s
    CustomerLock l;
    for (int i = 0; i < 4; ++i) l = record_failure(l, p, 1000 + i);
    CHECK(l.failures == 4);
    CHECK_FALSE(is_locked(l, 1010));
    l = record_failure(l, p, 2000);
    CHECK(l.failures == 5);
    CHECK(l.locked_until_ms == 62'000);
    CHECK(is_locked(l, 61'999));
    CHECK_FALSE(is_locked(l, 62'000));
    CHECK(record_failure(l, p, 3000) == l);  // already locked: no change
    // After the lock, counting starts again.
    CustomerLock after = record_failure(l, p, 70'000);
    CHECK(after.failures == 1);
    CHECK(after.locked_until_ms == 0);
    // An old window is forgotten.
    CustomerLock old{3, 0, 0};
    CHECK(record_failure(old, p, 60'000).failures == 1);
    CHECK(record_failure(old, p, 59'999).failures == 4);
}

TEST_CASE("verify: dates in common formats -> one canonical form") {
    for (const char* s : {"1984-03-07", "1984/3/7", "07/03/1984", "7/3/1984", "07-03-1984", "7.3.84", "7 March 1984",
                          "7 Mar 84", "7th March 1984", "7th of March, 1984", "March 7, 1984", "mar 7 1984",
                          "  07 MARCH 1984 "}) {
        INFO(s);
        CHECK(normalise_date(s) == "1984-03-07");
    }
    CHECK(normalise_date("03/07/1984") == "1984-07-03");   // numbers are day first
    CHECK_FALSE(normalise_date("03/07/1984x"));             // a stray word is not a month
    CHECK(normalise_date("03/13/1984") == "1984-03-13");  // US order when the second is no month
    CHECK(normalise_date("29/02/2000") == "2000-02-29");
    CHECK(normalise_date("1 Jan 05") == "2005-01-01");
    CHECK(normalise_date("1 Jan 30") == "1930-01-01");
    for (const char* s : {"", "1984", "31/02/1984", "13/13/1984", "7 Foo 1984", "7 March", "1984-03-07-01",
                          "29/02/1900", "7 ma 1984", "123/1/1984"}) {
        INFO(s);
        CHECK_FALSE(normalise_date(s));
    }
}

TEST_CASE("verify: postcodes, phrases, digits") {
    CHECK(normalise_postcode("sw1a 1aa") == "SW1A1AA");
    CHECK(normalise_postcode("SW1A1AA") == "SW1A1AA");
    CHECK(normalise_postcode(" Sw1A  1aA ") == "SW1A1AA");
    CHECK(normalise_postcode("90210") == "90210");
    CHECK(normalise_postcode("90210-1234") == "90210");
    CHECK_FALSE(normalise_postcode("SW1A/1AA"));
    CHECK_FALSE(normalise_postcode("a"));
    CHECK(normalise_phrase("Blue  Whale!") == "bluewhale");
    CHECK(normalise_phrase("blue-whale") == normalise_phrase("BLUE WHALE."));
    CHECK(digits_of("12 34-56") == "123456");

    CHECK(normalise_answer(StepKind::Dob, "7 March 1984").value() == "1984-03-07");
    CHECK(normalise_answer(StepKind::Dob, "yesterday").error().code == "bad_message");
    CHECK(normalise_answer(StepKind::Postcode, "sw1a 1aa").value() == "SW1A1AA");
    CHECK(normalise_answer(StepKind::AccountLast4, "ending 0417").value() == "0417");
    CHECK(normalise_answer(StepKind::AccountLast4, "AC-40020417").value() == "0417");
    CHECK(normalise_answer(StepKind::AccountLast4, "417").error().code == "bad_message");
    CHECK(normalise_answer(StepKind::SecurityPhrase, "Blue whale").value() == "bluewhale");
    CHECK(normalise_answer(StepKind::SecurityPhrase, "!!").error().code == "bad_message");
    CHECK(normalise_answer(StepKind::SmsCode, "123 456").value() == "123456");
    CHECK(normalise_answer(StepKind::SmsCode, "12345").error().code == "bad_message");
    CHECK(normalise_answer(StepKind::CallerNumber, "x").error().code == "bad_message");
    CHECK(normalise_answer(StepKind::Dob, std::string(201, '1')).error().code == "bad_message");
}

TEST_CASE("verify: masks") {
    CHECK(mask_account_number("40020417") == "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2 0417");
    CHECK(mask_account_number("123") == "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2");
    CHECK(mask_phone("+15550100002") == "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2 0002");
}

TEST_CASE("verify: the wire form round-trips") {
    Flow f = answer(start_flow(support(), everything()), StepKind::Dob, false).value();
    f.code_expires_at_ms = 12345;
    f.caller_number = "match";
    json j = to_json(f);
    CHECK(j["state"] == "in_progress");
    CHECK(j["required"] == 2);
    CHECK(j["steps"][0] == json{{"step", "dob"}, {"question", "What is your date of birth?"}, {"state", "pending"},
                                {"attempts_left", 2}});
    CHECK(j["steps"][2]["code_expires_at"] == 12345);
    CHECK(j["caller_number"] == "match");
    CHECK(j["locked_until"].is_null());
    auto back = flow_from_json(j);
    REQUIRE(back);
    CHECK(back.value().steps == f.steps);
    CHECK(back.value().state == f.state);
    CHECK(back.value().caller_number == "match");
    CHECK(back.value().code_expires_at_ms == 12345);
    CHECK(flow_from_json(json{{"state", "sideways"}}).error().code == "bad_message");
    json broken = j;
    broken["steps"][0]["step"] = "shoe_size";
    CHECK(flow_from_json(broken).error().message.find("verification.steps[0].step") != std::string::npos);
    Flow l = lock(f, 777);
    CHECK(to_json(l)["locked_until"] == 777);
}

// ---- the desk's side -------------------------------------------------------------------------------
namespace {
const std::string kDots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";

json masked_customer(bool unlocked) {
    json accounts = json::array({{{"id", "AC-1"}, {"number", unlocked ? json("30011872") : json(kDots + " 1872")},
                                  {"plan", "Business Pro"}, {"status", "active"},
                                  {"balance_cents", unlocked ? json(2350) : json(nullptr)}}});
    return {{"id", "cu1"}, {"first_name", "Dana"}, {"last_name", "W"}, {"phone", "+15550100002"},
            {"chat_identity", nullptr}, {"email", nullptr}, {"notes", ""}, {"history", json::array()},
            {"sensitive", {{"unlocked", unlocked}, {"accounts", accounts},
                           {"date_of_birth", unlocked ? json("1979-11-23") : json(nullptr)},
                           {"address", unlocked ? json("221 Elm Street") : json(nullptr)},
                           {"postcode", unlocked ? json("62704") : json(nullptr)},
                           {"payment_methods", unlocked ? json::array() : json(nullptr)}}}};
}

json verified_contact(const Flow& f, bool unlocked) {
    return {{"id", "c1"}, {"channel", "chat"}, {"state", "active"}, {"queue", "support"},
            {"customer", masked_customer(unlocked)}, {"message_count", 0}, {"last_message", nullptr}, {"created_at", 1},
            {"offer_expires_at", nullptr}, {"accepted_at", 2}, {"ended_at", nullptr}, {"ended_by", nullptr},
            {"acw_expires_at", nullptr}, {"transfer", nullptr}, {"customer_typing", false},
            {"verification", to_json(f)}};
}

}  // namespace

TEST_CASE("verify intents from JSON") {
    using namespace sb::desk;
    auto a = intent_from_json(json{{"type", "verify_answer"}, {"contact", "c1"}, {"step", "dob"}, {"answer", "7 March 1984"}});
    REQUIRE(a);
    const auto& in = std::get<VerifyAnswerIntent>(a.value());
    CHECK(in.contact == "c1");
    CHECK(in.step == "dob");
    CHECK(in.answer == "7 March 1984");
    auto c = intent_from_json(json{{"type", "verify_send_code"}, {"contact", "c1"}});
    REQUIRE(c);
    CHECK(std::get<VerifySendCodeIntent>(c.value()).contact == "c1");
    CHECK(intent_from_json(json{{"type", "verify_answer"}, {"contact", "c1"}, {"step", "dob"}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "verify_answer"}, {"contact", "c1"}, {"step", "dob"}, {"answer", "  "}})
              .error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "verify_answer"}, {"contact", "c1"}, {"step", 3}, {"answer", "x"}})
              .error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "verify_send_code"}}).error().code == "bad_intent");
    auto u = intent_from_json(json{{"type", "update_customer"}, {"customer", "cu1"}, {"address", "1 New St"}, {"postcode", "SW1A 1AA"}});
    REQUIRE(u);
    CHECK(std::get<UpdateCustomerIntent>(u.value()).address == "1 New St");
    CHECK(std::get<UpdateCustomerIntent>(u.value()).postcode == "SW1A 1AA");
    auto named = intent_from_json(json{{"type", "update_customer"}, {"customer", "cu1"}, {"contact", "c1"}, {"phone", "+15550100"}});
    REQUIRE(named);
    CHECK(std::get<UpdateCustomerIntent>(named.value()).contact == "c1");
    CHECK(std::get<UpdateCustomerIntent>(named.value()).phone == "+15550100");
    CHECK(intent_from_json(json{{"type", "update_customer"}, {"customer", "cu1"}, {"contact", 7}}).error().code == "bad_intent");
}

TEST_CASE("the desk: verify_answer goes to the backend; the reply and contact.verification update the checklist") {
    using namespace sb::desk;
    sb::test::DeskHarness h;
    Policy p = support();
    Flow f = start_flow(p, everything());
    signed_in_with(h, json::array({verified_contact(f, false)}));
    const auto& c = h.s().contacts.at(0);
    REQUIRE(c.verification);
    CHECK(c.verification->state == State::Unverified);
    REQUIRE(c.customer.sensitive);
    CHECK_FALSE(c.customer.sensitive->unlocked);
    CHECK(c.customer.sensitive->accounts.at(0).number == kDots + " 1872");
    CHECK_FALSE(c.customer.sensitive->accounts.at(0).balance_cents);

    // state(): the checklist and the masked section, as the backend sent them.
    json js = sb::desk::state_to_json(h.s(), h.now);
    CHECK(js["contacts"][0]["verification"]["state"] == "unverified");
    CHECK(js["contacts"][0]["verification"]["steps"].size() == 3);
    CHECK(js["contacts"][0]["verification"]["steps"][0]["question"] == "What is your date of birth?");
    CHECK(js["contacts"][0]["customer"]["sensitive"]["unlocked"] == false);
    CHECK(js["contacts"][0]["customer"]["sensitive"]["accounts"][0]["balance_cents"].is_null());
    CHECK(js["contacts"][0]["customer"]["sensitive"]["address"].is_null());

    // A step that is not on the checklist is refused without a request.
    auto sent = h.sent.size();
    CHECK(outcome(h, h.intent(VerifyAnswerIntent{"c1", "security_phrase", "x"})) == "unknown_step");
    CHECK(outcome(h, h.intent(VerifyAnswerIntent{"nope", "dob", "x"})) == "unknown_contact");
    CHECK(h.sent.size() == sent);

    uint64_t id = h.intent(VerifyAnswerIntent{"c1", "dob", "23/11/1979"});
    CHECK(h.last_sent() == json{{"type", "verify_answer"}, {"id", h.last_sent()["id"]}, {"contact", "c1"},
                                {"step", "dob"}, {"answer", "23/11/1979"}});
    Flow after = answer(f, StepKind::Dob, true).value();
    h.reply_ok({{"passed", true}, {"attempts_left", 3}, {"state", "in_progress"}, {"verification", to_json(after)}});
    CHECK(outcome(h, id) == "ok");
    CHECK(h.s().contacts[0].verification->state == State::InProgress);
    CHECK(find_step(*h.s().contacts[0].verification, StepKind::Dob)->state == StepState::Passed);

    uint64_t code = h.intent(VerifySendCodeIntent{"c1"});
    CHECK(h.last_sent()["type"] == "verify_send_code");
    h.reply_error("verification_locked", "Locked");
    CHECK(outcome(h, code) == "verification_locked");
    CHECK(h.s().notice == "Locked");

    // The backend's event: verified, and the customer card unlocked.
    Flow done = answer(after, StepKind::Postcode, true).value();
    h.event(4, "contact.verification", {{"contact", "c1"}, {"verification", to_json(done)}, {"customer", masked_customer(true)}});
    CHECK(h.s().contacts[0].verification->state == State::Verified);
    CHECK(h.s().contacts[0].customer.sensitive->unlocked);
    CHECK(h.s().contacts[0].customer.sensitive->accounts.at(0).balance_cents == 2350);
    bool told = false;
    for (const auto& e : h.effects)
        if (auto* n = std::get_if<Notify>(&e); n && n->event == "contact.verification") told = n->data["verification"]["state"] == "verified";
    CHECK(told);
    json after_js = sb::desk::state_to_json(h.s(), h.now);
    CHECK(after_js["contacts"][0]["customer"]["sensitive"]["address"] == "221 Elm Street");

    // An unreadable event changes nothing.
    h.event(5, "contact.verification", {{"contact", "c1"}, {"verification", {{"state", "sideways"}}}});
    CHECK(h.s().contacts[0].verification->state == State::Verified);
}

TEST_CASE("the desk: update_customer carries the sensitive fields") {
    using namespace sb::desk;
    sb::test::DeskHarness h;
    signed_in_with(h, json::array({verified_contact(start_flow(support(), everything()), false)}));
    UpdateCustomerIntent u{"cu1", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    u.address = "5 Oak Avenue";
    h.intent(u);
    CHECK(h.last_sent()["type"] == "update_customer");
    CHECK(h.last_sent()["address"] == "5 Oak Avenue");
    // The backend checks the contact named: the customer's only contact on this desk.
    CHECK(h.last_sent()["contact"] == "c1");
    CHECK_FALSE(h.last_sent().contains("postcode"));
    h.reply_error("verification_required", "Verify first");
    CHECK(h.s().notice == "Verify first");

    // Named by the intent, it is sent as named (and a phone with it).
    UpdateCustomerIntent p{"cu1", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    p.phone = "+15550100009";
    p.contact = "c1";
    h.intent(p);
    CHECK(h.last_sent()["contact"] == "c1");
    CHECK(h.last_sent()["phone"] == "+15550100009");
}
