// payment_store.cpp: the payments tables' queries (see payment_store.h). Standard SQL that
// PostgreSQL accepts too (docs/architecture.md, "Store").
#include "server/store/payment_store.h"

#include "contact/card.h"
#include "contact/payment_card.h"
#include "protocol/schema.h"
#include "server/store/rows.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;

namespace {

constexpr const char* kSelect =
    "SELECT p.id, p.contact, p.customer, p.agent, p.amount, p.currency, p.state, p.method, p.gateway_ref, p.error, "
    "p.created_at, p.updated_at, m.brand, m.last4, m.exp_month, m.exp_year, p.charge_key, p.charge_card "
    "FROM payments p LEFT JOIN payment_methods m ON m.id = p.method ";

using rows::bind_text;
using rows::opt_text;

sb::Result<Payment> read_row(const Statement& st) {
    Payment p;
    p.id = st.column_text(0);
    p.contact = st.column_text(1);
    p.customer = st.column_text(2);
    p.agent = st.column_text(3);
    p.amount = st.column_int(4);
    p.currency = st.column_text(5);
    auto state = sb::contact::parse_payment_state(st.column_text(6));
    if (!state) return make_error(code::internal, "payment " + p.id + " has an unknown state in the database");
    p.state = *state;
    if (!st.column_is_null(7)) p.method = st.column_int(7);
    p.gateway_ref = opt_text(st, 8);
    if (auto e = opt_text(st, 9)) {
        json j = json::parse(*e, nullptr, false);
        if (!j.is_discarded()) p.error = std::move(j);
    }
    p.created_at = st.column_int(10);
    p.updated_at = st.column_int(11);
    if (!st.column_is_null(12)) {
        sb::contact::CardExpiry e{static_cast<int>(st.column_int(14)), static_cast<int>(st.column_int(15))};
        p.card = {{"brand", st.column_text(12)}, {"last4", st.column_text(13)}, {"expiry", sb::contact::format_card_expiry(e)}};
    }
    p.charge_key = opt_text(st, 16);
    p.charge_card = opt_text(st, 17);
    p.stored = p.state;
    return p;
}

}  // namespace

sb::Result<std::vector<Payment>> PaymentStore::open_payments() {
    auto q = db_.prepare(std::string(kSelect) + "WHERE p.state IN ('capturing', 'authorizing') ORDER BY p.seq;");
    if (!q) return q.error();
    return rows::collect<Payment>(q.value(), read_row);
}

sb::Result<std::optional<Payment>> PaymentStore::find(const std::string& id) {
    auto q = db_.prepare(std::string(kSelect) + "WHERE p.id = ?;");
    if (!q) return q.error();
    q.value().bind(1, id);
    return rows::first<Payment>(q.value(), read_row);
}

sb::Result<std::optional<Payment>> PaymentStore::latest(const std::string& contact) {
    auto q = db_.prepare(std::string(kSelect) + "WHERE p.contact = ? ORDER BY p.seq DESC LIMIT 1;");
    if (!q) return q.error();
    q.value().bind(1, contact);
    return rows::first<Payment>(q.value(), read_row);
}

sb::Status PaymentStore::save(Payment& p) {
    // seq: one more than any payment's, taken in the writing transaction (docs/architecture.md,
    // "Store": the order payments were made in, without a database's own row numbers).
    auto q = db_.prepare(
        p.stored ? "UPDATE payments SET state = ?, method = ?, gateway_ref = ?, error = ?, updated_at = ?, "
                   "charge_key = ?, charge_card = ? WHERE id = ? AND state = ? RETURNING id;"
                 : "INSERT INTO payments (id, contact, customer, agent, amount, currency, state, method, gateway_ref, "
                   "error, created_at, updated_at, charge_key, charge_card, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM payments)) ON CONFLICT (id) DO NOTHING "
                   "RETURNING id;");
    if (!q) return q.error();
    Statement& st = q.value();
    int i = 0;
    if (!p.stored) {
        st.bind(++i, p.id).bind(++i, p.contact).bind(++i, p.customer).bind(++i, p.agent).bind(++i, p.amount);
        st.bind(++i, p.currency);
    }
    st.bind(++i, to_string(p.state)).bind(++i, p.method);
    bind_text(st, ++i, p.gateway_ref);
    if (p.error.is_object())
        st.bind(++i, sb::contact::mask_card_numbers(p.error.dump(-1, ' ', false, json::error_handler_t::replace)));
    else st.bind(++i, std::optional<int64_t>());
    if (!p.stored) st.bind(++i, p.created_at);
    st.bind(++i, p.updated_at);
    bind_text(st, ++i, p.charge_key);
    bind_text(st, ++i, p.charge_card);
    if (p.stored) st.bind(++i, p.id).bind(++i, to_string(*p.stored));
    auto row = st.step();
    if (!row) return row.error();
    if (!row.value())
        return make_error(kPaymentChanged, "payment " + p.id + (p.stored ? " changed meanwhile" : " is already stored"));
    p.stored = p.state;
    return sb::Ok{};
}

sb::Result<int64_t> PaymentStore::add_method(const PaymentMethodRecord& m) {
    auto q = db_.prepare(
        "INSERT INTO payment_methods (customer, token, brand, last4, exp_month, exp_year, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id;");
    if (!q) return q.error();
    q.value().bind(1, m.customer).bind(2, m.token).bind(3, m.brand).bind(4, m.last4);
    q.value().bind(5, int64_t{m.exp_month}).bind(6, int64_t{m.exp_year}).bind(7, m.created_at);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return make_error(code::internal, "payment method not stored");
    return q.value().column_int(0);
}

sb::Result<std::optional<std::string>> PaymentStore::method_token(int64_t method) {
    auto q = db_.prepare("SELECT token FROM payment_methods WHERE id = ?;");
    if (!q) return q.error();
    q.value().bind(1, method);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<std::string>();
    return std::optional<std::string>(q.value().column_text(0));
}

}  // namespace sbd
