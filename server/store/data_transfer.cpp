// data_transfer.cpp: export and import of every row (see data_transfer.h).
#include "server/store/data_transfer.h"

#include <algorithm>
#include <istream>
#include <map>
#include <ostream>
#include <set>

#include <nlohmann/json.hpp>

namespace sbd {

using nlohmann::json;
using sb::Result;
using sb::Status;

namespace {

constexpr int kFormat = 1;

sb::Error transfer_error(const std::string& message) { return sb::make_error("bad_export", message); }

Result<int> schema_version(Database& db) {
    auto q = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version;");
    if (!q) return q.error();
    auto row = q.value().step();
    if (!row) return row.error();
    return static_cast<int>(q.value().column_int(0));
}

// The table's columns in the database, in its order.
Result<std::vector<std::string>> columns_of(Database& db, const std::string& table) {
    auto q = db.prepare("SELECT * FROM " + table + " LIMIT 0;");
    if (!q) return q.error();
    auto row = q.value().step();
    if (!row) return row.error();
    std::vector<std::string> names;
    for (int i = 0; i < q.value().column_count(); ++i) names.push_back(q.value().column_name(i));
    return names;
}

// A read transaction: a consistent view for the whole export, without taking the write lock
// (a live server goes on writing meanwhile).
class ReadSnapshot {
public:
    explicit ReadSnapshot(Database& db) : db_(db), begun_(sb::Ok{}) {
        begun_ = db_.exec(db_.dialect() == Dialect::Postgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                                                             : "BEGIN DEFERRED;");
    }
    ~ReadSnapshot() {
        if (begun_) db_.exec("COMMIT;");
    }
    Status begun() const { return begun_; }

private:
    Database& db_;
    Status begun_;
};

enum class LineRead { Line, End, TooLong };

LineRead read_line(std::istream& in, std::string& line, std::size_t max) {
    line.clear();
    std::streambuf* buf = in.rdbuf();
    for (;;) {
        int c = buf->sbumpc();
        if (c == std::char_traits<char>::eof()) return line.empty() ? LineRead::End : LineRead::Line;
        if (c == '\n') return LineRead::Line;
        if (line.size() >= max) return LineRead::TooLong;
        line.push_back(static_cast<char>(c));
    }
}

}  // namespace

const std::vector<std::string>& exported_tables() {
    static const std::vector<std::string> tables = {
        "agents", "reason_codes", "queues", "sessions", "events", "login_failures", "dispositions",
        "agent_skills", "agent_capacity", "customers", "accounts", "contacts", "messages", "interactions",
        "canned_responses", "sms_provider_outbox", "sms_pending", "subscriber", "agent_mfa", "recovery_codes",
        "account_locks", "session_activity", "audit", "verification_policies", "contact_verifications",
        "verification_locks", "payment_methods", "payments", "call_recordings",
    };
    return tables;
}

Result<TransferSummary> export_database(Database& db, std::ostream& out) {
    ReadSnapshot snapshot(db);
    if (!snapshot.begun()) return snapshot.begun().error();
    TransferSummary summary;
    auto version = schema_version(db);
    if (!version) return version.error();
    summary.schema = version.value();
    out << json{{"switchboard_export", kFormat},
                {"schema", summary.schema},
                {"engine", db.dialect() == Dialect::Postgres ? "postgresql" : "sqlite"},
                {"tables", exported_tables().size()}}
               .dump()
        << '\n';
    for (const std::string& table : exported_tables()) {
        auto count = db.prepare("SELECT COUNT(*) FROM " + table + ";");
        if (!count) return count.error();
        if (auto r = count.value().step(); !r) return r.error();
        const int64_t rows = count.value().column_int(0);
        auto columns = columns_of(db, table);
        if (!columns) return columns.error();
        out << json{{"table", table}, {"columns", columns.value()}, {"rows", rows}}.dump() << '\n';
        // In the primary key's order would need each key; the engine's order is as good (the
        // rows' order carries no meaning: every order is a column).
        auto q = db.prepare("SELECT * FROM " + table + ";");
        if (!q) return q.error();
        int64_t written = 0;
        for (;;) {
            auto row = q.value().step();
            if (!row) return row.error();
            if (!row.value()) break;
            json values = json::array();
            for (int i = 0; i < q.value().column_count(); ++i) {
                switch (q.value().column_kind(i)) {
                    case ColumnKind::Null: values.push_back(nullptr); break;
                    case ColumnKind::Integer: values.push_back(q.value().column_int(i)); break;
                    case ColumnKind::Text: values.push_back(q.value().column_text(i)); break;
                }
            }
            out << values.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
            ++written;
        }
        if (written != rows) return transfer_error("the table " + table + " changed during the export");
        summary.tables.emplace_back(table, rows);
        summary.rows += rows;
    }
    out << json{{"end", true}, {"rows", summary.rows}}.dump() << '\n';
    out.flush();
    if (!out) return transfer_error("cannot write the export");
    return summary;
}

Result<TransferSummary> import_database(Database& db, std::istream& in, const ImportOptions& options) {
    TransferSummary summary;
    std::string line;
    int64_t line_no = 0;
    auto next = [&](const char* what) -> Result<json> {
        ++line_no;
        LineRead r = read_line(in, line, options.max_line_bytes);
        if (r == LineRead::TooLong)
            return transfer_error("line " + std::to_string(line_no) + " is longer than " +
                                  std::to_string(options.max_line_bytes) + " bytes");
        if (r == LineRead::End) return transfer_error(std::string("the file ends before ") + what + " (cut short?)");
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded()) return transfer_error("line " + std::to_string(line_no) + " is not JSON");
        return j;
    };

