// The desk's side of taking a payment (core/desk/payments.cpp; docs/payments.md): the intents'
// JSON, the card checked before it leaves and sent once, never kept; the server's payment and
// recording news on the contact and in state().
#include <doctest/doctest.h>

#include "desk/state_json.h"
#include "desk_harness.h"

using json = nlohmann::json;
using namespace sb::desk;

namespace {

json customer(bool unlocked) {
    return {{"id", "cu1"}, {"first_name", "Dana"}, {"last_name", "W"}, {"phone", "+15550100002"},
            {"chat_identity", nullptr}, {"email", nullptr}, {"notes", ""}, {"history", json::array()},
            {"sensitive", {{"unlocked", unlocked}, {"accounts", json::array()}, {"date_of_birth", nullptr},
                           {"address", nullptr}, {"postcode", nullptr},
                           {"payment_methods", unlocked ? json::array({{{"brand", "visa"}, {"last4", "4242"}, {"expiry", "12/30"}}})
                                                        : json(nullptr)}}}};
}

json contact(const std::string& channel, json payment = nullptr, const std::string& recording = "off") {
    return {{"id", "c1"}, {"channel", channel}, {"state", "active"}, {"queue", "support"},
            {"customer", customer(true)}, {"message_count", 0}, {"last_message", nullptr}, {"created_at", 1},
            {"offer_expires_at", nullptr}, {"accepted_at", 2}, {"ended_at", nullptr}, {"ended_by", nullptr},
            {"acw_expires_at", nullptr}, {"transfer", nullptr}, {"customer_typing", false},
            {"payment", std::move(payment)}, {"recording", recording}};
}

json payment(const std::string& state, const std::string& recording, int64_t updated = 10) {
    return {{"id", "p1"}, {"state", state}, {"amount", 4599}, {"currency", "USD"}, {"recording", recording},
            {"card", nullptr}, {"error", nullptr}, {"created_at", 5}, {"updated_at", updated}};
}


}  // namespace

TEST_CASE("payment intents from JSON") {
    auto s = intent_from_json(json{{"type", "payment_start"}, {"contact", "c1"}, {"amount", 4599}});
    REQUIRE(s);
    CHECK(std::get<PaymentStartIntent>(s.value()).amount == 4599);
    CHECK(std::get<PaymentStartIntent>(s.value()).currency.empty());
    CHECK(intent_from_json(json{{"type", "payment_start"}, {"contact", "c1"}, {"amount", 0}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "payment_start"}, {"contact", "c1"}, {"amount", 12.5}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "payment_start"}, {"contact", "c1"}, {"amount", 100}, {"currency", "usd"}})
              .error().code == "bad_intent");
    auto sub = intent_from_json(json{{"type", "payment_submit"}, {"contact", "c1"}, {"payment", "p1"},
                                     {"card_number", "4242 4242 4242 4242"}, {"expiry", "12/30"}, {"cvc", "123"}});
    REQUIRE(sub);
    CHECK(std::get<PaymentSubmitIntent>(sub.value()).card_number == "4242 4242 4242 4242");
    // A missing field is named; a value is never quoted back.
    auto missing = intent_from_json(json{{"type", "payment_submit"}, {"contact", "c1"}, {"payment", "p1"},
                                         {"card_number", "4242424242424242"}, {"expiry", "12/30"}});
    CHECK(missing.error().message.find("cvc") != std::string::npos);
    auto number = intent_from_json(json{{"type", "payment_submit"}, {"contact", "c1"}, {"payment", "p1"},
                                        {"card_number", 4242424242424242}, {"expiry", "12/30"}, {"cvc", "1"}});
    CHECK(number.error().message.find("4242") == std::string::npos);
    CHECK(std::get<RefundIntent>(intent_from_json(json{{"type", "refund"}, {"contact", "c1"}, {"payment", "p1"}}).value()).amount == 0);
    CHECK(std::get<PaymentCancelIntent>(intent_from_json(json{{"type", "payment_cancel"}, {"contact", "c1"}, {"payment", "p1"}}).value())
              .payment == "p1");
}

