// protocol/reader.cpp: Fields. Every read is `is_*()` first, then the value; nothing here may
// read a value of another type.
#include "protocol/reader.h"

#include "protocol/schema.h"

namespace sb::protocol {

void Fields::check() {
    if (!j_->is_object()) fail("", "an object");
}

std::string Fields::path(std::string_view key) const {
    if (key.empty()) return std::string(where_);
    if (where_.empty()) return std::string(key);
    std::string p;
    p.reserve(where_.size() + 1 + key.size());
    p.append(where_).append(1, '.').append(key);
    return p;
}

void Fields::fail(std::string_view key, std::string_view what) {
    if (!error_) error_ = make_error(code::bad_message, path(key) + " must be " + std::string(what));
}

void Fields::fail_with(const Error& e) {
    if (!error_) error_ = e;
}

const JsonValue* Fields::find(std::string_view key) const {
    return j_->find(key);
}

const JsonValue* Fields::need(std::string_view key, bool (JsonValue::*is)() const noexcept, const char* what) {
    const JsonValue* v = find(key);
    if (!v || !(v->*is)()) {
        fail(key, what);
        return nullptr;
    }
    return v;
}

// ---- required ------------------------------------------------------------------------------------

std::string Fields::str(std::string_view key) {
    const JsonValue* v = need(key, &JsonValue::is_string, "a string");
    return v ? std::string(v->string()) : std::string();
}

int64_t Fields::integer(std::string_view key) {
    const JsonValue* v = need(key, &JsonValue::is_number_integer, "an integer");
    return v ? v->integer() : 0;
}

bool Fields::boolean(std::string_view key) {
    const JsonValue* v = need(key, &JsonValue::is_boolean, "a boolean");
    return v ? v->boolean() : false;
}

const JsonValue* Fields::object(std::string_view key) { return need(key, &JsonValue::is_object, "an object"); }

const JsonValue* Fields::array(std::string_view key) { return need(key, &JsonValue::is_array, "an array"); }

std::vector<std::string> Fields::strings(std::string_view key) {
    std::vector<std::string> out;
    const JsonValue* v = need(key, &JsonValue::is_array, "an array of strings");
    if (!v) return out;
    for (const JsonValue& e : *v) {
        if (!e.is_string()) {
            fail(key, "an array of strings");
            return {};
        }
        out.emplace_back(e.string());
    }
    return out;
}

// ---- optional --------------------------------------------------------------------------------------

std::string Fields::str_or(std::string_view key, std::string fallback) {
    const JsonValue* v = find(key);
    if (!v) return fallback;
    if (!v->is_string()) return fail(key, "a string"), fallback;
    return std::string(v->string());
}

std::string Fields::str_or_null(std::string_view key) {
    const JsonValue* v = find(key);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) return fail(key, "a string or null"), std::string();
    return std::string(v->string());
}

int64_t Fields::integer_or(std::string_view key, int64_t fallback) {
    const JsonValue* v = find(key);
    if (!v) return fallback;
    if (!v->is_number_integer()) return fail(key, "an integer"), fallback;
    return v->integer();
}

std::optional<int64_t> Fields::integer_or_null(std::string_view key) {
    const JsonValue* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_number_integer()) return fail(key, "an integer or null"), std::nullopt;
    return v->integer();
}

bool Fields::boolean_or(std::string_view key, bool fallback) {
    const JsonValue* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) return fail(key, "a boolean"), fallback;
    return v->boolean();
}

const JsonValue* Fields::object_or_null(std::string_view key) {
    const JsonValue* v = find(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) return fail(key, "an object or null"), nullptr;
    return v;
}

const JsonValue* Fields::array_or_null(std::string_view key) {
    const JsonValue* v = find(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_array()) return fail(key, "an array or null"), nullptr;
    return v;
}

const JsonValue* Fields::array_or_absent(std::string_view key) {
    const JsonValue* v = find(key);
    if (!v) return nullptr;
    if (!v->is_array()) return fail(key, "an array"), nullptr;
    return v;
}

}  // namespace sb::protocol
