// The user agent's commands and transfers (see user_agent.h); the plumbing, received requests
// and responses are in user_agent.cpp.
//
// Sections: commands · transfer
#include <algorithm>

#include "sip/address.h"
#include "sip/fields.h"
#include "sip/user_agent.h"

namespace sb::sip {
namespace {

Error error(std::string_view code, std::string message) { return make_error(std::string(code), std::move(message)); }

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c != '\r' && c != '\n') out += c;
    }
    return out + "\"";
}

// %-escapes everything but RFC 3986 unreserved characters (for a URI header value).
std::string escape(std::string_view s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// "SIP/2.0 180 Ringing" (message/sipfrag, RFC 3420) -> 180; 0 when unreadable.
int sipfrag_status(std::string_view body) {
    if (body.substr(0, 8) != "SIP/2.0 " || body.size() < 11) return 0;
    int status = 0;
    for (size_t i = 8; i < 11; ++i) {
        if (body[i] < '0' || body[i] > '9') return 0;
        status = status * 10 + (body[i] - '0');
    }
    return status;
}

}  // namespace

// ---- commands ---------------------------------------------------------------------------------
void UserAgent::dial(int64_t now, const ua_event::Dial& e, Out& out) {
    if (!transport_up_) {
        out.fx.push_back(ua_effect::Refused{0, error(kUaTransportDown, "no connection to the SIP server")});
        return;
    }
    std::string uri, replaces;
    if (e.for_transfer) {
        Call* from = live(*e.for_transfer, out);
        if (!from) return;
        if (from->refer_target.empty()) {
            out.fx.push_back(ua_effect::Refused{*e.for_transfer, error(kUaWrongState, "no transfer was requested on call " +
                                                                                        std::to_string(*e.for_transfer))});
            return;
        }
        uri = from->refer_target;
        replaces = from->refer_replaces;
    } else {
        if (e.target.empty()) {
            out.fx.push_back(ua_effect::Refused{0, error(kUaBadInput, "an empty target")});
            return;
        }
        uri = target_uri(e.target);
    }
    auto built = Message::request("INVITE", uri);
    auto parsed = parse_uri(uri, "target");
    if (!built || !parsed || !(parsed.value().is_sip() || parsed.value().scheme == Scheme::tel)) {
        out.fx.push_back(ua_effect::Refused{0, error(kUaBadInput, "cannot call \"" + uri + "\"")});
        return;
    }
    Message m = std::move(built.value());
    Status s = m.add_header("Via", "SIP/2.0/" + via_transport_ + " " + via_host_ + ";branch=" + make_branch(next_random()));
    if (s) s = m.add_header("Max-Forwards", "70");
    std::string from = (config_.display_name.empty() ? "" : quote(config_.display_name) + " ") + "<" + config_.uri + ">";
    if (s) s = m.add_header("From", from + ";tag=" + hex(10));
    if (s) s = m.add_header("To", "<" + uri + ">");
    if (s) s = m.add_header("Call-ID", hex(20) + "@" + via_host_);
    if (s) s = m.add_header("CSeq", "1 INVITE");
    if (s) s = m.add_header("Contact", "<" + contact_ + ";ob>");
    if (s) s = m.add_header("Allow", "INVITE, ACK, CANCEL, BYE, INFO, REFER, NOTIFY, OPTIONS");
    if (s) s = m.add_header("Supported", "replaces, outbound");
    if (s && !replaces.empty()) s = m.add_header("Replaces", replaces);
    if (s && e.for_transfer) s = m.add_header("Referred-By", "<" + config_.uri + ">");
    if (s && !config_.user_agent.empty()) s = m.add_header("User-Agent", config_.user_agent);
    for (const auto& [name, value] : e.headers) {
        if (!s) break;
        if (name.size() < 3 || !(name[0] == 'X' || name[0] == 'x') || name[1] != '-') {
            out.fx.push_back(ua_effect::Refused{0, error(kUaBadInput, "only X- extension headers may be added")});
            return;
        }
        s = m.add_header(name, value);
    }
    for (const auto& h : digest_->authorize("INVITE", uri, hex(16)))
        if (s) s = m.add_header(h.name, h.value);
    if (s && !e.sdp_offer.empty()) s = m.add_header("Content-Type", "application/sdp");
    if (!s) {
        out.fx.push_back(ua_effect::Refused{0, s.error()});
        return;
    }
    m.set_body(e.sdp_offer);
    auto call = std::make_unique<Call>();
    call->id = next_call_++;
    call->outgoing = true;
    call->state = CallState::calling;
    call->invite = m;
    call->transfer_of = e.for_transfer;
    CallId id = call->id;
    calls_.emplace(id, std::move(call));
    out.fx.push_back(ua_effect::Outgoing{id, uri});
    send_request(now, std::move(m), id, Purpose::invite, false, out);
}

