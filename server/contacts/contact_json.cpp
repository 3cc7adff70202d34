// contact_json.cpp: wire forms of contacts and their parts (see contact_json.h), and
// ContactService's builders that read the store.
#include "server/contacts/contact_json.h"

#include "contact/card.h"
#include "contact/sms.h"
#include "server/contacts/contact_service.h"
#include "protocol/schema.h"
#include "server/verify/verification.h"

namespace sbd {

using json = nlohmann::json;

namespace {
json text_or_null(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
// Free text is masked when it is stored; masking again on the way out also covers rows written
// before masking existed (docs/security.md). Phone numbers and ids are not free text.
std::string masked(const std::string& text) { return sb::contact::mask_card_numbers(text); }
json int_or_null(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

json message_json(const MessageRecord& m) {
    return {{"id", m.id},         {"seq", m.seq},       {"from", m.from},     {"text", masked(m.text)},
            {"at", m.at},         {"agent", text_or_null(m.agent)},
            {"status", m.status}, {"segments", int_or_null(m.segments)}};
}

json agent_summary_json(const sb::agent::AgentSnapshot& a) {
    return {{"username", a.username}, {"display_name", a.display_name}, {"state", sb::agent::to_string(a.state)}};
}

json queue_json(const QueueRecord& q) {
    json dispositions = json::array();
    for (const Disposition& d : q.dispositions) dispositions.push_back({{"code", d.code}, {"label", d.label}});
    return {{"code", q.code}, {"name", q.name}, {"number", text_or_null(q.number)},
            {"dispositions", std::move(dispositions)}};
}

json interaction_json(const InteractionRecord& i) {
    return {{"contact", i.contact}, {"channel", i.channel}, {"at", i.at}, {"queue", i.queue},
            {"disposition", text_or_null(i.disposition)}, {"notes", masked(i.notes)}, {"agent", text_or_null(i.agent)}};
}

json customer_json(const CustomerRecord& c, const std::vector<InteractionRecord>& history) {
    json h = json::array();
    for (const InteractionRecord& i : history) h.push_back(interaction_json(i));
    return {{"id", c.id},
            {"first_name", c.first_name},
            {"last_name", c.last_name},
            {"phone", text_or_null(c.phone)},
            {"chat_identity", text_or_null(c.chat_identity)},
            {"email", text_or_null(c.email)},
            {"notes", masked(c.notes)},
            {"history", std::move(h)}};
}

int64_t sms_segment_count(std::string_view text) {
    int segments = sb::contact::sms_segments(text).segments;
    return segments < 1 ? 1 : segments;
}

// ---- ContactService's builders ----------------------------------------------------------------
sb::Result<json> ContactService::customer_json(const std::string& id) {
    auto c = d_.contacts.find_customer(id);
    if (!c) return c.error();
    if (!c.value()) return sb::make_error(sb::protocol::code::internal, "customer " + id + " missing");
    auto history = d_.contacts.history(id);
    if (!history) return history.error();
    return sbd::customer_json(*c.value(), history.value());
}

sb::Result<json> ContactService::customer_json(const std::string& id, bool unlocked) {
    auto j = customer_json(id);
    if (!j) return j;
    if (verification_) {  // docs/verification.md: masked until the contact is verified
        auto sensitive = verification_->sensitive_json(id, unlocked);
        if (!sensitive) return sensitive.error();
        j.value()["sensitive"] = std::move(sensitive.value());
    }
    return j;
}

sb::Result<json> ContactService::contact_json(const ContactRecord& c) {
    auto unlocked = unlocked_for(c);
    if (!unlocked) return unlocked.error();
    auto customer = customer_json(c.customer, unlocked.value());
    if (!customer) return customer.error();
    auto verification = verification_json(c);
    if (!verification) return verification.error();
    // Version 2: how long the transcript is, not the transcript (get_messages pages it); a
    // version-1 connection gets it added on the way out (desk_versions.cpp).
    auto last = d_.contacts.last_message(c.id);
    if (!last) return last.error();
    json last_message = nullptr;
    if (last.value()) last_message = {{"id", last.value()->id}, {"seq", last.value()->seq}};
    json transfer = nullptr;
    if (c.transfer_from) transfer = {{"from", *c.transfer_from}, {"note", masked(c.transfer_note.value_or(""))}};
    json out{{"id", c.id},
                {"channel", c.channel},
                {"state", c.state},
                {"queue", c.queue},
                {"customer", std::move(customer.value())},
                {"message_count", last.value() ? last.value()->seq : 0},
                {"last_message", std::move(last_message)},
                {"created_at", c.created_at},
                {"offer_expires_at", int_or_null(c.offer_expires_at)},
                {"accepted_at", int_or_null(c.accepted_at)},
                {"ended_at", int_or_null(c.ended_at)},
                {"ended_by", c.ended_by ? json(*c.ended_by) : json(nullptr)},
                {"acw_expires_at", int_or_null(c.acw_expires_at)},
                {"transfer", std::move(transfer)},
                {"customer_typing", customer_typing_.count(c.id) > 0}};
    if (!verification.value().is_null()) out["verification"] = std::move(verification.value());
    if (c.channel == Channel::Voice)
        out["call"] = {{"direction", c.call_direction.value_or("inbound")},
                       {"number", text_or_null(c.customer_address)},
                       {"callback", c.callback}};
    for (auto& decorate : json_decorators_) decorate(c, out);
    return out;
}

}  // namespace sbd
