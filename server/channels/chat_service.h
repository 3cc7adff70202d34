// chat_service.h: the customer side of web chat, the WebSocket at /chat/ws that the page at
// /chat speaks (docs/chat-protocol.md). Socket-free like DeskService: frames in, frames out
// through DeskOutput; the conversation itself lives in ContactService, which tells this service
// (as its chat CustomerLink) what the customer should see.
//
// Sections: ChatService (framing · requests · CustomerLink)
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "server/app/log.h"
#include "server/contacts/contact_service.h"
#include "server/net/frame_handler.h"
#include "server/net/rate_limit.h"

namespace sbd {

class ChatService : public FrameHandler, public CustomerLink {
public:
    static constexpr std::size_t kMaxFrame = 65536;
    // What one customer's connection may send (more is refused with rate_limited).
    static constexpr RateSpec kMessageRate{1, 10};   // messages: 10 at once, then one a second
    static constexpr RateSpec kTypingRate{2, 10};
    static constexpr RateSpec kReceiptRate{20, 100};

    ChatService(ContactService& contacts, DeskOutput& output, Logger& log)
        : contacts_(contacts), output_(output), log_(log) {
        contacts_.set_chat_link(this);
    }

    // ---- framing ----
    void open(ConnectionId connection, std::string remote_address) override;
    void close(ConnectionId connection) override;
    void on_message(ConnectionId connection, std::string_view payload, bool text) override;
    bool greeted(ConnectionId connection) const override;
    std::string internal_error_frame() const override;
    Audience audience() const override { return Audience::customers; }

    // ---- CustomerLink ----
    void queued(const ContactRecord& c, int position, int64_t estimated_wait_seconds) override;
    void agent_joined(const ContactRecord& c, const std::string& agent_display_name) override;
    void agent_message(const ContactRecord& c, const MessageRecord& m, const std::string& display_name) override;
    void agent_typing(const ContactRecord& c, bool typing) override;
    void message_status(const ContactRecord& c, const MessageRecord& m) override;
    void ended(const ContactRecord& c, Sender by) override;

private:
    struct Connection {
        std::string address;
        std::optional<std::string> contact;
        TokenBucket messages, typing, receipts;  // per connection (docs/chat-protocol.md, "Limits")
    };
    int64_t now_ms() const;
    // Takes one from `bucket`; false after sending the customer rate_limited.
    bool within(ConnectionId id, TokenBucket& bucket, const nlohmann::json& client_id = nullptr);
    void handle(ConnectionId id, Connection& c, const nlohmann::json& frame);
    void attach(ConnectionId id, Connection& c, const ContactRecord& contact, const std::string& reply_type,
                const std::optional<std::string>& token);
    void to_contact(const std::string& contact, const nlohmann::json& frame);
    void send(ConnectionId id, const nlohmann::json& frame);
    void error(ConnectionId id, const std::string& code, const std::string& message,
               const nlohmann::json& client_id = nullptr, int64_t retry_after_ms = 0);
    nlohmann::json customer_message_json(const MessageRecord& m);

    ContactService& contacts_;
    DeskOutput& output_;
    Logger& log_;
    std::map<ConnectionId, Connection> connections_;
    KeyedRateLimit starts_{RateSpec{1.0 / 6, 10}};  // new chats per address: 10, then one each 6 s
    std::map<std::string, std::set<ConnectionId>> by_contact_;
};

}  // namespace sbd
