// util/result.h: errors as values, for every trust boundary and every rejected transition.
//
// `Error` is a stable machine code plus a human message; `Result<T>` is a T or an Error.
// Nothing in core/ throws; a failed operation returns an Error and changes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sb {

struct Error {
    std::string code;     // stable, snake_case, documented (docs/protocol.md, docs/js-api.md)
    std::string message;  // for people
    std::optional<int64_t> retry_after_ms{};

    friend bool operator==(const Error&, const Error&) = default;
};

inline Error make_error(std::string code, std::string message) {
    return Error{std::move(code), std::move(message), std::nullopt};
}

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const { return std::get<0>(v_); }
    T& value() { return std::get<0>(v_); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace sb
