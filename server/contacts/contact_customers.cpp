// contact_customers.cpp: the customers' side of ContactService (see contact_service.h): a chat
// starts, resumes, writes, types and leaves; an SMS arrives; an outbound SMS is sent or fails.
#include <algorithm>
#include <cctype>

#include "server/accounts/auth.h"
#include "contact/card.h"
#include "contact/phone.h"
#include "server/contacts/contact_json.h"
#include "server/contacts/contact_service.h"
#include "server/desk/desk_service.h"
#include "protocol/schema.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;
using sb::Ok;
using sb::Status;

namespace {

// A new contact as it enters its queue: FIFO by arrival (rank = now).
ContactRecord queued_contact(std::string id, Channel channel, std::string queue, std::string customer, int64_t now) {
    ContactRecord c;
    c.id = std::move(id);
    c.channel = channel;
    c.state = ContactState::Queued;
    c.queue = std::move(queue);
    c.customer = std::move(customer);
    c.rank = now;
    c.created_at = now;
    return c;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return s;
}

// Empty, blank, too long or not UTF-8: the customer's text is refused with bad_message.
sb::Status check_text(const std::string& text, int64_t max) {
    if (!is_valid_utf8(text)) return make_error(code::bad_message, "text is not valid UTF-8.");
    if (trim(text).empty()) return make_error(code::bad_message, "text is empty.");
    if (utf8_length(text) > max)
        return make_error(code::bad_message, "text is longer than " + std::to_string(max) + " characters.");
    return Ok{};
}

// What a customer nobody could answer is told (chat message or SMS), before the contact closes.
const char* const kNobodyAnswered =
    "Sorry, none of our agents could take your message in time. Please write to us again later.";

bool is_live(const ContactRecord& c) { return sb::contact::is_live(c.state); }  // the shared lifecycle says

}  // namespace

std::string ContactService::agent_display_name(const std::string& username) {
    auto rec = d_.store.find_agent(username);
    if (rec && rec.value()) return rec.value()->snapshot.display_name;
    return username;
}

// ---- chat -----------------------------------------------------------------------------------------
sb::Result<ContactService::StartedChat> ContactService::start_chat(const std::string& raw_name,
                                                                  const std::optional<std::string>& raw_email) {
    std::string name = trim(raw_name);
    if (!is_valid_utf8(name) || name.empty() || utf8_length(name) > 100)
        return make_error(code::bad_message, "name must be 1 to 100 characters.");
    name = sb::contact::mask_card_numbers(name);  // a card number typed as a name is not stored either
    std::optional<std::string> email;
    if (raw_email && !trim(*raw_email).empty()) {
        email = sb::contact::mask_card_numbers(lower(trim(*raw_email)));
        if (email->size() > 254 || email->find('@') == std::string::npos || email->find(' ') != std::string::npos)
            return make_error(code::bad_message, "email is not an email address.");
    }
    const QueueRecord* queue = acd_.default_queue();
    if (!queue) return make_error(code::internal, "no queue to take chats");

    int64_t now = d_.now();
    // What the customer typed is a claim, never a link to an account (docs/verification.md,
    // "Claims"): every chat starts with a customer record of its own holding the name and email
    // as typed, which is what the agent sees. The customer on file with that email, if any, is
    // only whom the contact's verification checks; verified, the contact moves to them.
    std::optional<std::string> claimed;
    if (email) {
        auto found = d_.contacts.find_claimed_customer(*email);
        if (!found) return found.error();
        if (found.value()) claimed = found.value()->id;
    }
    CustomerRecord customer;
    customer.id = "cu-" + d_.random_id();
    auto space = name.find(' ');
    customer.first_name = name.substr(0, space);
    customer.last_name = space == std::string::npos ? "" : trim(name.substr(space + 1));
    // Its own identity (never matched by a later chat's email): a claim does not become one.
    customer.chat_identity = "guest-" + d_.random_id() + "@chat";
    customer.email = email;
    if (auto st = d_.contacts.save_customer(customer, now); !st) return st.error();

    StartedChat out;
    out.token = new_token();
    out.contact = queued_contact("c-" + d_.random_id(), Channel::Chat, queue->code, customer.id, now);
    ContactRecord& c = out.contact;
    c.chat_token_hash = token_hash(out.token);
    c.claimed_customer = claimed;
    if (auto st = save(c); !st) return st.error();
    d_.log.info("chat started", {{"contact", c.id}, {"customer", customer.id}, {"queue", c.queue},
                                 {"claims", claimed.value_or("")}});
    route();
    out.contact = open_.count(c.id) ? open_[c.id] : c;
    return out;
}

