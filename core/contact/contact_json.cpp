// contact/contact_json.cpp: reading and writing the "Contacts" objects of docs/protocol.md.
// Reading is strict about types and names the first field that is wrong; nothing throws.
#include <algorithm>

#include "contact/contact.h"
#include "protocol/schema.h"

namespace sb::contact {

namespace {

// Reads fields of one object, remembering the first problem.
class Reader {
public:
    Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
        if (!j_.is_object()) fail("", "an object");
    }
    std::string str(const char* k) {
        const json* v = get(k);
        if (!v) return {};
        if (!v->is_string()) return fail(k, "a string"), std::string();
        return v->get<std::string>();
    }
    std::string str_or_null(const char* k) {
        const json* v = get(k, true);
        if (!v || v->is_null()) return {};
        if (!v->is_string()) return fail(k, "a string or null"), std::string();
        return v->get<std::string>();
    }
    int64_t ms(const char* k) {
        const json* v = get(k, true);
        if (!v || v->is_null()) return 0;
        if (!v->is_number_integer()) return fail(k, "an integer or null"), 0;
        return v->get<int64_t>();
    }
    bool boolean(const char* k) {
        const json* v = get(k, true);
        if (!v) return false;
        if (!v->is_boolean()) return fail(k, "a boolean"), false;
        return v->get<bool>();
    }
    const json* array(const char* k) {
        const json* v = get(k, true);
        if (!v) return nullptr;
        if (!v->is_array()) return fail(k, "an array"), nullptr;
        return v;
    }
    const json* raw(const char* k) { return get(k, true); }
    template <class T>
    Result<T> done(T value) {
        if (error_) return *error_;
        return value;
    }
    void fail(const char* k, const char* what) {
        if (!error_) error_ = make_error(protocol::code::bad_message, where_ + (*k ? std::string(".") + k : "") + " must be " + what);
    }
    void fail_with(const Error& e) {
        if (!error_) error_ = e;
    }

private:
    const json* get(const char* k, bool optional = false) {
        if (!j_.is_object()) return nullptr;
        auto it = j_.find(k);
        if (it == j_.end()) {
            if (!optional) fail(k, "present");
            return nullptr;
        }
        return &*it;
    }
    const json& j_;
    std::string where_;
    std::optional<Error> error_;
};

template <class T, class F>
Result<std::vector<T>> list(const json* arr, F&& one) {
    std::vector<T> out;
    if (!arr) return out;
    for (const json& e : *arr) {
        auto r = one(e);
        if (!r) return r.error();
        out.push_back(std::move(r.value()));
    }
    return out;
}

std::optional<Channel> parse_channel(const std::string& s) {
    if (s == "chat") return Channel::Chat;
    if (s == "sms") return Channel::Sms;
    if (s == "voice") return Channel::Voice;
    return std::nullopt;
}

Result<Interaction> interaction_from_json(const json& j) {
    Reader r(j, "interaction");
    Interaction i;
    i.contact = r.str("contact");
    auto ch = parse_channel(r.str("channel"));
    if (!ch) r.fail("channel", "chat, sms or voice");
    i.channel = ch.value_or(Channel::Chat);
    i.at_ms = r.ms("at");
    i.queue = r.str_or_null("queue");
    i.disposition = r.str_or_null("disposition");
    i.notes = r.str_or_null("notes");
    i.agent = r.str_or_null("agent");
    return r.done(i);
}

}  // namespace

std::string_view to_string(Channel c) {
    switch (c) {
        case Channel::Voice: return "voice";
        case Channel::Chat: return "chat";
        case Channel::Sms: return "sms";
    }
    return "chat";
}

std::string_view to_string(ContactState s) {
    switch (s) {
        case ContactState::Queued: return "queued";
        case ContactState::Offered: return "offered";
        case ContactState::Active: return "active";
        case ContactState::WrapUp: return "wrap_up";
        case ContactState::Closed: return "closed";
    }
    return "queued";
}

std::string Customer::display_name() const {
    std::string name = first_name;
    if (!last_name.empty()) name += (name.empty() ? "" : " ") + last_name;
    if (!name.empty()) return name;
    if (!phone.empty()) return phone;
    if (!chat_identity.empty()) return chat_identity;
    return "Unknown customer";
}

int max_message_characters(Channel c) { return c == Channel::Sms ? 1600 : 4000; }

