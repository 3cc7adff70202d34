// desk/calls.cpp: the agent's calls. The SIP user agent (voice.cpp feeds it) says what the
// network does; the platform's media (effect Media, event MediaEvent) makes and takes the
// SDP; the backend owns the voice contact (offered, active, wrap_up) and hears from the desk
// when a call is answered ("accept") and when it ends ("end", with who hung up).
//
//   inbound:  Incoming -> ringing --answer--> connecting (media makes the answer) -> active
//   outbound: dial (backend "dial": the contact and the number) -> dialing (media makes the
//             offer; INVITE) -> ringing far end / early media -> active
//   active <-> held by re-INVITE (our SDP with sendonly / sendrecv); several calls at once, one
//   active and the others held: answering or dialing holds the active one first.
//   transfers (blind, attended, a contact's through the backend): call_transfer.cpp.
//
// Sections: helpers · intents · the backend's replies · the UA's news · media · tones and ends
#include <algorithm>
#include <cctype>

#include "desk/desk.h"
#include "desk/state_json.h"
#include "protocol/schema.h"
#include "sip/grammar.h"
#include "sip/sdp.h"

namespace sb::desk {

using nlohmann::json;
using contact::ContactState;

namespace {

constexpr size_t kMaxDigits = 32;
constexpr const char* kContactHeader = "X-Switchboard-Contact";

Error no_call() { return make_error("unknown_call", "No such call on this desk."); }
Error call_state_error(const Call& c, const char* wants) {
    return make_error(protocol::code::wrong_state,
                      "The call is " + std::string(to_string(c.phase)) + "; this needs it " + wants + ".");
}

// 0-9 * # A-D (a-d accepted and made upper case), 1 to 32 of them.
std::optional<std::string> clean_digits(const std::string& d) {
    if (d.empty() || d.size() > kMaxDigits) return std::nullopt;
    std::string out;
    for (char ch : d) {
        char u = (ch >= 'a' && ch <= 'd') ? static_cast<char>(ch - 'a' + 'A') : ch;
        if (!((u >= '0' && u <= '9') || u == '*' || u == '#' || (u >= 'A' && u <= 'D'))) return std::nullopt;
        out += u;
    }
    return out;
}

// Our SDP again with every stream's direction set and the version bumped: a hold or resume
// offer, or the answer to the far end's re-offer (RFC 3264 8.4).
std::string redirect(const std::string& local_sdp, std::optional<sip::sdp::Direction> want,
                     const std::string& remote_offer = {}) {
    auto s = sip::sdp::parse(local_sdp);
    if (!s) return local_sdp;
    sip::sdp::Session mine = std::move(s.value());
    std::optional<sip::sdp::Session> theirs;
    if (!remote_offer.empty())
        if (auto r = sip::sdp::parse(remote_offer)) theirs = std::move(r.value());
    for (size_t i = 0; i < mine.media.size(); ++i) {
        sip::sdp::Direction d = want.value_or(sip::sdp::Direction::sendrecv);
        if (theirs && i < theirs->media.size())
            d = sip::sdp::answer_direction(sip::sdp::direction(*theirs, i), d);
        sip::sdp::set_direction(mine, i, d);
    }
    (void)sip::sdp::bump_version(mine);
    return sip::sdp::serialize(mine);
}

}  // namespace

std::string_view to_string(CallPhase p) {
    switch (p) {
        case CallPhase::Ringing: return "ringing";
        case CallPhase::Dialing: return "dialing";
        case CallPhase::Connecting: return "connecting";
        case CallPhase::Active: return "active";
        case CallPhase::Held: return "held";
    }
    return "ringing";
}

std::string_view to_string(MediaOp op) {
    switch (op) {
        case MediaOp::Start: return "start";
        case MediaOp::RemoteAnswer: return "remote_answer";
        case MediaOp::Mute: return "mute";
        case MediaOp::Hold: return "hold";
        case MediaOp::Dtmf: return "dtmf";
        case MediaOp::Stop: return "stop";
        case MediaOp::Tone: return "tone";
    }
    return "start";
}

const Call* find_call_for(const DeskState& s, std::string_view contact) {
    if (contact.empty()) return nullptr;
    for (const auto& c : s.calls)
        if (c.contact == contact) return &c;
    return nullptr;
}

std::string_view voice_state(const DeskState& s, const contact::Contact& c) {
    if (c.channel != contact::Channel::Voice || c.state == ContactState::WrapUp || c.state == ContactState::Closed)
        return contact::to_string(c.state);
    if (const Call* call = find_call_for(s, c.id)) {
        switch (call->phase) {
            case CallPhase::Ringing: return "offered";
            case CallPhase::Dialing:
            case CallPhase::Connecting: return "connecting";
            case CallPhase::Active: return "active";
            case CallPhase::Held: return "held";
        }
    }
    return contact::to_string(c.state);
}

// ---- helpers ------------------------------------------------------------------------------------

Call* Desk::call_mut(uint32_t id) {
    for (auto& c : state_.calls)
        if (c.id == id) return &c;
    return nullptr;
}

Call* Desk::call_by_sip(uint32_t sip) {
    if (sip == 0) return nullptr;
    for (auto& c : state_.calls)
        if (c.sip == sip) return &c;
    return nullptr;
}

Call* Desk::call_for(const CallRef& ref) {
    for (auto& c : state_.calls)
        if ((ref.call != 0 && c.id == ref.call) || (ref.call == 0 && !ref.contact.empty() && c.contact == ref.contact))
            return &c;
    return nullptr;
}

void Desk::call_changed(const Call& c, Out& out) { out.push_back(Notify{"call", call_json(state_, c)}); }

// One of the call's machines moves, or the move is logged as refused and not made.
template <class S>
bool Desk::move_call(Call& c, S& field, S to, bool (*allowed)(S, S), std::string_view what, Out& out) {
    if (field == to) return true;
    if (!allowed(field, to)) {
        auto name = [](S s) { return to_string(s).empty() ? std::string("none") : std::string(to_string(s)); };
        log(out, LogLevel::Error,
            "call " + std::to_string(c.id) + ": refused " + std::string(what) + " move " + name(field) + " -> " + name(to));
        return false;
    }
    field = to;
    return true;
}

bool Desk::set_call_phase(Call& c, CallPhase to, Out& out) { return move_call(c, c.phase, to, call_transition_allowed, "phase", out); }
bool Desk::set_transfer(Call& c, CallTransfer to, Out& out) { return move_call(c, c.transfer, to, transfer_transition_allowed, "transfer", out); }
bool Desk::set_progress(Call& c, CallProgress to, Out& out) { return move_call(c, c.progress, to, progress_transition_allowed, "progress", out); }
bool Desk::set_hold_request(Call& c, HoldRequest to, Out& out) {
    return move_call(c, c.hold_request, to, hold_request_transition_allowed, "hold", out);
}

// Answering or dialing puts the call that is up on hold first: one active call at a time.
void Desk::hold_others(uint32_t keep, Out& out) {
    for (auto& c : state_.calls)
        if (c.id != keep && c.phase == CallPhase::Active && c.hold_request == HoldRequest::None) set_hold(c, true, out);
}

void Desk::set_hold(Call& c, bool on, Out& out) {
    c.local_sdp = redirect(c.local_sdp, on ? sip::sdp::Direction::sendonly : sip::sdp::Direction::sendrecv);
    set_hold_request(c, on ? HoldRequest::Holding : HoldRequest::Resuming, out);
    out.push_back(Media{MediaOp::Hold, c.id, {}, on, {}, {}});
    if (on) to_ua(sip::ua_event::Hold{c.sip, c.local_sdp}, out);
    else to_ua(sip::ua_event::Resume{c.sip, c.local_sdp}, out);
}

// ---- intents ------------------------------------------------------------------------------------

void Desk::on_call_intent(uint64_t intent, const Intent& in, Out& out) {
    if (state_.session != SessionState::LoggedIn)
        return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    if (!ua_) return complete(out, intent, make_error("no_phone", "This desk has no phone (the backend has no telephony)."));
    if (const auto* d = std::get_if<DialIntent>(&in)) return dial(intent, *d, out);

    CallRef ref;
    std::visit([&](const auto& x) {
        if constexpr (requires { x.ref; }) ref = x.ref;
    }, in);
    Call* c = call_for(ref);
    if (!c) return complete(out, intent, no_call());
    json done = {{"call", c->id}};

    if (std::holds_alternative<AnswerIntent>(in)) {
        if (c->outgoing || c->phase != CallPhase::Ringing) return complete(out, intent, call_state_error(*c, "ringing"));
        hold_others(c->id, out);
        set_call_phase(*c, CallPhase::Connecting, out);
        c->intent = intent;
        out.push_back(Media{MediaOp::Start, c->id, c->remote_offer, false, {}, {}});
        update_tone(out);
        call_changed(*c, out);
        return;  // completed when the media's answer has gone (on_media)
    }
    if (std::holds_alternative<HangupIntent>(in)) {
        if (c->phase == CallPhase::Ringing && !c->outgoing) {
            decline(*c, out);
        } else if (c->sip == 0) {
            drop_call(c->id, "cancelled", false, out);  // the INVITE had not gone yet
        } else {
            to_ua(sip::ua_event::Hangup{c->sip}, out);  // Ended follows, and ends it here
        }
        return complete(out, intent, std::move(done));
    }
    if (const auto* h = std::get_if<HoldIntent>(&in)) {
        CallPhase wants = h->on ? CallPhase::Active : CallPhase::Held;
        if (c->phase != wants) return complete(out, intent, call_state_error(*c, h->on ? "active" : "held"));
        if (c->hold_request != HoldRequest::None)
            return complete(out, intent, make_error(protocol::code::wrong_state, "A hold or resume is already under way."));
        if (!h->on) hold_others(c->id, out);
        set_hold(*c, h->on, out);
        call_changed(*c, out);
        return complete(out, intent, std::move(done));
    }
    if (const auto* m = std::get_if<MuteIntent>(&in)) {
        if (c->phase == CallPhase::Ringing || c->phase == CallPhase::Dialing)
            return complete(out, intent, call_state_error(*c, "connected"));
        c->muted = m->on;
        out.push_back(Media{MediaOp::Mute, c->id, {}, m->on, {}, {}});
        call_changed(*c, out);
        return complete(out, intent, std::move(done));
    }
    if (const auto* d = std::get_if<DtmfIntent>(&in)) {
        auto digits = clean_digits(d->digits);
        if (!digits) return complete(out, intent, make_error("bad_intent", "Digits are 0-9, *, # and A-D, up to 32."));
        if (c->phase != CallPhase::Active) return complete(out, intent, call_state_error(*c, "active"));
        out.push_back(Media{MediaOp::Dtmf, c->id, {}, false, *digits, {}});
        out.push_back(Notify{"call.dtmf_sent", {{"call", c->id}, {"digits", *digits}}});
        return complete(out, intent, std::move(done));
    }
}

// A ringing call declined: 486 to the caller, and the backend offers the contact elsewhere.
void Desk::decline(Call& c, Out& out) {
    if (!c.contact.empty() && state_.connection == ConnectionState::Connected) {
        std::string id = send_request(RequestKind::Contact, json{{"type", "reject"}, {"contact", c.contact}}, std::nullopt, out);
        state_.pending[id].contact = c.contact;
    }
    to_ua(sip::ua_event::Reject{c.sip, 486}, out);  // Ended follows
}

void Desk::dial(uint64_t intent, const DialIntent& in, Out& out) {
    if (state_.voice.registration != sip::RegistrationState::registered)
        return complete(out, intent, make_error("phone_offline", "The phone is not connected; calls cannot be made now."));
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    if (!in.agent.empty()) return dial_agent(intent, in.agent, 0, out);
    json body = {{"type", "dial"}};
    if (!in.number.empty()) body["number"] = in.number;
    if (!in.queue.empty()) body["queue"] = in.queue;
    if (!in.contact.empty()) body["contact"] = in.contact;
    send_request(RequestKind::Dial, std::move(body), intent, out);
}

// A call to a colleague: straight to their address in our domain, no contact. `consult_for`:
// the call it consults for (attended transfer), which is held meanwhile.
void Desk::dial_agent(uint64_t intent, const std::string& agent, uint32_t consult_for, Out& out) {
    bool valid = !agent.empty() && agent.size() <= 64 &&
                 std::all_of(agent.begin(), agent.end(), [](unsigned char ch) {
                     return std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
                 });
    if (!valid) return complete(out, intent, make_error("bad_intent", "That is not an agent's username."));
    if (state_.agent && agent == state_.agent->username)
        return complete(out, intent, make_error("bad_intent", "That is you; call someone else."));
    hold_others(0, out);
    Call c;
    c.id = state_.next_call_id++;
    c.outgoing = true;
    c.phase = CallPhase::Dialing;
    c.number = agent;
    for (const auto& a : state_.agents)
        if (a.username == agent) c.name = a.display_name;
    c.dial_target = agent;
    c.since_ms = now_;
    c.intent = intent;
    c.consult_for = consult_for;
    state_.calls.push_back(c);
    out.push_back(Media{MediaOp::Start, c.id, {}, false, {}, {}});
    call_changed(c, out);
}

// ---- the backend's replies ----------------------------------------------------------------------

void Desk::on_dial_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    if (req.call != 0) return on_transfer_reply(req, reply, out);
    if (!reply.ok) {
        state_.notice = reply.error.message;
        if (req.intent) complete(out, *req.intent, reply.error);
        return;
    }
    auto decoded = protocol::decode_dial_result(reply.result.root());
    if (!decoded) return refuse_reply(req, reply, decoded.error().message, out);
    protocol::DialResult& dial = decoded.value();
    if (!ua_) {
        if (req.intent) complete(out, *req.intent, make_error("no_phone", "The phone went away."));
        return;
    }
    std::string contact_id = dial.contact.id;
    upsert_contact(std::move(dial.contact), out);
    hold_others(0, out);
    Call c;
    c.id = state_.next_call_id++;
    c.contact = contact_id;
    c.outgoing = true;
    c.phase = CallPhase::Dialing;
    c.number = dial.number;
    c.dial_target = c.number;
    c.since_ms = now_;
    c.intent = req.intent;
    state_.calls.push_back(c);
    out.push_back(Media{MediaOp::Start, c.id, {}, false, {}, {}});
    call_changed(c, out);
}

