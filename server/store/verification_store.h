// verification_store.h: the tables customer verification reads and writes (migration 10;
// docs/verification.md): the queues' policies, what the customer record holds to check answers
// against, each contact's flow with its SMS code's hash, the customers' locks, and what the
// `sensitive` section shows once a contact is verified. VerificationService (verify/) decides;
// this only reads and writes. Shares the Store's database; every call is a value or an error.
//
// Sections: records · VerificationStore
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/store/database.h"
#include "util/result.h"
#include "verify/verification.h"

namespace sbd {

// ---- records ------------------------------------------------------------------------------------
struct VerificationPolicyRow {  // as stored: the steps as text, checked by the service
    std::string steps;
    int required = 0, attempts = 0, max_failures = 0;
    int64_t lock_ms = 0;
};
// What the customer record holds to verify against (empty values read as none).
struct CustomerOnFile {
    std::optional<std::string> dob, postcode, phrase_hash, phone;
    std::vector<std::string> account_numbers;
};
// A contact's stored flow (its JSON) and its current SMS code.
struct StoredVerification {
    std::string flow_json;
    std::optional<std::string> code_hash;
    int64_t code_expires_at = 0;  // 0: none
    int codes_sent = 0;
};
struct AccountRow {
    std::string id, plan, status, number;  // number: empty when none
    int64_t balance_cents = 0;
};
struct CustomerPersonal {  // empty values read as none
    std::optional<std::string> dob, address, postcode;
};
struct CardOnFile {  // never the number: the gateway's card as a payment method keeps it
    std::string brand, last4;
    int exp_month = 0, exp_year = 0;
};

// ---- VerificationStore --------------------------------------------------------------------------
class VerificationStore {
public:
    explicit VerificationStore(Database& db) : db_(db) {}

    sb::Result<std::optional<VerificationPolicyRow>> policy(const std::string& queue);
    // none: no such customer.
    sb::Result<std::optional<CustomerOnFile>> on_file(const std::string& customer);
    sb::Result<sb::verify::CustomerLock> lock(const std::string& customer);  // none stored: unlocked
    sb::Status save_lock(const std::string& customer, const sb::verify::CustomerLock& lock);
    sb::Result<std::optional<StoredVerification>> find(const std::string& contact);
    // Inserts or updates the contact's row (the customer it verifies, stamped `now`).
    sb::Status save(const std::string& contact, const std::string& customer, const StoredVerification& v, int64_t now);

    // The `sensitive` section's sources: accounts in the order they were opened, the personal
    // fields, and each card on file once (latest first).
    sb::Result<std::vector<AccountRow>> accounts(const std::string& customer);
    sb::Result<std::optional<CustomerPersonal>> personal(const std::string& customer);
    sb::Result<std::vector<CardOnFile>> cards(const std::string& customer);

private:
    Database& db_;
};

}  // namespace sbd
