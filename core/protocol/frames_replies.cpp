// protocol/frames_replies.cpp: the results of the desk's requests (frames.h, "replies' results").
// Each reads what the desk uses of one request's result, strictly; fields it does not use (a
// server's name, a verify_answer's `passed`) are not its business.
#include "protocol/frames.h"
#include "protocol/reader.h"
#include "protocol/schema.h"

namespace sb::protocol {

namespace {

// Reads the object at `key` (required) with `read(object, path)` into `out`.
template <class T, class F>
void read_object(Fields& f, std::string_view key, T& out, F&& read) {
    if (const JsonValue* v = f.object(key)) {
        auto decoded = read(*v, f.path(key));
        if (!decoded) f.fail_with(decoded.error());
        else out = std::move(decoded.value());
    }
}

// A part of a session the desk can do without: absent gives none; unreadable gives none and
// names the problem in `refused`.
template <class T, class F>
std::optional<T> part(const JsonValue& session, const char* key, std::vector<Error>& refused, F&& read) {
    const JsonValue* it = session.find(key);
    if (!it) return std::nullopt;
    auto decoded = read(*it);
    if (!decoded) {
        refused.push_back(decoded.error());
        return std::nullopt;
    }
    return std::move(decoded.value());
}

Result<SipCredentials> sip_from_json(const JsonValue& j) {
    Fields f(j, "session.sip");
    SipCredentials s{f.str("uri"), f.str("username"), f.str("password"), f.str_or("realm", ""), f.str("ws_url")};
    if (f.ok() && (s.uri.empty() || s.username.empty() || s.password.empty()))
        f.fail("", "complete (uri, username and password)");
    if (f.ok() && s.ws_url.rfind("ws://", 0) != 0 && s.ws_url.rfind("wss://", 0) != 0)
        f.fail("ws_url", "a ws:// or wss:// URL");
    return f.done(std::move(s));
}

Result<MfaPrompt> mfa_from_json(const JsonValue& j) {
    Fields f(j, "login.mfa");
    MfaPrompt m;
    m.step = f.str("step");
    m.challenge = f.str("challenge");
    m.expires_at_ms = f.integer_or("expires_at", 0);
    m.secret = f.str_or("secret", "");
    m.otpauth = f.str_or("otpauth", "");
    if (f.ok() && m.step != "code" && m.step != "enroll") f.fail("step", "\"code\" or \"enroll\"");
    if (f.ok() && m.challenge.empty()) f.fail("challenge", "a challenge");
    // The QR code only saves typing the secret: without it the agent still signs in.
    if (const JsonValue* qr = f.raw("qr")) {
        Fields q(*qr, f.path("qr"));
        int64_t size = q.integer("size");
        std::string modules = q.str("modules");
        if (!q.ok()) m.refused.push_back(q.done(0).error());
        else if (size > 0 && size <= 200 && modules.size() == static_cast<size_t>(size * size)) {
            m.qr_size = static_cast<int>(size);
            m.qr_modules = std::move(modules);
        }
    }
    return f.done(std::move(m));
}

Result<SessionSummary> session_summary_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    SessionSummary s{f.str("id"),          f.str("address"),        f.integer("created_at"),
                     f.integer("last_seen"), f.integer("expires_at"), f.boolean("current")};
    return f.done(std::move(s));
}

}  // namespace

Result<HelloResult> decode_hello_result(const JsonValue& result) {
    Fields f(result, "hello");
    HelloResult h;
    h.version = f.integer("version");
    if (f.has("now")) h.now_ms = f.integer("now");
    return f.done(h);
}

Result<Session> decode_session(const JsonValue& result) {
    Fields f(result, "session");
    Session s;
    s.token = f.str("token");
    s.session_id = f.str_or("session_id", "");
    s.expires_at_ms = f.integer_or("expires_at", 0);
    s.seq = f.integer("seq");
    read_object(f, "agent", s.agent, [](const JsonValue& j, const std::string& path) { return agent::agent_from_json(j, path); });
    if (const JsonValue* codes = f.array("reason_codes")) {
        auto decoded = agent::reason_codes_from_json(*codes);
        if (!decoded) f.fail_with(decoded.error());
        else s.reason_codes = std::move(decoded.value());
    }
    if (!f.ok()) return f.done(std::move(s));

    // The parts: one unreadable contact is left out alone, so that the agent can still work on
    // the others (and sign in at all).
    const JsonValue* contacts = result.find("contacts");
    if (!contacts) {
        s.contacts.emplace();
    } else if (!contacts->is_array()) {
        s.refused.push_back(make_error(code::bad_message, "session.contacts must be an array"));
    } else {
        s.contacts.emplace();
        size_t i = 0;
        for (const JsonValue& c : *contacts) {
            auto decoded = contact::contact_from_json(c, "session.contacts[" + std::to_string(i++) + "]");
            if (decoded) {
                s.contacts->push_back(std::move(decoded.value()));
                continue;
            }
            s.refused.push_back(decoded.error());
            if (c.is_object())
                if (const JsonValue* id = c.find("id"); id && id->is_string())
                    s.refused_contacts.emplace_back(id->string());
        }
    }
    s.queues = part<std::vector<contact::Queue>>(result, "queues", s.refused,
                                                 [](const JsonValue& j) { return contact::queues_from_json(j); });
    s.canned_responses = part<std::vector<contact::CannedResponse>>(
        result, "canned_responses", s.refused, [](const JsonValue& j) { return contact::canned_responses_from_json(j); });
    s.agents = part<std::vector<contact::AgentSummary>>(result, "agents", s.refused,
                                                        [](const JsonValue& j) { return contact::agents_from_json(j); });
    s.recovery_codes = part<std::vector<std::string>>(result, "recovery_codes", s.refused,
                                                      [](const JsonValue& j) -> Result<std::vector<std::string>> {
        Error bad = make_error(code::bad_message, "session.recovery_codes must be an array of strings");
        if (!j.is_array()) return bad;
        std::vector<std::string> codes;
        for (const JsonValue& c : j) {
            if (!c.is_string()) return bad;
            codes.emplace_back(c.string());
        }
        return codes;
    });
    if (const JsonValue* sip = f.raw("sip"); sip && !sip->is_null()) {
        auto decoded = sip_from_json(*sip);
        if (decoded) {
            s.phone = Session::Phone::Given;
            s.sip = std::move(decoded.value());
        } else {
            s.phone = Session::Phone::Refused;
            s.refused.push_back(decoded.error());
        }
    }
    return s;
}

