// simulator.h: simulated customers for the demo (--simulate). At --simulate-rate per minute a
// customer turns up with a believable request (billing question, order status, return,
// complaint, address change) by web chat or by SMS, and answers what the agent writes with the
// next line of their story, then thanks the agent and leaves.
//
// They use the real interfaces: chat customers speak docs/chat-protocol.md to the ChatService
// (the handler behind /chat/ws, through connection ids of their own instead of a socket), SMS
// customers POST the /sms/inbound webhook over loopback HTTP and read the agent's replies as the
// SMS provider would receive them.
//
// Sections: SimulatorOutput · Simulator
#pragma once

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "chat_service.h"
#include "desk_hub.h"
#include "http_client.h"
#include "log.h"

namespace sbd {

class Simulator;

// ---- SimulatorOutput: frames for simulated chat customers go to the simulator, the rest to
// the real sockets -------------------------------------------------------------------------------
class SimulatorOutput : public DeskOutput {
public:
    explicit SimulatorOutput(DeskHub& hub) : hub_(hub) {}
    void set_simulator(Simulator* s) { sim_ = s; }
    void send(ConnectionId id, std::string frame) override;

private:
    DeskHub& hub_;
    Simulator* sim_ = nullptr;
};

// ---- Simulator ----------------------------------------------------------------------------------
class Simulator {
public:
    Simulator(boost::asio::io_context& io, ChatService& chat, DeskHub& hub, Logger& log, double per_minute)
        : io_(io), chat_(chat), hub_(hub), log_(log), per_minute_(per_minute), timer_(io), rng_(std::random_device{}()) {}

    void start(const std::string& server_url);  // loopback URL of this server, for /sms/inbound
    void stop();
    bool owns(ConnectionId id) const { return chats_.count(id) > 0; }
    void on_frame(ConnectionId id, const std::string& frame);
    void on_outbound_sms(const std::string& to, const std::string& body);

    struct Story;  // a customer's request: opening line, follow-ups, thanks

private:
    struct Customer {
        const Story* story = nullptr;
        std::size_t next_line = 0;
        bool done = false;
        std::string phone;  // SMS customers
    };
    void schedule_next_arrival();
    void arrive();
    void start_chat();
    void start_sms();
    void reply(ConnectionId chat_id, const std::string& phone);
    void later(double seconds, std::function<void()> f);
    void chat_send(ConnectionId id, const nlohmann::json& frame);
    void sms_send(const std::string& phone, const std::string& to, const std::string& body);
    double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }

    boost::asio::io_context& io_;
    ChatService& chat_;
    DeskHub& hub_;
    Logger& log_;
    double per_minute_;
    boost::asio::steady_timer timer_;
    std::mt19937 rng_;
    std::optional<HttpUrl> inbound_;
    bool stopped_ = false;
    int counter_ = 0;
    std::map<ConnectionId, Customer> chats_;
    std::map<std::string, Customer> sms_;  // by E.164 number
};

}  // namespace sbd
