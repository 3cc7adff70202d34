// audit_store.h: the `audit` table's queries (migration 8): entries added and read, newest
// first. AuditLog (admin/audit.h) checks and masks an entry before it comes here, and decides who
// may read them; this only reads and writes. Every call is a value or an error.
//
// Sections: records · AuditStore
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/store/database.h"
#include "util/result.h"

namespace sbd {

// ---- records ------------------------------------------------------------------------------------
struct AuditEntry {
    int64_t id = 0;
    int64_t at = 0;  // ms since the Unix epoch
    std::string actor;   // an agent's username, or "system"
    std::string action;
    std::optional<std::string> contact;
    std::optional<std::string> customer;
    nlohmann::json detail = nlohmann::json::object();
};

struct AuditFilter {
    static constexpr int64_t kDefaultLimit = 100;
    static constexpr int64_t kMaxLimit = 500;
    std::optional<std::string> contact, customer, actor, action;
    std::optional<int64_t> since, until;  // at >= since, at < until (ms)
    int64_t limit = kDefaultLimit;        // 1..500
    std::optional<int64_t> before_id;     // paging: entries with a smaller id (older)
};

struct AuditPage {
    std::vector<AuditEntry> entries;     // newest first
    std::optional<int64_t> next_before_id;  // set when older entries match too
};

// ---- AuditStore ---------------------------------------------------------------------------------
class AuditStore {
public:
    explicit AuditStore(Database& db) : db_(db) {}
    Database& database() { return db_; }

    // Stores an entry as given (already checked and masked); `detail` is its JSON text.
    sb::Status insert(int64_t at_ms, std::string_view actor, std::string_view action,
                      const std::optional<std::string>& contact, const std::optional<std::string>& customer,
                      const std::string& detail);
    // The entries matching every given filter, newest first, at most filter.limit (1..kMaxLimit).
    sb::Result<AuditPage> query(const AuditFilter& filter);
    // An agent's role ("agent" or "supervisor"); none for an unknown username.
    sb::Result<std::optional<std::string>> role_of(const std::string& username);

private:
    Database& db_;
};

}  // namespace sbd
