// protocol/reader.h: reading JSON from the backend without exceptions.
//
// nlohmann::json's value(), get<>(), at() and get_ref throw type_error when a key holds another
// type than the one asked for (null where a string is expected, a number for an object...), and
// in wasm a throw aborts the app. Whatever the desk reads out of a backend frame goes through
// Fields instead: every accessor checks the type before it reads. A missing or wrong-typed field
// records the first problem (bad_message, naming the field's path, "contact.customer.phone must
// be a string or null") and gives a default, so that a decoder reads on and reports once, at
// done(); a decoder never returns a value built from a problem.
//
// Fields reads a JsonDoc's values (protocol/json_doc.h), the form every frame is parsed into.
//
// Sections: Fields (required · optional · problems) · decode_list
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/json_doc.h"
#include "util/result.h"

namespace sb::protocol {

using json = nlohmann::json;

class Fields {
public:
    // `where` names the object in problems ("contact", "customer.sensitive"). A value that is
    // not an object is a problem at once; every accessor then gives its default.
    // A `where` given as a std::string lvalue is only pointed to (a decoder's parameter, which
    // outlives its Fields: most objects are read with no copy of their path); a temporary is kept.
    Fields(const JsonValue& j, const std::string& where) : j_(&j), where_(where) { check(); }
    Fields(const JsonValue& j, std::string&& where) : j_(&j), owned_(std::move(where)), where_(owned_) { check(); }
    Fields(const JsonValue& j, const char* where) : Fields(j, std::string(where)) {}
    Fields(JsonValue&&, const std::string&) = delete;  // it keeps a pointer: no temporaries
    Fields(const Fields&) = delete;  // where_ may point into owned_
    Fields& operator=(const Fields&) = delete;

    // ---- required: absent, null or another type is a problem -----------------------------------
    std::string str(std::string_view key);
    int64_t integer(std::string_view key);
    bool boolean(std::string_view key);
    const JsonValue* object(std::string_view key);  // nullptr after a problem
    const JsonValue* array(std::string_view key);
    std::vector<std::string> strings(std::string_view key);  // an array of strings

    // ---- optional: absent gives the default; so does null for the *_or_null ones ---------------
    std::string str_or(std::string_view key, std::string fallback);
    std::string str_or_null(std::string_view key);  // absent or null: ""
    int64_t integer_or(std::string_view key, int64_t fallback);
    std::optional<int64_t> integer_or_null(std::string_view key);  // absent or null: none
    bool boolean_or(std::string_view key, bool fallback);
    const JsonValue* object_or_null(std::string_view key);  // absent or null: nullptr, no problem
    const JsonValue* array_or_null(std::string_view key);
    const JsonValue* array_or_absent(std::string_view key);  // absent: nullptr; null is a problem

    // ---- presence, and the raw value for a part read on its own (no check, no problem) --------
    bool has(std::string_view key) const { return find(key) != nullptr; }
    const JsonValue* raw(std::string_view key) const { return find(key); }

    // ---- problems --------------------------------------------------------------------------------
    // `what` completes "<where>.<key> must be ..."; an empty key names the object itself.
    void fail(std::string_view key, std::string_view what);
    void fail_with(const Error& e);  // a nested decoder's problem, already named
    bool ok() const { return !error_; }
    // The path of a field, for nested decoders: "contact" + "customer" = "contact.customer".
    std::string path(std::string_view key) const;

    template <class T>
    Result<T> done(T value) const {
        if (error_) return *error_;
        return value;
    }

private:
    // The field, or nullptr when absent (or when the object is not one).
    const JsonValue* find(std::string_view key) const;
    const JsonValue* need(std::string_view key, bool (JsonValue::*is)() const noexcept, const char* what);

    void check();

    const JsonValue* j_;
    std::string owned_;
    std::string_view where_;
    std::optional<Error> error_;
};

// Decodes each element of `array` (nullptr: no elements) with `one(element, path)`, where path
// names the element ("contact.messages[2]"); the first element that fails fails the list.
template <class T, class F>
Result<std::vector<T>> decode_list(const JsonValue* array, const std::string& where, F&& one) {
    std::vector<T> out;
    if (!array || !array->is_array()) return out;
    out.reserve(array->size());
    size_t i = 0;
    for (const JsonValue& e : *array) {
        Result<T> r = one(e, where + "[" + std::to_string(i++) + "]");
        if (!r) return r.error();
        out.push_back(std::move(r.value()));
    }
    return out;
}

}  // namespace sb::protocol