Result<std::variant<Session, MfaPrompt>> decode_login_result(const JsonValue& result) {
    if (result.find("mfa")) {
        Fields f(result, "login");
        MfaPrompt m;
        read_object(f, "mfa", m, [](const JsonValue& j, const std::string&) { return mfa_from_json(j); });
        if (!f.ok()) return f.done(0).error();
        return std::variant<Session, MfaPrompt>{std::move(m)};
    }
    auto s = decode_session(result);
    if (!s) return s.error();
    return std::variant<Session, MfaPrompt>{std::move(s.value())};
}

Result<agent::AgentSnapshot> decode_set_state_result(const JsonValue& result) {
    Fields f(result, "set_state");
    agent::AgentSnapshot a;
    read_object(f, "agent", a, [](const JsonValue& j, const std::string& path) { return agent::agent_from_json(j, path); });
    return f.done(std::move(a));
}

Result<ContactResult> decode_contact_result(const JsonValue& result) {
    Fields f(result, "result");
    ContactResult r;
    if (f.has("contact"))
        read_object(f, "contact", r.contact, [](const JsonValue& j, const std::string& path) {
            return contact::contact_from_json(j, path);
        });
    if (f.has("verification"))
        read_object(f, "verification", r.verification, [](const JsonValue& j, const std::string& path) {
            return verify::flow_from_json(j, path);
        });
    if (f.has("payment"))
        read_object(f, "payment", r.payment, [](const JsonValue& j, const std::string& path) {
            return contact::payment_from_json(j, path);
        });
    if (f.has("customer"))
        read_object(f, "customer", r.customer, [](const JsonValue& j, const std::string& path) {
            return contact::customer_from_json(j, path);
        });
    return f.done(std::move(r));
}

Result<contact::Message> decode_send_message_result(const JsonValue& result) {
    Fields f(result, "send_message");
    contact::Message m;
    read_object(f, "message", m, [](const JsonValue& j, const std::string& path) { return contact::message_from_json(j, path); });
    return f.done(std::move(m));
}

Result<MessagesPage> decode_get_messages_result(const JsonValue& result) {
    Fields f(result, "get_messages");
    MessagesPage page;
    auto list = decode_list<contact::Message>(f.array("messages"), f.path("messages"),
                                              [](const JsonValue& j, const std::string& path) {
                                                  return contact::message_from_json(j, path);
                                              });
    if (!list) f.fail_with(list.error());
    else page.messages = std::move(list.value());
    page.more = f.boolean("more");
    if (f.ok() && page.messages.size() > static_cast<size_t>(kMaxMessagesPage))
        f.fail("messages", "at most " + std::to_string(kMaxMessagesPage) + " messages");
    return f.done(std::move(page));
}

Result<DialResult> decode_dial_result(const JsonValue& result) {
    Fields f(result, "dial");
    DialResult d;
    read_object(f, "contact", d.contact, [](const JsonValue& j, const std::string& path) {
        return contact::contact_from_json(j, path);
    });
    d.number = f.str("dial");
    if (f.ok() && d.number.empty()) f.fail("dial", "a number");
    return f.done(std::move(d));
}

Result<AgentsResult> decode_agents_result(const JsonValue& result) {
    Fields f(result, "agents");
    AgentsResult r;
    if (const JsonValue* list = f.array("agents")) {
        auto agents = contact::agents_from_json(*list);
        if (!agents) f.fail_with(agents.error());
        else r.agents = std::move(agents.value());
    }
    r.more = f.boolean("more");
    return f.done(std::move(r));
}

Result<SessionsResult> decode_sessions_result(const JsonValue& result) {
    Fields f(result, "sessions");
    SessionsResult r;
    if (f.has("sessions")) {
        auto list = decode_list<SessionSummary>(f.array("sessions"), f.path("sessions"), session_summary_from_json);
        if (!list) f.fail_with(list.error());
        else r.sessions = std::move(list.value());
    }
    if (f.has("revoked")) r.revoked = f.strings("revoked");
    return f.done(std::move(r));
}

}  // namespace sb::protocol
