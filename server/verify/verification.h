// verification.h: customer identity verification in switchboardd (docs/verification.md). The
// rules are core/verify's (the flow's state machine, the customer lock, the normalisers); this
// keeps them (store/verification_store.h), compares answers with the record, sends the SMS code
// and says what a desk may see of a customer.
//
// What is stored: the customer's date of birth (canonical), address and postcode, accounts'
// numbers, the security phrase only as an Argon2id hash of its normalised form; per queue a
// policy; per contact its flow and the current SMS code's hash, expiry and send count; per
// customer the lock (failures in the window, locked_until). Nothing stored is ever sent to a
// desk before the contact is verified, and a stored answer never is.
//
// ContactService's verification requests (verify, verify_answer, verify_send_code) and its
// require_verified() check live in verification.cpp too, beside this service.
//
// Sections: VerificationService (flows · answers · SMS codes · what a desk sees · internals)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/app/clock.h"
#include "server/app/log.h"
#include "server/store/contact_store.h"
#include "server/store/verification_store.h"
#include "util/result.h"
#include "verify/verification.h"

namespace sbd {

class AuditLog;
class MfaKeys;  // mfa.h

// Argon2id of the normalised phrase ("Blue whale!" and "blue whale" hash alike); for the seed.
sb::Result<std::string> hash_security_phrase(const std::string& phrase);

class VerificationService {
public:
    static constexpr int64_t kCodeTtlMs = 5 * 60 * 1000;
    static constexpr int kMaxCodesPerContact = 3;

    struct Deps {
        VerificationStore& store;  // its tables (store/verification_store.h)
        ContactStore& contacts;
        Logger& log;
        Clock now;
        // Sends one SMS through the provider (the fake one in tests): from our number, to theirs.
        std::function<void(const std::string& from, const std::string& to, const std::string& body)> send_sms;
        // A uniformly random integer in [0, bound) (libsodium's randombytes_uniform).
        std::function<uint32_t(uint32_t bound)> random_below;
    };
    explicit VerificationService(Deps deps) : d_(std::move(deps)) {}
    void set_audit(AuditLog* audit) { audit_ = audit; }
    // The server's key (the MFA key file) for hashing SMS codes; without it (tests) unkeyed.
    void set_keys(const MfaKeys* keys) { keys_ = keys; }

    // ---- flows ----
    // The contact's flow as it stands now: stored, or new from its queue's policy; locked while
    // the customer is; a lock that ended starts it again. With the hint and the code's expiry.
    sb::Result<sb::verify::Flow> flow(const ContactRecord& c);
    sb::Result<bool> is_verified(const ContactRecord& c);
    // The contact is verified, or the error verification_required.
    sb::Status require_verified(const ContactRecord& c);

    // ---- answers ----
    struct Outcome {
        bool passed = false;
        int attempts_left = 0;
        sb::verify::Flow flow;
        bool locked_customer = false;  // this answer locked the customer
    };
    // A security phrase answer's Argon2id check (tens of ms of CPU), made away from the I/O
    // thread before answer() runs: the hash on file and the answer as compared, then the result.
    struct PhraseCheck {
        std::string hash;
        std::string answer;  // normalised
        bool matched = false;
        void run();          // on a worker: sets `matched`
        PhraseCheck() = default;
        PhraseCheck(PhraseCheck&&) = default;
        PhraseCheck& operator=(PhraseCheck&&) = default;
        PhraseCheck(const PhraseCheck&) = delete;
        PhraseCheck& operator=(const PhraseCheck&) = delete;
        ~PhraseCheck();      // the answer is wiped
    };
    // The check answer() would make on the I/O thread for this step and answer: a security
    // phrase with a hash on file. nullopt: nothing slow (another step, an unreadable answer, no
    // phrase on file: answer() answers at once).
    std::optional<PhraseCheck> phrase_check(const ContactRecord& c, const std::string& step, const std::string& answer);
    // Errors: bad_message (unreadable answer; no attempt used), unknown_step, wrong_state,
    // verification_locked (with retry_after_ms), code_not_sent, code_expired. `checked`: the
    // phrase_check() already made, used if it is still the record's hash and this answer.
    sb::Result<Outcome> answer(const ContactRecord& c, const std::string& agent, const std::string& step,
                               const std::string& answer, const PhraseCheck* checked = nullptr);

    // ---- SMS codes ----
    struct CodeSent {
        std::string sent_to;  // masked: "•••• 0002"
        int64_t expires_at = 0;
        sb::verify::Flow flow;
    };
    // Errors: unknown_step (no sms_code step), wrong_state (no phone on file, step over),
    // verification_locked, rate_limited (kMaxCodesPerContact sent).
    sb::Result<CodeSent> send_code(const ContactRecord& c, const std::string& agent);

    // ---- what a desk sees ----
    // The customer's sensitive section: masked ({"unlocked": false, accounts with masked
    // numbers and no balance}) or, unlocked, in full.
    sb::Result<nlohmann::json> sensitive_json(const std::string& customer, bool unlocked);
    // Anything on file a verification step could check (date of birth, postcode, an account
    // number, a security phrase)? A customer without is new: nothing of theirs to protect yet.
    sb::Result<bool> has_knowledge_on_file(const std::string& customer);

    // An audit entry about the contact (its verification subject as the customer).
    void audit(const std::string& actor, const char* action, const ContactRecord& c, nlohmann::json detail);

private:
    struct Stored {
        sb::verify::Flow flow;
        std::optional<std::string> code_hash;
        int64_t code_expires_at = 0;
        int codes_sent = 0;
        bool exists = false;
    };
    sb::Result<sb::verify::Policy> policy_for(const std::string& queue);
    sb::Result<CustomerOnFile> on_record(const std::string& customer);  // an error if there is no such customer
    sb::Result<Stored> load(const ContactRecord& c);  // reconciled with the customer's lock
    sb::Status save(const ContactRecord& c, const Stored& s);
    sb::Result<bool> matches(const ContactRecord& c, const Stored& s, sb::verify::StepKind step,
                             const std::string& canonical, const PhraseCheck* checked);
    void decorate(const ContactRecord& c, const Stored& s, sb::verify::Flow& f);
    std::string code_hash(const std::string& contact, const std::string& code) const;  // mfa.h sms_code_hash

    Deps d_;
    AuditLog* audit_ = nullptr;
    const MfaKeys* keys_ = nullptr;
};

}  // namespace sbd
