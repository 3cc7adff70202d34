// intent_to_json (desk/intent_to_json.cpp): the inverse of intent_from_json, so that a recorded
// session's intents replay as the agent gave them.
#include <set>

#include "desk_harness.h"

using namespace sb::test;

namespace {
struct IntentJsonCase {
    Intent intent;
    json expected;  // the JS API's form (docs/js-api.md), written out by hand
};

// One value of every alternative, each field away from its default.
std::vector<IntentJsonCase> intent_json_cases() {
    using sb::agent::Presence;
    return {
        {LoginIntent{"alice", "pw"}, {{"type", "login"}, {"username", "alice"}, {"password", "pw"}}},
        {SetStateIntent{Presence::NotReady, std::string("lunch")},
         {{"type", "set_state"}, {"state", "not_ready"}, {"reason", "lunch"}}},
        {LogoutIntent{}, {{"type", "logout"}}},
        {AcceptIntent{"c1"}, {{"type", "accept"}, {"contact", "c1"}}},
        {RejectIntent{"c1"}, {{"type", "reject"}, {"contact", "c1"}}},
        {SendMessageIntent{"c1", "hello"}, {{"type", "send_message"}, {"contact", "c1"}, {"text", "hello"}}},
        {TypingIntent{"c1", true}, {{"type", "typing"}, {"contact", "c1"}, {"typing", true}}},
        {TransferIntent{"c1", "billing", "", "over to you", "", "", 0},
         {{"type", "transfer"}, {"contact", "c1"}, {"queue", "billing"}, {"note", "over to you"}}},
        {EndIntent{"c1"}, {{"type", "end"}, {"contact", "c1"}}},
        {WrapUpIntent{"c1", "resolved", "all good", {"vip", "refund"}},
         {{"type", "wrap_up"},
          {"contact", "c1"},
          {"disposition", "resolved"},
          {"notes", "all good"},
          {"tags", json::array({"vip", "refund"})}}},
        {UpdateCustomerIntent{"cu1", "Ann", "Lee", "ann@example.com", "prefers email", "1 High St", "AB1 2CD",
                              "+15550100", "c1"},
         {{"type", "update_customer"},
          {"customer", "cu1"},
          {"first_name", "Ann"},
          {"last_name", "Lee"},
          {"email", "ann@example.com"},
          {"notes", "prefers email"},
          {"address", "1 High St"},
          {"postcode", "AB1 2CD"},
          {"phone", "+15550100"},
          {"contact", "c1"}}},
        {SaveDraftIntent{"c1", std::string("half a reply"), WrapUpDraft{"resolved", "n", {"t"}}},
         {{"type", "save_draft"},
          {"contact", "c1"},
          {"text", "half a reply"},
          {"wrap_up", {{"disposition", "resolved"}, {"notes", "n"}, {"tags", json::array({"t"})}}}}},
        {MarkReadIntent{"c1"}, {{"type", "mark_read"}, {"contact", "c1"}}},
        {DialIntent{"+15550100", "sales", "", ""}, {{"type", "dial"}, {"number", "+15550100"}, {"queue", "sales"}}},
        {AnswerIntent{{"c1", 3}}, {{"type", "answer"}, {"contact", "c1"}, {"call", 3}}},
        {HangupIntent{{"", 4}}, {{"type", "hangup"}, {"call", 4}}},
        {HoldIntent{{"c1", 0}, true}, {{"type", "hold"}, {"contact", "c1"}}},
        {MuteIntent{{"c1", 5}, false}, {{"type", "mute"}, {"on", false}, {"contact", "c1"}, {"call", 5}}},
        {DtmfIntent{{"c1", 0}, "12#"}, {{"type", "dtmf"}, {"contact", "c1"}, {"digits", "12#"}}},
        {TakePhoneIntent{}, {{"type", "take_phone"}}},
        {SetDeviceIntent{"ringer", "dev-7"}, {{"type", "set_device"}, {"kind", "ringer"}, {"id", "dev-7"}}},
        {RefreshDevicesIntent{true}, {{"type", "refresh_devices"}, {"probe", true}}},
        {TestRingerIntent{}, {{"type", "test_ringer"}}},
        {VerifyAnswerIntent{"c1", "dob", "1 May 1980"},
         {{"type", "verify_answer"}, {"contact", "c1"}, {"step", "dob"}, {"answer", "1 May 1980"}}},
        {VerifySendCodeIntent{"c1"}, {{"type", "verify_send_code"}, {"contact", "c1"}}},
        {MfaIntent{"123456", ""}, {{"type", "mfa"}, {"code", "123456"}}},
        {MfaDoneIntent{}, {{"type", "mfa_done"}}},
        {SessionsIntent{}, {{"type", "sessions"}}},
        {RevokeSessionIntent{"s1", false}, {{"type", "revoke_session"}, {"session", "s1"}}},
        {PaymentStartIntent{"c1", 1250, "EUR"},
         {{"type", "payment_start"}, {"contact", "c1"}, {"amount", 1250}, {"currency", "EUR"}}},
        {PaymentSubmitIntent{"c1", "p1", "4111111111111111", "12/30", "123"},
         {{"type", "payment_submit"},
          {"contact", "c1"},
          {"payment", "p1"},
          {"card_number", "4111111111111111"},
          {"expiry", "12/30"},
          {"cvc", "123"}}},
        {PaymentCancelIntent{"c1", "p1"}, {{"type", "payment_cancel"}, {"contact", "c1"}, {"payment", "p1"}}},
        {RefundIntent{"c1", "p1", 500}, {{"type", "refund"}, {"contact", "c1"}, {"payment", "p1"}, {"amount", 500}}},
        {FindAgentsIntent{"bo"}, {{"type", "find_agents"}, {"query", "bo"}}},
    };
}

// intent_from_json of the intent's JSON, which must be accepted.
Intent round_trip(const Intent& in) {
    auto back = intent_from_json(intent_to_json(in));
    REQUIRE_MESSAGE(back.ok(), intent_to_json(in).dump() << ": " << back.error().message);
    return back.value();
}
}  // namespace