// ---- the UA's news ------------------------------------------------------------------------------

void Desk::on_ua_call(const sip::UaEffect& effect, Out& out) {
    namespace fx = sip::ua_effect;
    if (auto* e = std::get_if<fx::Incoming>(&effect)) {
        Call c;
        c.id = state_.next_call_id++;
        c.sip = e->call;
        c.number = e->remote.user.empty() ? e->remote.uri : e->remote.user;
        c.name = e->remote.display_name;
        c.since_ms = now_;
        c.remote_offer = e->sdp_offer;
        for (const auto& [name, value] : e->x_headers)
            if (sip::grammar::iequals(name, kContactHeader)) c.contact = value.substr(0, 128);
        if (c.remote_offer.empty()) {
            log(out, LogLevel::Warn, "A call came in without an SDP offer; declined.");
            to_ua(sip::ua_event::Reject{e->call, 603}, out);
            return;
        }
        // Attended transfer to this desk: the caller comes with Replaces for our consultation with
        // the colleague who transferred them, and takes its place without ringing.
        Call* replaced = e->replaces ? call_by_sip(*e->replaces) : nullptr;
        if (replaced && (replaced->phase == CallPhase::Active || replaced->phase == CallPhase::Held)) {
            c.phase = CallPhase::Connecting;
            state_.calls.push_back(c);
            out.push_back(Media{MediaOp::Start, c.id, c.remote_offer, false, {}, {}});
            out.push_back(Notify{"call", call_json(state_, c)});
            return;
        }
        state_.calls.push_back(c);
        out.push_back(Notify{"call.incoming", call_json(state_, c)});
        update_tone(out);
        return;
    }
    if (auto* e = std::get_if<fx::Outgoing>(&effect)) {
        if (Call* c = call_mut(dialing_call_)) c->sip = e->call;
        return;
    }
    if (auto* e = std::get_if<fx::Ended>(&effect)) {
        if (Call* c = call_by_sip(e->call)) {
            if (c->intent) complete(out, *c->intent, make_error("call_ended", "The call ended: " + e->reason + "."));
            c->intent.reset();
            drop_call(c->id, e->reason, e->who == sip::Party::remote, out);
        }
        return;
    }
    if (auto* e = std::get_if<fx::Refused>(&effect)) {
        Call* c = call_by_sip(e->call);
        if (c && c->intent) {
            complete(out, *c->intent, e->reason);
            c->intent.reset();
        }
        state_.notice = "The phone could not do that: " + e->reason.message;
        return;
    }
    // The rest concern a call this desk knows.
    uint32_t sip_id = 0;
    std::visit([&](const auto& x) {
        if constexpr (requires { x.call; }) sip_id = x.call;
    }, effect);
    Call* c = call_by_sip(sip_id);
    if (!c) return;
    if (std::holds_alternative<fx::Ringing>(effect)) {
        if (c->progress == CallProgress::None) set_progress(*c, CallProgress::Ringing, out);  // not after a 183
    } else if (auto* e = std::get_if<fx::EarlyMedia>(&effect)) {
        // The first answer SDP is the one the media takes (RFC 3261 13.2.1): a later 183 or the
        // 2xx does not apply another.
        if (c->progress == CallProgress::None || c->progress == CallProgress::Ringing) {
            set_progress(*c, CallProgress::EarlyMedia, out);
            out.push_back(Media{MediaOp::RemoteAnswer, c->id, e->sdp, false, {}, {}});
        }
    } else if (auto* e = std::get_if<fx::Answered>(&effect)) {
        if (c->progress != CallProgress::EarlyMedia && c->progress != CallProgress::Answered)
            out.push_back(Media{MediaOp::RemoteAnswer, c->id, e->sdp, false, {}, {}});
        set_progress(*c, CallProgress::Answered, out);
        set_call_phase(*c, CallPhase::Active, out);
        c->connected_ms = now_;
    } else if (auto* e = std::get_if<fx::RemoteOffer>(&effect)) {
        to_ua(sip::ua_event::AnswerRemoteOffer{c->sip, redirect(c->local_sdp, std::nullopt, e->sdp)}, out);
    } else if (std::holds_alternative<fx::HeldByRemote>(effect)) {
        c->held_by_remote = true;
    } else if (std::holds_alternative<fx::ResumedByRemote>(effect)) {
        c->held_by_remote = false;
    } else if (auto* e = std::get_if<fx::HoldDone>(&effect)) {
        set_hold_request(*c, HoldRequest::None, out);
        if (!e->ok) {
            // Refused or unanswered: the call stays as it was, and so do our SDP and media.
            const bool held = c->phase == CallPhase::Held;
            c->local_sdp = redirect(c->local_sdp, held ? sip::sdp::Direction::sendonly : sip::sdp::Direction::sendrecv);
            out.push_back(Media{MediaOp::Hold, c->id, {}, held, {}, {}});
        } else if (c->phase == CallPhase::Active || c->phase == CallPhase::Held) {
            set_call_phase(*c, e->held ? CallPhase::Held : CallPhase::Active, out);
        }
    } else if (auto* e = std::get_if<fx::DtmfReceived>(&effect)) {
        out.push_back(Notify{"call.dtmf", {{"call", c->id}, {"digit", std::string(1, e->digit)}}});
    } else if (auto* e = std::get_if<fx::TransferProgress>(&effect)) {
        // 202 is the REFER accepted; the NOTIFYs' sipfrags then say how the new call goes.
        bool done = e->status >= 200 && e->status < 300 && e->status != 202;
        set_transfer(*c, done ? CallTransfer::Done : e->status < 300 ? CallTransfer::Trying : CallTransfer::Failed, out);
        if (e->status >= 300) c->refer_to.clear();  // the caller stays: so does the contact
        if (e->status >= 300) state_.notice = "The transfer failed (" + std::to_string(e->status) + ").";
        if (done) {
            uint32_t sip_call = c->sip;
            call_changed(*c, out);
            to_ua(sip::ua_event::Hangup{sip_call}, out);  // the caller is with the target now
            update_tone(out);
            return;
        }
    } else if (auto* e = std::get_if<fx::TransferRequested>(&effect)) {
        // The other party transfers us: call the target (with Replaces, attended) as the REFER
        // says; the referrer hears how it goes and hangs up the old call.
        Call n;
        n.id = state_.next_call_id++;
        n.outgoing = true;
        n.phase = CallPhase::Dialing;
        n.number = e->target;
        n.since_ms = now_;
        n.follow_refer = c->sip;
        set_transfer(*c, CallTransfer::Transferred, out);
        call_changed(*c, out);
        state_.calls.push_back(n);
        out.push_back(Media{MediaOp::Start, n.id, {}, false, {}, {}});
        call_changed(n, out);
        return;
    } else {
        return;
    }
    call_changed(*c, out);
    update_tone(out);
}

