#include "contact/sms.h"

#include <cstdint>

namespace sb::contact {

namespace {

// Decodes one code point; returns 0xFFFD for an invalid sequence (advancing one byte).
char32_t next_code_point(std::string_view s, size_t& i) {
    auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c >> 6) != 0x2) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    i += len;
    return cp;
}

// Septets a character takes in GSM-7: 1 (basic table), 2 (extension table), 0 (not in GSM-7).
int gsm7_septets(char32_t c) {
    static const char32_t basic[] =
        U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        U"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    static const char32_t extension[] = U"^{}\\[~]|€\f";
    for (const char32_t* p = basic; *p; ++p)
        if (*p == c) return 1;
    for (const char32_t* p = extension; *p; ++p)
        if (*p == c) return 2;
    return 0;
}

}  // namespace

SmsSegments sms_segments(std::string_view utf8) {
    SmsSegments out;
    int septets = 0, utf16 = 0;
    for (size_t i = 0; i < utf8.size();) {
        char32_t c = next_code_point(utf8, i);
        out.characters++;
        utf16 += c > 0xFFFF ? 2 : 1;
        int s = gsm7_septets(c);
        if (s == 0) out.ucs2 = true;
        septets += s;
    }
    out.units = out.ucs2 ? utf16 : septets;
    int single = out.ucs2 ? 70 : 160, part = out.ucs2 ? 67 : 153;
    if (out.units == 0) {
        out.per_segment = single;
        return out;
    }
    if (out.units <= single) {
        out.segments = 1;
        out.per_segment = single;
    } else {
        out.segments = (out.units + part - 1) / part;
        out.per_segment = part;
    }
    return out;
}

}  // namespace sb::contact
