// fake_payment_gateway.h: the payment gateway the demo and the tests use (--fake-payment-gateway;
// docs/payments.md, "The fake gateway"). Served on loopback only, under /dev/payment-gateway:
//   POST /dev/payment-gateway          a charge: {card_number, exp_month, exp_year, cvc, amount,
//                                      currency, reference, idempotency_key?}; 4000000000000002
//                                      is declined (402), any other valid card approved with a token
//   POST /dev/payment-gateway/refunds  {token, reference, amount, idempotency_key?}
//   GET  /dev/payment-gateway/charges  what it was sent: no card number and no CVC, only last four
// A repeated idempotency key gets the first answer again and charges nothing; the same key for
// another request is 422. Not part of the production server (sb_server): switchboardd links it
// from the sb_dev library with the simulator and the fake SMS provider.
//
// Sections: FakePaymentGateway
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "server/app/clock.h"
#include "server/net/http_api.h"

namespace sbd {

class FakePaymentGateway {
public:
    FakePaymentGateway(Clock now, std::function<std::string()> random_id)
        : now_(std::move(now)), random_id_(std::move(random_id)) {}

    // A /dev/* handler (HttpApi::add_dev_handler): nullopt when the path is not one of its own.
    std::optional<ApiReply> handle(const ApiRequest& req);

private:
    Clock now_;
    std::function<std::string()> random_id_;
    nlohmann::json charges_ = nlohmann::json::array();  // what it was sent (no card numbers)
    std::set<std::string> tokens_;                      // the tokens it issued
    struct Answer {  // the first answer to an idempotency key (path + key), and what it was for
        nlohmann::json reference, amount;
        ApiReply reply;
    };
    std::map<std::string, Answer> answers_;
};

}  // namespace sbd
