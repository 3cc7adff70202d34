// payment_store.h: the payments tables (migrations 11, 15, 16; docs/payments.md): every payment
// taken on a contact, and the customers' payment methods (the gateway's token, brand, last four
// and expiry: never the card number or the CVC). PaymentService (payments/payments.h) decides;
// this only reads and writes. Shares the Store's database; every call is a value or an error.
//
// Sections: Payment · PaymentStore
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contact/lifecycle.h"
#include "server/store/database.h"
#include "util/result.h"

namespace sbd {

// ---- Payment ------------------------------------------------------------------------------------
struct Payment {
    std::string id, contact, customer, agent;
    int64_t amount = 0;           // minor units
    std::string currency = "USD";
    // The shared lifecycle (contact/lifecycle.h); changed only by PaymentService::move().
    sb::contact::PaymentState state = sb::contact::PaymentState::Capturing;
    std::optional<int64_t> method;          // payment_methods.id, once approved
    std::optional<std::string> gateway_ref; // the gateway's token for this charge
    nlohmann::json error = nullptr;         // {code, message} or null
    int64_t created_at = 0, updated_at = 0;
    nlohmann::json card = nullptr;          // {brand, last4, expiry "MM/YY"} (from the method)
    // The last charge sent to the gateway: its idempotency key and the card it was for
    // ("brand last4 MM/YYYY"; never the number). A charge whose outcome is unknown is sent again
    // under the same key, so the gateway never charges it twice (docs/payments.md).
    std::optional<std::string> charge_key, charge_card;
    // The state the row had when this copy was read or last saved; none for a payment not yet
    // stored. A save changes the row only if it still has it: of two nodes moving one payment
    // at once (an expiry and an approval), one wins and the other is told kPaymentChanged.
    std::optional<sb::contact::PaymentState> stored;
};

// A card the gateway approved, as a payment method keeps it.
struct PaymentMethodRecord {
    std::string customer, token, brand, last4;
    int exp_month = 0, exp_year = 0;
    int64_t created_at = 0;
};

// ---- PaymentStore -------------------------------------------------------------------------------
class PaymentStore {
public:
    explicit PaymentStore(Database& db) : db_(db) {}
    Database& database() { return db_; }

    // Capturing or authorizing: what a previous run left open.
    sb::Result<std::vector<Payment>> open_payments();
    sb::Result<std::optional<Payment>> find(const std::string& id);
    // The contact's latest payment: the last one made (by its place, not its clock).
    sb::Result<std::optional<Payment>> latest(const std::string& contact);
    // Inserts a new payment (numbered after every other) or updates what may change on one whose
    // row still has the state `p.stored` (else kPaymentChanged, nothing written); then
    // p.stored is its state. The error's message is ours or the gateway's reason (masked again
    // here): never card data.
    static constexpr const char* kPaymentChanged = "payment_changed";
    sb::Status save(Payment& p);
    // Returns the new method's id.
    sb::Result<int64_t> add_method(const PaymentMethodRecord& m);
    // The gateway's token of a stored method, for a refund; none if there is no such method.
    sb::Result<std::optional<std::string>> method_token(int64_t method);

private:
    Database& db_;
};

}  // namespace sbd
