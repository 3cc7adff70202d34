// desk/lifecycles.cpp: the connection, session, call and call-transfer state machines as tables
// of allowed moves, their names, and what is derived from state (activity, state timer).
#include <algorithm>
#include <utility>

#include "desk/desk_state.h"

namespace sb::desk {

namespace {
using C = ConnectionState;
constexpr std::pair<C, C> kConnectionMoves[] = {
    {C::Disconnected, C::Connecting},
    {C::Connecting, C::Handshaking},        {C::Connecting, C::WaitingToReconnect},
    {C::Handshaking, C::Connected},         {C::Handshaking, C::WaitingToReconnect},
    {C::Connected, C::WaitingToReconnect},
    {C::WaitingToReconnect, C::Connecting},
};

using S = SessionState;
constexpr std::pair<S, S> kSessionMoves[] = {
    {S::LoggedOut, S::LoggingIn},  {S::LoggedOut, S::Resuming},
    {S::LoggingIn, S::LoggedIn},   {S::LoggingIn, S::LoggedOut},  {S::LoggingIn, S::MfaRequired},
    {S::MfaRequired, S::LoggedIn}, {S::MfaRequired, S::LoggedOut},
    {S::Resuming, S::LoggedIn},    {S::Resuming, S::LoggedOut},
    {S::LoggedIn, S::Resuming},    {S::LoggedIn, S::LoggingOut}, {S::LoggedIn, S::LoggedOut},
    {S::LoggingOut, S::LoggedOut},
};
using P = CallPhase;
constexpr std::pair<P, P> kCallMoves[] = {
    {P::Ringing, P::Connecting},  // answered: the media prepares the answer
    {P::Connecting, P::Active},   // the answer went out
    {P::Dialing, P::Active},      // the far end answered
    {P::Active, P::Held},         {P::Held, P::Active},  // our hold and resume, once confirmed
};

using T = CallTransfer;
constexpr std::pair<T, T> kTransferMoves[] = {
    {T::None, T::Asking},         {T::None, T::Consulting},     {T::None, T::Requested},
    {T::None, T::Transferred},
    {T::Asking, T::Requested},    {T::Asking, T::Failed},
    {T::Consulting, T::Requested},  // completed: REFER with Replaces
    {T::Consulting, T::Asking},     // changed their mind: a blind transfer of the contact instead
    {T::Requested, T::Trying},    {T::Requested, T::Done},      {T::Requested, T::Failed},
    {T::Trying, T::Done},         {T::Trying, T::Failed},
    {T::Failed, T::Asking},       {T::Failed, T::Consulting},   {T::Failed, T::Requested},
};

using G = CallProgress;
constexpr std::pair<G, G> kProgressMoves[] = {
    {G::None, G::Ringing},       {G::None, G::EarlyMedia}, {G::None, G::Answered},
    {G::Ringing, G::EarlyMedia}, {G::Ringing, G::Answered},
    {G::EarlyMedia, G::Answered},
};

using H = HoldRequest;
constexpr std::pair<H, H> kHoldRequestMoves[] = {
    {H::None, H::Holding}, {H::None, H::Resuming},  // the re-INVITE goes out
    {H::Holding, H::None}, {H::Resuming, H::None},  // answered, refused or the call ended
};

template <class S, size_t N>
bool in_table(const std::pair<S, S> (&moves)[N], S from, S to) {
    return std::find(std::begin(moves), std::end(moves), std::pair{from, to}) != std::end(moves);
}
}  // namespace

bool call_transition_allowed(CallPhase from, CallPhase to) { return in_table(kCallMoves, from, to); }
bool transfer_transition_allowed(CallTransfer from, CallTransfer to) { return in_table(kTransferMoves, from, to); }
bool progress_transition_allowed(CallProgress from, CallProgress to) { return in_table(kProgressMoves, from, to); }
bool hold_request_transition_allowed(HoldRequest from, HoldRequest to) { return in_table(kHoldRequestMoves, from, to); }

std::string_view to_string(CallProgress p) {
    switch (p) {
        case G::None: return "none";
        case G::Ringing: return "ringing";
        case G::EarlyMedia: return "early_media";
        case G::Answered: return "answered";
    }
    return "none";
}

std::string_view to_string(HoldRequest h) {
    switch (h) {
        case H::None: return "none";
        case H::Holding: return "holding";
        case H::Resuming: return "resuming";
    }
    return "none";
}

std::string_view to_string(CallTransfer t) {
    switch (t) {
        case T::None: return "";
        case T::Asking: return "asking";
        case T::Consulting: return "consulting";
        case T::Requested: return "requested";
        case T::Trying: return "trying";
        case T::Done: return "done";
        case T::Failed: return "failed";
        case T::Transferred: return "transferred";
    }
    return "";
}

bool connection_transition_allowed(ConnectionState from, ConnectionState to) {
    return in_table(kConnectionMoves, from, to);
}

bool session_transition_allowed(SessionState from, SessionState to) {
    return in_table(kSessionMoves, from, to);
}

std::string_view to_string(ConnectionState s) {
    switch (s) {
        case C::Disconnected: return "disconnected";
        case C::Connecting: return "connecting";
        case C::Handshaking: return "handshaking";
        case C::Connected: return "connected";
        case C::WaitingToReconnect: return "waiting_to_reconnect";
    }
    return "disconnected";
}

std::string_view to_string(SessionState s) {
    switch (s) {
        case S::LoggedOut: return "logged_out";
        case S::LoggingIn: return "logging_in";
        case S::Resuming: return "resuming";
        case S::LoggedIn: return "logged_in";
        case S::LoggingOut: return "logging_out";
        case S::MfaRequired: return "mfa_required";
    }
    return "logged_out";
}

std::string_view to_string(Activity a) {
    switch (a) {
        case Activity::Idle: return "idle";
        case Activity::OnContact: return "on_contact";
        case Activity::AfterContactWork: return "after_contact_work";
    }
    return "idle";
}

Activity activity_of(const DeskState& s) {
    bool wrap_up = false;
    for (const auto& c : s.contacts) {
        if (c.state == contact::ContactState::Offered || c.state == contact::ContactState::Active) return Activity::OnContact;
        if (c.state == contact::ContactState::WrapUp) wrap_up = true;
    }
    return wrap_up ? Activity::AfterContactWork : Activity::Idle;
}

const contact::Contact* find_contact(const DeskState& s, std::string_view id) {
    for (const auto& c : s.contacts)
        if (c.id == id) return &c;
    return nullptr;
}

const contact::Queue* find_queue(const DeskState& s, std::string_view code) {
    for (const auto& q : s.queues)
        if (q.code == code) return &q;
    return nullptr;
}

int unread_count(const DeskState& s, const contact::Contact& c) {
    auto it = s.read_upto.find(c.id);
    size_t seen = it == s.read_upto.end() ? 0 : it->second;
    int n = 0;
    for (size_t i = seen; i < c.messages.size(); ++i) n += c.messages[i].from == contact::Sender::Customer;
    return n;
}

bool agent_search_pending(const DeskState& s) {
    for (const auto& [id, req] : s.pending)
        if (req.kind == RequestKind::Agents && req.query == s.agent_search.query) return true;
    return false;
}

bool signing_in(const DeskState& s) {
    return s.session == SessionState::LoggingIn || s.queued_login_intent.has_value();
}

int64_t state_elapsed_ms(const DeskState& s, int64_t now_ms) {
    if (!s.agent) return 0;
    return std::max<int64_t>(0, now_ms + s.clock_offset_ms - s.agent->state_since_ms);
}

}  // namespace sb::desk