void UserAgent::answer(int64_t now, const ua_event::Answer& e, Out& out) {
    Call* call = live(e.call, out);
    if (!call) return;
    if (call->state != CallState::incoming) {
        out.fx.push_back(ua_effect::Refused{call->id, error(kUaWrongState, "answer while " + std::string(to_string(call->state)))});
        return;
    }
    auto r = make_response(call->invite, 200, "OK", call->local_tag);
    if (!r) return;
    Message ok = std::move(r.value());
    for (auto v : call->invite.values(HeaderId::record_route)) ok.add_header("Record-Route", v);
    ok.add_header("Contact", "<" + contact_ + ";ob>");
    if (!e.sdp_answer.empty()) ok.add_header("Content-Type", "application/sdp");
    ok.set_body(e.sdp_answer);
    auto d = dialog_as_uas(call->invite, ok);
    if (!d) {
        out.fx.push_back(ua_effect::Refused{call->id, d.error()});
        return;
    }
    call->dialog = d.value();
    call->state = CallState::confirmed;
    send_response(now, ok, out);
    if (call->replaces) {  // RFC 3891: the replaced call ends
        if (Call* old = find(*call->replaces); old && old->state == CallState::confirmed) {
            send_in_dialog(now, *old, "BYE", out);
            end(*old, Party::local, "replaced", 0, out);
        }
    }
}

void UserAgent::reject(int64_t now, CallId id, int status, Out& out) {
    Call* call = live(id, out);
    if (!call) return;
    if (call->state != CallState::incoming) {
        out.fx.push_back(ua_effect::Refused{id, error(kUaWrongState, "reject while " + std::string(to_string(call->state)))});
        return;
    }
    if (status < 400 || status > 699) {
        out.fx.push_back(ua_effect::Refused{id, error(kUaBadInput, "reject with " + std::to_string(status) + ": 486 or 603")});
        return;
    }
    std::string_view reason = status == 486   ? "Busy Here"
                              : status == 603 ? "Decline"
                              : status == 488 ? "Not Acceptable Here"
                              : status == 500 ? "Server Internal Error"
                                              : "Rejected";
    respond(now, call->invite, status, reason, out, call->local_tag);
    end(*call, Party::local, "rejected", status, out);
}

void UserAgent::hangup(int64_t now, CallId id, Out& out) {
    Call* call = live(id, out);
    if (!call) return;
    switch (call->state) {
        case CallState::calling:
        case CallState::early:
            call->state = CallState::cancelling;
            if (call->invite_progress == Call::Invite::provisional) {  // 9.1: CANCEL only once a 1xx came
                call->invite_progress = Call::Invite::cancel_sent;
                if (auto cancel = make_cancel(call->invite); cancel)
                    send_request(now, cancel.value(), call->id, Purpose::cancel, false, out);
            }
            return;
        case CallState::cancelling:
            out.fx.push_back(ua_effect::Refused{id, error(kUaWrongState, "hangup while cancelling")});
            return;
        case CallState::incoming:
            respond(now, call->invite, 603, "Decline", out, call->local_tag);
            return end(*call, Party::local, "hangup", 603, out);
        case CallState::confirmed:
            if (call->remote_reinvite) respond(now, *call->remote_reinvite, 487, "Request Terminated", out);
            call->remote_reinvite.reset();
            send_in_dialog(now, *call, "BYE", out);
            return end(*call, Party::local, "hangup", 0, out);
        case CallState::terminated:
            return;
    }
}

void UserAgent::reinvite(int64_t now, CallId id, const std::string& sdp, bool hold, Out& out) {
    Call* call = live(id, out);
    if (!call) return;
    if (call->state != CallState::confirmed || call->our_reinvite != Call::ReInvite::none || call->remote_reinvite) {
        out.fx.push_back(ua_effect::Refused{id, error(kUaWrongState, std::string(hold ? "hold" : "resume") +
                                                                         " while an offer is pending or the call is not up")});
        return;
    }
    call->our_reinvite = hold ? Call::ReInvite::hold : Call::ReInvite::resume;
    send_in_dialog(now, *call, "INVITE", out, "application/sdp", sdp);
}

void UserAgent::answer_remote_offer(int64_t now, const ua_event::AnswerRemoteOffer& e, Out& out) {
    Call* call = live(e.call, out);
    if (!call) return;
    if (!call->remote_reinvite) {
        out.fx.push_back(ua_effect::Refused{e.call, error(kUaWrongState, "no remote offer to answer")});
        return;
    }
    auto r = make_response(*call->remote_reinvite, 200, "OK");
    call->remote_reinvite.reset();
    if (!r) return;
    r.value().add_header("Contact", "<" + contact_ + ";ob>");
    r.value().add_header("Content-Type", "application/sdp");
    r.value().set_body(e.sdp_answer);
    send_response(now, r.value(), out);
}

