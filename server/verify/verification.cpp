// verification.cpp: customer verification in switchboardd (see verification.h), and
// ContactService's verification requests and checks (see contact_service.h).
#include "server/verify/verification.h"
#include "util/text.h"

#include <algorithm>
#include <cstdio>

#include <sodium.h>

#include "server/accounts/mfa.h"
#include "server/admin/audit.h"
#include "contact/card.h"
#include "contact/phone.h"
#include "server/contacts/contact_service.h"
#include "protocol/schema.h"
#include "verify/normalise.h"

namespace sbd {

namespace code = sb::protocol::code;
namespace verify = sb::verify;
using json = nlohmann::json;
using sb::make_error;
using sb::Ok;
using sb::Status;

namespace {
sb::Error locked_error(int64_t until, int64_t now) {
    sb::Error e = make_error(code::verification_locked,
                             "Verification is locked for this customer after too many wrong answers; try again later.");
    e.retry_after_ms = std::max<int64_t>(0, until - now);
    return e;
}
}  // namespace

sb::Result<std::string> hash_security_phrase(const std::string& phrase) {
    std::string n = verify::normalise_phrase(phrase);
    if (n.empty()) return make_error(code::bad_message, "The security phrase is empty.");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, n.data(), n.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return make_error(code::internal, "out of memory hashing a security phrase");
    return std::string(out);
}

// ---- flows ----------------------------------------------------------------------------------------
sb::Result<verify::Policy> VerificationService::policy_for(const std::string& queue) {
    auto row = d_.store.policy(queue);
    if (!row) return row.error();
    if (!row.value()) return verify::default_policy();
    const VerificationPolicyRow& stored = *row.value();
    verify::Policy p;
    auto steps = verify::parse_steps(stored.steps);
    if (!steps) return make_error(code::internal, "queue " + queue + ": " + steps.error().message);
    p.steps = steps.value();
    p.required = stored.required;
    p.attempts = stored.attempts;
    p.max_failures = stored.max_failures;
    p.lock_ms = stored.lock_ms;
    if (auto ok = verify::check_policy(p); !ok) return make_error(code::internal, "queue " + queue + ": " + ok.error().message);
    return p;
}

sb::Result<CustomerOnFile> VerificationService::on_record(const std::string& customer) {
    auto r = d_.store.on_file(customer);
    if (!r) return r.error();
    if (!r.value()) return make_error(code::internal, "customer " + customer + " missing");
    return std::move(*r.value());
}

sb::Result<VerificationService::Stored> VerificationService::load(const ContactRecord& c) {
    Stored s;
    auto row = d_.store.find(c.id);
    if (!row) return row.error();
    if (row.value()) {
        const StoredVerification& stored = *row.value();
        auto parsed = verify::flow_from_json(json::parse(stored.flow_json, nullptr, false));
        if (!parsed) return make_error(code::internal, "contact " + c.id + ": stored flow: " + parsed.error().message);
        s.flow = parsed.value();
        s.code_hash = stored.code_hash;
        s.code_expires_at = stored.code_expires_at;
        s.codes_sent = stored.codes_sent;
        s.exists = true;
    } else {
        auto policy = policy_for(c.queue);
        if (!policy) return policy.error();
        auto rec = on_record(verification_subject(c));
        if (!rec) return rec.error();
        verify::OnFile on;
        on.dob = rec.value().dob.has_value();
        on.postcode = rec.value().postcode.has_value();
        on.account = !rec.value().account_numbers.empty();
        on.security_phrase = rec.value().phrase_hash.has_value();
        on.phone = rec.value().phone.has_value();
        s.flow = verify::start_flow(policy.value(), on);
    }
    // The customer's lock decides, whichever contact caused it.
    auto lock = d_.store.lock(verification_subject(c));
    if (!lock) return lock.error();
    int64_t now = d_.now();
    if (verify::is_locked(lock.value(), now)) {
        s.flow = verify::lock(s.flow, lock.value().locked_until_ms);
    } else if (s.flow.state == verify::State::Locked) {
        s.flow = verify::unlock(s.flow);
        s.code_hash.reset();
        s.code_expires_at = 0;
    }
    return s;
}

Status VerificationService::save(const ContactRecord& c, const Stored& s) {
    json flow = verify::to_json(s.flow);
    flow["attempts"] = s.flow.attempts;
    flow["caller_number"] = s.flow.caller_hint ? json("") : json(nullptr);  // the hint is worked out when shown
    flow["locked_until"] = nullptr;
    for (auto& step : flow["steps"]) step.erase("code_expires_at");
    return d_.store.save(c.id, verification_subject(c),
                         StoredVerification{sb::protocol::to_text(flow), s.code_hash, s.code_expires_at, s.codes_sent},
                         d_.now());
}

void VerificationService::decorate(const ContactRecord& c, const Stored& s, verify::Flow& f) {
    int64_t now = d_.now();
    f.code_expires_at_ms = s.code_hash && s.code_expires_at > now ? s.code_expires_at : 0;
    f.caller_number.clear();
    if (f.caller_hint && c.channel == Channel::Voice) {
        auto rec = d_.contacts.find_customer(verification_subject(c));
        std::optional<std::string> on_file = rec && rec.value() ? rec.value()->phone : std::nullopt;
        if (!c.customer_address || c.customer_address->empty()) f.caller_number = "withheld";
        else f.caller_number = on_file && *on_file == *c.customer_address ? "match" : "mismatch";
    }
}

sb::Result<verify::Flow> VerificationService::flow(const ContactRecord& c) {
    auto s = load(c);
    if (!s) return s.error();
    verify::Flow f = s.value().flow;
    decorate(c, s.value(), f);
    return f;
}

sb::Result<bool> VerificationService::is_verified(const ContactRecord& c) {
    auto row = d_.store.find(c.id);
    if (!row) return row.error();
    if (!row.value()) return false;
    auto parsed = verify::flow_from_json(json::parse(row.value()->flow_json, nullptr, false));
    return parsed && parsed.value().state == verify::State::Verified;
}

Status VerificationService::require_verified(const ContactRecord& c) {
    auto v = is_verified(c);
    if (!v) return v.error();
    // A claimed chat is verified against the customer it claimed and then moved to them
    // (ContactService::verify_answer); until it is, it is nobody's account.
    if (!v.value() || c.claimed_customer)
        return make_error(code::verification_required,
                          "Verify the customer's identity on this contact first (the verification checklist).");
    return Ok{};
}

// ---- answers ----------------------------------------------------------------------------------------
std::string VerificationService::code_hash(const std::string& contact, const std::string& code) const {
    return sms_code_hash(keys_, contact, code);
}

void VerificationService::PhraseCheck::run() {
    matched = crypto_pwhash_str_verify(hash.c_str(), answer.data(), answer.size()) == 0;
}

VerificationService::PhraseCheck::~PhraseCheck() { sodium_memzero(answer.data(), answer.size()); }

std::optional<VerificationService::PhraseCheck> VerificationService::phrase_check(const ContactRecord& c,
                                                                                 const std::string& step_name,
                                                                                 const std::string& text) {
    auto step = verify::parse_step(step_name);
    if (!step || *step != verify::StepKind::SecurityPhrase) return std::nullopt;
    auto canonical = verify::normalise_answer(*step, text);
    if (!canonical) return std::nullopt;
    auto rec = on_record(verification_subject(c));
    if (!rec || !rec.value().phrase_hash) return std::nullopt;
    PhraseCheck check;
    check.hash = *rec.value().phrase_hash;
    check.answer = canonical.value();
    return check;
}

sb::Result<bool> VerificationService::matches(const ContactRecord& c, const Stored& s, verify::StepKind step,
                                              const std::string& canonical, const PhraseCheck* checked) {
    if (step == verify::StepKind::SmsCode) return s.code_hash && *s.code_hash == code_hash(c.id, canonical);
    auto rec = on_record(verification_subject(c));
    if (!rec) return rec.error();
    const CustomerOnFile& r = rec.value();
    switch (step) {
        case verify::StepKind::Dob: return r.dob && verify::normalise_date(*r.dob) == canonical;
        case verify::StepKind::Postcode: return r.postcode && verify::normalise_postcode(*r.postcode) == canonical;
        case verify::StepKind::AccountLast4:
            return std::any_of(r.account_numbers.begin(), r.account_numbers.end(), [&](const std::string& n) {
                std::string d = verify::digits_of(n);
                return d.size() >= 4 && d.substr(d.size() - 4) == canonical;
            });
        case verify::StepKind::SecurityPhrase:
            if (!r.phrase_hash) return false;
            // Checked on a worker already, against the hash still on file: its result.
            if (checked && checked->hash == *r.phrase_hash && checked->answer == canonical) return checked->matched;
            return crypto_pwhash_str_verify(r.phrase_hash->c_str(), canonical.data(), canonical.size()) == 0;
        default: return false;
    }
}

sb::Result<VerificationService::Outcome> VerificationService::answer(const ContactRecord& c, const std::string& agent,
                                                                     const std::string& step_name,
                                                                     const std::string& text,
                                                                     const PhraseCheck* checked) {
    auto step = verify::parse_step(step_name);
    if (!step)
        return make_error(code::unknown_step, "Unknown step \"" + sb::text::quote(step_name, 32) +
                                                  "\" (dob, postcode, account_last4, security_phrase, sms_code).");
    auto loaded = load(c);
    if (!loaded) return loaded.error();
    Stored s = loaded.value();
    int64_t now = d_.now();
    // An answer refused before it is compared uses no attempt, but it is audited all the same
    // (verification.refused): a code typed too late, answers while the customer is locked.
    auto refused = [&](sb::Error e) {
        audit(agent, audit_action::verification_refused, c, {{"step", step_name}, {"error", e.code}});
        return e;
    };
    if (s.flow.state == verify::State::Locked) return refused(locked_error(s.flow.locked_until_ms, now));
    // The flow says first whether this step can be answered at all (a dry run: a correct answer).
    if (auto dry = verify::answer(s.flow, *step, true); !dry) return refused(dry.error());
    auto canonical = verify::normalise_answer(*step, text);
    if (!canonical) return refused(canonical.error());
    if (*step == verify::StepKind::SmsCode) {
        if (!s.code_hash) return refused(make_error(code::code_not_sent, "Send the code first (verify_send_code)."));
        if (s.code_expires_at <= now)
            return refused(make_error(code::code_expired, "The code has expired; send a new one."));
    }
    auto ok = matches(c, s, *step, canonical.value(), checked);
    if (!ok) return ok.error();
    bool passed = ok.value();

    auto next = verify::answer(s.flow, *step, passed);
    if (!next) return next.error();
    verify::State before = s.flow.state;
    s.flow = next.value();
    if (passed && *step == verify::StepKind::SmsCode) s.code_hash.reset();
    Outcome out;
    out.passed = passed;
    if (const verify::Step* st = verify::find_step(s.flow, *step)) out.attempts_left = st->attempts_left;
    if (!passed) {
        auto policy = policy_for(c.queue);
        if (!policy) return policy.error();
        auto lock = d_.store.lock(verification_subject(c));
        if (!lock) return lock.error();
        verify::CustomerLock after = verify::record_failure(lock.value(), policy.value(), now);
        if (auto st = d_.store.save_lock(verification_subject(c), after); !st) return st.error();
        if (verify::is_locked(after, now) && !verify::is_locked(lock.value(), now)) {
            s.flow = verify::lock(s.flow, after.locked_until_ms);
            out.locked_customer = true;
        }
    }
    if (auto st = save(c, s); !st) return st.error();
    // Never the answer itself: only which step, and how it went.
    d_.log.info("verification answer", {{"contact", c.id}, {"agent", agent}, {"step", step_name}, {"passed", passed},
                                        {"state", std::string(verify::to_string(s.flow.state))}});
    audit(agent, audit_action::verification_attempt, c,
          {{"step", step_name}, {"passed", passed}, {"attempts_left", out.attempts_left}});
    if (s.flow.state == verify::State::Verified && before != verify::State::Verified) {
        audit(agent, audit_action::verification_passed, c, {{"steps_passed", verify::passed_count(s.flow)}});
        audit(agent, audit_action::card_unlocked, c, {{"reason", "verified"}});
    }
    if (out.locked_customer)
        audit(agent, audit_action::verification_locked, c, {{"locked_until", s.flow.locked_until_ms}});
    out.flow = s.flow;
    decorate(c, s, out.flow);
    return out;
}

// ---- SMS codes ----------------------------------------------------------------------------------------
sb::Result<VerificationService::CodeSent> VerificationService::send_code(const ContactRecord& c,
                                                                         const std::string& agent) {
    auto loaded = load(c);
    if (!loaded) return loaded.error();
    Stored s = loaded.value();
    int64_t now = d_.now();
    auto refused = [&](sb::Error e) {
        audit(agent, audit_action::verification_refused, c, {{"step", "sms_code"}, {"error", e.code}});
        return e;
    };
    if (s.flow.state == verify::State::Locked) return refused(locked_error(s.flow.locked_until_ms, now));
    auto next = verify::code_sent(s.flow);
    if (!next) return refused(next.error());
    if (s.codes_sent >= kMaxCodesPerContact)
        return refused(make_error(code::rate_limited, "Already " + std::to_string(kMaxCodesPerContact) +
                                                          " codes sent on this contact; verify with another step."));
    auto rec = on_record(verification_subject(c));
    if (!rec) return rec.error();
    if (!rec.value().phone) return refused(make_error(code::wrong_state, "No phone number on file to send a code to."));
    char digits[8];
    std::snprintf(digits, sizeof digits, "%06u", d_.random_below(1000000));
    std::string code_text = digits;
    s.flow = next.value();
    s.code_hash = code_hash(c.id, code_text);
    s.code_expires_at = now + kCodeTtlMs;
    s.codes_sent += 1;
    if (auto st = save(c, s); !st) return st.error();
    std::string from = c.service_address.value_or("");
    if (from.empty())  // the queue's own number
        if (auto queues = d_.contacts.queues())
            for (const QueueRecord& q : queues.value())
                if (q.code == c.queue && q.number) from = *q.number;
    if (d_.send_sms)
        d_.send_sms(from, *rec.value().phone,
                    "Your verification code is " + code_text +
                        ". It expires in 5 minutes. Only give it to the agent you are talking to now.");
    d_.log.info("verification code sent", {{"contact", c.id}, {"agent", agent}, {"count", s.codes_sent}});
    audit(agent, audit_action::verification_attempt, c, {{"step", "sms_code"}, {"code_sent", true}});
    CodeSent out;
    out.sent_to = verify::mask_phone(*rec.value().phone);
    out.expires_at = s.code_expires_at;
    out.flow = s.flow;
    decorate(c, s, out.flow);
    return out;
}

// ---- what a desk sees -----------------------------------------------------------------------------------
sb::Result<json> VerificationService::sensitive_json(const std::string& customer, bool unlocked) {
    auto rows = d_.store.accounts(customer);
    if (!rows) return rows.error();
    json accounts = json::array();
    for (const AccountRow& r : rows.value()) {
        json a = {{"id", r.id}, {"plan", r.plan}, {"status", r.status}};
        if (unlocked) {
            a["number"] = r.number.empty() ? json(nullptr) : json(r.number);
            a["balance_cents"] = r.balance_cents;
        } else {
            a["number"] = r.number.empty() ? json(nullptr) : json(verify::mask_account_number(r.number));
            a["balance_cents"] = nullptr;
        }
        accounts.push_back(std::move(a));
    }
    json out = {{"unlocked", unlocked}, {"accounts", std::move(accounts)}, {"date_of_birth", nullptr},
                {"address", nullptr}, {"postcode", nullptr}, {"payment_methods", nullptr}};
    if (!unlocked) return out;
    auto personal = d_.store.personal(customer);
    if (!personal) return personal.error();
    if (const auto& p = personal.value()) {
        if (p->dob) out["date_of_birth"] = *p->dob;
        if (p->address) out["address"] = *p->address;
        if (p->postcode) out["postcode"] = *p->postcode;
    }
    // The stored cards (payments.h): brand, last four and expiry only; each card once.
    auto cards = d_.store.cards(customer);
    if (!cards) return cards.error();
    json methods = json::array();
    for (const CardOnFile& card : cards.value()) {
        char expiry[8];
        std::snprintf(expiry, sizeof expiry, "%02d/%02d", card.exp_month % 100, card.exp_year % 100);
        methods.push_back({{"brand", card.brand}, {"last4", card.last4}, {"expiry", expiry}});
    }
    out["payment_methods"] = std::move(methods);
    return out;
}

sb::Result<bool> VerificationService::has_knowledge_on_file(const std::string& customer) {
    auto rec = on_record(customer);
    if (!rec) return rec.error();
    const CustomerOnFile& r = rec.value();
    return r.dob || r.postcode || r.phrase_hash || !r.account_numbers.empty();
}

void VerificationService::audit(const std::string& actor, const char* action, const ContactRecord& c, json detail) {
    if (!audit_) return;
    std::optional<std::string> contact = c.id.empty() ? std::nullopt : std::optional<std::string>(c.id);
    if (auto st = audit_->record(d_.now(), actor, action, contact, verification_subject(c), detail); !st)
        d_.log.error("audit entry not recorded", {{"action", action}, {"error", st.error().message}});
}

// ---- ContactService: the verification requests ----------------------------------------------------
sb::Result<json> ContactService::verification_json(const ContactRecord& c) {
    if (!verification_) return json(nullptr);
    auto f = verification_->flow(c);
    if (!f) return f.error();
    return verify::to_json(f.value());
}

sb::Result<bool> ContactService::unlocked_for(const ContactRecord& c) {
    if (!verification_) return true;
    return verification_->is_verified(c);
}

// Tells the desks of the customer's open contacts what their verification is now (and the
// customer as they may now see it).
void ContactService::emit_verification(const std::string& customer) {
    for (const auto& [id, c] : open_) {
        if (verification_subject(c) != customer || !c.agent || c.state == ContactState::Queued || c.state == ContactState::Closed) continue;
        auto v = verification_json(c);
        auto unlocked = unlocked_for(c);
        if (!v || !unlocked) continue;
        auto cu = customer_json(c.customer, unlocked.value());
        if (!cu) continue;
        emit(*c.agent, "contact.verification", {{"contact", id}, {"verification", v.value()}, {"customer", cu.value()}});
    }
}

ContactService::Reply ContactService::verify(const std::string& agent, const std::string& id) {
    auto c = own(agent, id);
    if (!c) return c.error();
    if (!verification_) return make_error(code::internal, "verification is not configured");
    auto v = verification_json(c.value());
    if (!v) return v.error();
    // A claimed chat verified whose move to its customer failed (storage) moves now.
    if (c.value().claimed_customer && open_.count(id) && v.value().value("state", "") == "verified")
        if (auto st = attach_verified_claim(agent, c.value()); !st) return st.error();
    return json{{"verification", v.value()}};
}

std::optional<VerificationService::PhraseCheck> ContactService::verify_answer_check(const std::string& agent,
                                                                                  const json& body) {
    auto c = own(agent, body.at("contact").get_ref<const std::string&>());
    if (!c || c.value().state != ContactState::Active || !verification_) return std::nullopt;  // verify_answer says why
    return verification_->phrase_check(c.value(), body.at("step").get_ref<const std::string&>(),
                                       body.at("answer").get_ref<const std::string&>());
}

ContactService::Reply ContactService::verify_answer(const std::string& agent, const json& body,
                                                    const VerificationService::PhraseCheck* checked) {
    const std::string& id = body.at("contact").get_ref<const std::string&>();
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::Active)
        return make_error(code::wrong_state, "The contact is " + std::string(to_string(c.value().state)) + "; verification needs it active.");
    if (!verification_) return make_error(code::internal, "verification is not configured");
    auto out = verification_->answer(c.value(), agent, body.at("step").get_ref<const std::string&>(),
                                     body.at("answer").get_ref<const std::string&>(), checked);
    if (!out) return out.error();
    const std::string subject = verification_subject(c.value());
    if (out.value().flow.state == verify::State::Verified && c.value().claimed_customer)
        if (auto st = attach_verified_claim(agent, c.value()); !st) return st.error();
    emit_verification(subject);
    json result = {{"passed", out.value().passed},
                   {"attempts_left", out.value().attempts_left},
                   {"state", std::string(verify::to_string(out.value().flow.state))},
                   {"verification", verify::to_json(out.value().flow)}};
    return result;
}