Result<Message> message_from_json(const json& j) {
    Reader r(j, "message");
    Message m;
    m.id = r.str("id");
    std::string from = r.str("from");
    if (from == "customer") m.from = Sender::Customer;
    else if (from == "agent") m.from = Sender::Agent;
    else if (from == "system") m.from = Sender::System;
    else r.fail("from", "customer, agent or system");
    m.text = r.str("text");
    m.at_ms = r.ms("at");
    m.agent = r.str_or_null("agent");
    std::string status = r.str_or_null("status");
    if (status == "delivered") m.status = MessageStatus::Delivered;
    else if (status == "failed") m.status = MessageStatus::Failed;
    else m.status = MessageStatus::Sent;
    const json* seg = r.raw("segments");
    if (seg && seg->is_number_integer()) m.segments = seg->get<int>();
    m.client_id = r.str_or_null("client_id");
    return r.done(m);
}

Result<Customer> customer_from_json(const json& j) {
    Reader r(j, "customer");
    Customer c;
    c.id = r.str("id");
    c.first_name = r.str_or_null("first_name");
    c.last_name = r.str_or_null("last_name");
    c.phone = r.str_or_null("phone");
    c.chat_identity = r.str_or_null("chat_identity");
    c.email = r.str_or_null("email");
    c.notes = r.str_or_null("notes");
    auto history = list<Interaction>(r.array("history"), interaction_from_json);
    if (!history) r.fail_with(history.error());
    else c.history = std::move(history.value());
    if (const json* sj = r.raw("sensitive"); sj && !sj->is_null()) {  // docs/verification.md
        Reader sr(*sj, "customer.sensitive");
        Sensitive s;
        s.unlocked = sr.boolean("unlocked");
        s.date_of_birth = sr.str_or_null("date_of_birth");
        s.address = sr.str_or_null("address");
        s.postcode = sr.str_or_null("postcode");
        if (const json* accounts = sr.array("accounts"))
            for (const json& aj : *accounts) {
                Reader ar(aj, "customer.sensitive.accounts[]");
                Account a{ar.str("id"), ar.str_or_null("number"), ar.str_or_null("plan"), ar.str_or_null("status"), {}};
                if (const json* b = ar.raw("balance_cents"); b && b->is_number_integer()) a.balance_cents = b->get<int64_t>();
                auto checked = ar.done(a);
                if (!checked) sr.fail_with(checked.error());
                else s.accounts.push_back(checked.value());
            }
        if (const json* pm = sr.raw("payment_methods"); pm && !pm->is_null())  // docs/payments.md: null while masked
            if (const json* methods = sr.array("payment_methods"))
            for (const json& mj : *methods) {
                Reader mr(mj, "customer.sensitive.payment_methods[]");
                auto checked = mr.done(PaymentMethod{mr.str("brand"), mr.str("last4"), mr.str("expiry")});
                if (!checked) sr.fail_with(checked.error());
                else s.payment_methods.push_back(checked.value());
            }
        auto checked = sr.done(s);
        if (!checked) r.fail_with(checked.error());
        else c.sensitive = checked.value();
    }
    return r.done(c);
}

Result<Contact> contact_from_json(const json& j) {
    Reader r(j, "contact");
    Contact c;
    c.id = r.str("id");
    auto ch = parse_channel(r.str("channel"));
    if (!ch) r.fail("channel", "voice, chat or sms");
    c.channel = ch.value_or(Channel::Chat);
    std::string state = r.str("state");
    if (state == "queued") c.state = ContactState::Queued;
    else if (state == "offered") c.state = ContactState::Offered;
    else if (state == "active") c.state = ContactState::Active;
    else if (state == "wrap_up") c.state = ContactState::WrapUp;
    else if (state == "closed") c.state = ContactState::Closed;
    else r.fail("state", "a contact state");
    c.queue = r.str("queue");
    if (const json* cj = r.raw("customer")) {
        auto cust = customer_from_json(*cj);
        if (!cust) r.fail_with(cust.error());
        else c.customer = std::move(cust.value());
    } else {
        r.fail("customer", "present");
    }
    auto messages = list<Message>(r.array("messages"), message_from_json);
    if (!messages) r.fail_with(messages.error());
    else c.messages = std::move(messages.value());
    c.created_at_ms = r.ms("created_at");
    c.offer_expires_at_ms = r.ms("offer_expires_at");
    c.accepted_at_ms = r.ms("accepted_at");
    c.ended_at_ms = r.ms("ended_at");
    c.acw_expires_at_ms = r.ms("acw_expires_at");
    c.ended_by = r.str_or_null("ended_by");
    if (const json* t = r.raw("transfer"); t && t->is_object()) {
        Reader tr(*t, "contact.transfer");
        Transfer transfer{tr.str("from"), tr.str("note")};
        auto checked = tr.done(transfer);
        if (!checked) r.fail_with(checked.error());
        else c.transfer = checked.value();
    }
    c.customer_typing = r.boolean("customer_typing");
    if (const json* cj = r.raw("call"); cj && !cj->is_null()) {
        Reader cr(*cj, "contact.call");
        CallInfo call{cr.str("direction"), cr.str_or_null("number"), cr.boolean("callback")};
        if (call.direction != "inbound" && call.direction != "outbound") cr.fail("direction", "inbound or outbound");
        auto checked = cr.done(call);
        if (!checked) r.fail_with(checked.error());
        else c.call = checked.value();
    }
    if (const json* vj = r.raw("verification"); vj && !vj->is_null()) {  // docs/verification.md
        auto flow = verify::flow_from_json(*vj);
        if (!flow) r.fail_with(flow.error());
        else c.verification = flow.value();
    }
    if (const json* pj = r.raw("payment"); pj && !pj->is_null()) {  // docs/payments.md
        auto payment = payment_from_json(*pj);
        if (!payment) r.fail_with(payment.error());
        else c.payment = payment.value();
    }
    if (const json* rj = r.raw("recording"); rj && !rj->is_null()) {
        if (!rj->is_string() || !is_recording_state(rj->get<std::string>())) r.fail("recording", "a recording state");
        else c.recording = rj->get<std::string>();
    }
    return r.done(c);
}

