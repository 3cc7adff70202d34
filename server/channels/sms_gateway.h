// sms_gateway.h: SMS in and out of switchboardd (docs/sms.md).
//
// In: POST /sms/inbound with the form fields From, To, Body (and optionally MessageSid, which
// makes a gateway's retry of the same webhook a no-op), as SMS gateways commonly send them.
// Out: every agent message on an SMS contact is POSTed as JSON {"from", "to", "body"} to the
// provider URL; a 2xx keeps it "sent", anything else is retried with backoff (0.5 s, 1 s, 2 s:
// four attempts) and then marks it "failed". Unsettled sends are kept in the store and resumed
// at start (resume()). The fake provider (--fake-sms-provider) records what it gets.
//
// Sections: form decoding · SmsSender
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio.hpp>

#include "server/app/log.h"
#include "server/contacts/contact_service.h"
#include "server/net/http_client.h"

namespace sbd {

// ---- form decoding --------------------------------------------------------------------------------
// application/x-www-form-urlencoded: '&'-separated, '+' is a space, %XX escapes. Returns
// nullopt on a malformed escape. A repeated key keeps its first value.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

// ---- SmsSender ----------------------------------------------------------------------------------
class SmsSender : public CustomerLink {
public:
    static constexpr int kAttempts = 4;

    SmsSender(boost::asio::io_context& io, ContactService& contacts, Logger& log) : io_(io), contacts_(contacts), log_(log) {
        contacts_.set_sms_link(this);
    }
    // Without a provider every outbound SMS fails at once (and the log says why).
    void set_provider(std::optional<HttpUrl> url) { provider_ = std::move(url); }
    // Observer of outbound SMS (the simulator's customers read their replies here).
    void set_observer(std::function<void(const std::string& to, const std::string& body)> f) { observer_ = std::move(f); }

    void agent_message(const ContactRecord& c, const MessageRecord& m, const std::string& display_name) override;
    // At start, after set_provider: send what a previous run stored but did not settle.
    void resume(ContactStore& store);

private:
    void attempt(std::string message_id, std::string payload, int attempt);

    boost::asio::io_context& io_;
    ContactService& contacts_;
    Logger& log_;
    std::optional<HttpUrl> provider_;
    std::function<void(const std::string&, const std::string&)> observer_;
};

}  // namespace sbd