ContactService::Reply ContactService::verify_send_code(const std::string& agent, const std::string& id) {
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::Active)
        return make_error(code::wrong_state, "The contact is " + std::string(to_string(c.value().state)) + "; verification needs it active.");
    if (!verification_) return make_error(code::internal, "verification is not configured");
    auto sent = verification_->send_code(c.value(), agent);
    if (!sent) return sent.error();
    emit_verification(verification_subject(c.value()));
    return json{{"sent_to", sent.value().sent_to},
                {"expires_at", sent.value().expires_at},
                {"verification", verify::to_json(sent.value().flow)}};
}

// A claimed chat, verified against the customer it claimed: the contact is theirs now (their
// history, their accounts, their cards), and the record the chat started with stays behind.
sb::Status ContactService::attach_verified_claim(const std::string& agent, const ContactRecord& c) {
    ContactRecord next = c;
    const std::string started_as = c.customer;
    next.customer = *c.claimed_customer;
    next.claimed_customer.reset();
    if (auto st = save(next); !st) return st;
    d_.log.info("claim verified", {{"contact", c.id}, {"customer", next.customer}, {"agent", agent}});
    verification_->audit(agent, audit_action::customer_identified, next, {{"started_as", started_as}});
    emit_contact(next, "contact.updated");
    return Ok{};
}

