// fake_payment_gateway.cpp: the demo's and the tests' payment gateway (see fake_payment_gateway.h).
#include "server/dev/fake_payment_gateway.h"

#include "contact/card.h"
#include "contact/payment_card.h"
#include "protocol/schema.h"
#include "server/payments/wipe.h"

namespace sbd {

namespace card = sb::contact;
using json = nlohmann::json;

std::optional<ApiReply> FakePaymentGateway::handle(const ApiRequest& req) {
    const std::string &method = req.method, &path = req.path, &body = req.body;
    auto reply = [](unsigned status, const json& j) { return api_json(status, j); };
    auto bad = [&](const std::string& why) { return reply(400, {{"status", "error"}, {"reason", why}}); };
    if (path == "/dev/payment-gateway/charges") {
        if (method != "GET" && method != "HEAD") return reply(405, {{"status", "error"}, {"reason", "GET only"}});
        return reply(200, {{"charges", charges_}});
    }
    if (path != "/dev/payment-gateway" && path != "/dev/payment-gateway/refunds") return std::nullopt;
    if (method != "POST") return reply(405, {{"status", "error"}, {"reason", "POST only"}});
    json j = json::parse(body, nullptr, false);
    if (!j.is_object()) return bad("send a JSON object");
    // What it records has no card number and no CVC: only the last four digits. The request's
    // copies are wiped on every way out.
    struct Wipe {
        json& j;
        std::optional<std::string>& digits;
        ~Wipe() {
            wipe_json_string(j, "card_number");
            wipe_json_string(j, "cvc");
            if (digits) wipe(*digits);
        }
    };
    std::optional<std::string> digits;
    Wipe wiper{j, digits};
    // Idempotency: a request whose idempotency_key was seen gets the first answer again and
    // changes nothing (no second charge or refund); the same key on another request is 422.
    std::optional<std::string> key;
    if (j.contains("idempotency_key")) {
        if (!j["idempotency_key"].is_string() || j["idempotency_key"].get_ref<const std::string&>().empty() ||
            j["idempotency_key"].get_ref<const std::string&>().size() > 255)
            return bad("send idempotency_key as a string of 1 to 255 characters");
        key = path + " " + j["idempotency_key"].get<std::string>();
        if (auto seen = answers_.find(*key); seen != answers_.end()) {
            if (seen->second.reference != j.value("reference", json()) || seen->second.amount != j.value("amount", json()))
                return reply(422, {{"status", "error"}, {"reason", "idempotency_key was used for another request"}});
            return seen->second.reply;
        }
    }
    auto remember = [&](ApiReply r) {
        if (key) answers_[*key] = Answer{j.value("reference", json()), j.value("amount", json()), r};
        return r;
    };
    const json key_json = key ? json(card::mask_card_numbers(j["idempotency_key"].get<std::string>())) : json(nullptr);
    if (path == "/dev/payment-gateway/refunds") {
        if (!j.contains("token") || !j["token"].is_string() || !j.contains("reference") || !j["reference"].is_string() ||
            !j.contains("amount") || !j["amount"].is_number_integer())
            return bad("send {token, reference, amount}");
        if (!tokens_.count(j["token"].get<std::string>()))
            return remember(reply(404, {{"status", "error"}, {"reason", "unknown token"}}));
        charges_.push_back({{"kind", "refund"}, {"reference", j["reference"]}, {"amount", j["amount"]},
                                 {"status", "refunded"}, {"idempotency_key", key_json}, {"at", now_()}});
        return remember(reply(200, {{"status", "refunded"}}));
    }
    // A charge.
    for (const char* k : {"card_number", "cvc", "currency", "reference"})
        if (!j.contains(k) || !j[k].is_string()) return bad(std::string("send ") + k + " as a string");
    for (const char* k : {"exp_month", "exp_year", "amount"})
        if (!j.contains(k) || !j[k].is_number_integer()) return bad(std::string("send ") + k + " as an integer");
    digits = card::normalise_card_number(j["card_number"].get_ref<const std::string&>());
    if (!digits || digits->size() < 13 || digits->size() > 19 || !card::luhn_valid(*digits))
        return bad("invalid card number");
    std::string last4 = card::card_last4(*digits);
    card::CardBrand brand = card::card_brand(*digits);
    bool decline = *digits == "4000000000000002";
    json charge = {{"kind", "charge"},          {"reference", j["reference"]}, {"amount", j["amount"]},
                   {"currency", j["currency"]}, {"last4", last4},              {"status", decline ? "declined" : "approved"},
                   {"idempotency_key", key_json}, {"at", now_()}};
    charges_.push_back(charge);
    if (decline) return remember(reply(402, {{"status", "declined"}, {"reason", "card declined"}}));
    std::string token = "tok_" + random_id_();
    tokens_.insert(token);
    return remember(reply(200, {{"status", "approved"}, {"token", token}, {"brand", std::string(card::to_string(brand))},
                                {"last4", last4}}));
}

}  // namespace sbd
