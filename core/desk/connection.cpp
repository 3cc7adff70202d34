// desk/connection.cpp: the connection lifecycle. Opening the transport, the hello handshake and
// version negotiation, the heartbeat, request deadlines, and reconnecting with backoff and
// jitter after any loss. What a reconnect means for the session is in session.cpp.
#include <algorithm>

#include "desk/desk.h"
#include "protocol/reader.h"
#include "protocol/schema.h"

namespace sb::desk {

using nlohmann::json;

void Desk::set_connection(ConnectionState to, Out& out) {
    if (state_.connection == to) return;
    if (!connection_transition_allowed(state_.connection, to)) {
        log(out, LogLevel::Error,
            "connection: refused move " + std::string(to_string(state_.connection)) + " -> " +
                std::string(to_string(to)));
        return;
    }
    state_.connection = to;
    state_.connection_since_ms = now_;
    json data = {{"state", std::string(to_string(to))}};
    if (!state_.connection_error.empty()) data["error"] = state_.connection_error;
    if (to == ConnectionState::WaitingToReconnect) data["retry_at"] = state_.reconnect_at_ms;
    out.push_back(Notify{"connection", std::move(data)});
}

void Desk::on_start(const Start& e, Out& out) {
    if (!state_.backend_url.empty()) {
        log(out, LogLevel::Warn, "start: already started");
        return;
    }
    state_.backend_url = e.backend_url;
    state_.rng = e.seed ? e.seed : 0x9E3779B97F4A7C15ull;
    if (e.stored && !e.stored->token.empty()) {
        state_.token = e.stored->token;
        state_.last_seq = e.stored->last_seq;
    }
    // What Persist{"drafts"} wrote: our own, but storage is outside the core, so it is read like
    // the backend's (a draft that cannot be read is left out).
    auto parsed = protocol::JsonDoc::parse(e.stored_drafts.empty() ? "{}" : e.stored_drafts, protocol::kMaxFrameDepth);
    const protocol::JsonValue& drafts = parsed.doc.root();
    if (parsed.status == protocol::JsonDoc::Status::Ok && drafts.is_object() && !state_.token.empty()) {
        for (auto it = drafts.begin(); it != drafts.end(); ++it) {
            if (drafts.find(it.key()) != &*it) continue;  // a key written twice: the last one counts
            protocol::Fields f(*it, "draft");
            Draft d;
            d.text = f.str_or("text", "");
            if (const protocol::JsonValue* w = f.object_or_null("wrap_up")) {
                protocol::Fields wf(*w, "draft.wrap_up");
                WrapUpDraft wd{wf.str_or("disposition", ""), wf.str_or("notes", ""), {}};
                if (wf.has("tags")) wd.tags = wf.strings("tags");
                if (wf.ok()) d.wrap_up = std::move(wd);
            }
            if (f.ok()) state_.drafts[std::string(it.key())] = std::move(d);
        }
    }
    set_connection(ConnectionState::Connecting, out);
    out.push_back(OpenTransport{state_.backend_url});
}

void Desk::on_transport_opened(Out& out) {
    if (state_.connection != ConnectionState::Connecting) {
        log(out, LogLevel::Warn, "transport opened while " + std::string(to_string(state_.connection)));
        return;
    }
    set_connection(ConnectionState::Handshaking, out);
    send_request(RequestKind::Hello,
                 json{{"type", "hello"}, {"versions", json::array({protocol::kVersion})}, {"client", config_.client_name}},
                 std::nullopt, out);
}

void Desk::on_transport_closed(const std::string& reason, Out& out) {
    lose_connection(reason.empty() ? "The connection to the backend closed." : reason, out);
}

std::string Desk::send_request(RequestKind kind, json body, std::optional<uint64_t> intent, Out& out) {
    std::string id = begin_request(kind, intent);
    body["id"] = id;
    // replace: an intent's text with invalid UTF-8 must not throw (dump's default).
    send_request_text(body.dump(-1, ' ', false, json::error_handler_t::replace), out);
    return id;
}

std::string Desk::begin_request(RequestKind kind, std::optional<uint64_t> intent) {
    std::string id = std::to_string(state_.next_request_number++);
    state_.pending[id] = PendingRequest{kind, intent, now_ + config_.request_timeout_ms};
    return id;
}

void Desk::send_request_text(std::string text, Out& out) {
    out.push_back(SendFrame{std::move(text)});
    arm_request_deadline(out);
}

void Desk::arm_request_deadline(Out& out) {
    if (state_.pending.empty()) {
        out.push_back(CancelTimer{TimerId::RequestDeadline});
        return;
    }
    int64_t earliest = INT64_MAX;
    for (const auto& [id, req] : state_.pending) earliest = std::min(earliest, req.deadline_ms);
    out.push_back(StartTimer{TimerId::RequestDeadline, std::max<int64_t>(0, earliest - now_)});
}

void Desk::lose_connection(const std::string& reason, Out& out) {
    if (state_.connection == ConnectionState::Disconnected ||
        state_.connection == ConnectionState::WaitingToReconnect)
        return;
    state_.connection_error = reason;
    // Every request in flight is answered now: its reply can no longer arrive.
    auto pending = std::move(state_.pending);
    state_.pending.clear();
    for (const auto& [id, req] : pending) {
        switch (req.kind) {
            case RequestKind::Login:
                set_session(SessionState::LoggedOut, out);
                state_.login_error = make_error("connection_lost", "The connection dropped while signing in. Try again.");
                break;
            case RequestKind::Logout:
                // The backend may not have revoked the token; forgetting it here is what the agent asked.
                end_session(std::nullopt, out);
                if (req.intent) complete(out, *req.intent, json{{"revoked", false}});
                continue;
            case RequestKind::SetState: state_.presence_pending.reset(); break;
            case RequestKind::SendMessage:
                // Not lost: it goes again, with the same client_id, once the session resumes.
                for (auto& m : state_.outbox)
                    if (m.client_id == req.client_id) m.in_flight = false;
                continue;
            default: break;
        }
        if (req.intent) complete(out, *req.intent, make_error("connection_lost", reason));
    }
    out.push_back(CancelTimer{TimerId::RequestDeadline});
    out.push_back(CancelTimer{TimerId::Heartbeat});
    out.push_back(CloseTransport{});
    schedule_reconnect(out);
}

void Desk::schedule_reconnect(Out& out) {
    int shift = std::min(state_.reconnect_attempt, 16);
    int64_t base = std::min(config_.reconnect_cap_ms, config_.reconnect_base_ms << shift);
    // "Equal jitter": half the backoff fixed, half random, so that a crowd of desks cut off by
    // the same outage does not come back in the same millisecond.
    int64_t delay = base / 2 + static_cast<int64_t>(next_random() % static_cast<uint64_t>(base / 2 + 1));
    state_.reconnect_attempt++;
    state_.reconnect_at_ms = now_ + delay;
    set_connection(ConnectionState::WaitingToReconnect, out);
    out.push_back(StartTimer{TimerId::Reconnect, delay});
}

void Desk::on_timer(TimerId timer, Out& out) {
    switch (timer) {
        case TimerId::Reconnect:
            if (state_.connection != ConnectionState::WaitingToReconnect) return;
            set_connection(ConnectionState::Connecting, out);
            out.push_back(OpenTransport{state_.backend_url});
            return;
        case TimerId::Heartbeat:
            if (state_.connection != ConnectionState::Connected) return;
            send_request(RequestKind::Ping, json{{"type", "ping"}}, std::nullopt, out);
            out.push_back(StartTimer{TimerId::Heartbeat, config_.heartbeat_interval_ms});
            return;
        case TimerId::RequestDeadline: {
            bool expired = false;
            for (auto it = state_.pending.begin(); it != state_.pending.end();) {
                if (it->second.deadline_ms > now_) { ++it; continue; }
                expired = true;
                if (it->second.kind == RequestKind::SendMessage) {
                    for (auto& m : state_.outbox)
                        if (m.client_id == it->second.client_id) m.in_flight = false;
                    it = state_.pending.erase(it);
                    continue;
                }
                if (it->second.intent)
                    complete(out, *it->second.intent,
                             make_error("timeout", "The backend did not answer in time."));
                if (it->second.kind == RequestKind::SetState) state_.presence_pending.reset();
                if (it->second.kind == RequestKind::Login) set_session(SessionState::LoggedOut, out);
                it = state_.pending.erase(it);
            }
            // A backend that stops answering is as good as gone: reconnect (and resume).
            if (expired) lose_connection("The backend stopped answering.", out);
            else arm_request_deadline(out);
            return;
        }
        case TimerId::LoginWait:
            if (state_.queued_login_intent)
                fail_queued_login(make_error("not_connected",
                                             "Cannot reach the backend" +
                                                 (state_.connection_error.empty() ? std::string(".")
                                                                                  : ": " + state_.connection_error)),
                                  out);
            return;
        case TimerId::Sip:
            on_sip_timer(out);
            return;
    }
}

// Every frame is decoded in one place (core/protocol/frames.h): what cannot be read is refused
// there, with a log here, and the connection and the agent's work go on.
void Desk::on_frame(const std::string& text, Out& out) {
    auto decoded = protocol::decode_frame(text);
    if (!decoded) {
        log(out, LogLevel::Warn, "refused a frame from the backend: " + decoded.error().message);
        return;
    }
    if (const auto* event = std::get_if<protocol::EventFrame>(&decoded.value())) {
        on_event(*event, out);
        return ask_agent_names(out);  // names behind the usernames it brought, if any
    }
    auto& reply = std::get<protocol::ReplyFrame>(decoded.value());
    auto it = state_.pending.find(reply.id);
    if (it == state_.pending.end()) {
        log(out, LogLevel::Warn, "reply to an unknown request " + reply.id.substr(0, 64) + "; ignored");
        return;
    }
    PendingRequest req = std::move(it->second);  // erased next: taken, not copied
    state_.pending.erase(it);
    arm_request_deadline(out);
    if (!reply.refused.empty())
        log(out, LogLevel::Warn, "refused the reply to request " + reply.id.substr(0, 64) + ": " + reply.refused);
    dispatch_reply(req, reply, out);
    ask_agent_names(out);
}

void Desk::dispatch_reply(const PendingRequest& req, protocol::ReplyFrame& reply, Out& out) {
    switch (req.kind) {
        case RequestKind::Hello: on_hello_reply(reply, out); break;
        case RequestKind::Ping: break;
        default: on_reply(req, reply, out); break;
    }
}

// A reply whose result the desk cannot read: its request fails exactly as if the backend had
// answered with an error (unreadable_reply), so that a refusal leaves the state every handler
// already knows. Handlers decode before they change anything, so refusing is all or nothing.
void Desk::refuse_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, const std::string& why, Out& out) {
    log(out, LogLevel::Warn, "refused the reply to request " + reply.id.substr(0, 64) + ": " + why);
    protocol::ReplyFrame failed;
    failed.id = reply.id;
    failed.error = protocol::unreadable_reply();
    failed.refused = why;
    dispatch_reply(req, failed, out);
}

