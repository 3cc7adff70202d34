// protocol/json_doc.h: JSON text read into one flat, read-only document, for the backend's frames.
//
// Every frame the desk receives used to become an nlohmann::json tree (a heap node per value, a
// std::map per object) that the decoders read once and threw away; building and freeing it was
// most of what a frame cost. A JsonDoc is the text's own copy (strings are unescaped in place)
// and one array of values in document order, so that a frame costs two allocations however many
// fields it has. It accepts exactly what nlohmann::json::parse accepts (RFC 8259, strict UTF-8,
// an optional byte order mark; a later duplicate key wins; a NUL byte after the value ends the
// text, as nlohmann's lexer has it) and types numbers as it does, so that
// the decoders' checks (protocol::Fields) refuse the same frames with the same errors;
// tests/fuzz/fuzz_json_doc.cpp holds the two parsers to that. Nothing here throws.
//
// Sections: JsonValue (one value, read in place) · JsonDoc (parse, the root, nlohmann's form)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::protocol {

// ---- JsonValue ----------------------------------------------------------------------------------
// A value inside a JsonDoc, reached only by reference (root(), find(), iteration): a container's
// elements follow it in its document, so a JsonValue copied out of its document means nothing.
class JsonValue {
public:
    enum class Kind : uint8_t { Null, Boolean, Integer, Unsigned, Float, String, Array, Object };

    Kind kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == Kind::Null; }
    bool is_boolean() const noexcept { return kind_ == Kind::Boolean; }
    // As nlohmann: an integer that fits int64_t or uint64_t; one that fits neither is a float.
    bool is_number_integer() const noexcept { return kind_ == Kind::Integer || kind_ == Kind::Unsigned; }
    bool is_string() const noexcept { return kind_ == Kind::String; }
    bool is_array() const noexcept { return kind_ == Kind::Array; }
    bool is_object() const noexcept { return kind_ == Kind::Object; }

    // Each for its kind only (another kind gives false, 0, ""); check first.
    bool boolean() const noexcept { return kind_ == Kind::Boolean && int_ != 0; }
    int64_t integer() const noexcept { return is_number_integer() ? int_ : 0; }  // unsigned: as nlohmann's get<int64_t>
    double number() const noexcept;
    std::string_view string() const noexcept { return kind_ == Kind::String ? std::string_view(str_, len_) : std::string_view(); }

    // An object's member (the last one of that name, as nlohmann keeps it), or nullptr.
    const JsonValue* find(std::string_view key) const noexcept;
    // An array's elements (or an object's values): for (const JsonValue& e : array) ...
    class Iterator {
    public:
        const JsonValue& operator*() const noexcept { return *(at_ + skip_); }
        const JsonValue* operator->() const noexcept { return at_ + skip_; }
        // An object's member: its name.
        std::string_view key() const noexcept { return at_->string(); }
        Iterator& operator++() noexcept {
            at_ = (at_ + skip_)->next();
            return *this;
        }
        bool operator==(const Iterator& o) const noexcept { return at_ == o.at_; }
        bool operator!=(const Iterator& o) const noexcept { return at_ != o.at_; }

    private:
        friend class JsonValue;
        Iterator(const JsonValue* at, int skip) : at_(at), skip_(skip) {}
        const JsonValue* at_;  // an element, or an object member's name
        int skip_;             // 1 in an object: the value follows its name
    };
    Iterator begin() const noexcept { return Iterator(this + 1, is_object() ? 1 : 0); }
    Iterator end() const noexcept { return Iterator(next(), is_object() ? 1 : 0); }
    size_t size() const noexcept;  // elements, members; 0 for a scalar

private:
    friend class JsonDoc;
    friend class JsonParser;
    // The value after this one and everything inside it.
    const JsonValue* next() const noexcept { return this + 1 + ((kind_ == Kind::Array || kind_ == Kind::Object) ? len_ : 0); }

    Kind kind_ = Kind::Null;
    uint32_t len_ = 0;  // a string's bytes; a container's values after it that are inside it
    union {
        const char* str_;
        int64_t int_ = 0;  // Integer, Unsigned (its bits), Boolean
        double float_;
    };
};

// ---- JsonDoc --------------------------------------------------------------------------------------
class JsonDoc {
public:
    JsonDoc();  // an empty object
    JsonDoc(const JsonDoc& other);
    JsonDoc& operator=(const JsonDoc& other);
    JsonDoc(JsonDoc&&) noexcept = default;
    JsonDoc& operator=(JsonDoc&&) noexcept = default;

    enum class Status { Ok, Invalid, TooDeep };
    struct Parsed;
    // Arrays and objects nested deeper than max_depth are TooDeep (counted as protocol's
    // nested_too_deep counts: the outermost is 1). Text of any size; the caller limits it.
    static Parsed parse(std::string_view text, int max_depth);
    // An nlohmann value (from our own code, the server, tests) as a JsonDoc: through its text.
    static JsonDoc from(const nlohmann::json& j);

    const JsonValue& root() const noexcept { return nodes_[root_]; }
    // The same document, rooted at `v` (a value inside it): a frame's `data` or `result`.
    void set_root(const JsonValue& v) noexcept { root_ = static_cast<uint32_t>(&v - nodes_.data()); }

private:
    friend class JsonParser;
    struct Unfilled {};
    explicit JsonDoc(Unfilled) noexcept {}  // no values yet: for parse() to fill
    std::unique_ptr<char[]> text_;  // the strings, unescaped in place; stable when the doc moves
    size_t size_ = 0;
    std::vector<JsonValue> nodes_;
    uint32_t root_ = 0;
};

struct JsonDoc::Parsed {
    Status status = Status::Invalid;
    JsonDoc doc;        // Ok: the text's document
    size_t length = 0;  // Ok: the bytes read; fewer than the text's when a NUL ended it
};

// nlohmann's form of a value (for the JS API's copy of a reply): the same types and values.
nlohmann::json to_nlohmann(const JsonValue& v);

}  // namespace sb::protocol
