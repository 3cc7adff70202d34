// protocol/json_doc.cpp: the parser (recursive descent over the document's own copy of the
// text, each rule as nlohmann's lexer has it), JsonValue's accessors and the copy to nlohmann.
#include "protocol/json_doc.h"

#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sb::protocol {

// ---- JsonValue ----------------------------------------------------------------------------------

double JsonValue::number() const noexcept {
    switch (kind_) {
        case Kind::Integer: return static_cast<double>(int_);
        case Kind::Unsigned: return static_cast<double>(static_cast<uint64_t>(int_));
        case Kind::Float: return float_;
        default: return 0;
    }
}

namespace {

// Keys are a few bytes: compared in line, which is quicker than a call to memcmp.
bool same(const char* a, const char* b, size_t n) noexcept {
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// Bytes a string's plain run is made of: printable ASCII but the quote and the backslash.
struct PlainBytes {
    bool plain[256] = {};
    constexpr PlainBytes() {
        for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
    }
};
constexpr PlainBytes kPlain;

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
    if (!is_object()) return nullptr;
    const JsonValue* found = nullptr;
    for (const JsonValue* k = this + 1; k < next(); k = (k + 1)->next())
        if (k->len_ == key.size() && same(k->str_, key.data(), key.size())) found = k + 1;
    return found;
}

size_t JsonValue::size() const noexcept {
    if (!is_array() && !is_object()) return 0;
    size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
}

// ---- the parser -----------------------------------------------------------------------------------

class JsonParser {
public:
    JsonParser(JsonDoc& doc, int max_depth) : doc_(doc), max_depth_(max_depth) {}

    JsonDoc::Status run() {
        p_ = doc_.text_.get();
        end_ = p_ + doc_.size_;
        // nlohmann skips a UTF-8 byte order mark at the start.
        if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
        // A frame's values are short ("id":"k1", "seq":5 is a node per 4 or 5 bytes): room for
        // them all at once, so that the values are not moved while the document grows.
        doc_.nodes_.reserve(doc_.size_ / 4 + 4);
        if (!value(0)) return too_deep_ ? JsonDoc::Status::TooDeep : JsonDoc::Status::Invalid;
        skip_space();
        // nlohmann's lexer takes a NUL byte where a token could start for the end of the input
        // (C strings): after the value, whatever follows one is not read.
        return p_ == end_ || *p_ == '\0' ? JsonDoc::Status::Ok : JsonDoc::Status::Invalid;
    }

    size_t length() const { return static_cast<size_t>(p_ - doc_.text_.get()); }

private:
    using Kind = JsonValue::Kind;

    JsonDoc& doc_;
    int max_depth_;
    char* p_ = nullptr;
    char* end_ = nullptr;
    bool too_deep_ = false;

    void skip_space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    size_t push(Kind kind) {
        doc_.nodes_.emplace_back();
        doc_.nodes_.back().kind_ = kind;
        return doc_.nodes_.size() - 1;
    }

    bool literal(const char* word, size_t n) {
        if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
        p_ += n;
        return true;
    }

    bool value(int depth) {
        skip_space();
        if (p_ == end_) return false;
        switch (*p_) {
            case '{': return container(depth, Kind::Object);
            case '[': return container(depth, Kind::Array);
            case '"': return string();
            case 't': push(Kind::Boolean), doc_.nodes_.back().int_ = 1; return literal("true", 4);
            case 'f': push(Kind::Boolean); return literal("false", 5);
            case 'n': push(Kind::Null); return literal("null", 4);
            default: return number();
        }
    }

    bool container(int depth, Kind kind) {
        if (depth + 1 > max_depth_) {
            too_deep_ = true;
            return false;
        }
        size_t at = push(kind);
        ++p_;
        skip_space();
        char close = kind == Kind::Object ? '}' : ']';
        if (p_ < end_ && *p_ == close) {
            ++p_;
            return true;
        }
        for (;;) {
            if (kind == Kind::Object) {
                skip_space();
                if (p_ == end_ || *p_ != '"' || !string()) return false;
                skip_space();
                if (p_ == end_ || *p_ != ':') return false;
                ++p_;
            }
            if (!value(depth + 1)) return false;
            skip_space();
            if (p_ == end_) return false;
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ != close) return false;
            ++p_;
            doc_.nodes_[at].len_ = static_cast<uint32_t>(doc_.nodes_.size() - at - 1);
            return true;
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(unsigned& out) {
        if (end_ - p_ < 4) return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            int h = hex(p_[i]);
            if (h < 0) return false;
            out = out * 16 + static_cast<unsigned>(h);
        }
        p_ += 4;
        return true;
    }

