// contact/contact_decode.cpp: reading the "Contacts" objects of docs/protocol.md from the
// backend. Strict about types (protocol::Fields): a field of the wrong type, or a required one
// missing, fails the object with bad_message naming its path ("contact.customer.phone must be a
// string or null"); nothing throws. Null is accepted exactly where the protocol allows it.
// Writing them is contact_json.cpp.
#include <algorithm>
#include <iterator>

#include "contact/contact.h"
#include "protocol/reader.h"
#include "protocol/schema.h"

namespace sb::contact {

using protocol::Fields;
using protocol::JsonValue;

namespace {

// A "recording" field: null or absent is off (chat, SMS, a backend without a recorder).
RecordingState recording_or_off(Fields& f) {
    std::string recording = f.str_or_null("recording");
    if (recording.empty()) return RecordingState::Off;
    auto r = parse_recording_state(recording);
    if (!r && f.ok()) f.fail("recording", "a recording state");
    return r.value_or(RecordingState::Off);
}

// Reads the object at `key` (null or absent: none) with `read(object, path)`.
template <class T, class F>
void optional_object(Fields& f, std::string_view key, std::optional<T>& out, F&& read) {
    if (const JsonValue* v = f.object_or_null(key)) {
        auto decoded = read(*v, f.path(key));
        if (!decoded) f.fail_with(decoded.error());
        else out = std::move(decoded.value());
    }
}

template <class T, class F>
void list_into(Fields& f, const JsonValue* array, std::string_view key, std::vector<T>& out, F&& one) {
    auto decoded = protocol::decode_list<T>(array, f.path(key), one);
    if (!decoded) f.fail_with(decoded.error());
    else out = std::move(decoded.value());
}

Result<Interaction> interaction_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Interaction i;
    i.contact = f.str("contact");
    auto ch = parse_channel(f.str("channel"));
    if (!ch && f.ok()) f.fail("channel", "chat, sms or voice");
    i.channel = ch.value_or(Channel::Chat);
    i.at_ms = f.integer("at");
    i.queue = f.str_or_null("queue");
    i.disposition = f.str_or_null("disposition");
    i.notes = f.str_or_null("notes");
    i.agent = f.str_or_null("agent");
    return f.done(std::move(i));
}

Result<PaymentMethod> payment_method_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    PaymentMethod m{f.str("brand"), f.str("last4"), f.str("expiry")};
    return f.done(std::move(m));
}

Result<Account> account_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Account a{f.str("id"), f.str_or_null("number"), f.str_or_null("plan"), f.str_or_null("status"), {}};
    a.balance_cents = f.integer_or_null("balance_cents");
    return f.done(std::move(a));
}

// docs/verification.md: masked (and null) until the contact is verified.
Result<Sensitive> sensitive_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Sensitive s;
    s.unlocked = f.boolean_or("unlocked", false);
    s.date_of_birth = f.str_or_null("date_of_birth");
    s.address = f.str_or_null("address");
    s.postcode = f.str_or_null("postcode");
    list_into(f, f.array_or_absent("accounts"), "accounts", s.accounts, account_from_json);
    list_into(f, f.array_or_null("payment_methods"), "payment_methods", s.payment_methods, payment_method_from_json);
    return f.done(std::move(s));
}

}  // namespace

Result<Message> message_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Message m;
    m.id = f.str("id");
    m.seq = f.integer("seq");
    if (f.ok() && m.seq < 1) f.fail("seq", "an integer from 1");
    auto from = parse_sender(f.str("from"));
    if (from) m.from = *from;
    else if (f.ok()) f.fail("from", "customer, agent or system");
    m.text = f.str("text");
    m.at_ms = f.integer("at");
    m.agent = f.str_or_null("agent");
    // Absent or null: sent (version 1 backends). Pending is the desk's own, never the backend's.
    std::string status = f.str_or_null("status");
    auto st = status.empty() ? std::optional(MessageStatus::Sent) : parse_message_status(status);
    if (st && *st != MessageStatus::Pending) m.status = *st;
    else if (f.ok()) f.fail("status", "sent, delivered or failed");
    auto segments = f.integer_or_null("segments");
    m.segments = segments ? static_cast<int>(std::clamp<int64_t>(*segments, 0, 1000)) : 0;
    m.client_id = f.str_or_null("client_id");
    return f.done(std::move(m));
}

Result<Customer> customer_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Customer c;
    c.id = f.str("id");
    c.first_name = f.str_or_null("first_name");
    c.last_name = f.str_or_null("last_name");
    c.phone = f.str_or_null("phone");
    c.chat_identity = f.str_or_null("chat_identity");
    c.email = f.str_or_null("email");
    c.notes = f.str_or_null("notes");
    list_into(f, f.array_or_absent("history"), "history", c.history, interaction_from_json);
    optional_object(f, "sensitive", c.sensitive, sensitive_from_json);
    return f.done(std::move(c));
}

