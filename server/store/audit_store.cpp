// audit_store.cpp: the audit table's queries (see audit_store.h). Standard SQL that PostgreSQL
// accepts too (docs/architecture.md, "Store").
#include "server/store/audit_store.h"

#include "server/store/rows.h"

#include <algorithm>

namespace sbd {

using json = nlohmann::json;

sb::Status AuditStore::insert(int64_t at_ms, std::string_view actor, std::string_view action,
                              const std::optional<std::string>& contact, const std::optional<std::string>& customer,
                              const std::string& detail) {
    auto q = db_.prepare("INSERT INTO audit (at, actor, action, contact, customer, detail) VALUES (?, ?, ?, ?, ?, ?);");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, at_ms).bind(2, actor).bind(3, action);
    rows::bind_text(st, 4, contact);
    rows::bind_text(st, 5, customer);
    st.bind(6, detail);
    return st.run();
}

sb::Result<AuditPage> AuditStore::query(const AuditFilter& f) {
    struct Bind {
        std::optional<std::string> text;
        int64_t number = 0;
    };
    std::string sql = "SELECT id, at, actor, action, contact, customer, detail FROM audit WHERE 1 = 1";
    std::vector<Bind> binds;
    auto text = [&](const char* column, const std::optional<std::string>& v) {
        if (!v) return;
        sql += std::string(" AND ") + column + " = ?";
        binds.push_back(Bind{*v, 0});
    };
    auto number = [&](const char* condition, const std::optional<int64_t>& v) {
        if (!v) return;
        sql += std::string(" AND ") + condition;
        binds.push_back(Bind{std::nullopt, *v});
    };
    text("contact", f.contact);
    text("customer", f.customer);
    text("actor", f.actor);
    text("action", f.action);
    number("at >= ?", f.since);
    number("at < ?", f.until);
    number("id < ?", f.before_id);
    int64_t limit = std::clamp<int64_t>(f.limit, 1, AuditFilter::kMaxLimit);
    sql += " ORDER BY id DESC LIMIT ?;";
    binds.push_back(Bind{std::nullopt, limit + 1});  // one more: are there older ones?

    auto q = db_.prepare(sql);
    if (!q) return q.error();
    Statement& st = q.value();
    for (std::size_t i = 0; i < binds.size(); ++i) {
        int index = static_cast<int>(i + 1);
        if (binds[i].text) st.bind(index, std::string_view(*binds[i].text));
        else st.bind(index, binds[i].number);
    }
    AuditPage page;
    for (;;) {
        auto row = st.step();
        if (!row) return row.error();
        if (!row.value()) break;
        if (static_cast<int64_t>(page.entries.size()) == limit) {
            page.next_before_id = page.entries.back().id;
            break;
        }
        AuditEntry e;
        e.id = st.column_int(0);
        e.at = st.column_int(1);
        e.actor = st.column_text(2);
        e.action = st.column_text(3);
        if (!st.column_is_null(4)) e.contact = st.column_text(4);
        if (!st.column_is_null(5)) e.customer = st.column_text(5);
        e.detail = json::parse(st.column_text(6), nullptr, false);
        if (e.detail.is_discarded()) e.detail = json::object();
        page.entries.push_back(std::move(e));
    }
    return page;
}

sb::Result<std::optional<std::string>> AuditStore::role_of(const std::string& username) {
    auto q = db_.prepare("SELECT role FROM agents WHERE username = ?;");
    if (!q) return q.error();
    q.value().bind(1, username);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<std::string>{};
    return std::optional<std::string>(q.value().column_text(0));
}

}  // namespace sbd
