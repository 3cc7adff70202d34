// shell/widgets.h: the small drawing pieces the panels share, so every panel looks the same.
//
// Sections: text · presence · cards · buttons · text fields · chips and glyphs · phone ·
//           illustrations · empty state
// Widgets only draw and report clicks; they know nothing of DeskState beyond a Presence and a
// contact's Channel. The words for times, money and names are format.h's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <imgui.h>

#include <vector>

#include "agent/presence.h"
#include "contact/contact.h"

namespace sb::shell::ui {

// ---- text --------------------------------------------------------------------------------------
// Makes `font` current at the size it was added at (ImGui::PopFont() undoes it).
inline void push_font(ImFont* font) { ImGui::PushFont(font, font->LegacySize); }
// Text in a given font and colour at the cursor.
void text(ImFont* font, ImU32 color, std::string_view s);
// Text wrapped to `width`, each line centred in it, starting at the cursor.
void text_centered_wrapped(ImFont* font, ImU32 color, std::string_view s, float width);
// Text drawn at a point with the draw list (no layout); returns its width.
float draw_text(ImDrawList* dl, ImFont* font, ImVec2 pos, ImU32 color, std::string_view s);
ImVec2 text_size(ImFont* font, std::string_view s);
// Shortens `s` with "…" so it fits `max_width`.
std::string ellipsize(ImFont* font, std::string_view s, float max_width);
// `s` wrapped at `width` into at most `max_lines` lines, the last one ellipsized if text remains.
std::vector<std::string> wrap_lines(ImFont* font, std::string_view s, float width, int max_lines);
// The on-screen line height of a font (its size in logical pixels).
float line_height(ImFont* font);
// The y that vertically centres one line of `font` in a row from `top` of `height`.
float centred_y(ImFont* font, float top, float height);

// ---- presence ----------------------------------------------------------------------------------
ImU32 presence_color(agent::Presence p);
// A filled dot with a soft halo, the way presence shows everywhere in the shell.
void presence_dot(ImDrawList* dl, ImVec2 center, float radius, ImU32 color);
// Three dots, one lit, stepping every 250 ms: shows that something is under way.
void progress_dots(ImDrawList* dl, ImVec2 center, ImU32 color, int64_t now_ms);

// ---- cards -------------------------------------------------------------------------------------
// A white rounded card with a hairline border at `pos` (window-local) of `size`; the content
// region inside is padded by `padding`. Always pair with end_card().
void begin_card(const char* id, ImVec2 pos, ImVec2 size, float padding = 16.0f);
void end_card();
// A card's title row: heading text, an optional muted count, and a hairline under it.
void card_header(const char* title, const char* trailing = nullptr);

// ---- buttons -----------------------------------------------------------------------------------
// The accent button for the one main action of a view.
bool primary_button(const char* label, ImVec2 size);
// A quiet bordered button for secondary actions (sign out).
bool secondary_button(const char* label, ImVec2 size);
// A bordered button with red words, for actions that end something (End a contact).
bool danger_button(const char* label, ImVec2 size);
// A filled button in any colour with white words: green Answer / Call, red Hang up / Decline.
bool solid_button(const char* label, ImVec2 size, ImU32 bg, ImU32 hover, ImU32 active);
bool success_button(const char* label, ImVec2 size);
bool hangup_button(const char* label, ImVec2 size);
// A muted keyboard-shortcut hint in a small rounded box ("Alt+A"), drawn at `pos`; returns its size.
ImVec2 draw_key_hint(ImDrawList* dl, ImVec2 pos, std::string_view keys, ImU32 fg, ImU32 border);
ImVec2 key_hint_size(std::string_view keys);

// ---- text fields -------------------------------------------------------------------------------
// std::string fields that grow as the agent types (ImGui's own take a fixed char buffer). They
// return true when the text changed; `enter` (if given) is set when Enter was pressed.
bool input_text(const char* id, std::string& s, const char* hint = nullptr, ImGuiInputTextFlags flags = 0,
                bool* enter = nullptr, ImGuiInputTextCallback callback = nullptr, void* user_data = nullptr);
bool input_text_multiline(const char* id, std::string& s, ImVec2 size, ImGuiInputTextFlags flags = 0,
                          ImGuiInputTextCallback callback = nullptr, void* user_data = nullptr);
// Draws a muted hint inside the last (multi-line) field while it is empty and not being edited.
void field_placeholder(const std::string& s, const char* hint);
// The focus ring the login form uses, around the last item while it is being edited.
void focus_ring();

// ---- chips and glyphs --------------------------------------------------------------------------
// A small rounded label; returns its size. chip_size() measures without drawing.
ImVec2 chip_size(std::string_view label);
ImVec2 draw_chip(ImDrawList* dl, ImVec2 pos, std::string_view label, ImU32 bg, ImU32 fg);
// A round badge with a count (unread messages), centred at `center`.
void count_badge(ImDrawList* dl, ImVec2 center, int count, ImU32 bg, ImU32 fg);
// The channel's glyph drawn with lines (a speech bubble for chat, a phone with a message for
// SMS, a handset for calls), `size` wide, centred at `center`.
void channel_glyph(ImDrawList* dl, contact::Channel ch, ImVec2 center, float size, ImU32 color);
// The glyph in a soft round tile, the way contacts show their channel in lists.
void channel_tile(ImDrawList* dl, contact::Channel ch, ImVec2 center, float diameter);
ImU32 channel_color(contact::Channel ch);
ImU32 channel_soft_color(contact::Channel ch);
// Radio dot for single-choice lists (dispositions, transfer targets).
void radio_dot(ImDrawList* dl, ImVec2 center, bool on);

// ---- phone -------------------------------------------------------------------------------------
// Line glyphs of the phone's controls, `size` wide, centred at `center`.
enum class Glyph { Handset, HangUp, Mic, MicOff, Pause, Play, Keypad, Transfer, Callback };
void draw_glyph(ImDrawList* dl, Glyph g, ImVec2 center, float size, ImU32 color);
// A call control: a rounded tile with a glyph over a caption; `on` shows it engaged (muted,
// held, keypad open). Returns true when clicked.
bool call_control(const char* id, Glyph g, const char* caption, bool on, ImVec2 size);
// The telephone keypad: 1-9, *, 0, # in a 3x4 grid of `key` sized keys with `gap` between them,
// letters under the digits as on a phone. Returns the key clicked, or 0.
char keypad(const char* id, ImVec2 key, float gap);
ImVec2 keypad_size(ImVec2 key, float gap);

// ---- illustrations -----------------------------------------------------------------------------
enum class Illustration { Inbox, Conversation, Person };
// Simple line-and-fill drawings for empty states, `size` wide, centred at `center`.
void draw_illustration(ImDrawList* dl, Illustration what, ImVec2 center, float size);
// The product mark: an indigo rounded square with a switchboard glyph.
void draw_logo(ImDrawList* dl, ImVec2 top_left, float size);

// ---- empty state -------------------------------------------------------------------------------
// Illustration, title and hint centred in the remaining content region of the current window.
void empty_state(Illustration what, const char* title, std::string_view hint);

}  // namespace sb::shell::ui