TEST_CASE("intent_to_json: every intent in the JS API's form, and back") {
    for (const auto& c : intent_json_cases()) {
        json j = intent_to_json(c.intent);
        CAPTURE(j.dump());
        CHECK(j == c.expected);
        Intent back = round_trip(c.intent);
        CHECK(back.index() == c.intent.index());
        CHECK(intent_to_json(back) == j);
    }
}

TEST_CASE("intent_to_json: the cases cover every alternative of Intent") {
    std::set<size_t> seen;
    for (const auto& c : intent_json_cases()) seen.insert(c.intent.index());
    for (size_t i = 0; i < std::variant_size_v<Intent>; ++i) {
        CAPTURE(i);
        CHECK(seen.count(i) == 1);
    }
    CHECK(seen.size() == std::variant_size_v<Intent>);
}

TEST_CASE("intent_to_json: hold and resume") {
    json hold = intent_to_json(HoldIntent{{"c1", 0}, true});
    json resume = intent_to_json(HoldIntent{{"c1", 0}, false});
    CHECK(hold["type"] == "hold");
    CHECK(resume["type"] == "resume");
    CHECK_FALSE(resume.contains("on"));
    CHECK(std::get<HoldIntent>(round_trip(HoldIntent{{"c1", 0}, true})).on);
    auto back = std::get<HoldIntent>(round_trip(HoldIntent{{"", 9}, false}));
    CHECK_FALSE(back.on);
    CHECK(back.ref.contact.empty());
    CHECK(back.ref.call == 9);
}

TEST_CASE("intent_to_json: a transfer of a call with no contact goes by the call's id") {
    TransferIntent in{"", "", "", "", "bob", "attended", 7};
    json j = intent_to_json(in);
    CHECK_FALSE(j.contains("contact"));
    CHECK(j["call"] == 7);
    auto back = std::get<TransferIntent>(round_trip(in));
    CHECK(back.contact.empty());
    CHECK(back.call == 7);
    CHECK(back.target == "bob");
    CHECK(back.mode == "attended");

    // A voice transfer of a contact's call: the contact, no call id.
    TransferIntent voice{"c1", "", "", "", "+15550100", "blind", 0};
    json v = intent_to_json(voice);
    CHECK(v["contact"] == "c1");
    CHECK_FALSE(v.contains("call"));
    auto vb = std::get<TransferIntent>(round_trip(voice));
    CHECK(vb.contact == "c1");
    CHECK(vb.call == 0);
    CHECK(vb.target == "+15550100");
    CHECK(vb.mode == "blind");
}