void Desk::on_hello_reply(const protocol::ReplyFrame& reply, Out& out) {
    if (!reply.ok) {
        lose_connection("The backend refused the handshake: " + reply.error.message, out);
        return;
    }
    auto hello = protocol::decode_hello_result(reply.result.root());
    if (!hello) return refuse_reply(PendingRequest{RequestKind::Hello, std::nullopt, 0}, reply, hello.error().message, out);
    if (hello.value().version != protocol::kVersion) {
        lose_connection("The backend chose a protocol version this desk does not speak.", out);
        return;
    }
    state_.protocol_version = protocol::kVersion;
    if (hello.value().now_ms) state_.clock_offset_ms = *hello.value().now_ms - now_;
    state_.reconnect_attempt = 0;
    state_.connection_error.clear();
    set_connection(ConnectionState::Connected, out);
    out.push_back(StartTimer{TimerId::Heartbeat, config_.heartbeat_interval_ms});

    if (!state_.token.empty()) {
        send_resume(out);
    } else if (state_.queued_login_intent) {
        uint64_t intent = *state_.queued_login_intent;
        std::string user = std::move(state_.queued_login_username), pass = std::move(state_.queued_login_password);
        state_.queued_login_intent.reset();
        state_.queued_login_password.clear();
        out.push_back(CancelTimer{TimerId::LoginWait});
        send_login(intent, user, pass, out);
    }
}

}  // namespace sb::desk