// ---- media --------------------------------------------------------------------------------------

void Desk::on_media(const MediaEvent& e, Out& out) {
    Call* c = call_mut(e.call);
    if (!c) {
        // A late answer for a call that is gone: free what the platform made for it.
        if (e.kind == MediaEvent::Kind::LocalSdp) out.push_back(Media{MediaOp::Stop, e.call, {}, false, {}, {}});
        return;
    }
    switch (e.kind) {
        case MediaEvent::Kind::LocalSdp: {
            if (!c->local_sdp.empty()) return;  // one SDP per call; later ones are the browser's business
            c->local_sdp = e.sdp;
            if (!c->outgoing && c->phase == CallPhase::Connecting) {
                to_ua(sip::ua_event::Answer{c->sip, e.sdp}, out);
                c = call_mut(e.call);
                if (!c) return;  // the UA ended it (the caller had gone)
                set_call_phase(*c, CallPhase::Active, out);
                c->connected_ms = now_;
                if (!c->contact.empty() && state_.connection == ConnectionState::Connected) {
                    std::string id = send_request(RequestKind::Contact, json{{"type", "accept"}, {"contact", c->contact}},
                                                  std::nullopt, out);
                    state_.pending[id].contact = c->contact;
                }
                if (c->intent) complete(out, *c->intent, json{{"call", c->id}, {"contact", c->contact}});
                c->intent.reset();
            } else if (c->outgoing && c->sip == 0) {
                sip::ua_event::Dial dial{c->dial_target, e.sdp, std::nullopt, {}};
                if (c->follow_refer) dial.for_transfer = c->follow_refer;
                if (!c->contact.empty()) dial.headers.emplace_back(kContactHeader, c->contact);
                dialing_call_ = c->id;
                to_ua(dial, out);
                dialing_call_ = 0;
                c = call_mut(e.call);
                if (!c) return;
                if (c->sip == 0) {  // refused (Refused said why)
                    if (c->intent) complete(out, *c->intent, make_error("dial_failed", "The call could not be placed: " + state_.notice));
                    c->intent.reset();
                    drop_call(c->id, "failed", false, out);
                    return;
                }
                if (c->intent) complete(out, *c->intent, json{{"call", c->id}, {"contact", c->contact}});
                c->intent.reset();
            }
            break;
        }
        case MediaEvent::Kind::Failed: {
            state_.notice = "Call audio failed: " + e.reason;
            if (c->intent) complete(out, *c->intent, make_error("media", e.reason));
            c->intent.reset();
            if (c->local_sdp.empty()) {  // it never started
                if (c->sip != 0 && !c->outgoing && c->connected_ms == 0) {
                    // Answering failed: the caller's offer was unusable (488) or our side broke (500).
                    bool sdp = e.reason.find("SDP") != std::string::npos || e.reason.find("offer") != std::string::npos ||
                               e.reason.find("RemoteDescription") != std::string::npos;
                    to_ua(sip::ua_event::Reject{c->sip, sdp ? 488 : 500}, out);  // Ended follows
                } else if (c->sip != 0) {
                    to_ua(sip::ua_event::Hangup{c->sip}, out);  // Ended follows
                } else {
                    drop_call(c->id, "media failed", false, out);
                }
                return;
            }
            log(out, LogLevel::Warn, "Call audio: " + e.reason);
            break;
        }
        case MediaEvent::Kind::Stats:
            c->stats = e.stats;
            return;  // the views read it; no news for listeners every two seconds
        case MediaEvent::Kind::DtmfFallback:
            if (c->sip != 0) to_ua(sip::ua_event::Dtmf{c->sip, e.digits}, out);
            return;
    }
    call_changed(*c, out);
}

