// shell/theme.h: the look of the desk in one place: colours, fonts, metrics.
//
// Sections: colours · metrics · fonts · apply
//
// Coordinates are logical pixels (CSS pixels in the browser): the main sets io.DisplaySize to the
// window's logical size and io.DisplayFramebufferScale to the device pixel ratio. Fonts are
// added at their logical size; ImGui rasterises each glyph at the framebuffer's density when it
// is first drawn, so text is crisp on HiDPI screens while every metric below stays in logical
// pixels.
#pragma once

#include <cstdint>

#include <imgui.h>

#include "app.h"

namespace sb::shell::theme {

// ---- colours -----------------------------------------------------------------------------------
// 0xRRGGBB in, ImGui's packed ABGR out, so the palette reads like a design tool's.
constexpr ImU32 rgb(uint32_t hex, uint32_t alpha = 255) {
    return (alpha << 24) | ((hex & 0xFF) << 16) | (hex & 0xFF00) | ((hex >> 16) & 0xFF);
}

namespace color {
inline constexpr ImU32 app_bg = rgb(0xF3F4F7);        // behind the cards
inline constexpr ImU32 surface = rgb(0xFFFFFF);       // cards, bar, popups
inline constexpr ImU32 surface_hover = rgb(0xF5F6F9);
inline constexpr ImU32 surface_active = rgb(0xECEEF3);
inline constexpr ImU32 border = rgb(0xE2E5EB);
inline constexpr ImU32 border_strong = rgb(0xCDD2DB);  // input fields
inline constexpr ImU32 text = rgb(0x1A1F2B);
inline constexpr ImU32 text_muted = rgb(0x5F6B7A);
inline constexpr ImU32 text_faint = rgb(0x98A2B3);
inline constexpr ImU32 accent = rgb(0x4F46E5);        // indigo: the one brand colour
inline constexpr ImU32 accent_hover = rgb(0x4338CA);
inline constexpr ImU32 accent_active = rgb(0x3730A3);
inline constexpr ImU32 accent_soft = rgb(0xEEF0FF);
inline constexpr ImU32 accent_ring = rgb(0x4F46E5, 70);  // focus halo around inputs
inline constexpr ImU32 on_accent = rgb(0xFFFFFF);
inline constexpr ImU32 available = rgb(0x16A34A);     // presence: green
inline constexpr ImU32 not_ready = rgb(0xE08A0B);     // presence: amber
inline constexpr ImU32 offline = rgb(0x9AA3B2);       // presence: gray
inline constexpr ImU32 danger = rgb(0xC7352B);
inline constexpr ImU32 danger_hover = rgb(0xAF2C23);  // the solid Hang up / Decline button
inline constexpr ImU32 danger_active = rgb(0x93241C);
inline constexpr ImU32 danger_soft = rgb(0xFEF1F0);
inline constexpr ImU32 danger_border = rgb(0xF8CFCB);
inline constexpr ImU32 warning_soft = rgb(0xFFF7E8);
inline constexpr ImU32 warning_border = rgb(0xF6DDA8);
inline constexpr ImU32 warning_text = rgb(0x8A5300);
inline constexpr ImU32 success = rgb(0x16A34A);      // Answer, Call: the green of a phone
inline constexpr ImU32 success_hover = rgb(0x15803D);
inline constexpr ImU32 success_active = rgb(0x166534);
inline constexpr ImU32 success_soft = rgb(0xE8F7EE);
inline constexpr ImU32 voice = rgb(0x2563EB);        // channel tint: calls
inline constexpr ImU32 voice_soft = rgb(0xE6EEFD);
inline constexpr ImU32 sms = rgb(0x0E8A7E);          // channel tint: SMS (chat uses the accent)
inline constexpr ImU32 sms_soft = rgb(0xE3F5F2);
inline constexpr ImU32 bubble_in = rgb(0xF1F3F7);    // the customer's messages
inline constexpr ImU32 amber = rgb(0xB45309);        // a timer past its warning mark
inline constexpr ImU32 amber_soft = rgb(0xFFF4E0);
inline constexpr ImU32 illustration = rgb(0xE4E7F5);  // soft fills of empty-state drawings
inline constexpr ImU32 illustration_line = rgb(0xB7BDE3);
}  // namespace color

// ---- metrics (logical pixels) ------------------------------------------------------------------
inline constexpr float kBarHeight = 60.0f;
inline constexpr float kBannerHeight = 36.0f;
inline constexpr float kPageMargin = 16.0f;    // around the three columns
inline constexpr float kGutter = 12.0f;        // between columns
inline constexpr float kCardRounding = 10.0f;
inline constexpr float kCardPadding = 16.0f;
inline constexpr float kControlRounding = 8.0f;

// ---- fonts -------------------------------------------------------------------------------------
struct Fonts {
    ImFont* body = nullptr;     // Inter Regular 15: everything by default
    ImFont* strong = nullptr;   // Inter SemiBold 15: names, button labels
    ImFont* small = nullptr;    // Inter Regular 13: captions, hints, status lines
    ImFont* heading = nullptr;  // Inter SemiBold 17: card titles, empty-state titles
    ImFont* title = nullptr;    // Inter SemiBold 26: the product name on the login card
};

// Valid after apply(); each falls back to ImGui's built-in font if a file could not be read.
const Fonts& fonts();

// ---- apply -------------------------------------------------------------------------------------
// Loads the fonts and sets the style. A DPI change needs nothing: glyphs are baked per density.
void apply(const FontFiles& files);

inline ImVec4 vec4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

}  // namespace sb::shell::theme