void UserAgent::dtmf(int64_t now, const ua_event::Dtmf& e, Out& out) {
    Call* call = live(e.call, out);
    if (!call) return;
    if (call->state != CallState::confirmed) {
        out.fx.push_back(ua_effect::Refused{e.call, error(kUaWrongState, "DTMF while " + std::string(to_string(call->state)))});
        return;
    }
    for (char d : e.digits) {
        bool ok = (d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D');
        if (!ok) {
            out.fx.push_back(ua_effect::Refused{e.call, error(kUaBadInput, "not a DTMF digit: '" + std::string(1, d) + "'")});
            return;
        }
    }
    for (char d : e.digits) call->digits.push_back(d);
    if (!call->info_digit) send_next_digit(now, *call, out);
}

void UserAgent::send_next_digit(int64_t now, Call& call, Out& out) {
    if (call.digits.empty() || call.state != CallState::confirmed) return;
    char d = call.digits.front();
    call.digits.pop_front();
    call.info_digit = d;
    send_in_dialog(now, call, "INFO", out, "application/dtmf-relay", std::string("Signal=") + d + "\r\nDuration=160\r\n");
}

// ---- transfer (RFC 3515, RFC 3891) ------------------------------------------------------------
void UserAgent::attended_transfer(int64_t now, const ua_event::AttendedTransfer& e, Out& out) {
    Call* other = find(e.other);
    if (!other || other->state != CallState::confirmed || !other->dialog || e.other == e.call) {
        out.fx.push_back(ua_effect::Refused{e.call, error(kUaWrongState, "call " + std::to_string(e.other) +
                                                                          " is not an established call to transfer to")});
        return;
    }
    // Refer-To: the other call's peer, with Replaces naming that dialog as the peer sees it
    // (to-tag: its tag, our remote one; from-tag: ours), RFC 3891 3.
    auto party = parse_name_addr(other->dialog->remote_party, "To");
    std::string uri = party ? std::string(party.value().uri.text) : other->dialog->remote_target;
    uri = uri.substr(0, uri.find('?'));
    const DialogId& d = other->dialog->id;
    refer(now, e.call,
          uri + "?Replaces=" + escape(d.call_id) + "%3Bto-tag%3D" + escape(d.remote_tag) + "%3Bfrom-tag%3D" +
              escape(d.local_tag),
          out);
}

void UserAgent::refer(int64_t now, CallId id, const std::string& refer_to, Out& out) {
    Call* call = live(id, out);
    if (!call) return;
    if (call->state != CallState::confirmed || call->our_refer != Call::Refer::none) {
        out.fx.push_back(ua_effect::Refused{id, error(kUaWrongState, "transfer while the call is not up or already transferring")});
        return;
    }
    call->our_refer = Call::Refer::sent;
    send_in_dialog(now, *call, "REFER", out, {}, {},
                   {{"Refer-To", "<" + refer_to + ">"}, {"Referred-By", "<" + config_.uri + ">"}});
}

void UserAgent::on_refer(int64_t now, Call& call, const Message& refer, Out& out) {
    auto header = refer.find(HeaderId::refer_to);
    auto to = header ? parse_name_addr(header->value, "Refer-To") : Result<NameAddr>(error(kUaBadInput, "no Refer-To"));
    if (!to || !to.value().uri.is_sip()) return respond(now, refer, 400, "Bad Refer-To", out);
    std::string target(to.value().uri.text);
    call.refer_target = target.substr(0, target.find('?'));
    call.refer_replaces = to.value().uri.headers.text("Replaces").value_or("");
    respond(now, refer, 202, "Accepted", out);
    send_in_dialog(now, call, "NOTIFY", out, "message/sipfrag;version=2.0", "SIP/2.0 100 Trying\r\n",
                   {{"Event", "refer"}, {"Subscription-State", "active;expires=60"}});
    out.fx.push_back(ua_effect::TransferRequested{call.id, call.refer_target, !call.refer_replaces.empty()});
}

void UserAgent::notify_referrer(int64_t now, Call& new_call, int status, std::string_view reason, Out& out) {
    if (!new_call.transfer_of) return;
    Call* referrer = find(*new_call.transfer_of);
    if (!referrer || referrer->state != CallState::confirmed) return;
    bool final = status >= 200;
    send_in_dialog(now, *referrer, "NOTIFY", out, "message/sipfrag;version=2.0",
                   "SIP/2.0 " + std::to_string(status) + " " + std::string(reason) + "\r\n",
                   {{"Event", "refer"}, {"Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60"}});
    if (final) new_call.transfer_of.reset();
}

void UserAgent::on_notify(int64_t now, Call& call, const Message& notify, Out& out) {
    respond(now, notify, 200, "OK", out);
    auto event = notify.find(HeaderId::event);
    if (!event || event->value.substr(0, 5) != "refer" || call.our_refer == Call::Refer::none) return;
    int status = sipfrag_status(notify.body());
    if (status == 0) return;
    out.fx.push_back(ua_effect::TransferProgress{call.id, status});
    if (status >= 200 && status < 300) {  // the transfer target answered: our part is done
        call.our_refer = Call::Refer::none;
        send_in_dialog(now, call, "BYE", out);
        end(call, Party::local, "transferred", 0, out);
    } else if (status >= 300) {
        call.our_refer = Call::Refer::none;
    }
}

}  // namespace sb::sip
