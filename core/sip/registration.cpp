// The registration client: RFC 3261 10.2 (constructing REGISTER, refreshing, removing),
// 22.2 (answering challenges), RFC 5626 4.1-4.4 (instance id, reg-id, keepalives).
#include "sip/grammar.h"
#include "sip/registration.h"

#include <algorithm>

#include "sip/address.h"
#include "sip/fields.h"

namespace sb::sip {
namespace {

Error error(std::string_view code, std::string message) { return make_error(std::string(code), std::move(message)); }

using grammar::iequals;

}  // namespace

std::string_view to_string(RegistrationState s) {
    switch (s) {
        case RegistrationState::unregistered: return "unregistered";
        case RegistrationState::registering: return "registering";
        case RegistrationState::registered: return "registered";
        case RegistrationState::refreshing: return "refreshing";
        case RegistrationState::unregistering: return "unregistering";
        case RegistrationState::failed: return "failed";
    }
    return "?";
}

RegistrationClient::RegistrationClient(RegistrationConfig config)
    : config_(std::move(config)), digest_(config_.credentials), random_state_(config_.seed),
      expires_s_(config_.expires_s) {
    call_id_ = hex(16) + "@" + config_.via_host;
    from_tag_ = hex(10);
}

// splitmix64: a small, well-mixed sequence from the injected seed (no global random source).
uint64_t RegistrationClient::next_random() {
    uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::string RegistrationClient::hex(int digits) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    uint64_t r = next_random();
    for (int i = 0; i < digits; ++i) {
        if (i == 16) r = next_random();
        out += kHex[(r >> (4 * (i % 16))) & 15];
    }
    return out;
}

int64_t RegistrationClient::refresh_delay_ms(uint32_t granted_s) {
    int64_t granted = int64_t(granted_s) * 1000;
    int64_t early = std::max<int64_t>(granted / 10, 30000);
    return std::max(granted - early, granted / 2);
}

// ---- timers and state -------------------------------------------------------------------------
void RegistrationClient::start_timer(Effects& out, TimerName t, int64_t delay_ms) {
    timers_ |= 1u << unsigned(t);
    out.push_back(effect::StartTimer{Timer{{}, t}, delay_ms});
}

void RegistrationClient::cancel_timer(Effects& out, TimerName t) {
    if (!((timers_ >> unsigned(t)) & 1u)) return;
    timers_ &= ~(1u << unsigned(t));
    out.push_back(effect::CancelTimer{Timer{{}, t}});
}

void RegistrationClient::stop_timers(Effects& out) {
    for (TimerName t : {TimerName::register_refresh, TimerName::register_retry, TimerName::keepalive,
                        TimerName::keepalive_pong})
        cancel_timer(out, t);
}

void RegistrationClient::change(Effects& out, RegistrationState next) {
    state_ = next;
    out.push_back(effect::RegistrationChanged{next, next == RegistrationState::registered ? granted_s_ : 0,
                                              next == RegistrationState::failed ? failure_ : std::nullopt});
}

void RegistrationClient::fail(Effects& out, Error reason) {
    current_.reset();
    options_.reset();
    stop_timers(out);
    granted_s_ = 0;
    if (unregistering_ || unregister_pending_) {  // the binding will lapse anyway; we are done
        unregistering_ = false;
        unregister_pending_ = false;
        failure_ = std::move(reason);
        change(out, RegistrationState::unregistered);
        return;
    }
    failure_ = std::move(reason);
    change(out, RegistrationState::failed);
    if (config_.retry_ms > 0) start_timer(out, TimerName::register_retry, config_.retry_ms);
}

// ---- requests ---------------------------------------------------------------------------------
void RegistrationClient::send_register(int64_t now_ms, Effects& out, TransactionLayer& layer, bool unregister) {
    auto built = Message::request("REGISTER", config_.registrar);
    if (!built) return fail(out, built.error());
    Message m = std::move(built.value());
    std::string contact = "<" + config_.contact + ">";
    if (!config_.instance_id.empty()) {
        contact += ";+sip.instance=\"<" + config_.instance_id + ">\"";
        if (config_.reg_id > 0) contact += ";reg-id=" + std::to_string(config_.reg_id);
    }
    Status s = m.add_header("Via", "SIP/2.0/" + config_.via_transport + " " + config_.via_host +
                                       ";branch=" + make_branch(next_random()));
    if (s) s = m.add_header("Max-Forwards", "70");
    if (s) s = m.add_header("To", "<" + config_.aor + ">");
    if (s) s = m.add_header("From", "<" + config_.aor + ">;tag=" + from_tag_);
    if (s) s = m.add_header("Call-ID", call_id_);
    if (s) s = m.add_header("CSeq", std::to_string(++cseq_) + " REGISTER");
    if (s) s = m.add_header("Contact", contact);
    if (s) s = m.add_header("Expires", unregister ? "0" : std::to_string(expires_s_));
    if (s && !config_.instance_id.empty() && config_.reg_id > 0) s = m.add_header("Supported", "outbound, path");
    if (s && !config_.user_agent.empty()) s = m.add_header("User-Agent", config_.user_agent);
    for (const auto& h : digest_.authorize("REGISTER", config_.registrar, hex(16)))
        if (s) s = m.add_header(h.name, h.value);
    if (!s) return fail(out, s.error());

    auto id = TransactionLayer::client_id(m);
    if (!id) return fail(out, id.error());
    Effects sent = layer.handle(now_ms, layer_event::SendRequest{m});
    for (const auto& e : sent)
        if (auto* d = std::get_if<effect::Discarded>(&e)) return fail(out, d->reason);
    current_ = id.value();
    unregistering_ = unregister;
    auto more = absorb(now_ms, std::move(sent), layer);
    out.insert(out.end(), more.begin(), more.end());
}

uint32_t RegistrationClient::granted_from(const Message& ok) const {
    std::optional<uint32_t> header;
    if (auto e = read_expires(ok); e && e.value()) header = *e.value();
    auto ours = parse_uri(config_.contact, "Contact");
    auto contacts = read_contacts(ok);
    if (ours && contacts) {
        for (const auto& c : contacts.value()) {
            bool same = false;
            if (!config_.instance_id.empty()) {
                auto inst = c.params.text("+sip.instance");
                same = inst && *inst == "<" + config_.instance_id + ">";
            }
            if (!same)
                same = c.uri.user == ours.value().user && iequals(c.uri.host, ours.value().host) &&
                       c.uri.port == ours.value().port;
            if (!same) continue;
            if (auto e = contact_expires(c); e && e.value()) return *e.value();
            break;
        }
    }
    return header ? *header : expires_s_;
}

void RegistrationClient::on_final(int64_t now_ms, Effects& out, TransactionLayer& layer, const Message& r) {
    current_.reset();
    int status = r.status();
    std::string what = std::to_string(status) + " " + std::string(r.reason());
    if (unregister_pending_) {  // 10.2: one REGISTER at a time; now the Expires: 0 one
        unregister_pending_ = false;
        if (status == 401 || status == 407) (void)digest_.on_challenge(r, false);
        retried_auth_ = false;
        return send_register(now_ms, out, layer, true);
    }
    if (status >= 200 && status < 300) {
        retried_auth_ = false;
        retried_interval_ = false;
        if (unregistering_) {
            unregistering_ = false;
            granted_s_ = 0;
            stop_timers(out);
            failure_.reset();
            return change(out, RegistrationState::unregistered);
        }
        granted_s_ = granted_from(r);
        if (granted_s_ == 0) return fail(out, error(kRegisterRefused, "the registrar granted no time (" + what + ")"));
        expires_at_ms_ = now_ms + int64_t(granted_s_) * 1000;
        failure_.reset();
        start_timer(out, TimerName::register_refresh, refresh_delay_ms(granted_s_));
        if (config_.keepalive != KeepaliveMode::none && config_.keepalive_interval_ms > 0 &&
            !((timers_ >> unsigned(TimerName::keepalive)) & 1u))
            start_timer(out, TimerName::keepalive, config_.keepalive_interval_ms * (80 + int64_t(next_random() % 21)) / 100);
        return change(out, RegistrationState::registered);
    }
    if (status == 401 || status == 407) {
        auto accepted = digest_.on_challenge(r, retried_auth_);
        if (!accepted) return fail(out, accepted.error());
        retried_auth_ = true;
        return send_register(now_ms, out, layer, unregistering_);
    }
    if (status == 423 && !retried_interval_) {
        auto min = r.find("Min-Expires");
        auto value = min ? parse_delta_seconds(min->value, "Min-Expires") : Result<uint32_t>(error(kRegisterRefused, ""));
        if (value && value.value() > expires_s_) {
            expires_s_ = value.value();
            retried_interval_ = true;
            return send_register(now_ms, out, layer, unregistering_);
        }
    }
    fail(out, error(kRegisterRefused, "the registrar answered " + what));
}

// ---- events -----------------------------------------------------------------------------------
Effects RegistrationClient::handle(int64_t now_ms, const RegistrationEvent& event, TransactionLayer& layer) {
    Effects out;
    auto wrong_state = [&](std::string what) {
        out.push_back(effect::Discarded{error(kTxWrongState, what + " while " + std::string(to_string(state_)))});
    };
    if (std::holds_alternative<reg_event::Register>(event)) {
        if (current_) {
            wrong_state("Register");
            return out;
        }
        retried_auth_ = false;
        retried_interval_ = false;
        cancel_timer(out, TimerName::register_retry);
        cancel_timer(out, TimerName::register_refresh);
        change(out, state_ == RegistrationState::registered ? RegistrationState::refreshing : RegistrationState::registering);
        send_register(now_ms, out, layer, false);
    } else if (std::holds_alternative<reg_event::Unregister>(event)) {
        if (state_ == RegistrationState::unregistered || state_ == RegistrationState::unregistering) {
            wrong_state("Unregister");
            return out;
        }
        stop_timers(out);
        change(out, RegistrationState::unregistering);
        if (current_) {
            unregister_pending_ = true;
            return out;
        }
        retried_auth_ = false;
        send_register(now_ms, out, layer, true);
    } else if (auto* t = std::get_if<reg_event::TimerFired>(&event)) {
        if (!((timers_ >> unsigned(t->timer)) & 1u)) return out;  // late or unknown
        timers_ &= ~(1u << unsigned(t->timer));
        switch (t->timer) {
            case TimerName::register_refresh:
                retried_auth_ = false;
                retried_interval_ = false;
                change(out, RegistrationState::refreshing);
                send_register(now_ms, out, layer, false);
                break;
            case TimerName::register_retry:
                retried_auth_ = false;
                retried_interval_ = false;
                change(out, RegistrationState::registering);
                send_register(now_ms, out, layer, false);
                break;
            case TimerName::keepalive:
                start_timer(out, TimerName::keepalive,
                            config_.keepalive_interval_ms * (80 + int64_t(next_random() % 21)) / 100);
                if (config_.keepalive == KeepaliveMode::crlf) {
                    out.push_back(effect::SendKeepalive{});
                    if (config_.pong_timeout_ms > 0 && !((timers_ >> unsigned(TimerName::keepalive_pong)) & 1u))
                        start_timer(out, TimerName::keepalive_pong, config_.pong_timeout_ms);
                } else if (!options_) {
                    auto m = Message::request("OPTIONS", config_.registrar);
                    if (!m) break;
                    Message o = std::move(m.value());
                    Status s = o.add_header("Via", "SIP/2.0/" + config_.via_transport + " " + config_.via_host +
                                                       ";branch=" + make_branch(next_random()));
                    if (s) s = o.add_header("Max-Forwards", "70");
                    if (s) s = o.add_header("To", "<" + config_.registrar + ">");
                    if (s) s = o.add_header("From", "<" + config_.aor + ">;tag=" + hex(10));
                    if (s) s = o.add_header("Call-ID", hex(16) + "@" + config_.via_host);
                    if (s) s = o.add_header("CSeq", "1 OPTIONS");
                    auto id = TransactionLayer::client_id(o);
                    if (!s || !id) break;
                    options_ = id.value();
                    auto sent = absorb(now_ms, layer.handle(now_ms, layer_event::SendRequest{o}), layer);
                    out.insert(out.end(), sent.begin(), sent.end());
                }
                break;
            case TimerName::keepalive_pong:
                fail(out, error(kKeepaliveFailed, "no CRLF pong within " + std::to_string(config_.pong_timeout_ms) +
                                                      " ms: the flow is broken"));
                break;
            default:
                break;
        }
    } else {
        cancel_timer(out, TimerName::keepalive_pong);
    }
    return out;
}

Effects RegistrationClient::absorb(int64_t now_ms, Effects layer_effects, TransactionLayer& layer) {
    Effects out;
    auto ours = [&](const TransactionId& id) { return current_ && *current_ == id; };
    auto keepalive = [&](const TransactionId& id) { return options_ && *options_ == id; };
    for (auto& e : layer_effects) {
        if (auto* d = std::get_if<effect::DeliverResponse>(&e)) {
            if (ours(d->transaction)) {
                if (d->response.status() >= 200) on_final(now_ms, out, layer, d->response);
                continue;
            }
            if (keepalive(d->transaction)) {
                if (d->response.status() >= 200) options_.reset();  // any answer: the flow works
                continue;
            }
        } else if (auto* t = std::get_if<effect::TimedOut>(&e)) {
            if (ours(t->transaction)) {
                fail(out, error(kRegisterTimeout, "no answer from the registrar " + config_.registrar + " (Timer " +
                                                      std::string(to_string(t->timer)) + ")"));
                continue;
            }
            if (keepalive(t->transaction)) {
                fail(out, error(kKeepaliveFailed, "no answer to the OPTIONS keepalive: the flow is broken"));
                continue;
            }
        } else if (auto* f = std::get_if<effect::TransportFailed>(&e)) {
            if (ours(f->transaction) || keepalive(f->transaction)) {
                fail(out, error(kTransportFailed, "the transport failed while sending to " + config_.registrar));
                continue;
            }
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace sb::sip
