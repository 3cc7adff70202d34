// rows.h: the small shapes every store's queries share: optional text bound as NULL, a nullable
// column read as none, and a statement's rows read into records (a reader may refuse a row with
// an error, which ends the read).
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "server/store/database.h"
#include "util/result.h"

namespace sbd::rows {

inline void bind_text(Statement& st, int i, const std::optional<std::string>& v) {
    if (v) st.bind(i, std::string_view(*v));
    else st.bind(i, std::optional<int64_t>{});
}

inline std::optional<std::string> opt_text(const Statement& st, int col) {
    if (st.column_is_null(col)) return std::nullopt;
    return st.column_text(col);
}

inline std::optional<int64_t> opt_int(const Statement& st, int col) {
    if (st.column_is_null(col)) return std::nullopt;
    return st.column_int(col);
}

// Every row, read by `read` (returning T, or sb::Result<T> for a row that can be refused).
template <class T, class Read>
sb::Result<std::vector<T>> collect(Statement& st, Read read) {
    std::vector<T> out;
    for (;;) {
        auto row = st.step();
        if (!row) return row.error();
        if (!row.value()) break;
        if constexpr (std::is_same_v<decltype(read(st)), sb::Result<T>>) {
            auto r = read(st);
            if (!r) return r.error();
            out.push_back(std::move(r.value()));
        } else {
            out.push_back(read(st));
        }
    }
    return out;
}

// The first row, if any.
template <class T, class Read>
sb::Result<std::optional<T>> first(Statement& st, Read read) {
    auto all = collect<T>(st, read);
    if (!all) return all.error();
    if (all.value().empty()) return std::optional<T>{};
    return std::optional<T>(std::move(all.value().front()));
}

}  // namespace sbd::rows