// The contact named in the request, not any contact of the agent's with the same customer: a
// customer verified on one contact is not verified on another (a second chat claiming to be them).
sb::Status ContactService::require_verified(const ContactRecord& contact) {
    if (!verification_) return Ok{};
    return verification_->require_verified(contact);
}

// The address and the postcode are what a caller is checked against; the email and the phone are
// where codes go (the SMS code to the phone on file). Changing any of them on an unverified
// contact would let whoever is on it take the account over, so each needs the contact the request
// names, verified. One exception: a new customer (nothing on file a step could check) may have a
// channel they have none of filled in, since there is nothing of theirs to protect yet and no way
// to verify them (an SMS customer's email, typed by the agent).
sb::Result<ContactService::SensitiveChange> ContactService::check_sensitive_change(
    const CustomerRecord& customer, const std::optional<ContactRecord>& named, const json& body) {
    SensitiveChange out;
    for (const char* f : {"address", "postcode", "email", "phone"})
        if (body.contains(f)) out.fields.push_back(f);
    if (out.fields.empty()) return out;
    if (body.contains("phone")) {
        const std::string& raw = body["phone"].get_ref<const std::string&>();
        if (!raw.empty()) {
            auto e164 = sb::contact::normalize_e164(raw.substr(0, 64), config_.default_country);
            if (raw.size() > 64 || !e164) return make_error(code::bad_message, "phone is not a phone number.");
            out.phone = e164.value();
        }
    }
    // Only once allowed: an unverified agent learns nothing about other customers' numbers.
    auto number_free = [&]() -> sb::Result<SensitiveChange> {
        if (!out.phone) return out;
        auto holder = d_.contacts.find_customer_by_phone(*out.phone);
        if (!holder) return holder.error();
        if (holder.value() && holder.value()->id != customer.id)
            return make_error(code::bad_message, "That phone number is on file for another customer.");
        return out;
    };
    if (!verification_) return number_free();
    bool filling_in = std::all_of(out.fields.begin(), out.fields.end(), [&](const std::string& f) {
        return (f == "email" && !customer.email) || (f == "phone" && !customer.phone);
    });
    if (filling_in) {
        auto knows = verification_->has_knowledge_on_file(customer.id);
        if (!knows) return knows.error();
        if (!knows.value()) return number_free();
    }
    if (!named)
        return make_error(code::verification_required,
                          "Name the verified contact this change is made on (\"contact\"): the address, email and "
                          "phone change only on a verified contact.");
    if (auto st = require_verified(*named); !st) return st.error();
    return number_free();
}