sb::Result<ContactRecord> ContactService::find_chat(const std::string& token) {
    auto c = d_.contacts.find_contact_by_token_hash(token_hash(token));
    if (!c) return c.error();
    if (!c.value()) return make_error(code::invalid_token, "Unknown chat token.");
    const ContactRecord& found = open_.count(c.value()->id) ? open_.at(c.value()->id) : *c.value();
    // While the chat lasts the token works; after it ended, only for a while: long enough to read
    // the transcript again after a reload, not for ever in a browser's storage.
    std::optional<int64_t> ended = found.ended_at ? found.ended_at : found.closed_at;
    if (ended && d_.now() >= *ended + config_.chat_token_ttl_ms)
        return make_error(code::token_expired, "This chat ended a while ago and can no longer be reopened; start a new chat.");
    return found;
}

sb::Result<std::vector<MessageRecord>> ContactService::transcript(const std::string& contact) {
    return d_.contacts.messages(contact);
}

sb::Result<MessageRecord> ContactService::customer_message(const std::string& id, const std::string& text,
                                                           const std::optional<std::string>& client_id) {
    auto it = open_.find(id);
    if (client_id) {
        if (client_id->empty() || client_id->size() > 128)
            return make_error(code::bad_message, "client_id must be 1 to 128 characters.");
        auto first = d_.contacts.find_message_by_client_id(id, Sender::Customer, *client_id);
        if (!first) return first.error();
        if (first.value()) return *first.value();
    }
    if (it == open_.end() || !is_live(it->second)) return make_error(code::wrong_state, "The conversation has ended.");
    if (auto st = check_text(text, it->second.channel == Channel::Sms ? 1600 : 4000); !st) return st.error();
    // The text's card numbers are masked by add_message, before it is stored or sent anywhere
    // (the customer's own ack shows the masked text too; docs/security.md).
    ContactRecord c = it->second;
    bool was_typing = customer_typing_.erase(id) > 0;
    auto m = add_message(c, Sender::Customer, text, std::nullopt, client_id, MessageStatus::Delivered);
    if (!m) return m.error();
    if (was_typing && c.agent && c.state != ContactState::Queued)
        emit(*c.agent, "contact.typing", {{"contact", id}, {"typing", false}});
    return m;
}

Status ContactService::customer_typing(const std::string& id, bool is_typing) {
    auto it = open_.find(id);
    if (it == open_.end() || !is_live(it->second)) return make_error(code::wrong_state, "The conversation has ended.");
    bool was = customer_typing_.count(id) > 0;
    if (was == is_typing) return Ok{};
    if (is_typing) customer_typing_.insert(id);
    else customer_typing_.erase(id);
    const ContactRecord& c = it->second;
    if (c.agent && c.state != ContactState::Queued) emit(*c.agent, "contact.typing", {{"contact", id}, {"typing", is_typing}});
    announce_typing(Sender::Customer, id, is_typing);  // (the other nodes' copies of the contact say so too)
    return Ok{};
}

Status ContactService::customer_end(const std::string& id) {
    auto it = open_.find(id);
    if (it == open_.end() || !is_live(it->second)) return Ok{};  // already over: nothing to do
    ContactRecord c = it->second;
    int64_t now = d_.now();
    customer_typing_.erase(id);
    if (c.state == ContactState::Active) {
        ContactRecord next = c;
        next.state = ContactState::WrapUp;
        next.ended_at = now;
        next.ended_by = Sender::Customer;
        next.acw_expires_at = now + config_.acw_max_ms;
        if (auto st = save(next); !st) return st;
        d_.log.info("contact ended", {{"contact", id}, {"by", "customer"}});
        emit_contact(next, "contact.updated");
        if (auto* link = link_for(next)) link->ended(next, Sender::Customer);
        return Ok{};
    }
    return give_up(c, Sender::Customer);  // queued or still ringing: before anyone took it
}

Status ContactService::give_up(const ContactRecord& c, Sender by, const std::string& ended_reason) {
    int64_t now = d_.now();
    CustomerLink* link = link_for(c);
    ContactRecord next = c;
    next.state = ContactState::Closed;
    next.ended_at = now;
    next.ended_by = by;
    next.closed_at = now;
    next.offer_expires_at.reset();
    if (auto st = close(next); !st) return st;
    d_.log.info("contact abandoned", {{"contact", c.id}, {"was", c.state}, {"by", by}});
    if (by == Sender::System && c.channel != Channel::Voice) {
        // The customer is told why (stored like every message, so the transcript says it too).
        // After the close: a failed close must not leave a message behind to be sent again.
        auto m = add_message(next, Sender::System, kNobodyAnswered, std::nullopt, std::nullopt, MessageStatus::Sent);
        if (!m) d_.log.error("the unanswered customer's message was not saved", {{"contact", c.id}, {"error", m.error().message}});
        else if (link) link->agent_message(next, m.value(), "");
    }
    if (c.state == ContactState::Offered && c.agent) {
        acd_.busy(*c.agent, now);
        emit(*c.agent, "contact.ended", {{"contact", c.id}, {"reason", ended_reason}});
    }
    if (link) link->ended(next, by);
    route();
    return Ok{};
}