    static bool cont(unsigned char c, unsigned char lo = 0x80, unsigned char hi = 0xBF) { return c >= lo && c <= hi; }

    // A string, unescaped in place: what is written never overtakes what is read.
    bool string() {
        size_t at = push(Kind::String);
        ++p_;  // the opening quote
        char* out = p_;
        char* start = p_;
        for (;;) {
            // The common run: plain ASCII, copied only once an escape has shifted the output.
            char* run = p_;
            while (p_ < end_ && kPlain.plain[static_cast<unsigned char>(*p_)]) ++p_;
            if (out != run) std::memmove(out, run, static_cast<size_t>(p_ - run));
            out += p_ - run;
            if (p_ == end_) return false;
            unsigned char c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                break;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                if (++p_ == end_) return false;
                char e = *p_++;
                switch (e) {
                    case '"': *out++ = '"'; break;
                    case '\\': *out++ = '\\'; break;
                    case '/': *out++ = '/'; break;
                    case 'b': *out++ = '\b'; break;
                    case 'f': *out++ = '\f'; break;
                    case 'n': *out++ = '\n'; break;
                    case 'r': *out++ = '\r'; break;
                    case 't': *out++ = '\t'; break;
                    case 'u': {
                        unsigned cp;
                        if (!hex4(cp)) return false;
                        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate: its low one must follow
                            unsigned lo;
                            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                            p_ += 2;
                            if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                            return false;
                        }
                        if (cp < 0x80) {
                            *out++ = static_cast<char>(cp);
                        } else if (cp < 0x800) {
                            *out++ = static_cast<char>(0xC0 | (cp >> 6));
                            *out++ = static_cast<char>(0x80 | (cp & 0x3F));
                        } else if (cp < 0x10000) {
                            *out++ = static_cast<char>(0xE0 | (cp >> 12));
                            *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                            *out++ = static_cast<char>(0x80 | (cp & 0x3F));
                        } else {
                            *out++ = static_cast<char>(0xF0 | (cp >> 18));
                            *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                            *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                            *out++ = static_cast<char>(0x80 | (cp & 0x3F));
                        }
                        break;
                    }
                    default: return false;
                }
                continue;
            }
            // UTF-8, as RFC 3629 (and nlohmann) allow it: no overlong forms, no surrogates, at
            // most U+10FFFF.
            auto at_least = [&](int n) { return end_ - p_ >= n; };
            const auto* u = reinterpret_cast<const unsigned char*>(p_);
            int n = 0;
            if (c >= 0xC2 && c <= 0xDF) n = at_least(2) && cont(u[1]) ? 2 : 0;
            else if (c == 0xE0) n = at_least(3) && cont(u[1], 0xA0) && cont(u[2]) ? 3 : 0;
            else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) n = at_least(3) && cont(u[1]) && cont(u[2]) ? 3 : 0;
            else if (c == 0xED) n = at_least(3) && cont(u[1], 0x80, 0x9F) && cont(u[2]) ? 3 : 0;
            else if (c == 0xF0) n = at_least(4) && cont(u[1], 0x90) && cont(u[2]) && cont(u[3]) ? 4 : 0;
            else if (c >= 0xF1 && c <= 0xF3) n = at_least(4) && cont(u[1]) && cont(u[2]) && cont(u[3]) ? 4 : 0;
            else if (c == 0xF4) n = at_least(4) && cont(u[1], 0x80, 0x8F) && cont(u[2]) && cont(u[3]) ? 4 : 0;
            if (n == 0) return false;
            std::memmove(out, p_, static_cast<size_t>(n));
            out += n;
            p_ += n;
        }
        JsonValue& v = doc_.nodes_[at];
        v.str_ = start;
        v.len_ = static_cast<uint32_t>(out - start);
        return true;
    }

    static bool digit(char c) { return c >= '0' && c <= '9'; }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; an integer that fits int64_t (negative) or
    // uint64_t is one, anything else a finite double (or refused), as nlohmann types them.
    bool number() {
        char* start = p_;
        bool negative = false;
        if (*p_ == '-') negative = true, ++p_;
        if (p_ == end_ || !digit(*p_)) return false;
        if (*p_ == '0') ++p_;
        else
            while (p_ < end_ && digit(*p_)) ++p_;
        bool integer = true;
        if (p_ < end_ && *p_ == '.') {
            integer = false;
            ++p_;
            if (p_ == end_ || !digit(*p_)) return false;
            while (p_ < end_ && digit(*p_)) ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integer = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || !digit(*p_)) return false;
            while (p_ < end_ && digit(*p_)) ++p_;
        }
        if (integer) {
            uint64_t u = 0;
            bool fits = true;
            for (const char* d = start + negative; d < p_; ++d) {
                unsigned v = static_cast<unsigned>(*d - '0');
                if (u > (UINT64_MAX - v) / 10) {
                    fits = false;
                    break;
                }
                u = u * 10 + v;
            }
            if (fits && !negative) {
                push(Kind::Unsigned);
                doc_.nodes_.back().int_ = static_cast<int64_t>(u);
                return true;
            }
            if (fits && u <= static_cast<uint64_t>(INT64_MAX) + 1) {
                push(Kind::Integer);
                doc_.nodes_.back().int_ = u == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(u);
                return true;
            }
        }
        // strtod reads the locale's decimal point, as nlohmann allows for.
        std::string token(start, p_);
        if (char point = *std::localeconv()->decimal_point; point != '.')
            for (char& ch : token)
                if (ch == '.') ch = point;
        double d = std::strtod(token.c_str(), nullptr);
        if (!std::isfinite(d)) return false;
        push(Kind::Float);
        doc_.nodes_.back().float_ = d;
        return true;
    }
};

