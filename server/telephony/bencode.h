// bencode.h: the encoding of rtpengine's ng control protocol (recording.h speaks it over UDP):
// integers, byte strings, lists and dictionaries (keys sorted when encoded). decode() takes
// exactly one value and nothing after it; nesting deeper than 32 levels is refused. What
// rtpengine sends is outside input: tests/fuzz/fuzz_bencode.cpp feeds it anything.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/result.h"

namespace sbd {

namespace bencode {
struct Value;
using List = std::vector<Value>;
using Dict = std::map<std::string, Value>;
struct Value {
    std::variant<int64_t, std::string, List, Dict> v;
    Value() : v(std::string()) {}
    Value(int64_t i) : v(i) {}                       // NOLINT(google-explicit-constructor)
    Value(int i) : v(int64_t{i}) {}                  // NOLINT(google-explicit-constructor)
    Value(std::string s) : v(std::move(s)) {}        // NOLINT(google-explicit-constructor)
    Value(const char* s) : v(std::string(s)) {}      // NOLINT(google-explicit-constructor)
    Value(List l) : v(std::move(l)) {}               // NOLINT(google-explicit-constructor)
    Value(Dict d) : v(std::move(d)) {}               // NOLINT(google-explicit-constructor)
    const std::string* str() const { return std::get_if<std::string>(&v); }
    const int64_t* integer() const { return std::get_if<int64_t>(&v); }
    const List* list() const { return std::get_if<List>(&v); }
    const Dict* dict() const { return std::get_if<Dict>(&v); }
    // A dictionary's string entry, if there is one.
    std::optional<std::string> text(const std::string& key) const;
};
std::string encode(const Value& v);
sb::Result<Value> decode(std::string_view in);
}  // namespace bencode

}  // namespace sbd
