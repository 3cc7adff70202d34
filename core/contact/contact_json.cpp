// contact/contact_json.cpp: writing the "Contacts" objects of docs/protocol.md (the JS API's
// snapshot and its events), and the contact model's small helpers. Reading them from
// the backend is contact_decode.cpp.
#include <utility>

#include "contact/contact.h"

namespace sb::contact {

std::string Customer::display_name() const {
    std::string name = first_name;
    if (!last_name.empty()) name += (name.empty() ? "" : " ") + last_name;
    if (!name.empty()) return name;
    if (!phone.empty()) return phone;
    if (!chat_identity.empty()) return chat_identity;
    return "Unknown customer";
}

int max_message_characters(Channel c) { return c == Channel::Sms ? 1600 : 4000; }

json to_json(const Payment& p) {
    auto card = [](const PaymentMethod& m) { return json{{"brand", m.brand}, {"last4", m.last4}, {"expiry", m.expiry}}; };
    return json{{"id", p.id},
                {"state", std::string(to_string(p.state))},
                {"amount", p.amount},
                {"currency", p.currency},
                {"recording", std::string(to_string(p.recording))},
                {"card", p.card ? card(*p.card) : json(nullptr)},
                {"error", p.error_code.empty() ? json(nullptr)
                                               : json{{"code", p.error_code}, {"message", p.error_message}}},
                {"created_at", p.created_at_ms},
                {"updated_at", p.updated_at_ms}};
}

json to_json(const Message& m) {
    json j = {{"id", m.id},
              {"seq", m.seq},
              {"from", m.from},
              {"text", m.text},
              {"at", m.at_ms},
              {"agent", m.agent.empty() ? json(nullptr) : json(m.agent)},
              {"status", m.status},
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
                {"message_count", c.message_count},
                {"created_at", c.created_at_ms},
                {"offer_expires_at", ms(c.offer_expires_at_ms)},
                {"accepted_at", ms(c.accepted_at_ms)},
                {"ended_at", ms(c.ended_at_ms)},
                {"ended_by", c.ended_by ? json(*c.ended_by) : json(nullptr)},
                {"acw_expires_at", ms(c.acw_expires_at_ms)},
                {"transfer", c.transfer ? json{{"from", c.transfer->from}, {"note", c.transfer->note}} : json(nullptr)},
                {"customer_typing", c.customer_typing},
                {"call", c.call ? json{{"direction", c.call->direction}, {"number", c.call->number},
                                       {"callback", c.call->callback}}
                                : json(nullptr)},
                {"verification", c.verification ? verify::to_json(*c.verification) : json(nullptr)},
                {"payment", c.payment ? to_json(*c.payment) : json(nullptr)},
                {"recording", std::string(to_string(c.recording))}};
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