TEST_CASE("intent_to_json: update_customer keeps set-but-empty fields apart from unset ones") {
    UpdateCustomerIntent in{"cu1", std::nullopt, std::nullopt, std::string(""), std::nullopt};
    json j = intent_to_json(in);
    CHECK(j["email"] == "");
    CHECK_FALSE(j.contains("first_name"));
    CHECK_FALSE(j.contains("contact"));
    auto back = std::get<UpdateCustomerIntent>(round_trip(in));
    CHECK(back.customer == "cu1");
    REQUIRE(back.email);
    CHECK(back.email->empty());
    CHECK_FALSE(back.first_name);
    CHECK_FALSE(back.last_name);
    CHECK_FALSE(back.notes);
    CHECK_FALSE(back.address);
    CHECK_FALSE(back.postcode);
    CHECK_FALSE(back.phone);
    CHECK_FALSE(back.contact);
}

TEST_CASE("intent_to_json: save_draft with and without a wrap-up") {
    SaveDraftIntent bare{"c1", std::nullopt, std::nullopt};
    json j = intent_to_json(bare);
    CHECK(j == json{{"type", "save_draft"}, {"contact", "c1"}});
    auto b = std::get<SaveDraftIntent>(round_trip(bare));
    CHECK_FALSE(b.text);
    CHECK_FALSE(b.wrap_up);

    SaveDraftIntent empty_text{"c1", std::string(""), WrapUpDraft{"", "", {}}};
    auto e = std::get<SaveDraftIntent>(round_trip(empty_text));
    REQUIRE(e.text);
    CHECK(e.text->empty());
    REQUIRE(e.wrap_up);
    CHECK(*e.wrap_up == WrapUpDraft{});

    SaveDraftIntent full{"c1", std::nullopt, WrapUpDraft{"sold", "upsell", {"a", "b"}}};
    auto f = std::get<SaveDraftIntent>(round_trip(full));
    CHECK_FALSE(f.text);
    REQUIRE(f.wrap_up);
    CHECK(*f.wrap_up == WrapUpDraft{"sold", "upsell", {"a", "b"}});
}

TEST_CASE("intent_to_json: a refund of the whole payment has no amount") {
    json j = intent_to_json(RefundIntent{"c1", "p1", 0});
    CHECK_FALSE(j.contains("amount"));
    CHECK(std::get<RefundIntent>(round_trip(RefundIntent{"c1", "p1", 0})).amount == 0);
    CHECK(std::get<RefundIntent>(round_trip(RefundIntent{"c1", "p1", 1})).amount == 1);

    json start = intent_to_json(PaymentStartIntent{"c1", 100, ""});
    CHECK_FALSE(start.contains("currency"));
    CHECK(std::get<PaymentStartIntent>(round_trip(PaymentStartIntent{"c1", 100, ""})).currency.empty());
}

TEST_CASE("intent_to_json: the other optional fields") {
    auto s = std::get<SetStateIntent>(round_trip(SetStateIntent{sb::agent::Presence::Available, std::nullopt}));
    CHECK(s.state == sb::agent::Presence::Available);
    CHECK_FALSE(s.reason);
    CHECK_FALSE(intent_to_json(SetStateIntent{}).contains("reason"));

    auto m = std::get<MfaIntent>(round_trip(MfaIntent{"", "abcd-efgh"}));
    CHECK(m.code.empty());
    CHECK(m.recovery_code == "abcd-efgh");

    auto r = std::get<RevokeSessionIntent>(round_trip(RevokeSessionIntent{"", true}));
    CHECK(r.session.empty());
    CHECK(r.all_others);

    auto d = std::get<DialIntent>(round_trip(DialIntent{"", "", "", "bob"}));
    CHECK(d.agent == "bob");
    CHECK(d.number.empty());
    CHECK(d.contact.empty());
    auto cb = std::get<DialIntent>(round_trip(DialIntent{"", "", "cb1", ""}));
    CHECK(cb.contact == "cb1");

    auto w = std::get<WrapUpIntent>(round_trip(WrapUpIntent{"c1", "resolved", "", {}}));
    CHECK(w.notes.empty());
    CHECK(w.tags.empty());
}
