// log.h: structured logging for switchboardd, one JSON object per line on stderr.
//
// Every line has ts (ms since the Unix epoch), level, msg and whatever fields the caller adds
// (conn, username, type, code...). Callers never pass passwords or tokens. Card numbers are
// masked in the logger itself, the last line of defence (docs/security.md): the message and
// every string (and key) in the fields go through mask_card_numbers before the line is written.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/net/rate_limit.h"

namespace sbd {

enum class LogLevel { Debug, Info, Warn, Error };

std::optional<LogLevel> parse_log_level(std::string_view s);

// Masks card numbers (core/contact/card.h) in every string of `j`, keys included, in place.
// Numbers are left alone (a timestamp is not a card number).
void mask_card_numbers_in(nlohmann::json& j);

class Logger {
public:
    explicit Logger(LogLevel min_level = LogLevel::Info) : min_(min_level) {}

    void debug(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) { write(LogLevel::Debug, msg, std::move(fields)); }
    void info(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) { write(LogLevel::Info, msg, std::move(fields)); }
    void warn(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) { write(LogLevel::Warn, msg, std::move(fields)); }
    void error(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) { write(LogLevel::Error, msg, std::move(fields)); }

    void write(LogLevel level, std::string_view msg, nlohmann::json fields);

    // For lines a stranger can cause at will (a refused frame, a refused connection): at most
    // about 20 a second per message (bursts of 100); the next line let through says how many
    // were left out ("suppressed").
    void limited(LogLevel level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());

private:
    struct Budget {
        TokenBucket bucket;
        int64_t suppressed = 0;
    };
    LogLevel min_;
    std::map<std::string, Budget, std::less<>> budgets_;
};

}  // namespace sbd