// ---- JsonDoc ----------------------------------------------------------------------------------------

JsonDoc::JsonDoc() { nodes_.emplace_back().kind_ = JsonValue::Kind::Object; }

JsonDoc::JsonDoc(const JsonDoc& other) : size_(other.size_), nodes_(other.nodes_), root_(other.root_) {
    if (other.text_) {
        text_ = std::make_unique<char[]>(size_ ? size_ : 1);
        std::memcpy(text_.get(), other.text_.get(), size_);
        for (JsonValue& v : nodes_)
            if (v.kind_ == JsonValue::Kind::String) v.str_ = text_.get() + (v.str_ - other.text_.get());
    }
}

JsonDoc& JsonDoc::operator=(const JsonDoc& other) {
    if (this != &other) *this = JsonDoc(other);
    return *this;
}

JsonDoc::Parsed JsonDoc::parse(std::string_view text, int max_depth) {
    // Not JsonDoc(): its empty object would be one allocation more per frame, thrown away.
    Parsed out{Status::Invalid, JsonDoc(Unfilled{}), 0};
    JsonDoc& doc = out.doc;
    doc.size_ = text.size();
    doc.text_ = std::make_unique<char[]>(text.size() ? text.size() : 1);
    std::memcpy(doc.text_.get(), text.data(), text.size());
    JsonParser parser(doc, max_depth);
    out.status = parser.run();
    out.length = out.status == Status::Ok ? parser.length() : 0;
    if (out.status != Status::Ok) out.doc = JsonDoc();
    return out;
}

JsonDoc JsonDoc::from(const nlohmann::json& j) {
    auto parsed = parse(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 256);
    return parsed.status == Status::Ok ? std::move(parsed.doc) : JsonDoc();
}

nlohmann::json to_nlohmann(const JsonValue& v) {
    using Kind = JsonValue::Kind;
    switch (v.kind()) {
        case Kind::Null: return nullptr;
        case Kind::Boolean: return v.boolean();
        case Kind::Integer: return v.integer();
        case Kind::Unsigned: return static_cast<uint64_t>(v.integer());
        case Kind::Float: return v.number();
        case Kind::String: return std::string(v.string());
        case Kind::Array: {
            nlohmann::json a = nlohmann::json::array();
            for (const JsonValue& e : v) a.push_back(to_nlohmann(e));
            return a;
        }
        case Kind::Object: {
            nlohmann::json o = nlohmann::json::object();
            for (auto it = v.begin(); it != v.end(); ++it) o[std::string(it.key())] = to_nlohmann(*it);
            return o;
        }
    }
    return nullptr;
}

}  // namespace sb::protocol
