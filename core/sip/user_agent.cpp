// The SIP user agent: registration and calls (see user_agent.h for the state table). The
// desk's commands and the transfers are in user_agent_calls.cpp.
//
// Sections: helpers · plumbing (layer, registration, timers) · received requests · received
// responses
#include "sip/user_agent.h"

#include <algorithm>

#include "sip/address.h"
#include "sip/fields.h"
#include "sip/sdp.h"

namespace sb::sip {

namespace {

Error error(std::string_view code, std::string message) { return make_error(std::string(code), std::move(message)); }

bool is_sdp(const Message& m) {
    auto ct = read_content_type(m);
    return ct && ct.value() && ct.value()->is("application", "sdp") && !m.body().empty();
}

std::string reason_of(const Message& r) {
    return r.reason().empty() ? "status " + std::to_string(r.status()) : std::string(r.reason());
}

Identity identity_of(const NameAddr& a) {
    Identity id;
    id.display_name = a.display_name_text();
    id.user = a.uri.user_text();
    id.uri = std::string(a.uri.text);
    return id;
}

// P-Asserted-Identity (RFC 3325), else From.
Identity remote_identity(const Message& m) {
    for (auto v : m.values(HeaderId::p_asserted_identity)) {
        auto a = parse_name_addr(v, "P-Asserted-Identity");
        if (a && a.value().uri.is_sip()) return identity_of(a.value());
        if (a && a.value().uri.scheme == Scheme::tel) return identity_of(a.value());
    }
    auto from = read_from(m);
    return from ? identity_of(from.value()) : Identity{};
}

}  // namespace

std::string_view to_string(CallState s) {
    switch (s) {
        case CallState::calling: return "calling";
        case CallState::early: return "early";
        case CallState::cancelling: return "cancelling";
        case CallState::incoming: return "incoming";
        case CallState::confirmed: return "confirmed";
        case CallState::terminated: return "terminated";
    }
    return "?";
}

std::string_view to_string(Party p) { return p == Party::local ? "local" : "remote"; }

// ---- helpers ----------------------------------------------------------------------------------
uint64_t UserAgent::next_random() {  // splitmix64 over the injected seed
    uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::string UserAgent::hex(int digits) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    uint64_t r = next_random();
    for (int i = 0; i < digits; ++i) {
        if (i > 0 && i % 16 == 0) r = next_random();
        out += kHex[(r >> (4 * (i % 16))) & 15];
    }
    return out;
}

std::string UserAgent::target_uri(std::string_view target) const {
    if (target.find(':') != std::string_view::npos) return std::string(target);
    return "sip:" + std::string(target) + "@" + domain_;
}

RegistrationState UserAgent::registration_state() const {
    return registration_ ? registration_->state() : RegistrationState::unregistered;
}

std::optional<CallState> UserAgent::call_state(CallId id) const {
    auto it = calls_.find(id);
    if (it == calls_.end()) return std::nullopt;
    return it->second->state;
}

const Dialog* UserAgent::dialog(CallId id) const {
    auto it = calls_.find(id);
    return it == calls_.end() || !it->second->dialog ? nullptr : &*it->second->dialog;
}

std::vector<CallId> UserAgent::calls() const {
    std::vector<CallId> out;
    for (const auto& [id, c] : calls_) out.push_back(id);
    return out;
}

UserAgent::Call* UserAgent::find(CallId id) {
    auto it = calls_.find(id);
    return it == calls_.end() || it->second->state == CallState::terminated ? nullptr : it->second.get();
}

UserAgent::Call* UserAgent::find_by_dialog(const DialogId& id) {
    for (auto& [cid, c] : calls_)
        if (c->dialog && c->dialog->id == id && c->state != CallState::terminated) return c.get();
    return nullptr;
}

UserAgent::Call* UserAgent::live(CallId id, Out& out) {
    Call* c = find(id);
    if (!c) out.fx.push_back(ua_effect::Refused{id, error(kUaNoCall, "no call " + std::to_string(id))});
    return c;
}

void UserAgent::end(Call& call, Party who, std::string reason, int status, Out& out) {
    if (call.state == CallState::terminated) return;
    call.state = CallState::terminated;
    call.digits.clear();
    out.fx.push_back(ua_effect::Ended{call.id, who, std::move(reason), status});
}

// ---- plumbing ---------------------------------------------------------------------------------
UaEffects UserAgent::handle(int64_t now, const UaEvent& event) {
    Out out;
    auto refuse_unconfigured = [&] {
        out.fx.push_back(ua_effect::Refused{0, error(kUaNotConfigured, "the user agent has no credentials yet")});
    };
    if (auto* c = std::get_if<ua_event::Configure>(&event)) {
        if (registration_) {
            out.fx.push_back(ua_effect::Refused{0, error(kUaWrongState, "the user agent is configured already")});
            return out.fx;
        }
        auto aor = parse_uri(c->uri, "AOR");
        if (!aor || !aor.value().is_sip() || aor.value().host.empty() || c->username.empty()) {
            out.fx.push_back(ua_effect::Refused{0, error(kUaBadInput, "not a SIP address of record with a user: " + c->uri)});
            return out.fx;
        }
        config_ = *c;
        random_state_ = c->seed;
        domain_ = std::string(aor.value().host);
        if (aor.value().port) domain_ += ":" + std::to_string(*aor.value().port);
        via_transport_ = c->secure ? "WSS" : "WS";
        via_host_ = hex(12) + ".invalid";
        contact_ = "sip:" + hex(8) + "@" + via_host_ + ";transport=ws";
        RegistrationConfig rc;
        rc.registrar = "sip:" + domain_;
        rc.aor = c->uri;
        rc.contact = contact_;
        rc.via_host = via_host_;
        rc.via_transport = via_transport_;
        std::string u = hex(32);
        rc.instance_id = "urn:uuid:" + u.substr(0, 8) + "-" + u.substr(8, 4) + "-4" + u.substr(13, 3) + "-8" +
                         u.substr(17, 3) + "-" + u.substr(20, 12);
        rc.reg_id = 1;
        rc.user_agent = c->user_agent;
        rc.expires_s = c->expires_s;
        rc.credentials = {c->username, c->password, "", c->realm};
        rc.seed = next_random();
        rc.keepalive = c->keepalive;
        rc.keepalive_interval_ms = c->keepalive_interval_ms;
        rc.pong_timeout_ms = c->pong_timeout_ms;
        rc.retry_ms = c->register_retry_ms;
        registration_ = std::make_unique<RegistrationClient>(rc);
        digest_ = std::make_unique<DigestClient>(rc.credentials);
        return out.fx;
    }
    if (!registration_) {
        if (std::holds_alternative<ua_event::Received>(event)) {
            out.fx.push_back(ua_effect::Discarded{error(kUaNotConfigured, "a message before Configure")});
        } else if (!std::holds_alternative<ua_event::TransportDown>(event) &&
                   !std::holds_alternative<ua_event::TimerFired>(event)) {
            refuse_unconfigured();
        }
        return out.fx;
    }
    if (std::holds_alternative<ua_event::TransportUp>(event)) {
        transport_up_ = true;
        run(now, registration_->handle(now, reg_event::Register{}, layer_), out);
    } else if (std::holds_alternative<ua_event::TransportDown>(event)) {
        transport_down(now, out);
    } else if (auto* e = std::get_if<ua_event::Received>(&event)) {
        on_received(now, e->text, out);
    } else if (auto* e = std::get_if<ua_event::TimerFired>(&event)) {
        auto it = timers_.find(e->key);
        if (it != timers_.end()) {  // otherwise late or cancelled: ignored
            Timer t = it->second;
            timers_.erase(it);
            if (t.transaction.empty()) {
                run(now, registration_->handle(now, reg_event::TimerFired{t.name}, layer_), out);
            } else {
                run(now, layer_.handle(now, layer_event::TimerFired{t}), out);
            }
        }
    } else if (auto* e = std::get_if<ua_event::Dial>(&event)) {
        dial(now, *e, out);
    } else if (auto* e = std::get_if<ua_event::Answer>(&event)) {
        answer(now, *e, out);
    } else if (auto* e = std::get_if<ua_event::Reject>(&event)) {
        reject(now, e->call, e->status, out);
    } else if (auto* e = std::get_if<ua_event::Hangup>(&event)) {
        hangup(now, e->call, out);
    } else if (auto* e = std::get_if<ua_event::Hold>(&event)) {
        reinvite(now, e->call, e->sdp_offer, true, out);
    } else if (auto* e = std::get_if<ua_event::Resume>(&event)) {
        reinvite(now, e->call, e->sdp_offer, false, out);
    } else if (auto* e = std::get_if<ua_event::AnswerRemoteOffer>(&event)) {
        answer_remote_offer(now, *e, out);
    } else if (auto* e = std::get_if<ua_event::Dtmf>(&event)) {
        dtmf(now, *e, out);
    } else if (auto* e = std::get_if<ua_event::BlindTransfer>(&event)) {
        if (e->target.empty()) {
            out.fx.push_back(ua_effect::Refused{e->call, error(kUaBadInput, "an empty transfer target")});
        } else {
            refer(now, e->call, target_uri(e->target), out);
        }
    } else if (auto* e = std::get_if<ua_event::AttendedTransfer>(&event)) {
        attended_transfer(now, *e, out);
    }
    // Ended calls are forgotten once the event is done (late messages for them are answered
    // 481 or dropped, as for any unknown dialog).
    for (auto it = calls_.begin(); it != calls_.end();)
        it = it->second->state == CallState::terminated ? calls_.erase(it) : std::next(it);
    return out.fx;
}

void UserAgent::run(int64_t now, Effects effects, Out& out) {
    effects = registration_->absorb(now, std::move(effects), layer_);
    for (auto& e : effects) {
        if (auto* s = std::get_if<effect::Send>(&e)) {
            out.fx.push_back(ua_effect::Send{s->message.serialize()});
        } else if (std::holds_alternative<effect::SendKeepalive>(e)) {
            out.fx.push_back(ua_effect::SendKeepalive{});
        } else if (auto* t = std::get_if<effect::StartTimer>(&e)) {
            timers_[t->timer.key()] = t->timer;
            out.fx.push_back(ua_effect::StartTimer{t->timer.key(), t->delay_ms});
        } else if (auto* t = std::get_if<effect::CancelTimer>(&e)) {
            timers_.erase(t->timer.key());
            out.fx.push_back(ua_effect::CancelTimer{t->timer.key()});
        } else if (auto* d = std::get_if<effect::DeliverRequest>(&e)) {
            on_request(now, d->transaction, d->request, out);
        } else if (auto* d = std::get_if<effect::DeliverResponse>(&e)) {
            on_response(now, d->transaction, d->response, out);
        } else if (auto* t = std::get_if<effect::TimedOut>(&e)) {
            on_failed(now, t->transaction, 408, "no answer (Timer " + std::string(to_string(t->timer)) + ")", out);
        } else if (auto* f = std::get_if<effect::TransportFailed>(&e)) {
            on_failed(now, f->transaction, 503, "transport lost", out);
        } else if (auto* t = std::get_if<effect::Terminated>(&e)) {
            pending_.erase(t->transaction.key());
        } else if (auto* d = std::get_if<effect::Discarded>(&e)) {
            out.fx.push_back(ua_effect::Discarded{d->reason});
        } else if (auto* r = std::get_if<effect::RegistrationChanged>(&e)) {
            out.fx.push_back(*r);
        }
    }
}

UserAgent::Purpose UserAgent::purpose_of(std::string_view method) {
    if (method == "INVITE") return Purpose::reinvite;
    if (method == "ACK") return Purpose::ack;
    if (method == "BYE") return Purpose::bye;
    if (method == "CANCEL") return Purpose::cancel;
    if (method == "INFO") return Purpose::info;
    if (method == "REFER") return Purpose::refer;
    if (method == "NOTIFY") return Purpose::notify;
    return Purpose::other;
}

void UserAgent::send_request(int64_t now, Message request, CallId call, Purpose purpose, bool retried, Out& out) {
    if (request.method() != "ACK") {
        if (auto id = TransactionLayer::client_id(request); id)
            pending_[id.value().key()] = Pending{call, purpose, retried, request};
    }
    run(now, layer_.handle(now, layer_event::SendRequest{std::move(request)}), out);
}

void UserAgent::send_response(int64_t now, const Message& response, Out& out) {
    run(now, layer_.handle(now, layer_event::SendResponse{response}), out);
}

// A response we send; 101-299 to an INVITE also carry our Contact and the Record-Route
// (RFC 3261 12.1.1), and a body goes with its Content-Type.
void UserAgent::respond(int64_t now, const Message& request, int status, std::string_view reason, Out& out,
                        std::string_view to_tag) {
    auto r = make_response(request, status, reason, to_tag);
    if (!r) return;
    if (request.method() == "INVITE" && status > 100 && status < 300) {
        for (auto v : request.values(HeaderId::record_route)) r.value().add_header("Record-Route", v);
        r.value().add_header("Contact", "<" + contact_ + ";ob>");
    }
    send_response(now, r.value(), out);
}

void UserAgent::transport_down(int64_t now, Out& out) {
    transport_up_ = false;
    // RFC 3261 17.1.4 / 17.2.4: every transaction in flight has lost its flow (a response can
    // only come back on the connection its request used). Dialogs stay: their route set and
    // remote target work over the next connection.
    for (const auto& id : layer_.ids())
        if (layer_.find(id)) run(now, layer_.handle(now, layer_event::TransportError{id}), out);
}

void UserAgent::on_failed(int64_t now, const TransactionId& tx, int status, std::string reason, Out& out) {
    auto it = pending_.find(tx.key());
    if (it == pending_.end()) {
        if (!tx.server) return;
        // A server transaction: an unanswered incoming call or re-INVITE cannot be answered now.
        for (auto& [id, c] : calls_) {
            if (c->state == CallState::incoming && c->server_tx_key == tx.key()) {
                end(*c, Party::remote, reason, status, out);
            } else if (c->remote_reinvite) {
                auto rid = TransactionLayer::server_id(*c->remote_reinvite);
                if (rid && rid.value() == tx) c->remote_reinvite.reset();
            }
        }
        return;
    }
    Pending p = it->second;
    pending_.erase(it);
    Call* call = find(p.call);
    if (!call) return;
    if (p.purpose == Purpose::invite) {
        if (call->state == CallState::cancelling) return end(*call, Party::local, "cancelled", status, out);
        if (call->state == CallState::calling || call->state == CallState::early) {
            notify_referrer(now, *call, status, reason, out);
            end(*call, Party::remote, reason, status, out);
        }
    } else if (p.purpose == Purpose::reinvite) {
        const bool hold = call->our_reinvite == Call::ReInvite::hold;
        call->our_reinvite = Call::ReInvite::none;
        out.fx.push_back(ua_effect::HoldDone{call->id, hold, {}, false});
        out.fx.push_back(ua_effect::Refused{call->id, error(kUaWrongState, "the re-INVITE failed: " + reason)});
    } else if (p.purpose == Purpose::info) {
        call->info_digit.reset();
        call->digits.clear();
    } else if (p.purpose == Purpose::refer) {
        call->our_refer = Call::Refer::none;
        out.fx.push_back(ua_effect::TransferProgress{call->id, status});
    }
}

// ---- received ---------------------------------------------------------------------------------
void UserAgent::on_received(int64_t now, const std::string& text, Out& out) {
    auto m = parse_message(text);
    if (!m) {
        if (m.error().code == kEmpty) {  // a CRLF pong (RFC 5626 4.4.1)
            run(now, registration_->handle(now, reg_event::KeepalivePong{}, layer_), out);
            return;
        }
        out.fx.push_back(ua_effect::Discarded{m.error()});
        return;
    }
    run(now, layer_.handle(now, layer_event::Received{std::move(m.value())}), out);
}

void UserAgent::on_request(int64_t now, const TransactionId& tx, const Message& req, Out& out) {
    std::string_view method = req.method();
    auto to = read_to(req);
    bool in_dialog = to && !to.value().tag().empty();
    if (method == "ACK") {
        auto id = dialog_id_of_request(req);
        Call* call = id ? find_by_dialog(id.value()) : nullptr;
        if (!call) {
            out.fx.push_back(ua_effect::Discarded{error(kUaNoDialog, "an ACK for no call (" +
                                                                         (id ? id.value().key() : std::string("?")) + ")")});
            return;
        }
        (void)dialog_on_request(*call->dialog, req);
        return;
    }
    if (method == "CANCEL") return on_cancel(now, tx, req, out);
    if (!in_dialog) {
        if (method == "INVITE") return on_initial_invite(now, req, out);
        if (method == "OPTIONS") return respond(now, req, 200, "OK", out, hex(10));
        bool dialog_method = method == "BYE" || method == "INFO" || method == "NOTIFY" || method == "REFER" ||
                             method == "UPDATE" || method == "PRACK";
        if (dialog_method) {
            out.fx.push_back(ua_effect::Discarded{error(kUaNoDialog, "a " + std::string(method) + " outside any dialog")});
            return respond(now, req, 481, "Call/Transaction Does Not Exist", out);
        }
        return respond(now, req, 405, "Method Not Allowed", out, hex(10));
    }
    auto id = dialog_id_of_request(req);
    Call* call = id ? find_by_dialog(id.value()) : nullptr;
    if (!call) {
        out.fx.push_back(ua_effect::Discarded{
            error(kUaNoDialog, "a " + std::string(method) + " for no dialog (" + (id ? id.value().key() : std::string("?")) + ")")});
        return respond(now, req, 481, "Call/Transaction Does Not Exist", out);
    }
    on_in_dialog(now, *call, req, out);
}

void UserAgent::on_initial_invite(int64_t now, const Message& invite, Out& out) {
    auto tx = TransactionLayer::server_id(invite);
    if (!tx) return;
    std::optional<CallId> replaces;
    if (auto r = invite.find(HeaderId::replaces)) {  // RFC 3891: "call-id;to-tag=x;from-tag=y"
        auto semi = r->value.find(';');
        std::string call_id(r->value.substr(0, semi));
        Params params(semi == std::string_view::npos ? std::string_view{} : r->value.substr(semi), ParamStyle::header);
        DialogId wanted{call_id, params.text("to-tag").value_or(""), params.text("from-tag").value_or("")};
        Call* old = find_by_dialog(wanted);
        if (!old || old->state != CallState::confirmed) {
            out.fx.push_back(ua_effect::Discarded{error(kUaNoDialog, "Replaces names no established call (" + wanted.key() + ")")});
            return respond(now, invite, 481, "Call/Transaction Does Not Exist", out);
        }
        replaces = old->id;
    }
    auto call = std::make_unique<Call>();
    call->id = next_call_++;
    call->outgoing = false;
    call->state = CallState::incoming;
    call->invite = invite;
    call->server_tx_key = tx.value().key();
    call->local_tag = hex(10);
    call->replaces = replaces;
    Call& c = *call;
    calls_.emplace(c.id, std::move(call));
    respond(now, invite, 180, "Ringing", out, c.local_tag);
    ua_effect::Incoming incoming{c.id, remote_identity(invite), is_sdp(invite) ? std::string(invite.body()) : "",
                                 replaces, {}};
    for (size_t i = 0; i < invite.header_count(); ++i) {
        Header h = invite.header(i);
        if (h.name.size() > 2 && (h.name[0] == 'X' || h.name[0] == 'x') && h.name[1] == '-')
            incoming.x_headers.emplace_back(std::string(h.name), std::string(h.value));
    }
    out.fx.push_back(std::move(incoming));
}

void UserAgent::on_cancel(int64_t now, const TransactionId& tx, const Message& cancel, Out& out) {
    TransactionId invite_id = tx;
    invite_id.method = "INVITE";
    for (auto& [id, c] : calls_) {
        if (c->server_tx_key != invite_id.key() || c->state == CallState::terminated) continue;
        respond(now, cancel, 200, "OK", out);  // 9.2: the CANCEL is answered either way
        if (c->state == CallState::incoming) {
            respond(now, c->invite, 487, "Request Terminated", out, c->local_tag);
            end(*c, Party::remote, "cancelled", 487, out);
        }
        return;
    }
    out.fx.push_back(ua_effect::Discarded{error(kUaNoDialog, "a CANCEL for no call")});
    respond(now, cancel, 481, "Call/Transaction Does Not Exist", out);
}

void UserAgent::on_in_dialog(int64_t now, Call& call, const Message& req, Out& out) {
    std::string_view method = req.method();
    auto st = dialog_on_request(*call.dialog, req);
    if (!st) {
        if (st.error().code == kDialogCSeqOrder) return respond(now, req, 500, "Server Internal Error", out);
        return respond(now, req, 400, "Bad Request", out);
    }
    if (method == "BYE") {
        respond(now, req, 200, "OK", out);
        if (call.remote_reinvite) respond(now, *call.remote_reinvite, 487, "Request Terminated", out);
        call.remote_reinvite.reset();
        return end(call, Party::remote, "hangup", 0, out);
    }
    if (call.state != CallState::confirmed) return respond(now, req, 481, "Call/Transaction Does Not Exist", out);
    if (method == "INVITE") {
        if (call.our_reinvite != Call::ReInvite::none || call.remote_reinvite) return respond(now, req, 491, "Request Pending", out);
        std::string sdp_text = is_sdp(req) ? std::string(req.body()) : std::string();
        auto session = sdp::parse(sdp_text);
        if (!session || session.value().media.empty()) return respond(now, req, 488, "Not Acceptable Here", out);
        call.remote_reinvite = req;
        bool held = sdp::is_hold(session.value(), 0);
        if (held != call.held_by_remote) {
            call.held_by_remote = held;
            if (held) {
                out.fx.push_back(ua_effect::HeldByRemote{call.id});
            } else {
                out.fx.push_back(ua_effect::ResumedByRemote{call.id});
            }
        }
        out.fx.push_back(ua_effect::RemoteOffer{call.id, sdp_text});
        return;
    }
    if (method == "INFO") {
        respond(now, req, 200, "OK", out);
        auto ct = read_content_type(req);
        if (!(ct && ct.value() && ct.value()->is("application", "dtmf-relay"))) return;
        std::string_view body = req.body();
        auto at = body.find("Signal=");
        if (at == std::string_view::npos || at + 7 >= body.size()) return;
        size_t i = at + 7;
        while (i < body.size() && body[i] == ' ') ++i;
        if (i < body.size()) out.fx.push_back(ua_effect::DtmfReceived{call.id, body[i]});
        return;
    }
    if (method == "NOTIFY") return on_notify(now, call, req, out);
    if (method == "REFER") return on_refer(now, call, req, out);
    if (method == "OPTIONS") return respond(now, req, 200, "OK", out);
    respond(now, req, 501, "Not Implemented", out);
}

// ---- received responses -----------------------------------------------------------------------
void UserAgent::on_response(int64_t now, const TransactionId& tx, const Message& response, Out& out) {
    if (tx.empty()) {  // a 2xx to an INVITE whose transaction is gone: ACK it again if it is ours
        auto id = dialog_id_of_response(response);
        Call* call = id ? find_by_dialog(id.value()) : nullptr;
        auto cseq = read_cseq(response);
        if (!call || !cseq) {
            out.fx.push_back(ua_effect::Discarded{error(kUaNoDialog, "a 2xx for no call")});
            return;
        }
        return send_ack(now, *call, cseq.value().number, out);
    }
    auto it = pending_.find(tx.key());
    if (it == pending_.end()) return;  // a 2xx retransmission to an INVITE already answered
    Pending p = it->second;
    if (response.status() >= 200) pending_.erase(it);
    if (response.status() == 401 || response.status() == 407) {
        if (retry_with_credentials(now, p, response, out)) return;
    }
    Call* call = find(p.call);
    if (!call) {  // ended already; a 2xx to our INVITE still needs its ACK and a BYE
        return;
    }
    int status = response.status();
    if (p.purpose == Purpose::invite) return on_invite_response(now, *call, p, response, out);
    if (status < 200) return;
    if (p.purpose != Purpose::bye && p.purpose != Purpose::cancel && (status == 481 || status == 408) &&
        call->state == CallState::confirmed) {
        if (call->dialog) (void)dialog_on_response(*call->dialog, response);
        return end(*call, Party::remote, reason_of(response), status, out);
    }
    if (p.purpose == Purpose::reinvite) {
        const bool hold = call->our_reinvite == Call::ReInvite::hold;
        call->our_reinvite = Call::ReInvite::none;
        if (status < 300) {
            if (call->dialog) (void)dialog_on_response(*call->dialog, response);
            auto cseq = read_cseq(response);
            if (cseq) send_ack(now, *call, cseq.value().number, out);
            out.fx.push_back(ua_effect::HoldDone{call->id, hold, std::string(response.body())});
        } else {
            out.fx.push_back(ua_effect::HoldDone{call->id, hold, {}, false});
            out.fx.push_back(ua_effect::Refused{
                call->id, error(kUaWrongState, "the re-INVITE was answered " + std::to_string(status) + " " + reason_of(response))});
        }
    } else if (p.purpose == Purpose::info) {
        call->info_digit.reset();
        send_next_digit(now, *call, out);
    } else if (p.purpose == Purpose::refer) {
        // A NOTIFY may come before the 202 and end the transfer first: then this changes nothing.
        if (status >= 300) call->our_refer = Call::Refer::none;
        else if (call->our_refer == Call::Refer::sent) call->our_refer = Call::Refer::accepted;
        out.fx.push_back(ua_effect::TransferProgress{call->id, status});
    }
}

void UserAgent::on_invite_response(int64_t now, Call& call, const Pending& p, const Message& r, Out& out) {
    int status = r.status();
    if (status < 200) {
        if (call.invite_progress == Call::Invite::sent) call.invite_progress = Call::Invite::provisional;
        if (status > 100 && !call.dialog) {
            auto d = dialog_as_uac(call.invite, r);
            if (d) call.dialog = d.value();
        }
        if (call.state == CallState::cancelling) {
            if (call.invite_progress != Call::Invite::cancel_sent) {
                call.invite_progress = Call::Invite::cancel_sent;
                if (auto cancel = make_cancel(call.invite); cancel)
                    send_request(now, cancel.value(), call.id, Purpose::cancel, false, out);
            }
            return;
        }
        if (status == 100) return;
        call.state = CallState::early;
        if (status == 180 || status == 181 || status == 182) out.fx.push_back(ua_effect::Ringing{call.id});
        if (is_sdp(r)) out.fx.push_back(ua_effect::EarlyMedia{call.id, std::string(r.body())});
        if (status == 180 || status == 183) notify_referrer(now, call, status, reason_of(r), out);
        return;
    }
    if (status < 300) {
        auto id = dialog_id_of_response(r);
        if (call.dialog && id && id.value() == call.dialog->id) {
            (void)dialog_on_response(*call.dialog, r);
        } else {
            auto d = dialog_as_uac(call.invite, r);
            if (!d) {
                out.fx.push_back(ua_effect::Discarded{d.error()});
                return end(call, Party::remote, "unusable 2xx: " + d.error().message, 502, out);
            }
            call.dialog = d.value();
        }
        auto cseq = read_cseq(p.request);
        send_ack(now, call, cseq ? cseq.value().number : 1, out);
        if (call.state == CallState::cancelling) {  // the 200 crossed our CANCEL: hang up
            send_in_dialog(now, call, "BYE", out);
            return end(call, Party::local, "cancelled", 0, out);
        }
        call.state = CallState::confirmed;
        out.fx.push_back(ua_effect::Answered{call.id, std::string(r.body())});
        notify_referrer(now, call, 200, "OK", out);
        return;
    }
    if (call.state == CallState::cancelling) return end(call, Party::local, "cancelled", status, out);
    notify_referrer(now, call, status, reason_of(r), out);
    end(call, Party::remote, reason_of(r), status, out);
}

// RFC 3261 22.2 / 8.1.3.5: the same request again with credentials, a new branch and the next
// CSeq; once per challenge (a second challenge without stale=true is the end).
bool UserAgent::retry_with_credentials(int64_t now, const Pending& p, const Message& r, Out& out) {
    // The call may have ended already (a BYE is challenged after the hangup): the request is
    // sent again all the same.
    Call* call = find(p.call);
    if (p.purpose == Purpose::cancel || (!call && p.purpose != Purpose::bye)) return false;
    if (call && call->state == CallState::cancelling) return false;  // hung up meanwhile: the 407 ends it
    auto accepted = digest_->on_challenge(r, p.retried);
    if (!accepted) {
        out.fx.push_back(ua_effect::Refused{p.call, accepted.error()});
        return false;
    }
    Message m = p.request;
    auto cseq = read_cseq(m);
    if (!cseq) return false;
    uint32_t next = cseq.value().number + 1;
    if (call && p.purpose != Purpose::invite && call->dialog) next = ++call->dialog->local_cseq;
    std::string method(m.method());
    Status s = m.set_header("Via", "SIP/2.0/" + via_transport_ + " " + via_host_ + ";branch=" + make_branch(next_random()));
    if (s) s = m.set_header("CSeq", std::to_string(next) + " " + method);
    m.remove_header("Authorization");
    m.remove_header("Proxy-Authorization");
    for (const auto& h : digest_->authorize(method, m.uri(), hex(16)))
        if (s) s = m.add_header(h.name, h.value);
    if (!s) return false;
    if (call && p.purpose == Purpose::invite) {
        call->invite = m;
        call->invite_progress = Call::Invite::sent;  // a CANCEL must wait for this INVITE's own 1xx
    }
    send_request(now, std::move(m), p.call, p.purpose, true, out);
    return true;
}

void UserAgent::send_ack(int64_t now, Call& call, uint32_t cseq, Out& out) {
    if (!call.dialog) return;
    DialogRequestOptions o{via_transport_, via_host_, make_branch(next_random()), cseq, ""};
    auto ack = make_dialog_request(*call.dialog, "ACK", o);
    if (ack) send_request(now, ack.value(), call.id, Purpose::ack, false, out);
}

void UserAgent::send_in_dialog(int64_t now, Call& call, std::string_view method, Out& out, std::string_view content_type,
                               std::string_view body, const std::vector<std::pair<std::string, std::string>>& extra) {
    if (!call.dialog) return;
    DialogRequestOptions o{via_transport_, via_host_, make_branch(next_random()), std::nullopt,
                           method == "INVITE" ? contact_ + ";ob" : std::string()};
    auto built = make_dialog_request(*call.dialog, method, o);
    if (!built) {
        out.fx.push_back(ua_effect::Refused{call.id, built.error()});
        return;
    }
    Message m = std::move(built.value());
    Status s = Ok{};
    for (const auto& [name, value] : extra)
        if (s) s = m.add_header(name, value);
    for (const auto& h : digest_->authorize(method, m.uri(), hex(16)))
        if (s) s = m.add_header(h.name, h.value);
    if (s && !content_type.empty()) s = m.add_header("Content-Type", content_type);
    if (!s) {
        out.fx.push_back(ua_effect::Refused{call.id, s.error()});
        return;
    }
    m.set_body(body);
    send_request(now, std::move(m), call.id, purpose_of(method), false, out);
}

}  // namespace sb::sip
