// The desk protocol's request table (server/desk/desk_service.cpp) against the core's schema.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

#include "protocol/schema.h"
#include "server/desk/desk_service.h"

TEST_CASE("every request type the core's schema accepts has exactly one handler, and no other") {
    const auto handled = sbd::DeskService::handled_types();
    std::set<std::string_view> unique(handled.begin(), handled.end());
    CHECK(unique.size() == handled.size());  // no type routed twice
    std::set<std::string_view> schema;
    for (const auto& spec : sb::protocol::request_specs()) schema.insert(spec.type);
    for (auto type : schema) CHECK_MESSAGE(unique.count(type) == 1, "no handler for ", std::string(type));
    for (auto type : unique) CHECK_MESSAGE(schema.count(type) == 1, "a handler for a type the schema refuses: ", std::string(type));
}