Result<Contact> contact_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Contact c;
    c.id = f.str("id");
    auto ch = parse_channel(f.str("channel"));
    if (!ch && f.ok()) f.fail("channel", "voice, chat or sms");
    c.channel = ch.value_or(Channel::Chat);
    auto state = parse_contact_state(f.str("state"));
    if (state) c.state = *state;
    else if (f.ok()) f.fail("state", "a contact state");
    c.queue = f.str("queue");
    if (const JsonValue* cj = f.object("customer")) {
        auto customer = customer_from_json(*cj, f.path("customer"));
        if (!customer) f.fail_with(customer.error());
        else c.customer = std::move(customer.value());
    }
    // Version 2: how long the transcript is, never the transcript (desk/transcript.cpp fetches it).
    c.message_count = f.integer("message_count");
    if (f.ok() && c.message_count < 0) f.fail("message_count", "an integer from 0");
    c.created_at_ms = f.integer("created_at");
    c.offer_expires_at_ms = f.integer_or_null("offer_expires_at").value_or(0);
    c.accepted_at_ms = f.integer_or_null("accepted_at").value_or(0);
    c.ended_at_ms = f.integer_or_null("ended_at").value_or(0);
    c.acw_expires_at_ms = f.integer_or_null("acw_expires_at").value_or(0);
    if (std::string by = f.str_or_null("ended_by"); !by.empty()) {
        c.ended_by = parse_sender(by);
        if (!c.ended_by && f.ok()) f.fail("ended_by", "agent, customer or system");
    }
    optional_object(f, "transfer", c.transfer, [](const JsonValue& t, const std::string& path) -> Result<Transfer> {
        Fields tf(t, path);
        Transfer transfer{tf.str("from"), tf.str("note")};
        return tf.done(std::move(transfer));
    });
    c.customer_typing = f.boolean_or("customer_typing", false);
    optional_object(f, "call", c.call, [](const JsonValue& cj, const std::string& path) -> Result<CallInfo> {
        Fields cf(cj, path);
        CallInfo call{cf.str("direction"), cf.str_or_null("number"), cf.boolean_or("callback", false)};
        if (cf.ok() && call.direction != "inbound" && call.direction != "outbound")
            cf.fail("direction", "inbound or outbound");
        return cf.done(std::move(call));
    });
    optional_object(f, "verification", c.verification, [](const JsonValue& v, const std::string& path) {
        return verify::flow_from_json(v, path);  // docs/verification.md
    });
    optional_object(f, "payment", c.payment, [](const JsonValue& p, const std::string& path) {
        return payment_from_json(p, path);  // docs/payments.md
    });
    c.recording = recording_or_off(f);
    return f.done(std::move(c));
}

Result<Payment> payment_from_json(const JsonValue& j, const std::string& where) {
    Fields f(j, where);
    Payment p;
    p.id = f.str("id");
    auto state = parse_payment_state(f.str("state"));
    if (state) p.state = *state;
    else if (f.ok()) f.fail("state", "a payment state");
    p.amount = f.integer("amount");
    p.currency = f.str("currency");
    p.recording = recording_or_off(f);
    optional_object(f, "card", p.card, payment_method_from_json);
    if (const JsonValue* ej = f.object_or_null("error")) {
        Fields ef(*ej, f.path("error"));
        p.error_code = ef.str("code");
        p.error_message = ef.str_or_null("message");
        if (!ef.ok()) f.fail_with(ef.done(0).error());
    }
    p.created_at_ms = f.integer("created_at");
    p.updated_at_ms = f.integer("updated_at");
    return f.done(std::move(p));
}

Result<std::vector<Queue>> queues_from_json(const JsonValue& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "session.queues must be an array");
    return protocol::decode_list<Queue>(&j, "session.queues", [](const JsonValue& e, const std::string& where) -> Result<Queue> {
        Fields f(e, where);
        Queue q{f.str("code"), f.str("name"), f.str_or_null("number"), {}};
        list_into(f, f.array("dispositions"), "dispositions", q.dispositions,
                  [](const JsonValue& x, const std::string& path) -> Result<Disposition> {
                      Fields df(x, path);
                      Disposition d{df.str("code"), df.str("label")};
                      return df.done(std::move(d));
                  });
        return f.done(std::move(q));
    });
}

Result<std::vector<CannedResponse>> canned_responses_from_json(const JsonValue& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "session.canned_responses must be an array");
    return protocol::decode_list<CannedResponse>(&j, "session.canned_responses",
                                                 [](const JsonValue& e, const std::string& where) -> Result<CannedResponse> {
        Fields f(e, where);
        CannedResponse c{f.str("id"), f.str("title"), f.str("text")};
        return f.done(std::move(c));
    });
}

Result<std::vector<AgentSummary>> agents_from_json(const JsonValue& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "session.agents must be an array");
    return protocol::decode_list<AgentSummary>(&j, "session.agents",
                                               [](const JsonValue& e, const std::string& where) -> Result<AgentSummary> {
        Fields f(e, where);
        AgentSummary a{f.str("username"), f.str("display_name"), agent::Presence::Offline};
        std::string state = f.str("state");
        if (auto p = agent::parse_presence(state)) a.state = *p;
        else if (f.ok()) f.fail("state", "a presence");
        return f.done(std::move(a));
    });
}

// ---- the nlohmann forms: the same readers, over the value's text ---------------------------------

Result<Message> message_from_json(const json& j, const std::string& where) {
    return message_from_json(protocol::JsonDoc::from(j).root(), where);
}
Result<Customer> customer_from_json(const json& j, const std::string& where) {
    return customer_from_json(protocol::JsonDoc::from(j).root(), where);
}
Result<Contact> contact_from_json(const json& j, const std::string& where) {
    return contact_from_json(protocol::JsonDoc::from(j).root(), where);
}
Result<Payment> payment_from_json(const json& j, const std::string& where) {
    return payment_from_json(protocol::JsonDoc::from(j).root(), where);
}
Result<std::vector<Queue>> queues_from_json(const json& j) { return queues_from_json(protocol::JsonDoc::from(j).root()); }
Result<std::vector<CannedResponse>> canned_responses_from_json(const json& j) {
    return canned_responses_from_json(protocol::JsonDoc::from(j).root());
}
Result<std::vector<AgentSummary>> agents_from_json(const json& j) { return agents_from_json(protocol::JsonDoc::from(j).root()); }

}  // namespace sb::contact
