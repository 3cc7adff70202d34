// simulator.h: simulated customers for the demo (--simulate). At --simulate-rate per minute a
// customer turns up with a believable request (billing question, order status, return,
// complaint, address change) by web chat or by SMS, and answers what the agent writes with the
// next line of their story, then thanks the agent and leaves.
//
// They use the real interfaces over loopback, as an outside customer would: chat customers open
// a WebSocket to this server's /chat/ws and speak docs/chat-protocol.md; SMS customers POST the
// /sms/inbound webhook and read the agent's replies as the SMS provider receives them.
//
// Sections: Simulator
#pragma once

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include <nlohmann/json.hpp>

#include "server/app/log.h"
#include "server/net/http_client.h"
#include "native/websocket_client.h"

namespace sbd {

// ---- Simulator ----------------------------------------------------------------------------------
class Simulator {
public:
    Simulator(boost::asio::io_context& io, Logger& log, double per_minute)
        : io_(io), log_(log), per_minute_(per_minute), timer_(io), rng_(std::random_device{}()) {}

    // `server_url`: this server's own http:// URL (loopback), for /chat/ws and /sms/inbound.
    // `sms_secret`: the SMS webhook's secret, to sign the simulated customers' texts.
    void start(const std::string& server_url, std::optional<std::string> sms_secret);
    void stop();  // closes the customers' sockets; no more arrivals
    void on_outbound_sms(const std::string& to, const std::string& body);

    struct Story;  // a customer's request: opening line, follow-ups, thanks

private:
    using ChatId = int;
    struct Customer {
        const Story* story = nullptr;
        std::size_t next_line = 0;
        bool done = false;
        std::string phone;                                      // SMS customers
        std::shared_ptr<sb::native::WebSocketClient> socket;    // chat customers
    };
    void schedule_next_arrival();
    void arrive();
    void start_chat();
    void start_sms();
    void reply(ChatId chat_id, const std::string& phone);
    void later(double seconds, std::function<void()> f);
    void chat_send(ChatId id, const nlohmann::json& frame);
    void on_chat_frame(ChatId id, const std::string& frame);
    void leave_chat(ChatId id);
    void keep_alive(ChatId id);
    void sms_send(const std::string& phone, const std::string& to, const std::string& body);
    double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }

    boost::asio::io_context& io_;
    Logger& log_;
    double per_minute_;
    boost::asio::steady_timer timer_;
    std::mt19937 rng_;
    std::optional<HttpUrl> inbound_;
    std::optional<std::string> sms_secret_;
    std::string chat_url_;  // ws://host:port/chat/ws
    bool stopped_ = false;
    int counter_ = 0;
    ChatId next_chat_ = 0;
    std::map<ChatId, Customer> chats_;
    std::map<std::string, Customer> sms_;  // by E.164 number
    std::set<std::shared_ptr<boost::asio::steady_timer>> pending_;  // later()'s, until they fire
};

}  // namespace sbd