Status ContactService::chat_delivered(const std::string& id, const std::string& message) {
    auto m = d_.contacts.find_message(message);
    if (!m) return m.error();
    if (!m.value() || m.value()->contact != id || m.value()->from == Sender::Customer)
        return make_error(code::bad_message, "No such message in this chat.");
    // Only a sent one becomes delivered: a repeat, or a report for a failed one, changes nothing.
    if (!sb::contact::allowed(m.value()->status, MessageStatus::Delivered)) return Ok{};
    return move_message(*m.value(), MessageStatus::Delivered);
}

// ---- SMS ------------------------------------------------------------------------------------------
sb::Result<ContactService::InboundSms> ContactService::sms_inbound(const std::string& from, const std::string& to,
                                                                   const std::string& body,
                                                                   const std::optional<std::string>& gateway_id) {
    auto phone = sb::contact::normalize_e164(from, config_.default_country);
    if (!phone) return make_error(code::bad_message, "From is not a phone number: " + phone.error().message);
    if (auto st = check_text(body, 1600); !st) return st.error();
    if (!is_valid_utf8(to) || to.size() > 32) return make_error(code::bad_message, "To is not a phone number.");
    // Only our own numbers take texts: a webhook naming any other To is refused, not routed.
    const QueueRecord* queue = acd_.queue_by_number(to);
    if (!queue) return make_error("unknown_number", "To is not one of this contact centre's numbers.");
    int64_t now = d_.now();

    auto found = d_.contacts.find_customer_by_phone(phone.value());
    if (!found) return found.error();
    CustomerRecord customer;
    if (found.value()) {
        customer = *found.value();
    } else {
        customer.id = "cu-" + d_.random_id();
        customer.phone = phone.value();
        if (auto st = d_.contacts.save_customer(customer, now); !st) return st.error();
    }

    // A live SMS conversation with this number continues; otherwise a new contact starts.
    const ContactRecord* live = nullptr;
    for (const auto& [id, c] : open_)
        if (c.channel == Channel::Sms && c.customer == customer.id && is_live(c)) live = &c;
    ContactRecord contact;
    if (live) {
        contact = *live;
    } else {
        contact = queued_contact("c-" + d_.random_id(), Channel::Sms, queue->code, customer.id, now);
        contact.customer_address = phone.value();
        contact.service_address = trim(to).empty() ? queue->number.value_or("") : trim(to);
        if (auto st = save(contact); !st) return st.error();
        d_.log.info("sms contact", {{"contact", contact.id}, {"customer", customer.id}, {"queue", contact.queue}});
    }
    auto m = customer_message(contact.id, body, gateway_id);
    if (!m) return m.error();
    if (!live) route();
    return InboundSms{open_.count(contact.id) ? open_[contact.id] : contact, m.value()};
}

void ContactService::sms_status(const std::string& message, MessageStatus status) {
    auto m = d_.contacts.find_message(message);
    if (!m || !m.value()) return;
    // The provider's verdict settles the send (it is not retried after a restart) whatever the
    // message's status; the status itself moves only as the table allows (sent stays sent).
    const MessageRecord& was = *m.value();
    bool moves = was.status != status;
    if (moves && !sb::contact::allowed(was.status, status)) {
        d_.log.warn("sms status refused", {{"message", message}, {"from", was.status}, {"to", status}});
        moves = false;
    }
    if (auto st = d_.contacts.settle_sms(message, moves ? status : was.status); !st) {
        d_.log.error("sms status not saved", {{"message", message}, {"error", st.error().message}});
        return;
    }
    if (!moves) return;
    d_.log.info("sms status", {{"message", message}, {"status", status}});
    MessageRecord now = was;
    now.status = status;
    message_changed(now);
}

Status ContactService::move_message(const MessageRecord& m, MessageStatus to) {
    if (m.status == to) return Ok{};
    MessageRecord now = m;
    if (auto st = sb::contact::move(now.status, to); !st) return st;
    if (auto st = d_.contacts.set_message_status(m.id, to); !st) return st;
    message_changed(now);
    return Ok{};
}

void ContactService::message_changed(const MessageRecord& m) {
    auto it = open_.find(m.contact);
    if (it == open_.end() || it->second.state == ContactState::Queued || !it->second.agent) return;
    // Version 2 desks update the message they hold by its id; version 1 desks read the status
    // in the transcript of contact.updated (desk_versions.cpp adds it for them).
    emit(*it->second.agent, "contact.message", {{"contact", m.contact}, {"message", message_json(m)}});
    emit_contact(it->second, "contact.updated");
}

}  // namespace sbd
