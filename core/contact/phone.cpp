#include "contact/phone.h"

namespace sb::contact {

namespace {
Error invalid(std::string_view input) {
    return make_error("invalid_phone", "\"" + std::string(input.substr(0, 32)) + "\" is not a phone number.");
}
}  // namespace

Result<std::string> normalize_e164(std::string_view input, std::string_view default_country) {
    std::string digits;
    bool plus = false;
    for (size_t i = 0; i < input.size(); ++i) {
        char c = input[i];
        if (c >= '0' && c <= '9') digits += c;
        else if (c == '+' && digits.empty() && !plus) plus = true;
        else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t') continue;
        else return invalid(input);
    }
    if (!plus && digits.size() > 2 && digits.compare(0, 2, "00") == 0) {
        plus = true;
        digits.erase(0, 2);
    }
    if (!plus) {
        if (default_country == "1" && digits.size() == 11 && digits[0] == '1') digits.erase(0, 1);
        if (default_country == "1" && digits.size() != 10) return invalid(input);
        digits = std::string(default_country) + digits;
    }
    // E.164: at most 15 digits, country codes never start with 0.
    if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return invalid(input);
    return "+" + digits;
}

}  // namespace sb::contact
