// audit.cpp: the audit log (see audit.h).
#include "server/admin/audit.h"
#include "util/text.h"

#include <algorithm>

#include "contact/card.h"
#include "server/app/log.h"  // mask_card_numbers_in
#include "protocol/schema.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;

// ---- actions ------------------------------------------------------------------------------------
const std::vector<std::string_view>& audit_actions() {
    namespace a = audit_action;
    static const std::vector<std::string_view> list = {
        a::login_succeeded,      a::login_failed,        a::session_revoked,   a::mfa_failed,
        a::account_locked,       a::verification_attempt, a::verification_passed, a::verification_locked,
        a::verification_refused, a::card_unlocked,       a::customer_updated,  a::customer_identified,
        a::payment_taken,        a::recording_paused,    a::recording_resumed,
        // accounts (admin.h)
        a::agent_created, a::agent_disabled, a::agent_enabled, a::password_reset, a::mfa_reset,
        a::agent_role_changed, a::agent_skills_changed};
    return list;
}

bool is_audit_action_name(std::string_view action) {
    if (action.empty() || action.size() > 64) return false;
    auto dot = action.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == action.size()) return false;
    if (action.find('.', dot + 1) != std::string_view::npos) return false;
    return std::all_of(action.begin(), action.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

// ---- entries and filters ------------------------------------------------------------------------
namespace {
json text_or_null(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

const char* const kFilterKeys[] = {"contact", "customer", "actor", "action", "since", "until", "limit", "before_id"};

bool is_text_key(std::string_view k) { return k == "contact" || k == "customer" || k == "actor" || k == "action"; }

sb::Error bad(const std::string& message) { return make_error(code::bad_message, message); }

std::string known_keys() {
    std::string s;
    for (const char* k : kFilterKeys) s += (s.empty() ? "" : ", ") + std::string(k);
    return s;
}

// Sets one filter; `text` or `number` holds the value, as its key wants.
sb::Status set_filter(AuditFilter& f, const std::string& key, const std::optional<std::string>& text,
                      const std::optional<int64_t>& number) {
    if (is_text_key(key)) {
        if (!text) return bad(key + ": a string is required.");
        if (text->empty() || text->size() > 200) return bad(key + ": 1 to 200 characters.");
        if (key == "contact") f.contact = *text;
        else if (key == "customer") f.customer = *text;
        else if (key == "actor") f.actor = *text;
        else f.action = *text;
        return sb::Ok{};
    }
    if (!number) return bad(key + ": a non-negative integer is required.");
    if (*number < 0) return bad(key + ": must not be negative.");
    if (key == "since") f.since = *number;
    else if (key == "until") f.until = *number;
    else if (key == "before_id") f.before_id = *number;
    else if (key == "limit") {
        if (*number < 1 || *number > AuditFilter::kMaxLimit)
            return bad("limit: 1 to " + std::to_string(AuditFilter::kMaxLimit) + ".");
        f.limit = *number;
    }
    return sb::Ok{};
}

bool is_known_key(const std::string& key) {
    return std::any_of(std::begin(kFilterKeys), std::end(kFilterKeys), [&](const char* k) { return key == k; });
}

sb::Result<AuditFilter> finish(AuditFilter f) {
    if (f.since && f.until && *f.since > *f.until) return bad("since must not be after until.");
    return f;
}

// A decimal non-negative integer of at most 18 digits (no sign, no spaces).
std::optional<int64_t> parse_integer(const std::string& s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}
}  // namespace

json to_json(const AuditEntry& e) {
    return {{"id", e.id},           {"at", e.at},
            {"actor", e.actor},     {"action", e.action},
            {"contact", text_or_null(e.contact)}, {"customer", text_or_null(e.customer)},
            {"detail", e.detail}};
}

json to_json(const AuditPage& page) {
    json entries = json::array();
    for (const AuditEntry& e : page.entries) entries.push_back(to_json(e));
    return {{"entries", std::move(entries)},
            {"next_before_id", page.next_before_id ? json(*page.next_before_id) : json(nullptr)}};
}

sb::Result<AuditFilter> audit_filter_from_json(const json& body) {
    AuditFilter f;
    if (!body.is_object()) return bad("The filters must be an object.");
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string& key = it.key();
        if (key == "type" || key == "id") continue;  // the desk request's own fields
        if (!is_known_key(key)) return bad("Unknown filter \"" + sb::text::quote(key) + "\"; known: " + known_keys() + ".");
        std::optional<std::string> text;
        std::optional<int64_t> number;
        if (it->is_string()) text = it->get<std::string>();
        if (it->is_number_integer()) number = it->get<int64_t>();
        if (auto st = set_filter(f, key, text, number); !st) return st.error();
    }
    return finish(std::move(f));
}

sb::Result<AuditFilter> audit_filter_from_query(const std::map<std::string, std::string>& query) {
    AuditFilter f;
    for (const auto& [key, value] : query) {
        if (!is_known_key(key))
            return bad("Unknown parameter \"" + sb::text::quote(key) + "\"; known: " + known_keys() + ".");
        std::optional<int64_t> number;
        if (!is_text_key(key)) {
            number = parse_integer(value);
            if (!number) return bad(key + ": a non-negative integer is required (ms since the Unix epoch for times).");
        }
        if (auto st = set_filter(f, key, value, number); !st) return st.error();
    }
    return finish(std::move(f));
}

// ---- AuditLog -----------------------------------------------------------------------------------
sb::Status AuditLog::record(int64_t at_ms, std::string_view actor, std::string_view action,
                            std::optional<std::string> contact, std::optional<std::string> customer,
                            const json& detail) {
    if (!is_audit_action_name(action)) return bad("audit action \"" + sb::text::quote(action) + "\" is not of the form word.word.");
    if (actor.empty()) return bad("audit actor is empty.");
    if (!detail.is_null() && !detail.is_object()) return bad("audit detail must be an object.");
    json masked = detail.is_null() ? json::object() : detail;
    mask_card_numbers_in(masked);
    if (contact) contact = sb::contact::mask_card_numbers(*contact);
    if (customer) customer = sb::contact::mask_card_numbers(*customer);
    // Durable (synchronous=FULL): an entry survives a power loss. Inside a caller's transaction
    // (a payment's change) it joins it, and that transaction's durability decides (payments'
    // are durable).
    Transaction tx(store_.database(), Durability::Durable);
    if (!tx.begun()) return tx.begun();
    if (auto st = store_.insert(at_ms, sb::contact::mask_card_numbers(actor), action, contact, customer,
                                masked.dump(-1, ' ', false, json::error_handler_t::replace));
        !st)
        return st;
    return tx.commit();
}

sb::Result<AuditPage> AuditLog::query(const AuditFilter& f) { return store_.query(f); }

// ---- roles --------------------------------------------------------------------------------------
sb::Result<std::optional<std::string>> AuditLog::role_of(const std::string& username) { return store_.role_of(username); }

// ---- the desk request ---------------------------------------------------------------------------
sb::Result<json> audit_desk_request(AuditLog& audit, const std::string& agent, const json& body) {
    auto role = audit.role_of(agent);
    if (!role) return role.error();
    if (role.value().value_or("") != "supervisor")
        return make_error(code::forbidden, "Only supervisors may read the audit log.");
    auto filter = audit_filter_from_json(body);
    if (!filter) return filter.error();
    auto page = audit.query(filter.value());
    if (!page) return page.error();
    return to_json(page.value());
}

}  // namespace sbd