// ---- tones and ends -----------------------------------------------------------------------------

void Desk::update_tone(Out& out) {
    std::string want;
    for (const auto& c : state_.calls)
        if (!c.outgoing && c.phase == CallPhase::Ringing) want = "ring";
    if (want.empty())
        for (const auto& c : state_.calls)
            if (c.outgoing && c.phase == CallPhase::Dialing && c.progress == CallProgress::Ringing) want = "ringback";
    if (want == state_.tone) return;
    state_.tone = want;
    out.push_back(Media{MediaOp::Tone, 0, {}, false, {}, want});
}

// The call is over: free its media, tell the backend (the contact goes to after-contact work),
// and forget it. `remote`: the other party ended it.
void Desk::drop_call(uint32_t id, const std::string& reason, bool remote, Out& out) {
    auto it = std::find_if(state_.calls.begin(), state_.calls.end(), [&](const Call& c) { return c.id == id; });
    if (it == state_.calls.end()) return;
    Call c = std::move(*it);
    state_.calls.erase(it);
    out.push_back(Media{MediaOp::Stop, c.id, {}, false, {}, {}});
    // A connected call, or an outbound one that never connected: the contact ends. An inbound
    // call that was never answered is the backend's to re-offer (Kamailio tells it).
    bool report = !c.contact.empty() && (c.connected_ms > 0 || c.outgoing);
    const contact::Contact* contact = find_contact(state_, c.contact);
    // (The accept may still be on its way: the backend takes requests in order.)
    bool open = !contact || contact->state == ContactState::Active || contact->state == ContactState::Offered;
    // A transfer the backend agreed to: once the contact has left this desk it is the target's.
    if (!c.refer_to.empty() && c.transfer != CallTransfer::Asking && !contact) report = false;
    if (report && open) {
        state_.unreported_ends[c.contact] = remote ? "customer" : "agent";
        report_call_ends(out);  // now, or once the backend is back
    }
    out.push_back(Notify{"call.ended", {{"call", c.id}, {"contact", c.contact}, {"reason", reason},
                                        {"by", remote ? "remote" : "local"}}});
    update_tone(out);
}

