// fake_sms_provider.cpp: the demo's and the tests' SMS provider (see fake_sms_provider.h).
#include "server/dev/fake_sms_provider.h"

#include "contact/card.h"

namespace sbd {

using json = nlohmann::json;

std::optional<ApiReply> FakeSmsProvider::handle(const ApiRequest& req) {
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (req.path == "/dev/sms-provider") {
        if (req.method != "POST") return api_error(405, "method_not_allowed", "POST /dev/sms-provider.");
        json j = json::parse(req.body, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("from") || !j.contains("to") || !j.contains("body") ||
            !j["from"].is_string() || !j["to"].is_string() || !j["body"].is_string())
            return api_error(400, "bad_message", "Send JSON {\"from\", \"to\", \"body\"}.");
        // What the fake provider records is storage too: no card numbers (docs/security.md).
        auto id = store_.record_provider_sms(j["from"], j["to"],
                                             sb::contact::mask_card_numbers(j["body"].get_ref<const std::string&>()), now_());
        if (!id) return api_error(500, "internal", "The server failed; try again.");
        return api_json(200, {{"id", std::to_string(id.value())}, {"status", "queued"}});
    }
    if (req.path == "/dev/sms-provider/outbox") {
        if (!get) return api_error(405, "method_not_allowed", "GET /dev/sms-provider/outbox.");
        auto list = store_.provider_outbox();
        if (!list) return api_error(500, "internal", "The server failed; try again.");
        return api_json(200, {{"messages", list.value()}});
    }
    return std::nullopt;
}

}  // namespace sbd
