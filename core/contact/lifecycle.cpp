// contact/lifecycle.cpp: the shared lifecycles' names and tables of allowed moves
// (contact/lifecycle.h). A move missing here is refused on the server, whoever asks for it.
#include "contact/lifecycle.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace sb::contact {

namespace {

// One lifecycle: its name in errors, its states' wire names in enum order, its moves.
template <class S, size_t N, size_t M>
struct Machine {
    std::string_view name;
    std::array<std::string_view, N> names;
    std::array<std::pair<S, S>, M> moves;

    std::string_view to_string(S s) const {
        auto i = static_cast<size_t>(s);
        return i < N ? names[i] : names[0];
    }
    std::optional<S> parse(std::string_view s) const {
        for (size_t i = 0; i < N; ++i)
            if (names[i] == s) return static_cast<S>(i);
        return std::nullopt;
    }
    bool allowed(S from, S to) const {
        return std::find(moves.begin(), moves.end(), std::pair{from, to}) != moves.end();
    }
    Status move(S& state, S to) const {
        if (!allowed(state, to))
            return make_error("invalid_transition", std::string(name) + " cannot go from " +
                                                        std::string(to_string(state)) + " to " + std::string(to_string(to)));
        state = to;
        return Ok{};
    }
};

constexpr std::array<std::string_view, 3> kChannels{"voice", "chat", "sms"};

using C = ContactState;
constexpr Machine<C, 5, 9> kContact{
    "a contact",
    {"queued", "offered", "active", "wrap_up", "closed"},
    {{
        {C::Queued, C::Offered},  // routed to an agent (or a call rings their phone)
        {C::Queued, C::Closed},   // the customer left, or nobody answered in time
        {C::Offered, C::Active},  // accepted
        {C::Offered, C::Queued},  // declined, missed, or the agent went away
        {C::Offered, C::Closed},  // the customer left while it rang
        {C::Active, C::WrapUp},   // ended, by either side
        {C::Active, C::Queued},   // transferred to a queue or an agent
        {C::WrapUp, C::Closed},   // wrap-up done, or its time ran out
        {C::WrapUp, C::Queued},   // a call transferred after its agent's leg had ended
    }},
};

constexpr std::array<std::string_view, 3> kSenders{"customer", "agent", "system"};

using Ms = MessageStatus;
constexpr Machine<Ms, 4, 4> kMessage{
    "a message",
    {"pending", "sent", "delivered", "failed"},
    {{
        {Ms::Pending, Ms::Sent},    // the backend took it (the desk's own message, acknowledged)
        {Ms::Pending, Ms::Failed},  // the backend refused it, or the connection dropped first
        {Ms::Sent, Ms::Delivered},  // the customer's chat page has it
        {Ms::Sent, Ms::Failed},     // the SMS provider would not take it
    }},
};

using P = PaymentState;
constexpr Machine<P, 6, 8> kPayment{
    "a payment",
    {"capturing", "authorizing", "approved", "cancelled", "expired", "refunded"},
    {{
        {P::Capturing, P::Authorizing},  // the card was entered: the gateway is asked
        {P::Capturing, P::Cancelled},    // by the agent, or the contact ended
        {P::Capturing, P::Expired},      // the card was not entered in time
        {P::Authorizing, P::Approved},
        {P::Authorizing, P::Capturing},  // declined or unanswered: the customer may try again
        {P::Authorizing, P::Cancelled},  // the contact ended while the gateway was asked
        {P::Authorizing, P::Expired},    // declined after the capture's time ran out
        {P::Approved, P::Refunded},
    }},
};

using R = RecordingState;
constexpr Machine<R, 6, 16> kRecording{
    "a recording",
    {"off", "on", "pausing", "paused", "resuming", "unknown"},
    {{
        {R::Off, R::On},  // the call is up and recorded
        {R::On, R::Pausing},       {R::On, R::Off},
        {R::Pausing, R::Paused},   {R::Pausing, R::On},       // the recorder refused: as before
        {R::Pausing, R::Unknown},  {R::Pausing, R::Off},
        {R::Paused, R::Resuming},  {R::Paused, R::Off},
        {R::Resuming, R::On},      {R::Resuming, R::Paused},  // the recorder refused: as before
        {R::Resuming, R::Unknown}, {R::Resuming, R::Off},
        {R::Unknown, R::Pausing},  {R::Unknown, R::Resuming}, {R::Unknown, R::Off},
    }},
};

}  // namespace

std::string_view to_string(Channel c) {
    auto i = static_cast<size_t>(c);
    return i < kChannels.size() ? kChannels[i] : kChannels[1];
}
std::optional<Channel> parse_channel(std::string_view s) {
    for (size_t i = 0; i < kChannels.size(); ++i)
        if (kChannels[i] == s) return static_cast<Channel>(i);
    return std::nullopt;
}

std::string_view to_string(Sender s) {
    auto i = static_cast<size_t>(s);
    return i < kSenders.size() ? kSenders[i] : kSenders[2];
}
std::optional<Sender> parse_sender(std::string_view s) {
    for (size_t i = 0; i < kSenders.size(); ++i)
        if (kSenders[i] == s) return static_cast<Sender>(i);
    return std::nullopt;
}

std::string_view to_string(ContactState s) { return kContact.to_string(s); }
std::string_view to_string(MessageStatus s) { return kMessage.to_string(s); }
std::string_view to_string(PaymentState s) { return kPayment.to_string(s); }
std::string_view to_string(RecordingState s) { return kRecording.to_string(s); }
std::optional<ContactState> parse_contact_state(std::string_view s) { return kContact.parse(s); }
std::optional<MessageStatus> parse_message_status(std::string_view s) { return kMessage.parse(s); }
std::optional<PaymentState> parse_payment_state(std::string_view s) { return kPayment.parse(s); }
std::optional<RecordingState> parse_recording_state(std::string_view s) { return kRecording.parse(s); }

void to_json(nlohmann::json& j, Channel c) { j = std::string(to_string(c)); }
void to_json(nlohmann::json& j, ContactState s) { j = std::string(to_string(s)); }
void to_json(nlohmann::json& j, Sender s) { j = std::string(to_string(s)); }
void to_json(nlohmann::json& j, MessageStatus s) { j = std::string(to_string(s)); }
void to_json(nlohmann::json& j, PaymentState s) { j = std::string(to_string(s)); }
void to_json(nlohmann::json& j, RecordingState s) { j = std::string(to_string(s)); }

bool allowed(ContactState from, ContactState to) { return kContact.allowed(from, to); }
bool allowed(MessageStatus from, MessageStatus to) { return kMessage.allowed(from, to); }
bool allowed(PaymentState from, PaymentState to) { return kPayment.allowed(from, to); }
bool allowed(RecordingState from, RecordingState to) { return kRecording.allowed(from, to); }

Status move(ContactState& state, ContactState to) { return kContact.move(state, to); }
Status move(MessageStatus& state, MessageStatus to) { return kMessage.move(state, to); }
Status move(PaymentState& state, PaymentState to) { return kPayment.move(state, to); }
Status move(RecordingState& state, RecordingState to) { return kRecording.move(state, to); }

}  // namespace sb::contact