// Tells the backend about calls that ended, when it can hear it (after a reconnect, too): the
// contact goes to after-contact work either way.
void Desk::report_call_ends(Out& out) {
    if (state_.connection != ConnectionState::Connected || state_.session != SessionState::LoggedIn) return;
    for (const auto& [contact, by] : state_.unreported_ends) {
        std::string rid = send_request(RequestKind::Contact, json{{"type", "end"}, {"contact", contact}, {"by", by}},
                                       std::nullopt, out);
        state_.pending[rid].contact = contact;
    }
    state_.unreported_ends.clear();
}

void Desk::drop_all_calls(Out& out) {
    for (const auto& c : state_.calls) {
        if (c.intent) complete(out, *c.intent, make_error("call_ended", "The phone was stopped."));
        out.push_back(Media{MediaOp::Stop, c.id, {}, false, {}, {}});
    }
    state_.calls.clear();
    update_tone(out);
}

json call_json(const DeskState& s, const Call& c) {
    return json{{"id", c.id},
                {"contact", c.contact.empty() ? json(nullptr) : json(c.contact)},
                {"direction", c.outgoing ? "outbound" : "inbound"},
                {"phase", std::string(to_string(c.phase))},
                {"number", c.number},
                {"name", c.name},
                {"started_at", c.since_ms + s.clock_offset_ms},
                {"connected_at", c.connected_ms ? json(c.connected_ms + s.clock_offset_ms) : json(nullptr)},
                {"ringing", c.progress == CallProgress::Ringing || c.progress == CallProgress::EarlyMedia},
                {"muted", c.muted},
                {"held", c.phase == CallPhase::Held},
                {"held_by_remote", c.held_by_remote},
                {"transfer", c.transfer == CallTransfer::None ? json(nullptr) : json(std::string(to_string(c.transfer)))},
                {"stats", c.stats}};
}

}  // namespace sb::desk
