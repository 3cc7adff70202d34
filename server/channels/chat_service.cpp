// chat_service.cpp: the customer chat WebSocket protocol (see chat_service.h and
// docs/chat-protocol.md).
#include "server/channels/chat_service.h"

#include <chrono>
#include "util/text.h"

#include "contact/card.h"
#include "server/desk/desk_service.h"  // is_valid_utf8

namespace sbd {

using json = nlohmann::json;

namespace {
// What the customer is told about where their chat stands.
std::string customer_state(const ContactRecord& c) {
    if (c.state == ContactState::Queued || c.state == ContactState::Offered) return "waiting";
    if (c.state == ContactState::Active) return "active";
    return "ended";
}
}  // namespace

// ---- framing ------------------------------------------------------------------------------------
void ChatService::open(ConnectionId connection, std::string remote_address) {
    int64_t now = now_ms();
    connections_[connection] = Connection{std::move(remote_address), std::nullopt, TokenBucket(kMessageRate, now),
                                          TokenBucket(kTypingRate, now), TokenBucket(kReceiptRate, now)};
}

int64_t ChatService::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool ChatService::within(ConnectionId id, TokenBucket& bucket, const json& client_id) {
    int64_t now = now_ms();
    if (bucket.take(now)) return true;
    error(id, "rate_limited", "Too many at once; wait a moment.", client_id, bucket.wait_ms(now));
    return false;
}

void ChatService::close(ConnectionId connection) {
    auto it = connections_.find(connection);
    if (it == connections_.end()) return;
    if (it->second.contact) {
        auto& set = by_contact_[*it->second.contact];
        set.erase(connection);
        if (set.empty()) {
            // The customer's page is gone: they are not typing any more. The chat itself stays
            // open so that a reload (resume) continues it.
            (void)contacts_.customer_typing(*it->second.contact, false);
            by_contact_.erase(*it->second.contact);
        }
    }
    connections_.erase(it);
}

bool ChatService::greeted(ConnectionId connection) const {
    auto it = connections_.find(connection);
    return it != connections_.end() && it->second.contact.has_value();
}

std::string ChatService::internal_error_frame() const {
    return sb::protocol::to_text(json{{"type", "error"}, {"code", "internal"}, {"message", "The server failed; try again."}});
}

void ChatService::on_message(ConnectionId id, std::string_view payload, bool text) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (!text) return error(id, "bad_json", "Send JSON as text frames.");
    if (payload.size() > kMaxFrame) return error(id, "frame_too_large", "The frame is larger than 65536 bytes.");
    if (!is_valid_utf8(payload)) return error(id, "bad_json", "The frame is not valid UTF-8.");
    json frame = json::parse(payload, nullptr, false);
    if (frame.is_discarded() || !frame.is_object()) return error(id, "bad_json", "The frame is not a JSON object.");
    if (!frame.contains("type") || !frame["type"].is_string())
        return error(id, "bad_message", "type: a string is required.");
    handle(id, it->second, frame);
}