bool is_recording_state(std::string_view s) {
    return s == "off" || s == "on" || s == "pausing" || s == "paused" || s == "resuming" || s == "unknown";
}

Result<Payment> payment_from_json(const json& j) {
    Reader r(j, "payment");
    Payment p;
    p.id = r.str("id");
    p.state = r.str("state");
    static const char* const kStates[] = {"capturing", "authorizing", "approved", "cancelled", "expired", "refunded"};
    if (std::none_of(std::begin(kStates), std::end(kStates), [&](const char* s) { return p.state == s; }))
        r.fail("state", "a payment state");
    p.amount = r.ms("amount");
    p.currency = r.str("currency");
    p.recording = r.str_or_null("recording");
    if (p.recording.empty()) p.recording = "off";
    else if (!is_recording_state(p.recording)) r.fail("recording", "a recording state");
    if (const json* cj = r.raw("card"); cj && !cj->is_null()) {
        Reader cr(*cj, "payment.card");
        auto card = cr.done(PaymentMethod{cr.str("brand"), cr.str("last4"), cr.str("expiry")});
        if (!card) r.fail_with(card.error());
        else p.card = card.value();
    }
    if (const json* ej = r.raw("error"); ej && !ej->is_null()) {
        Reader er(*ej, "payment.error");
        p.error_code = er.str("code");
        p.error_message = er.str_or_null("message");
        if (auto checked = er.done(true); !checked) r.fail_with(checked.error());
    }
    p.created_at_ms = r.ms("created_at");
    p.updated_at_ms = r.ms("updated_at");
    return r.done(p);
}

json to_json(const Payment& p) {
    auto card = [](const PaymentMethod& m) { return json{{"brand", m.brand}, {"last4", m.last4}, {"expiry", m.expiry}}; };
    return json{{"id", p.id},
                {"state", p.state},
                {"amount", p.amount},
                {"currency", p.currency},
                {"recording", p.recording},
                {"card", p.card ? card(*p.card) : json(nullptr)},
                {"error", p.error_code.empty() ? json(nullptr)
                                               : json{{"code", p.error_code}, {"message", p.error_message}}},
                {"created_at", p.created_at_ms},
                {"updated_at", p.updated_at_ms}};
}

Result<std::vector<Queue>> queues_from_json(const json& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "queues must be an array");
    return list<Queue>(&j, [](const json& e) -> Result<Queue> {
        Reader r(e, "queue");
        Queue q{r.str("code"), r.str("name"), r.str_or_null("number"), {}};
        auto d = list<Disposition>(r.array("dispositions"), [](const json& x) -> Result<Disposition> {
            Reader dr(x, "disposition");
            Disposition disp{dr.str("code"), dr.str("label")};
            return dr.done(disp);
        });
        if (!d) r.fail_with(d.error());
        else q.dispositions = std::move(d.value());
        return r.done(q);
    });
}

Result<std::vector<CannedResponse>> canned_responses_from_json(const json& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "canned_responses must be an array");
    return list<CannedResponse>(&j, [](const json& e) -> Result<CannedResponse> {
        Reader r(e, "canned_response");
        CannedResponse c{r.str("id"), r.str("title"), r.str("text")};
        return r.done(c);
    });
}

