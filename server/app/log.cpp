// log.cpp: JSON-lines logger (see log.h).
#include "server/app/log.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "contact/card.h"

namespace sbd {

namespace {
const char* level_name(LogLevel l) {
    switch (l) {
        case LogLevel::Debug: return "debug";
        case LogLevel::Info: return "info";
        case LogLevel::Warn: return "warn";
        case LogLevel::Error: return "error";
    }
    return "info";
}
}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view s) {
    if (s == "debug") return LogLevel::Debug;
    if (s == "info") return LogLevel::Info;
    if (s == "warn") return LogLevel::Warn;
    if (s == "error") return LogLevel::Error;
    return std::nullopt;
}

void mask_card_numbers_in(nlohmann::json& j) {
    if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        if (sb::contact::contains_card_number(s)) j = sb::contact::mask_card_numbers(s);
    } else if (j.is_array()) {
        for (auto& e : j) mask_card_numbers_in(e);
    } else if (j.is_object()) {
        bool keys = false;
        for (auto it = j.begin(); it != j.end(); ++it) {
            mask_card_numbers_in(it.value());
            keys = keys || sb::contact::contains_card_number(it.key());
        }
        if (keys) {  // rare: rebuild the object with masked keys
            nlohmann::json out = nlohmann::json::object();
            for (auto it = j.begin(); it != j.end(); ++it) out[sb::contact::mask_card_numbers(it.key())] = std::move(it.value());
            j = std::move(out);
        }
    }
}

void Logger::limited(LogLevel level, std::string_view msg, nlohmann::json fields) {
    if (level < min_) return;
    using namespace std::chrono;
    int64_t now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    auto it = budgets_.find(msg);
    if (it == budgets_.end()) {
        if (budgets_.size() > 64) budgets_.clear();  // callers pass fixed messages: never reached
        it = budgets_.emplace(std::string(msg), Budget{TokenBucket(RateSpec{20, 100}, now), 0}).first;
    }
    Budget& b = it->second;
    if (!b.bucket.take(now)) {
        ++b.suppressed;
        return;
    }
    if (b.suppressed > 0 && fields.is_object()) fields["suppressed"] = std::exchange(b.suppressed, 0);
    write(level, msg, std::move(fields));
}

void Logger::write(LogLevel level, std::string_view msg, nlohmann::json fields) {
    if (level < min_) return;
    using namespace std::chrono;
    nlohmann::ordered_json line = nlohmann::ordered_json::object();  // ts, level, msg first
    line["ts"] = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    line["level"] = level_name(level);
    line["msg"] = sb::contact::mask_card_numbers(msg);
    mask_card_numbers_in(fields);
    if (fields.is_object())
        for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
    // Replace rather than throw on invalid UTF-8 coming from a client (e.g. an unknown type).
    std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace sbd