    auto header = next("its header");
    if (!header) return header.error();
    const json& h = header.value();
    if (!h.is_object() || !h.contains("switchboard_export") || h["switchboard_export"] != kFormat ||
        !h.contains("schema") || !h["schema"].is_number_integer())
        return transfer_error("not a switchboardd export (format " + std::to_string(kFormat) + ")");
    summary.schema = h["schema"].get<int>();
    auto target_version = schema_version(db);
    if (!target_version) return target_version.error();
    if (summary.schema > target_version.value())
        return transfer_error("the export is of schema " + std::to_string(summary.schema) + ", newer than this database's " +
                              std::to_string(target_version.value()) + ": import it with a switchboardd at least as new");

    Transaction tx(db, Durability::Durable);
    if (!tx.begun()) return tx.begun().error();
    if (!options.replace) {
        for (const char* table : {"agents", "contacts", "audit"}) {
            auto q = db.prepare(std::string("SELECT EXISTS (SELECT 1 FROM ") + table + ");");
            if (!q) return q.error();
            if (auto r = q.value().step(); !r) return r.error();
            if (q.value().column_int(0) != 0)
                return sb::make_error("not_empty", std::string("the database already holds ") + table +
                                                       ": import replaces everything only with --replace");
        }
    }
    // Children first, so that no foreign key is left dangling.
    const auto& tables = exported_tables();
    for (auto it = tables.rbegin(); it != tables.rend(); ++it)
        if (auto st = db.exec("DELETE FROM " + *it + ";"); !st) return st.error();

    std::size_t expected = 0;  // the next table allowed (the file's order is the list's)
    for (;;) {
        auto section = next("its end line");
        if (!section) return section.error();
        const json& s = section.value();
        if (s.is_object() && s.value("end", false)) {
            if (!s.contains("rows") || !s["rows"].is_number_integer() || s["rows"].get<int64_t>() != summary.rows)
                return transfer_error("the end line's count of rows is not the rows read");
            break;
        }
        if (!s.is_object() || !s.contains("table") || !s["table"].is_string() || !s.contains("columns") ||
            !s["columns"].is_array() || !s.contains("rows") || !s["rows"].is_number_integer() || s["rows"].get<int64_t>() < 0)
            return transfer_error("line " + std::to_string(line_no) + ": a table's header was expected");
        const std::string table = s["table"].get<std::string>();
        while (expected < tables.size() && tables[expected] != table) ++expected;
        if (expected == tables.size())
            return transfer_error("unknown or out-of-order table \"" + table.substr(0, 64) + "\"");
        ++expected;
        auto have = columns_of(db, table);
        if (!have) return have.error();
        std::set<std::string> known(have.value().begin(), have.value().end());
        std::vector<std::string> columns;
        for (const json& c : s["columns"]) {
            if (!c.is_string() || !known.count(c.get<std::string>()))
                return transfer_error("the table " + table + " has no column " + c.dump().substr(0, 64));
            if (std::find(columns.begin(), columns.end(), c.get<std::string>()) != columns.end())
                return transfer_error("the table " + table + "'s column " + c.get<std::string>() + " is named twice");
            columns.push_back(c.get<std::string>());
        }
        if (columns.empty()) return transfer_error("the table " + table + " has no columns");
        std::string sql = "INSERT INTO " + table + " (";
        for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
        sql += ") VALUES (";
        for (std::size_t i = 0; i < columns.size(); ++i) sql += i ? ", ?" : "?";
        sql += ");";
        const int64_t rows = s["rows"].get<int64_t>();
        for (int64_t r = 0; r < rows; ++r) {
            auto values = next("all of a table's rows");
            if (!values) return values.error();
            const json& v = values.value();
            if (!v.is_array() || v.size() != columns.size())
                return transfer_error("line " + std::to_string(line_no) + ": a row of " + std::to_string(columns.size()) +
                                      " values was expected");
            auto ins = db.prepare(sql);
            if (!ins) return ins.error();
            for (std::size_t i = 0; i < columns.size(); ++i) {
                const int index = static_cast<int>(i + 1);
                if (v[i].is_null()) ins.value().bind(index, std::optional<int64_t>{});
                else if (v[i].is_number_integer()) ins.value().bind(index, v[i].get<int64_t>());
                else if (v[i].is_string()) ins.value().bind(index, std::string_view(v[i].get_ref<const std::string&>()));
                else
                    return transfer_error("line " + std::to_string(line_no) + ": values are integers, text or null");
            }
            if (auto st = ins.value().run(); !st)
                return sb::make_error(st.error().code, "line " + std::to_string(line_no) + " (" + table + "): " + st.error().message);
        }
        summary.tables.emplace_back(table, rows);
        summary.rows += rows;
    }
    // PostgreSQL's identity columns go on after the highest id imported.
    if (db.dialect() == Dialect::Postgres) {
        for (const auto& [table, rows] : summary.tables) {
            auto q = db.prepare("SELECT pg_get_serial_sequence(?, 'id') IS NOT NULL FROM information_schema.columns "
                                "WHERE table_schema = 'public' AND table_name = ? AND column_name = 'id';");
            if (!q) return q.error();
            q.value().bind(1, std::string_view(table)).bind(2, std::string_view(table));
            auto row = q.value().step();
            if (!row) return row.error();
            if (!row.value() || q.value().column_int(0) == 0) continue;
            auto st = db.exec("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM " +
                              table + "), false);");
            if (!st) return st.error();
        }
    }
    if (auto st = tx.commit(); !st) return st.error();
    return summary;
}

}  // namespace sbd