// ---- requests -----------------------------------------------------------------------------------
void ChatService::handle(ConnectionId id, Connection& c, const json& f) {
    const std::string& type = f["type"].get_ref<const std::string&>();
    auto str = [&](const char* key) -> std::optional<std::string> {
        auto it = f.find(key);
        if (it == f.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    json client_id = f.contains("client_id") ? f["client_id"] : json(nullptr);

    static const std::set<std::string> kTypes = {"ping", "start", "resume", "message", "typing", "received", "end"};
    if (!kTypes.count(type)) return error(id, "unknown_type", "Unknown type \"" + sb::text::quote(type) + "\".");
    if (type == "ping") return send(id, {{"type", "pong"}});
    if (type == "start" || type == "resume") {
        if (c.contact) return error(id, "already_started", "This connection already has a chat.");
        if (type == "start") {
            int64_t wait = 0;
            if (!starts_.take(c.address, now_ms(), &wait))
                return error(id, "rate_limited", "Too many new chats from your network; try again in a moment.",
                             nullptr, wait);
            auto name = str("name");
            if (!name) return error(id, "bad_message", "name: a string is required.");
            if (f.contains("email") && !f["email"].is_string() && !f["email"].is_null())
                return error(id, "bad_message", "email: a string if given.");
            auto started = contacts_.start_chat(*name, str("email"));
            if (!started) return error(id, started.error().code, started.error().message);
            return attach(id, c, started.value().contact, "started", started.value().token);
        }
        auto token = str("token");
        if (!token) return error(id, "bad_message", "token: a string is required.");
        auto found = contacts_.find_chat(*token);
        if (!found) return error(id, found.error().code, found.error().message);
        return attach(id, c, found.value(), "resumed", std::nullopt);
    }
    if (!c.contact) return error(id, "not_started", "Send start (or resume) first.");
    const std::string contact = *c.contact;

    if (type == "message") {
        if (!within(id, c.messages, client_id)) return;
        auto text = str("text");
        if (!text) return error(id, "bad_message", "text: a string is required.", client_id);
        if (!client_id.is_null() && !client_id.is_string())
            return error(id, "bad_message", "client_id: a string if given.", nullptr);
        std::optional<std::string> cid;
        if (client_id.is_string()) cid = client_id.get<std::string>();
        auto m = contacts_.customer_message(contact, *text, cid);
        if (!m) return error(id, m.error().code, m.error().message, client_id);
        json ack{{"type", "ack"}, {"client_id", client_id}, {"message", customer_message_json(m.value())}};
        // The sender gets the ack; the customer's other tabs see the message.
        send(id, ack);
        json copy{{"type", "message"}, {"message", customer_message_json(m.value())}};
        for (ConnectionId other : by_contact_[contact])
            if (other != id) send(other, copy);
        return;
    }
    if (type == "typing") {
        if (!within(id, c.typing)) return;
        if (!f.contains("typing") || !f["typing"].is_boolean())
            return error(id, "bad_message", "typing: a boolean is required.");
        if (auto st = contacts_.customer_typing(contact, f["typing"].get<bool>()); !st)
            return error(id, st.error().code, st.error().message);
        return;
    }
    if (type == "received") {
        if (!within(id, c.receipts)) return;
        auto message = str("message");
        if (!message) return error(id, "bad_message", "message: a message id is required.");
        if (auto st = contacts_.chat_delivered(contact, *message); !st)
            return error(id, st.error().code, st.error().message);
        return;
    }
    if (type == "end") {
        auto st = contacts_.customer_end(contact);
        if (!st) return error(id, st.error().code, st.error().message);
        return send(id, {{"type", "ended"}, {"by", "customer"}});  // other tabs hear it via ended()
    }
}

void ChatService::attach(ConnectionId id, Connection& c, const ContactRecord& contact, const std::string& reply_type,
                         const std::optional<std::string>& token) {
    auto messages = contacts_.transcript(contact.id);
    if (!messages) return error(id, "internal", "The server failed; try again.");
    c.contact = contact.id;
    by_contact_[contact.id].insert(id);
    json list = json::array();
    for (const MessageRecord& m : messages.value()) list.push_back(customer_message_json(m));
    json reply{{"type", reply_type}, {"contact", contact.id}, {"state", customer_state(contact)},
               {"agent", contact.state == ContactState::Active && contact.agent ? json(contacts_.agent_display_name(*contact.agent))
                                                                   : json(nullptr)},
               {"messages", std::move(list)}, {"position", nullptr}, {"estimated_wait_seconds", nullptr}};
    if (token) reply["token"] = *token;
    if (contact.state == ContactState::Queued) {
        auto [position, wait] = contacts_.queue_position(contact);
        reply["position"] = position;
        reply["estimated_wait_seconds"] = wait;
    }
    if (contact.state == ContactState::WrapUp || contact.state == ContactState::Closed) reply["ended_by"] = contact.ended_by.value_or(Sender::Agent);
    log_.info("chat attached", {{"conn", id}, {"contact", contact.id}, {"how", reply_type}, {"address", c.address}});
    send(id, reply);
}

// ---- CustomerLink -------------------------------------------------------------------------------
void ChatService::queued(const ContactRecord& c, int position, int64_t estimated_wait_seconds) {
    to_contact(c.id, {{"type", "queued"}, {"position", position}, {"estimated_wait_seconds", estimated_wait_seconds}});
}

void ChatService::agent_joined(const ContactRecord& c, const std::string& agent_display_name) {
    to_contact(c.id, {{"type", "agent_joined"}, {"agent", agent_display_name}});
}

void ChatService::agent_message(const ContactRecord& c, const MessageRecord& m, const std::string&) {
    to_contact(c.id, {{"type", "message"}, {"message", customer_message_json(m)}});
}

void ChatService::agent_typing(const ContactRecord& c, bool typing) {
    to_contact(c.id, {{"type", "typing"}, {"typing", typing}});
}

void ChatService::message_status(const ContactRecord&, const MessageRecord&) {}

void ChatService::ended(const ContactRecord& c, Sender by) {
    to_contact(c.id, {{"type", "ended"}, {"by", by}});
}

// ---- output -------------------------------------------------------------------------------------
json ChatService::customer_message_json(const MessageRecord& m) {
    json j{{"id", m.id}, {"from", m.from}, {"text", sb::contact::mask_card_numbers(m.text)}, {"at", m.at}, {"status", m.status},
           {"agent", m.agent ? json(contacts_.agent_display_name(*m.agent)) : json(nullptr)}};
    if (m.from == Sender::Customer && m.client_id) j["client_id"] = *m.client_id;
    return j;
}

void ChatService::to_contact(const std::string& contact, const json& frame) {
    auto it = by_contact_.find(contact);
    if (it == by_contact_.end()) return;
    std::string text = sb::protocol::to_text(frame);
    for (ConnectionId id : it->second) output_.send(id, text);
}

void ChatService::send(ConnectionId id, const json& frame) { output_.send(id, sb::protocol::to_text(frame)); }

void ChatService::error(ConnectionId id, const std::string& code, const std::string& message, const json& client_id,
                        int64_t retry_after_ms) {
    // A refusal may quote what the customer sent (an unknown type): never a card number.
    json e{{"type", "error"}, {"code", code}, {"message", sb::contact::mask_card_numbers(message)}};
    if (!client_id.is_null()) e["client_id"] = client_id;
    if (retry_after_ms > 0) e["retry_after_ms"] = retry_after_ms;
    log_.limited(LogLevel::Info, "chat refused", {{"conn", id}, {"code", code}});
    send(id, e);
}

}  // namespace sbd
