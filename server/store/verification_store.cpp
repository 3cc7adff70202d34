// verification_store.cpp: the verification tables' queries (see verification_store.h). Standard
// SQL that PostgreSQL accepts too (docs/architecture.md, "Store").
#include "server/store/verification_store.h"

#include "server/store/rows.h"

namespace sbd {

using sb::Status;

namespace {
// NULL and '' alike are none: the record's optional fields.
std::optional<std::string> text_opt(const Statement& st, int col) {
    if (st.column_is_null(col)) return std::nullopt;
    std::string v = st.column_text(col);
    if (v.empty()) return std::nullopt;
    return v;
}
}  // namespace

sb::Result<std::optional<VerificationPolicyRow>> VerificationStore::policy(const std::string& queue) {
    auto q = db_.prepare(
        "SELECT steps, required, attempts, max_failures, lock_ms FROM verification_policies WHERE queue = ?;");
    if (!q) return q.error();
    q.value().bind(1, queue);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<VerificationPolicyRow>();
    const Statement& st = q.value();
    return std::optional<VerificationPolicyRow>(VerificationPolicyRow{
        st.column_text(0), static_cast<int>(st.column_int(1)), static_cast<int>(st.column_int(2)),
        static_cast<int>(st.column_int(3)), st.column_int(4)});
}

sb::Result<std::optional<CustomerOnFile>> VerificationStore::on_file(const std::string& customer) {
    CustomerOnFile r;
    auto q = db_.prepare("SELECT date_of_birth, postcode, security_phrase_hash, phone FROM customers WHERE id = ?;");
    if (!q) return q.error();
    q.value().bind(1, customer);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<CustomerOnFile>();
    r.dob = text_opt(q.value(), 0);
    r.postcode = text_opt(q.value(), 1);
    r.phrase_hash = text_opt(q.value(), 2);
    r.phone = text_opt(q.value(), 3);
    auto a = db_.prepare("SELECT number FROM accounts WHERE customer = ? AND number IS NOT NULL ORDER BY id;");
    if (!a) return a.error();
    a.value().bind(1, customer);
    for (;;) {
        auto more = a.value().step();
        if (!more) return more.error();
        if (!more.value()) break;
        r.account_numbers.push_back(a.value().column_text(0));
    }
    return std::optional<CustomerOnFile>(std::move(r));
}

sb::Result<sb::verify::CustomerLock> VerificationStore::lock(const std::string& customer) {
    auto q = db_.prepare("SELECT failures, window_start, locked_until FROM verification_locks WHERE customer = ?;");
    if (!q) return q.error();
    q.value().bind(1, customer);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return sb::verify::CustomerLock{};
    return sb::verify::CustomerLock{static_cast<int>(q.value().column_int(0)), q.value().column_int(1),
                                    q.value().column_int(2)};
}

Status VerificationStore::save_lock(const std::string& customer, const sb::verify::CustomerLock& l) {
    auto q = db_.prepare(
        "INSERT INTO verification_locks (customer, failures, window_start, locked_until) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (customer) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, "
        "locked_until = excluded.locked_until;");
    if (!q) return q.error();
    q.value().bind(1, customer).bind(2, int64_t{l.failures}).bind(3, l.window_start_ms).bind(4, l.locked_until_ms);
    return q.value().run();
}

sb::Result<std::optional<StoredVerification>> VerificationStore::find(const std::string& contact) {
    auto q = db_.prepare("SELECT flow, code_hash, code_expires_at, codes_sent FROM contact_verifications WHERE contact = ?;");
    if (!q) return q.error();
    q.value().bind(1, contact);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<StoredVerification>();
    const Statement& st = q.value();
    StoredVerification v;
    v.flow_json = st.column_text(0);
    v.code_hash = text_opt(st, 1);
    v.code_expires_at = st.column_is_null(2) ? 0 : st.column_int(2);
    v.codes_sent = static_cast<int>(st.column_int(3));
    return std::optional<StoredVerification>(std::move(v));
}

Status VerificationStore::save(const std::string& contact, const std::string& customer, const StoredVerification& v,
                               int64_t now) {
    auto q = db_.prepare(
        "INSERT INTO contact_verifications (contact, customer, flow, code_hash, code_expires_at, codes_sent, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (contact) DO UPDATE SET flow = excluded.flow, "
        "code_hash = excluded.code_hash, code_expires_at = excluded.code_expires_at, "
        "codes_sent = excluded.codes_sent, updated_at = excluded.updated_at;");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, contact).bind(2, customer).bind(3, v.flow_json);
    rows::bind_text(st, 4, v.code_hash);
    st.bind(5, v.code_hash ? std::optional<int64_t>(v.code_expires_at) : std::nullopt);
    st.bind(6, int64_t{v.codes_sent}).bind(7, now);
    return st.run();
}

sb::Result<std::vector<AccountRow>> VerificationStore::accounts(const std::string& customer) {
    auto q = db_.prepare("SELECT id, plan, status, balance_cents, number FROM accounts WHERE customer = ? ORDER BY opened_at, id;");
    if (!q) return q.error();
    q.value().bind(1, customer);
    return rows::collect<AccountRow>(q.value(), [](const Statement& st) {
        return AccountRow{st.column_text(0), st.column_text(1), st.column_text(2), rows::opt_text(st, 4).value_or(""),
                          st.column_int(3)};
    });
}

sb::Result<std::optional<CustomerPersonal>> VerificationStore::personal(const std::string& customer) {
    auto q = db_.prepare("SELECT date_of_birth, address, postcode FROM customers WHERE id = ?;");
    if (!q) return q.error();
    q.value().bind(1, customer);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<CustomerPersonal>();
    return std::optional<CustomerPersonal>(
        CustomerPersonal{text_opt(q.value(), 0), text_opt(q.value(), 1), text_opt(q.value(), 2)});
}

sb::Result<std::vector<CardOnFile>> VerificationStore::cards(const std::string& customer) {
    auto q = db_.prepare(
        "SELECT brand, last4, exp_month, exp_year FROM payment_methods WHERE customer = ? "
        "GROUP BY brand, last4, exp_month, exp_year ORDER BY MAX(created_at) DESC, MAX(id) DESC;");
    if (!q) return q.error();
    q.value().bind(1, customer);
    return rows::collect<CardOnFile>(q.value(), [](const Statement& st) {
        return CardOnFile{st.column_text(0), st.column_text(1), static_cast<int>(st.column_int(2)),
                          static_cast<int>(st.column_int(3))};
    });
}

}  // namespace sbd