TEST_CASE("the desk takes a payment: start, the recording pauses, the card is checked, sent once, approved") {
    sb::test::DeskHarness h;
    signed_in_with(h, json::array({contact("voice", nullptr, "on")}));
    CHECK(h.s().contacts[0].recording == sb::contact::RecordingState::On);
    CHECK(h.s().contacts[0].customer.sensitive->payment_methods.at(0).last4 == "4242");

    uint64_t start = h.intent(PaymentStartIntent{"c1", 4599, ""});
    CHECK(h.last_sent() == json{{"type", "payment_start"}, {"id", h.last_sent()["id"]}, {"amount", 4599}, {"contact", "c1"}});
    h.reply_ok({{"payment", payment("capturing", "pausing")}});
    CHECK(outcome(h, start) == "ok");
    REQUIRE(h.s().contacts[0].payment);
    CHECK(h.s().contacts[0].payment->state == sb::contact::PaymentState::Capturing);
    CHECK(h.s().contacts[0].payment->recording == sb::contact::RecordingState::Pausing);

    h.event(4, "contact.recording", {{"contact", "c1"}, {"recording", "paused"}});
    CHECK(h.s().contacts[0].recording == sb::contact::RecordingState::Paused);
    CHECK(h.s().contacts[0].payment->recording == sb::contact::RecordingState::Paused);

    // Checked on the desk first: nothing goes out for a typo, and the reply never quotes it.
    auto sent = h.sent.size();
    uint64_t bad = h.intent(PaymentSubmitIntent{"c1", "p1", "4242 4242 4242 4241", "12/30", "123"});
    CHECK(outcome(h, bad) == "card_invalid");
    CHECK(h.completion(bad)->error->message.find("4241") == std::string::npos);
    CHECK(outcome(h, h.intent(PaymentSubmitIntent{"c1", "p1", "4242 4242 4242 4242", "01/20", "123"})) == "card_invalid");
    CHECK(outcome(h, h.intent(PaymentSubmitIntent{"c1", "p9", "4242 4242 4242 4242", "12/30", "123"})) == "unknown_payment");
    CHECK(h.sent.size() == sent);

    uint64_t submit = h.intent(PaymentSubmitIntent{"c1", "p1", "4242 4242 4242 4242", "12/30", "123"});
    CHECK(h.sent.size() == sent + 1);
    CHECK(h.last_sent()["type"] == "payment_submit");
    CHECK(h.last_sent()["card_number"] == "4242 4242 4242 4242");
    CHECK(h.last_sent()["payment"] == "p1");
    h.reply_ok({{"payment", payment("authorizing", "paused", 11)}});
    CHECK(outcome(h, submit) == "ok");
    CHECK(h.s().contacts[0].payment->state == sb::contact::PaymentState::Authorizing);
    // While authorising, a second submit is refused here.
    CHECK(outcome(h, h.intent(PaymentSubmitIntent{"c1", "p1", "4242 4242 4242 4242", "12/30", "123"})) == "wrong_state");

    // The card is in no state: not in DeskState's JSON, not in any Notify.
    json st = state_to_json(h.s(), h.now);
    CHECK(st.dump().find("4242 4242") == std::string::npos);
    CHECK(st.dump().find("4242424242424242") == std::string::npos);

    json approved = payment("approved", "on", 12);
    approved["card"] = {{"brand", "visa"}, {"last4", "4242"}, {"expiry", "12/30"}};
    h.event(5, "contact.payment", {{"contact", "c1"}, {"payment", approved}});
    h.event(6, "contact.recording", {{"contact", "c1"}, {"recording", "on"}});
    CHECK(h.s().contacts[0].payment->state == sb::contact::PaymentState::Approved);
    CHECK(h.s().contacts[0].payment->card->last4 == "4242");
    CHECK(h.s().contacts[0].recording == sb::contact::RecordingState::On);
    json after = state_to_json(h.s(), h.now);
    CHECK(after["contacts"][0]["payment"]["state"] == "approved");
    CHECK(after["contacts"][0]["payment"]["card"]["brand"] == "visa");
    CHECK(after["contacts"][0]["recording"] == "on");
    // An older event does not undo a newer one.
    h.event(7, "contact.payment", {{"contact", "c1"}, {"payment", payment("authorizing", "paused", 11)}});
    CHECK(h.s().contacts[0].payment->state == sb::contact::PaymentState::Approved);

    uint64_t refund = h.intent(RefundIntent{"c1", "p1", 0});
    CHECK(h.last_sent()["type"] == "refund");
    CHECK_FALSE(h.last_sent().contains("amount"));
    h.reply_error("verification_required", "Verify the customer first.");
    CHECK(outcome(h, refund) == "verification_required");
}

TEST_CASE("the desk: payments need an active contact, a signed-in desk, a connection; bad news changes nothing") {
    sb::test::DeskHarness h;
    json wrapping = contact("chat");
    wrapping["state"] = "wrap_up";
    signed_in_with(h, json::array({wrapping}));
    auto sent = h.sent.size();
    CHECK(outcome(h, h.intent(PaymentStartIntent{"c1", 100, ""})) == "wrong_state");
    CHECK(outcome(h, h.intent(PaymentStartIntent{"zz", 100, ""})) == "unknown_contact");
    CHECK(outcome(h, h.intent(PaymentCancelIntent{"c1", "p1"})) == "wrong_state");
    CHECK(h.sent.size() == sent);
    h.event(4, "contact.payment", {{"contact", "c1"}, {"payment", {{"id", "p1"}, {"state", "sideways"}}}});
    CHECK_FALSE(h.s().contacts[0].payment);
    h.event(5, "contact.recording", {{"contact", "c1"}, {"recording", "loud"}});
    CHECK(h.s().contacts[0].recording == sb::contact::RecordingState::Off);
    h.event(6, "contact.recording", {{"contact", "nobody"}, {"recording", "paused"}});
    CHECK(h.s().contacts[0].recording == sb::contact::RecordingState::Off);
}
