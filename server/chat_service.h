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

#include "contact_service.h"
#include "frame_handler.h"
#include "log.h"

namespace sbd {

class ChatService : public FrameHandler, public CustomerLink {
public:
    static constexpr std::size_t kMaxFrame = 65536;

    ChatService(ContactService& contacts, DeskOutput& output, Logger& log)
        : contacts_(contacts), output_(output), log_(log) {
        contacts_.set_chat_link(this);
    }

    // ---- framing ----
    void open(ConnectionId connection, std::string remote_address) override;
    void close(ConnectionId connection) override;
    void on_message(ConnectionId connection, std::string_view payload, bool text) override;

    // ---- CustomerLink ----
    void queued(const ContactRecord& c, int position, int64_t estimated_wait_seconds) override;
    void agent_joined(const ContactRecord& c, const std::string& agent_display_name) override;
    void agent_message(const ContactRecord& c, const MessageRecord& m, const std::string& display_name) override;
    void agent_typing(const ContactRecord& c, bool typing) override;
    void message_status(const ContactRecord& c, const MessageRecord& m) override;
    void ended(const ContactRecord& c, const std::string& by) override;

private:
    struct Connection {
        std::string address;
        std::optional<std::string> contact;
    };
    void handle(ConnectionId id, Connection& c, const nlohmann::json& frame);
    void attach(ConnectionId id, Connection& c, const ContactRecord& contact, const std::string& reply_type,
                const std::optional<std::string>& token);
    void to_contact(const std::string& contact, const nlohmann::json& frame);
    void send(ConnectionId id, const nlohmann::json& frame);
    void error(ConnectionId id, const std::string& code, const std::string& message,
               const nlohmann::json& client_id = nullptr);
    nlohmann::json customer_message_json(const MessageRecord& m);

    ContactService& contacts_;
    DeskOutput& output_;
    Logger& log_;
    std::map<ConnectionId, Connection> connections_;
    std::map<std::string, std::set<ConnectionId>> by_contact_;
};

}  // namespace sbd