Result<std::vector<AgentSummary>> agents_from_json(const json& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "agents must be an array");
    return list<AgentSummary>(&j, [](const json& e) -> Result<AgentSummary> {
        Reader r(e, "agent");
        AgentSummary a{r.str("username"), r.str("display_name"), agent::Presence::Offline};
        auto p = agent::parse_presence(r.str("state"));
        if (!p) r.fail("state", "a presence");
        else a.state = *p;
        return r.done(a);
    });
}

json to_json(const Message& m) {
    static const char* senders[] = {"customer", "agent", "system"};
    static const char* statuses[] = {"pending", "sent", "delivered", "failed"};
    json j = {{"id", m.id},
              {"from", senders[static_cast<int>(m.from)]},
              {"text", m.text},
              {"at", m.at_ms},
              {"agent", m.agent.empty() ? json(nullptr) : json(m.agent)},
              {"status", statuses[static_cast<int>(m.status)]},
              {"segments", m.segments ? json(m.segments) : json(nullptr)}};
    if (!m.client_id.empty()) j["client_id"] = m.client_id;
    return j;
}

json to_json(const Customer& c) {
    json history = json::array();
    for (const auto& i : c.history)
        history.push_back({{"contact", i.contact},
                           {"channel", std::string(to_string(i.channel))},
                           {"at", i.at_ms},
                           {"queue", i.queue},
                           {"disposition", i.disposition.empty() ? json(nullptr) : json(i.disposition)},
                           {"notes", i.notes},
                           {"agent", i.agent.empty() ? json(nullptr) : json(i.agent)}});
    auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    json out{{"id", c.id},         {"first_name", c.first_name}, {"last_name", c.last_name},
             {"phone", opt(c.phone)}, {"chat_identity", opt(c.chat_identity)}, {"email", opt(c.email)},
             {"notes", c.notes},   {"history", std::move(history)}};
    if (c.sensitive) {
        json accounts = json::array();
        for (const auto& a : c.sensitive->accounts)
            accounts.push_back({{"id", a.id}, {"number", opt(a.number)}, {"plan", a.plan}, {"status", a.status},
                                {"balance_cents", a.balance_cents ? json(*a.balance_cents) : json(nullptr)}});
        out["sensitive"] = {{"unlocked", c.sensitive->unlocked}, {"accounts", std::move(accounts)},
                            {"date_of_birth", opt(c.sensitive->date_of_birth)}, {"address", opt(c.sensitive->address)},
                            {"postcode", opt(c.sensitive->postcode)},
                            {"payment_methods", [&] {
                                 if (!c.sensitive->unlocked) return json(nullptr);
                                 json methods = json::array();
                                 for (const auto& m : c.sensitive->payment_methods)
                                     methods.push_back({{"brand", m.brand}, {"last4", m.last4}, {"expiry", m.expiry}});
                                 return methods;
                             }()}};
    }
    return out;
}

json to_json(const Contact& c) {
    json messages = json::array();
    for (const auto& m : c.messages) messages.push_back(to_json(m));
    auto ms = [](int64_t v) { return v ? json(v) : json(nullptr); };
    return json{{"id", c.id},
                {"channel", std::string(to_string(c.channel))},
                {"state", std::string(to_string(c.state))},
                {"queue", c.queue},
                {"customer", to_json(c.customer)},
                {"messages", std::move(messages)},
                {"created_at", c.created_at_ms},
                {"offer_expires_at", ms(c.offer_expires_at_ms)},
                {"accepted_at", ms(c.accepted_at_ms)},
                {"ended_at", ms(c.ended_at_ms)},
                {"ended_by", c.ended_by.empty() ? json(nullptr) : json(c.ended_by)},
                {"acw_expires_at", ms(c.acw_expires_at_ms)},
                {"transfer", c.transfer ? json{{"from", c.transfer->from}, {"note", c.transfer->note}} : json(nullptr)},
                {"customer_typing", c.customer_typing},
                {"call", c.call ? json{{"direction", c.call->direction}, {"number", c.call->number},
                                       {"callback", c.call->callback}}
                                : json(nullptr)},
                {"verification", c.verification ? verify::to_json(*c.verification) : json(nullptr)},
                {"payment", c.payment ? to_json(*c.payment) : json(nullptr)},
                {"recording", c.recording}};
}

std::string fill_placeholders(std::string_view text, const Customer& customer, std::string_view agent_display_name) {
    const std::pair<std::string_view, std::string> values[] = {
        {"{customer.first_name}", customer.first_name.empty() ? std::string("there") : customer.first_name},
        {"{customer.last_name}", customer.last_name},
        {"{agent.display_name}", std::string(agent_display_name)},
    };
    std::string out;
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '{') {
            for (const auto& [key, value] : values) {
                if (text.substr(i, key.size()) == key) {
                    out += value;
                    i += key.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

}  // namespace sb::contact