void ContactService::audit_customer_change(const std::string& agent, const std::string& customer,
                                           const std::optional<ContactRecord>& named,
                                           const std::vector<std::string>& fields) {
    if (fields.empty() || !verification_) return;
    ContactRecord about;  // the audit names the contact the change was made on, if any
    if (named) about = *named;
    else about.customer = customer;
    // Which fields, never their values (an address is itself sensitive).
    verification_->audit(agent, audit_action::customer_updated, about, {{"fields", fields}});
}

sb::Status ContactService::update_sensitive_customer_fields(const std::string& customer, const json& body) {
    auto has = [&](const char* k) { return body.contains(k); };
    if (!has("address") && !has("postcode")) return Ok{};
    std::optional<std::string> postcode;
    if (has("postcode")) {
        const std::string& p = body["postcode"].get_ref<const std::string&>();
        if (!p.empty() && !verify::normalise_postcode(p))
            return make_error(code::bad_message, "postcode is not a postcode or ZIP code.");
        postcode = p;
    }
    if (has("address") && utf8_length(body["address"].get_ref<const std::string&>()) > 500)
        return make_error(code::bad_message, "address is longer than 500 characters.");
    std::optional<std::string> address;
    if (has("address")) address = sb::contact::mask_card_numbers(body["address"].get_ref<const std::string&>());
    return d_.contacts.update_customer_address(customer, address, postcode);
}

}  // namespace sbd
