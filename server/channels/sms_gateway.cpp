// sms_gateway.cpp: form decoding and the outbound SMS sender (see sms_gateway.h).
#include "server/channels/sms_gateway.h"

#include <memory>

#include "contact/card.h"
#include "protocol/schema.h"

namespace sbd {

using json = nlohmann::json;

// ---- form decoding --------------------------------------------------------------------------------
namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}
}  // namespace

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    std::map<std::string, std::string> out;
    while (!body.empty()) {
        auto amp = body.find('&');
        std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        auto key = url_decode(pair.substr(0, eq));
        auto value = url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (!key || !value) return std::nullopt;
        out.emplace(std::move(*key), std::move(*value));
    }
    return out;
}

// ---- SmsSender ----------------------------------------------------------------------------------
void SmsSender::agent_message(const ContactRecord& c, const MessageRecord& m, const std::string&) {
    // The text was masked when it was stored (ContactService::add_message); masking again here
    // keeps card numbers off the provider's wire even if a caller forgets (docs/security.md).
    std::string body = sb::contact::mask_card_numbers(m.text);
    json payload{{"from", c.service_address.value_or("")}, {"to", c.customer_address.value_or("")}, {"body", body}};
    if (observer_) observer_(c.customer_address.value_or(""), body);
    if (!provider_) {
        log_.warn("sms not sent: no --sms-provider-url", {{"message", m.id}});
        contacts_.sms_status(m.id, MessageStatus::Failed);
        return;
    }
    attempt(m.id, sb::protocol::to_text(payload), 1);
}

void SmsSender::resume(ContactStore& store) {
    auto pending = store.pending_sms();
    if (!pending) {
        log_.error("cannot read pending sms", {{"error", pending.error().message}});
        return;
    }
    for (const auto& p : pending.value()) {
        log_.info("resuming sms", {{"message", p.message}});
        if (!provider_) {
            contacts_.sms_status(p.message, MessageStatus::Failed);
            continue;
        }
        attempt(p.message, sb::protocol::to_text(json{{"from", p.from}, {"to", p.to}, {"body", sb::contact::mask_card_numbers(p.body)}}), 1);
    }
}

void SmsSender::attempt(std::string message_id, std::string payload, int n) {
    http_post(io_, *provider_, "application/json", payload, std::chrono::seconds(10),
              [this, message_id, payload, n](sb::Result<HttpResponse> r) {
                  bool ok = r && r.value().status >= 200 && r.value().status < 300;
                  if (ok) {
                      log_.info("sms sent", {{"message", message_id}, {"attempt", n}});
                      contacts_.sms_status(message_id, MessageStatus::Sent);
                      return;
                  }
                  std::string why = r ? "status " + std::to_string(r.value().status) : r.error().message;
                  if (n >= kAttempts) {
                      log_.warn("sms failed", {{"message", message_id}, {"attempts", n}, {"error", why}});
                      contacts_.sms_status(message_id, MessageStatus::Failed);
                      return;
                  }
                  log_.info("sms retry", {{"message", message_id}, {"attempt", n}, {"error", why}});
                  auto timer = std::make_shared<boost::asio::steady_timer>(io_);
                  timer->expires_after(std::chrono::milliseconds(500LL << (n - 1)));
                  timer->async_wait([this, timer, message_id, payload, n](const boost::system::error_code& ec) {
                      if (!ec) attempt(message_id, payload, n + 1);
                  });
              });
}

}  // namespace sbd
