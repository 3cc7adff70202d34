// The shared lifecycles (core/contact/lifecycle.h): every pair of states is checked against the
// moves written out here as the protocol documents them, so a move added to or dropped from a
// table fails this test; move() refuses with a typed error and leaves the state alone; the wire
// names read back to the same states.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "contact/lifecycle.h"

using namespace sb::contact;

namespace {

// Every state of each lifecycle, in enum order.
const std::vector<ContactState> kContactStates = {ContactState::Queued, ContactState::Offered, ContactState::Active,
                                                  ContactState::WrapUp, ContactState::Closed};
const std::vector<MessageStatus> kMessageStatuses = {MessageStatus::Pending, MessageStatus::Sent,
                                                     MessageStatus::Delivered, MessageStatus::Failed};
const std::vector<PaymentState> kPaymentStates = {PaymentState::Capturing, PaymentState::Authorizing,
                                                  PaymentState::Approved,  PaymentState::Cancelled,
                                                  PaymentState::Expired,   PaymentState::Refunded};
const std::vector<RecordingState> kRecordingStates = {RecordingState::Off,    RecordingState::On,
                                                      RecordingState::Pausing, RecordingState::Paused,
                                                      RecordingState::Resuming, RecordingState::Unknown};

// The moves as docs/protocol.md and docs/payments.md describe them, by wire name.
const std::set<std::pair<std::string, std::string>> kContactMoves = {
    {"queued", "offered"}, {"queued", "closed"},  {"offered", "active"}, {"offered", "queued"},
    {"offered", "closed"}, {"active", "wrap_up"}, {"active", "queued"},  {"wrap_up", "closed"},
    {"wrap_up", "queued"},
};
const std::set<std::pair<std::string, std::string>> kMessageMoves = {
    {"pending", "sent"}, {"pending", "failed"}, {"sent", "delivered"}, {"sent", "failed"},
};
const std::set<std::pair<std::string, std::string>> kPaymentMoves = {
    {"capturing", "authorizing"}, {"capturing", "cancelled"},   {"capturing", "expired"},
    {"authorizing", "approved"},  {"authorizing", "capturing"}, {"authorizing", "cancelled"},
    {"authorizing", "expired"},   {"approved", "refunded"},
};
const std::set<std::pair<std::string, std::string>> kRecordingMoves = {
    {"off", "on"},           {"on", "pausing"},       {"on", "off"},           {"pausing", "paused"},
    {"pausing", "on"},       {"pausing", "unknown"},  {"pausing", "off"},      {"paused", "resuming"},
    {"paused", "off"},       {"resuming", "on"},      {"resuming", "paused"},  {"resuming", "unknown"},
    {"resuming", "off"},     {"unknown", "pausing"},  {"unknown", "resuming"}, {"unknown", "off"},
};

// Checks one lifecycle: allowed() and move() agree with `moves` on every pair; each state has a
// refused move; names round-trip. Returns how many moves it found allowed.
template <class S, class Parse>
size_t check_lifecycle(const std::vector<S>& states, const std::set<std::pair<std::string, std::string>>& moves,
                       Parse parse) {
    size_t found = 0;
    for (S from : states) {
        const std::string from_name(to_string(from));
        CAPTURE(from_name);
        CHECK(parse(from_name) == from);
        bool refused_one = false;
        for (S to : states) {
            const std::string to_name(to_string(to));
            CAPTURE(to_name);
            const bool expected = moves.count({from_name, to_name}) > 0;
            CHECK(allowed(from, to) == expected);
            S state = from;
            auto moved = move(state, to);
            CHECK(moved.ok() == expected);
            if (expected) {
                ++found;
                CHECK(state == to);
            } else {
                refused_one = true;
                CHECK(state == from);  // a refused move changes nothing
                CHECK(moved.error().code == "invalid_transition");
                CHECK(moved.error().message.find(from_name + " to " + to_name) != std::string::npos);
            }
        }
        CHECK(refused_one);  // staying put is never a move, so every state refuses at least that
    }
    return found;
}

}  // namespace

TEST_CASE("a contact's lifecycle: the documented moves and no others") {
    CHECK(check_lifecycle(kContactStates, kContactMoves, parse_contact_state) == kContactMoves.size());
    // A closed contact is final.
    for (ContactState to : kContactStates) CHECK_FALSE(allowed(ContactState::Closed, to));
    ContactState s = ContactState::Closed;
    auto refused = move(s, ContactState::Active);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "a contact cannot go from closed to active");
    CHECK(is_live(ContactState::Offered));
    CHECK_FALSE(is_live(ContactState::WrapUp));
}

TEST_CASE("a message's delivery: the documented moves and no others") {
    CHECK(check_lifecycle(kMessageStatuses, kMessageMoves, parse_message_status) == kMessageMoves.size());
    // Delivered and failed are final: a late report for a failed SMS cannot make it delivered.
    for (MessageStatus final_state : {MessageStatus::Delivered, MessageStatus::Failed})
        for (MessageStatus to : kMessageStatuses) CHECK_FALSE(allowed(final_state, to));
    MessageStatus s = MessageStatus::Failed;
    auto refused = move(s, MessageStatus::Delivered);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "a message cannot go from failed to delivered");
}

TEST_CASE("a payment's lifecycle: the documented moves and no others") {
    CHECK(check_lifecycle(kPaymentStates, kPaymentMoves, parse_payment_state) == kPaymentMoves.size());
    for (PaymentState final_state : {PaymentState::Cancelled, PaymentState::Expired, PaymentState::Refunded})
        for (PaymentState to : kPaymentStates) CHECK_FALSE(allowed(final_state, to));
    CHECK(is_open(PaymentState::Authorizing));
    CHECK_FALSE(is_open(PaymentState::Approved));
}

TEST_CASE("a call recording's lifecycle: the documented moves and no others") {
    CHECK(check_lifecycle(kRecordingStates, kRecordingMoves, parse_recording_state) == kRecordingMoves.size());
    // Never straight from on to paused: the recorder is asked first.
    CHECK_FALSE(allowed(RecordingState::On, RecordingState::Paused));
    CHECK(in_flight(RecordingState::Resuming));
    CHECK_FALSE(in_flight(RecordingState::Unknown));
}

TEST_CASE("wire names outside the lifecycles are refused, never guessed") {
    CHECK_FALSE(parse_contact_state("Active").has_value());
    CHECK_FALSE(parse_contact_state("wrap-up").has_value());
    CHECK_FALSE(parse_payment_state("").has_value());
    CHECK_FALSE(parse_recording_state("recording").has_value());
    CHECK_FALSE(parse_channel("email").has_value());  // not yet a channel
    CHECK_FALSE(parse_message_status("read").has_value());
    CHECK_FALSE(parse_sender("bot").has_value());
    for (Sender who : {Sender::Customer, Sender::Agent, Sender::System}) CHECK(parse_sender(to_string(who)) == who);
    for (Channel c : {Channel::Voice, Channel::Chat, Channel::Sms}) CHECK(parse_channel(to_string(c)) == c);
}

TEST_CASE("in JSON each lifecycle's state is its wire name, never the enum's number") {
    nlohmann::json j = {{"channel", Channel::Sms},  {"state", ContactState::WrapUp},
                        {"from", Sender::System},   {"status", MessageStatus::Delivered},
                        {"payment", PaymentState::Authorizing}, {"recording", RecordingState::Paused}};
    CHECK(j.dump() ==
          R"({"channel":"sms","from":"system","payment":"authorizing","recording":"paused","state":"wrap_up","status":"delivered"})");
}
