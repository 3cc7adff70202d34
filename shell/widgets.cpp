// shell/widgets.cpp: shared drawing pieces (see widgets.h for the index).
#include "widgets.h"

#include <algorithm>
#include <cmath>

#include <imgui_internal.h>  // the active item, to show wrapped text in idle multi-line fields

#include "theme.h"

namespace sb::shell::ui {

namespace {

// The on-screen size of a face: the size it was added at (the desk does not scale text).
float px(ImFont* font) { return font->LegacySize; }

ImU32 with_alpha(ImU32 c, float alpha) {
    auto a = static_cast<ImU32>(static_cast<float>((c >> IM_COL32_A_SHIFT) & 0xFF) * alpha);
    return (c & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

// Raw draw-list colours do not see ImGui's style alpha; apply it so BeginDisabled() fades them too.
ImU32 styled(ImU32 c) { return with_alpha(c, ImGui::GetStyle().Alpha); }

// Calls fn(begin, end) for each line of `s` wrapped at `width` (explicit newlines respected).
template <class Fn>
void for_each_line(ImFont* font, std::string_view s, float width, Fn fn) {
    const char* p = s.data();
    const char* end = s.data() + s.size();
    while (p < end) {
        const char* nl = std::find(p, end, '\n');
        const char* brk = font->CalcWordWrapPosition(px(font), p, nl, width);
        if (brk == p) brk = p + 1;  // a word wider than the line: still make progress
        const char* line_end = brk;
        while (line_end > p && line_end[-1] == ' ') --line_end;
        fn(p, line_end);
        p = brk;
        while (p < end && *p == ' ') ++p;
        if (p < end && *p == '\n' && p == nl) ++p;
    }
}

}  // namespace

// ---- text --------------------------------------------------------------------------------------

ImVec2 text_size(ImFont* font, std::string_view s) {
    return font->CalcTextSizeA(px(font), FLT_MAX, 0.0f, s.data(), s.data() + s.size());
}

void text(ImFont* font, ImU32 color, std::string_view s) {
    push_font(font);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextUnformatted(s.data(), s.data() + s.size());
    ImGui::PopStyleColor();
    ImGui::PopFont();
}

void text_centered_wrapped(ImFont* font, ImU32 color, std::string_view s, float width) {
    const float x0 = ImGui::GetCursorPosX();
    push_font(font);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 3.0f));  // body-copy line spacing
    for_each_line(font, s, width, [&](const char* b, const char* e) {
        float w = font->CalcTextSizeA(px(font), FLT_MAX, 0.0f, b, e).x;
        ImGui::SetCursorPosX(x0 + std::max(0.0f, (width - w) * 0.5f));
        ImGui::TextUnformatted(b, e);
    });
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    ImGui::PopFont();
}

float draw_text(ImDrawList* dl, ImFont* font, ImVec2 pos, ImU32 color, std::string_view s) {
    dl->AddText(font, px(font), ImVec2(std::round(pos.x), std::round(pos.y)), styled(color), s.data(),
                s.data() + s.size());
    return text_size(font, s).x;
}

std::string ellipsize(ImFont* font, std::string_view s, float max_width) {
    if (text_size(font, s).x <= max_width) return std::string(s);
    std::string out(s);
    while (!out.empty()) {
        // Drop one whole UTF-8 character from the end.
        do out.pop_back();
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        std::string candidate = out + "…";
        if (text_size(font, candidate).x <= max_width) return candidate;
    }
    return "…";
}

std::vector<std::string> wrap_lines(ImFont* font, std::string_view s, float width, int max_lines) {
    std::vector<std::string> lines;
    const char* rest = s.data();
    bool more = false;
    for_each_line(font, s, width, [&](const char* b, const char* e) {
        if (static_cast<int>(lines.size()) == max_lines) {
            more = true;
            return;
        }
        lines.emplace_back(b, e);
        rest = e;
    });
    if (more && !lines.empty()) {
        // The last line takes what is left (on one line), cut to fit with "…".
        std::string tail = lines.back() + std::string(rest, s.data() + s.size());
        for (char& c : tail)
            if (c == '\n') c = ' ';
        lines.back() = ellipsize(font, tail, width);
    }
    return lines;
}

float line_height(ImFont* font) { return px(font); }

float centred_y(ImFont* font, float top, float height) {
    return std::round(top + (height - text_size(font, "Ag").y) * 0.5f);
}

// ---- presence ----------------------------------------------------------------------------------

ImU32 presence_color(agent::Presence p) {
    switch (p) {
        case agent::Presence::Available: return theme::color::available;
        case agent::Presence::NotReady: return theme::color::not_ready;
        case agent::Presence::Offline: return theme::color::offline;
    }
    return theme::color::offline;
}

void presence_dot(ImDrawList* dl, ImVec2 center, float radius, ImU32 color) {
    dl->AddCircleFilled(center, radius + 3.0f, styled(with_alpha(color, 0.18f)));
    dl->AddCircleFilled(center, radius, styled(color));
}

void progress_dots(ImDrawList* dl, ImVec2 center, ImU32 color, int64_t now_ms) {
    const int lit = static_cast<int>((now_ms / 250) % 3);
    for (int i = 0; i < 3; ++i) {
        ImVec2 c(center.x + static_cast<float>(i - 1) * 9.0f, center.y);
        dl->AddCircleFilled(c, 2.8f, styled(i == lit ? color : with_alpha(color, 0.35f)));
    }
}

// ---- cards -------------------------------------------------------------------------------------

void begin_card(const char* id, ImVec2 pos, ImVec2 size, float padding) {
    // A one-pixel shadow under the card, drawn by the parent so it sits outside the card's clip.
    ImVec2 screen = ImVec2(ImGui::GetWindowPos().x + pos.x, ImGui::GetWindowPos().y + pos.y);
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(screen.x, screen.y + 1.0f),
                                              ImVec2(screen.x + size.x, screen.y + size.y + 2.0f),
                                              theme::rgb(0x101828, 14), theme::kCardRounding + 1.0f);
    ImGui::SetCursorPos(pos);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::color::surface);
    ImGui::PushStyleColor(ImGuiCol_Border, theme::color::border);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, theme::kCardRounding);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildBorderSize, 1.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(padding, padding));
    ImGui::BeginChild(id, size, true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleVar(3);
    ImGui::PopStyleColor(2);
}

void end_card() { ImGui::EndChild(); }

void card_header(const char* title, const char* trailing) {
    const auto& f = theme::fonts();
    push_font(f.heading);
    ImGui::TextUnformatted(title);
    ImGui::PopFont();
    if (trailing) {
        ImGui::SameLine();
        // Baseline-align the smaller caption with the heading.
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (px(f.heading) - px(f.small)) * 0.7f);
        text(f.small, theme::color::text_faint, trailing);
    }
    // A hairline across the whole card, outside the padded clip rect.
    ImVec2 wpos = ImGui::GetWindowPos(), wsize = ImGui::GetWindowSize();
    float y = ImGui::GetCursorScreenPos().y + 2.0f;
    ImGui::PushClipRect(wpos, ImVec2(wpos.x + wsize.x, wpos.y + wsize.y), false);
    ImGui::GetWindowDrawList()->AddLine(ImVec2(wpos.x + 1.0f, y), ImVec2(wpos.x + wsize.x - 1.0f, y),
                                        theme::color::border);
    ImGui::PopClipRect();
    ImGui::Dummy(ImVec2(0.0f, 6.0f));
}

// ---- buttons -----------------------------------------------------------------------------------

bool primary_button(const char* label, ImVec2 size) {
    ImGui::PushStyleColor(ImGuiCol_Button, theme::color::accent);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::color::accent_hover);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::color::accent_active);
    ImGui::PushStyleColor(ImGuiCol_Text, theme::color::on_accent);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 0.0f);
    push_font(theme::fonts().strong);
    bool clicked = ImGui::Button(label, size);
    ImGui::PopFont();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(4);
    return clicked;
}

bool secondary_button(const char* label, ImVec2 size) {
    ImGui::PushStyleColor(ImGuiCol_Button, theme::color::surface);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::color::surface_hover);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::color::surface_active);
    ImGui::PushStyleColor(ImGuiCol_Text, theme::color::text);
    ImGui::PushStyleColor(ImGuiCol_Border, theme::color::border_strong);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
    bool clicked = ImGui::Button(label, size);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(5);
    return clicked;
}

bool danger_button(const char* label, ImVec2 size) {
    ImGui::PushStyleColor(ImGuiCol_Button, theme::color::surface);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::color::danger_soft);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::color::danger_border);
    ImGui::PushStyleColor(ImGuiCol_Text, theme::color::danger);
    ImGui::PushStyleColor(ImGuiCol_Border, theme::color::danger_border);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
    bool clicked = ImGui::Button(label, size);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(5);
    return clicked;
}

bool solid_button(const char* label, ImVec2 size, ImU32 bg, ImU32 hover, ImU32 active) {
    ImGui::PushStyleColor(ImGuiCol_Button, bg);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, hover);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, active);
    ImGui::PushStyleColor(ImGuiCol_Text, theme::color::on_accent);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 0.0f);
    push_font(theme::fonts().strong);
    bool clicked = ImGui::Button(label, size);
    ImGui::PopFont();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(4);
    return clicked;
}

bool success_button(const char* label, ImVec2 size) {
    return solid_button(label, size, theme::color::success, theme::color::success_hover, theme::color::success_active);
}

bool hangup_button(const char* label, ImVec2 size) {
    return solid_button(label, size, theme::color::danger, theme::color::danger_hover, theme::color::danger_active);
}

ImVec2 key_hint_size(std::string_view keys) {
    const ImVec2 ts = text_size(theme::fonts().small, keys);
    return ImVec2(std::round(ts.x + 10.0f), std::round(ts.y + 4.0f));
}

ImVec2 draw_key_hint(ImDrawList* dl, ImVec2 pos, std::string_view keys, ImU32 fg, ImU32 border) {
    const ImVec2 sz = key_hint_size(keys);
    pos = ImVec2(std::round(pos.x), std::round(pos.y));
    dl->AddRect(pos, ImVec2(pos.x + sz.x, pos.y + sz.y), styled(border), 4.0f);
    draw_text(dl, theme::fonts().small, ImVec2(pos.x + 5.0f, pos.y + 2.0f), fg, keys);
    return sz;
}

// ---- text fields -------------------------------------------------------------------------------

namespace {

struct ResizeData {
    std::string* str;
    ImGuiInputTextCallback chain;
    void* chain_user;
};

int resize_callback(ImGuiInputTextCallbackData* data) {
    auto* rd = static_cast<ResizeData*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        rd->str->resize(static_cast<size_t>(data->BufTextLen));
        data->Buf = rd->str->data();
        return 0;
    }
    if (!rd->chain) return 0;
    data->UserData = rd->chain_user;
    int r = rd->chain(data);
    data->UserData = rd;
    return r;
}

void field_colors_push() {
    ImGui::PushStyleColor(ImGuiCol_Border, theme::color::border_strong);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 8.0f));
}
void field_colors_pop() {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
}

}  // namespace

bool input_text(const char* id, std::string& s, const char* hint, ImGuiInputTextFlags flags, bool* enter,
                ImGuiInputTextCallback callback, void* user_data) {
    ResizeData rd{&s, callback, user_data};
    s.reserve(s.size() + 1);
    const std::string before = enter ? s : std::string();
    field_colors_push();
    const bool returned = ImGui::InputTextWithHint(id, hint ? hint : "", s.data(), s.capacity() + 1,
                                                   flags | ImGuiInputTextFlags_CallbackResize |
                                                       (enter ? ImGuiInputTextFlags_EnterReturnsTrue : 0),
                                                   resize_callback, &rd);
    field_colors_pop();
    focus_ring();
    if (enter) {
        *enter = returned;
        return s != before;
    }
    return returned;
}

bool input_text_multiline(const char* id, std::string& s, ImVec2 size, ImGuiInputTextFlags flags,
                          ImGuiInputTextCallback callback, void* user_data) {
    ResizeData rd{&s, callback, user_data};
    s.reserve(s.size() + 1);
    // ImGui 1.86 does not wrap multi-line fields. While the agent is not editing, the field's own
    // text is hidden and drawn wrapped instead, so notes and drafts read like text; editing
    // shows ImGui's unwrapped lines.
    const bool editing = ImGui::GetCurrentContext()->ActiveId == ImGui::GetID(id);
    const bool overlay = !editing && !s.empty();
    field_colors_push();
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 10.0f));
    if (overlay) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 0, 0, 0));
    const bool changed = ImGui::InputTextMultiline(id, s.data(), s.capacity() + 1, size,
                                                   flags | ImGuiInputTextFlags_CallbackResize, resize_callback, &rd);
    if (overlay) ImGui::PopStyleColor();
    ImGui::PopStyleVar();
    field_colors_pop();
    if (overlay) {
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImFont* font = ImGui::GetFont();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->PushClipRect(ImVec2(a.x + 1.0f, a.y + 1.0f), ImVec2(b.x - 1.0f, b.y - 1.0f), true);
        dl->AddText(font, ImGui::GetFontSize(), ImVec2(a.x + 12.0f, a.y + 10.0f), ImGui::GetColorU32(ImGuiCol_Text),
                    s.data(), s.data() + s.size(), b.x - a.x - 24.0f);
        dl->PopClipRect();
    }
    focus_ring();
    return changed;
}

void field_placeholder(const std::string& s, const char* hint) {
    if (!s.empty() || ImGui::IsItemActive()) return;
    const ImVec2 a = ImGui::GetItemRectMin();
    draw_text(ImGui::GetWindowDrawList(), theme::fonts().body, ImVec2(a.x + 13.0f, a.y + 10.0f),
              theme::color::text_faint, hint);
}

void focus_ring() {
    if (!ImGui::IsItemActive()) return;
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(ImVec2(a.x - 4.0f, a.y - 4.0f), ImVec2(b.x + 4.0f, b.y + 4.0f), true);
    dl->AddRect(ImVec2(a.x - 2.0f, a.y - 2.0f), ImVec2(b.x + 2.0f, b.y + 2.0f), theme::color::accent_ring,
                theme::kControlRounding + 2.0f, 0, 3.0f);
    dl->AddRect(a, b, theme::color::accent, theme::kControlRounding, 0, 1.0f);
    dl->PopClipRect();
}

// ---- chips and glyphs --------------------------------------------------------------------------

ImVec2 chip_size(std::string_view label) {
    ImVec2 ts = text_size(theme::fonts().small, label);
    return ImVec2(std::round(ts.x + 16.0f), std::round(ts.y + 6.0f));
}

ImVec2 draw_chip(ImDrawList* dl, ImVec2 pos, std::string_view label, ImU32 bg, ImU32 fg) {
    const ImVec2 sz = chip_size(label);
    pos = ImVec2(std::round(pos.x), std::round(pos.y));
    dl->AddRectFilled(pos, ImVec2(pos.x + sz.x, pos.y + sz.y), styled(bg), sz.y * 0.5f);
    draw_text(dl, theme::fonts().small, ImVec2(pos.x + 8.0f, pos.y + 3.0f), fg, label);
    return sz;
}

void count_badge(ImDrawList* dl, ImVec2 c, int count, ImU32 bg, ImU32 fg) {
    const std::string label = count > 99 ? "99+" : std::to_string(count);
    ImFont* f = theme::fonts().small;
    const ImVec2 ts = text_size(f, label);
    const float h = 19.0f, w = std::max(h, ts.x + 12.0f);
    dl->AddRectFilled(ImVec2(c.x - w * 0.5f, c.y - h * 0.5f), ImVec2(c.x + w * 0.5f, c.y + h * 0.5f), styled(bg),
                      h * 0.5f);
    draw_text(dl, f, ImVec2(c.x - ts.x * 0.5f, c.y - ts.y * 0.5f), fg, label);
}

ImU32 channel_color(contact::Channel ch) {
    switch (ch) {
        case contact::Channel::Sms: return theme::color::sms;
        case contact::Channel::Voice: return theme::color::voice;
        case contact::Channel::Chat: break;
    }
    return theme::color::accent;
}
ImU32 channel_soft_color(contact::Channel ch) {
    switch (ch) {
        case contact::Channel::Sms: return theme::color::sms_soft;
        case contact::Channel::Voice: return theme::color::voice_soft;
        case contact::Channel::Chat: break;
    }
    return theme::color::accent_soft;
}

void channel_glyph(ImDrawList* dl, contact::Channel ch, ImVec2 c, float size, ImU32 color) {
    const float u = size / 16.0f;  // drawn on a 16-unit grid
    const float t = std::max(1.3f, 1.5f * u);
    color = styled(color);
    auto at = [&](float x, float y) { return ImVec2(c.x + (x - 8.0f) * u, c.y + (y - 8.0f) * u); };
    switch (ch) {
        case contact::Channel::Chat: {
            // A rounded speech bubble with a tail and three dots.
            dl->AddRect(at(1.5f, 2.5f), at(14.5f, 11.5f), color, 3.0f * u, 0, t);
            const ImVec2 tail[] = {at(4.5f, 11.2f), at(3.8f, 14.5f), at(7.8f, 11.2f)};
            dl->AddPolyline(tail, 3, color, 0, t);
            for (int i = 0; i < 3; ++i) dl->AddCircleFilled(at(5.0f + 3.0f * static_cast<float>(i), 7.0f), 0.95f * u + 0.2f, color);
            break;
        }
        case contact::Channel::Sms: {
            // A phone with lines of text on its screen.
            dl->AddRect(at(4.0f, 1.0f), at(12.0f, 15.0f), color, 2.0f * u, 0, t);
            dl->AddLine(at(6.6f, 5.0f), at(9.4f, 5.0f), color, t);
            dl->AddLine(at(6.6f, 7.8f), at(9.4f, 7.8f), color, t);
            dl->AddCircleFilled(at(8.0f, 12.2f), 0.9f * u + 0.2f, color);
            break;
        }
        case contact::Channel::Voice: {
            // A handset, drawn as a thick arc with rounded ends.
            dl->PathArcTo(at(10.5f, 5.5f), 7.0f * u, 1.75f, 3.05f, 12);
            dl->PathStroke(color, 0, 2.6f * u);
            dl->AddCircleFilled(at(3.7f, 5.4f), 1.7f * u, color);
            dl->AddCircleFilled(at(9.6f, 12.4f), 1.7f * u, color);
            break;
        }
    }
}

void channel_tile(ImDrawList* dl, contact::Channel ch, ImVec2 c, float d) {
    dl->AddCircleFilled(c, d * 0.5f, styled(channel_soft_color(ch)), 32);
    channel_glyph(dl, ch, c, d * 0.5f, channel_color(ch));
}

void radio_dot(ImDrawList* dl, ImVec2 c, bool on) {
    if (on) {
        dl->AddCircleFilled(c, 8.0f, styled(theme::color::accent), 24);
        dl->AddCircleFilled(c, 3.2f, styled(theme::color::on_accent), 16);
    } else {
        dl->AddCircleFilled(c, 8.0f, styled(theme::color::surface), 24);
        dl->AddCircle(c, 7.5f, styled(theme::color::border_strong), 24, 1.4f);
    }
}

// ---- phone -------------------------------------------------------------------------------------

void draw_glyph(ImDrawList* dl, Glyph g, ImVec2 c, float size, ImU32 color) {
    const float u = size / 16.0f;  // a 16-unit grid, as channel_glyph
    const float t = std::max(1.4f, 1.6f * u);
    color = styled(color);
    auto at = [&](float x, float y) { return ImVec2(c.x + (x - 8.0f) * u, c.y + (y - 8.0f) * u); };
    switch (g) {
        case Glyph::Handset:
        case Glyph::Callback:
            channel_glyph(dl, contact::Channel::Voice, g == Glyph::Callback ? at(6.5f, 9.5f) : c,
                          g == Glyph::Callback ? size * 0.8f : size, color);
            if (g == Glyph::Callback) {  // a curved arrow back, top right
                dl->PathArcTo(at(11.0f, 5.0f), 3.2f * u, 3.4f, 6.0f, 10);
                dl->PathStroke(color, 0, t);
                const ImVec2 head[] = {at(7.0f, 3.2f), at(7.8f, 5.6f), at(10.0f, 4.6f)};
                dl->AddPolyline(head, 3, color, 0, t);
            }
            break;
        case Glyph::HangUp: {
            // The handset lying down: a wide arc, ends pointing down.
            dl->PathArcTo(at(8.0f, 13.0f), 7.0f * u, 3.14159265f * 1.18f, 3.14159265f * 1.82f, 14);
            dl->PathStroke(color, 0, 2.6f * u);
            dl->AddCircleFilled(at(2.2f, 9.4f), 1.8f * u, color);
            dl->AddCircleFilled(at(13.8f, 9.4f), 1.8f * u, color);
            break;
        }
        case Glyph::Mic:
        case Glyph::MicOff: {
            dl->AddRect(at(5.5f, 1.0f), at(10.5f, 10.0f), color, 2.5f * u, 0, t);
            dl->PathArcTo(at(8.0f, 7.5f), 4.8f * u, 0.0f, 3.14159265f, 12);
            dl->PathStroke(color, 0, t);
            dl->AddLine(at(8.0f, 12.3f), at(8.0f, 15.0f), color, t);
            dl->AddLine(at(5.5f, 15.0f), at(10.5f, 15.0f), color, t);
            if (g == Glyph::MicOff) dl->AddLine(at(2.0f, 1.5f), at(14.0f, 14.5f), color, t * 1.1f);
            break;
        }
        case Glyph::Pause:
            dl->AddRectFilled(at(4.0f, 2.5f), at(6.8f, 13.5f), color, 1.0f * u);
            dl->AddRectFilled(at(9.2f, 2.5f), at(12.0f, 13.5f), color, 1.0f * u);
            break;
        case Glyph::Play:
            dl->AddTriangleFilled(at(4.5f, 2.5f), at(4.5f, 13.5f), at(13.5f, 8.0f), color);
            break;
        case Glyph::Keypad:
            for (int r = 0; r < 4; ++r)
                for (int k = 0; k < 3; ++k)
                    if (r < 3 || k == 1)
                        dl->AddCircleFilled(at(3.5f + 4.5f * static_cast<float>(k), 1.8f + 4.1f * static_cast<float>(r)),
                                            1.3f * u + 0.2f, color);
            break;
        case Glyph::Transfer: {
            // Two arrows: right on top, left below.
            dl->AddLine(at(2.0f, 5.0f), at(13.5f, 5.0f), color, t);
            const ImVec2 r[] = {at(10.5f, 2.0f), at(13.8f, 5.0f), at(10.5f, 8.0f)};
            dl->AddPolyline(r, 3, color, 0, t);
            dl->AddLine(at(2.5f, 11.5f), at(14.0f, 11.5f), color, t);
            const ImVec2 l[] = {at(5.5f, 8.5f), at(2.2f, 11.5f), at(5.5f, 14.5f)};
            dl->AddPolyline(l, 3, color, 0, t);
            break;
        }
    }
}

bool call_control(const char* id, Glyph g, const char* caption, bool on, ImVec2 size) {
    const auto& f = theme::fonts();
    const bool clicked = ImGui::InvisibleButton(id, size);
    const bool hovered = ImGui::IsItemHovered(), held = ImGui::IsItemActive();
    const bool disabled = ImGui::GetStyle().Alpha < 1.0f;
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImU32 bg = on ? theme::color::accent_soft : theme::color::surface;
    if (!disabled && (hovered || held)) bg = on ? theme::rgb(0xE0E3FF) : (held ? theme::color::surface_active : theme::color::surface_hover);
    dl->AddRectFilled(a, b, styled(bg), 10.0f);
    dl->AddRect(a, b, styled(on ? theme::rgb(0xC7CBF5) : theme::color::border), 10.0f);
    const ImU32 fg = on ? theme::color::accent : theme::color::text;
    const float cap_h = line_height(f.small);
    const float glyph = 18.0f;
    const float block = glyph + 6.0f + cap_h;
    const float top = a.y + std::round((size.y - block) * 0.5f);
    draw_glyph(dl, g, ImVec2((a.x + b.x) * 0.5f, top + glyph * 0.5f), glyph, fg);
    const float cw = text_size(f.small, caption).x;
    draw_text(dl, f.small, ImVec2((a.x + b.x - cw) * 0.5f, top + glyph + 6.0f), on ? theme::color::accent : theme::color::text_muted,
              caption);
    return clicked;
}

ImVec2 keypad_size(ImVec2 key, float gap) { return ImVec2(3.0f * key.x + 2.0f * gap, 4.0f * key.y + 3.0f * gap); }

char keypad(const char* id, ImVec2 key, float gap) {
    static const char kKeys[] = "123456789*0#";
    static const char* const kLetters[] = {"", "ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ", "", "+", ""};
    const auto& f = theme::fonts();
    ImGui::PushID(id);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    char pressed = 0;
    for (int i = 0; i < 12; ++i) {
        const float x = o.x + static_cast<float>(i % 3) * (key.x + gap);
        const float y = o.y + static_cast<float>(i / 3) * (key.y + gap);
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        ImGui::PushID(i);
        if (ImGui::InvisibleButton("##key", key)) pressed = kKeys[i];
        const bool hovered = ImGui::IsItemHovered(), held = ImGui::IsItemActive();
        ImGui::PopID();
        const ImVec2 b(x + key.x, y + key.y);
        dl->AddRectFilled(ImVec2(x, y), b, styled(held ? theme::color::surface_active : hovered ? theme::color::surface_hover : theme::rgb(0xF8F9FB)), 8.0f);
        dl->AddRect(ImVec2(x, y), b, styled(theme::color::border), 8.0f);
        const char digit[2] = {kKeys[i], 0};
        const bool letters = kLetters[i][0] != 0 && key.y >= 40.0f;
        const float dh = line_height(f.heading), lh = letters ? line_height(f.small) * 0.85f : 0.0f;
        const float top = y + std::round((key.y - dh - lh) * 0.5f);
        const float dw = text_size(f.heading, digit).x;
        draw_text(dl, f.heading, ImVec2(x + (key.x - dw) * 0.5f, top), theme::color::text, digit);
        if (letters) {
            const float lw = text_size(f.small, kLetters[i]).x;
            draw_text(dl, f.small, ImVec2(x + (key.x - lw) * 0.5f, top + dh - 2.0f), theme::color::text_faint, kLetters[i]);
        }
    }
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(keypad_size(key, gap));
    ImGui::PopID();
    return pressed;
}

// ---- illustrations -----------------------------------------------------------------------------

void draw_illustration(ImDrawList* dl, Illustration what, ImVec2 c, float size) {
    using namespace theme::color;
    const float u = size * 0.16f;  // drawing unit: the icon spans about ±1.5u
    const float t = std::max(1.5f, size * 0.028f);
    const ImU32 line = with_alpha(accent, 0.75f);
    auto at = [&](float x, float y) { return ImVec2(c.x + x * u, c.y + y * u); };

    dl->AddCircleFilled(c, size * 0.5f, accent_soft);
    switch (what) {
        case Illustration::Inbox: {
            dl->AddRectFilled(at(-1.0f, -1.6f), at(1.0f, 0.2f), surface, 0.15f * u);  // a paper in the tray
            dl->AddRect(at(-1.0f, -1.6f), at(1.0f, 0.2f), illustration_line, 0.15f * u, 0, t * 0.8f);
            dl->AddLine(at(-0.6f, -1.05f), at(0.6f, -1.05f), illustration_line, t * 0.8f);
            dl->AddLine(at(-0.6f, -0.6f), at(0.3f, -0.6f), illustration_line, t * 0.8f);
            const ImVec2 tray[] = {at(-1.6f, -0.1f), at(-0.55f, -0.1f), at(-0.35f, 0.35f), at(0.35f, 0.35f),
                                   at(0.55f, -0.1f), at(1.6f, -0.1f)};
            dl->AddRectFilled(at(-1.6f, -0.1f), at(1.6f, 1.3f), surface, 0.25f * u, ImDrawFlags_RoundCornersBottom);
            dl->AddRect(at(-1.6f, -0.1f), at(1.6f, 1.3f), line, 0.25f * u, ImDrawFlags_RoundCornersBottom, t);
            dl->AddPolyline(tray, 6, line, 0, t);
            break;
        }
        case Illustration::Conversation: {
            dl->AddRectFilled(at(-1.7f, -1.3f), at(0.6f, 0.2f), illustration, 0.45f * u);
            dl->AddTriangleFilled(at(-1.2f, 0.1f), at(-0.5f, 0.1f), at(-1.35f, 0.75f), illustration);
            dl->AddRectFilled(at(-0.5f, -0.35f), at(1.7f, 1.15f), surface, 0.45f * u);
            dl->AddRect(at(-0.5f, -0.35f), at(1.7f, 1.15f), line, 0.45f * u, 0, t);
            for (int i = 0; i < 3; ++i) dl->AddCircleFilled(at(0.1f + 0.5f * static_cast<float>(i), 0.4f), t * 1.3f, line);
            break;
        }
        case Illustration::Person: {
            dl->PathArcTo(at(0.0f, 1.55f), 1.35f * u, 3.14159265f, 2.0f * 3.14159265f, 24);
            dl->PathFillConvex(surface);
            dl->PathArcTo(at(0.0f, 1.55f), 1.35f * u, 3.14159265f, 2.0f * 3.14159265f, 24);
            dl->PathStroke(line, ImDrawFlags_Closed, t);
            dl->AddCircleFilled(at(0.0f, -0.45f), 0.75f * u, surface);
            dl->AddCircle(at(0.0f, -0.45f), 0.75f * u, line, 0, t);
            break;
        }
    }
}

void draw_logo(ImDrawList* dl, ImVec2 p, float s) {
    dl->AddRectFilled(p, ImVec2(p.x + s, p.y + s), theme::color::accent, s * 0.28f);
    // Two patch cords crossing between jacks: the switchboard the product is named after.
    const ImU32 w = theme::color::on_accent;
    const float t = std::max(1.5f, s * 0.075f);
    auto at = [&](float x, float y) { return ImVec2(p.x + x * s, p.y + y * s); };
    dl->AddBezierCubic(at(0.3f, 0.32f), at(0.55f, 0.32f), at(0.45f, 0.68f), at(0.7f, 0.68f), w, t, 16);
    dl->AddBezierCubic(at(0.3f, 0.68f), at(0.55f, 0.68f), at(0.45f, 0.32f), at(0.7f, 0.32f), with_alpha(w, 0.6f), t,
                       16);
    for (float y : {0.32f, 0.68f}) {
        dl->AddCircleFilled(at(0.27f, y), s * 0.085f, w);
        dl->AddCircleFilled(at(0.73f, y), s * 0.085f, w);
    }
}

// ---- empty state -------------------------------------------------------------------------------

void empty_state(Illustration what, const char* title, std::string_view hint) {
    const auto& f = theme::fonts();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float art = 72.0f;

    // Balanced wrapping: the narrowest width that keeps the line count, so no word sits alone.
    float width = std::min(avail.x, 300.0f);
    auto count_lines = [&](float w) {
        int n = 0;
        for_each_line(f.small, hint, w, [&](const char*, const char*) { ++n; });
        return n;
    };
    const int lines = count_lines(width);
    while (lines > 1 && width > 120.0f && count_lines(width - 8.0f) == lines) width -= 8.0f;
    const float box = std::min(avail.x, 300.0f);

    // Centre a block of a fixed nominal height (two hint lines), so the titles of neighbouring
    // columns line up whatever their hints' lengths; slightly above the middle reads as centred.
    const float block_h = art + 18.0f + px(f.heading) + 8.0f + 2.0f * (px(f.small) + 3.0f);
    const ImVec2 start = ImGui::GetCursorPos();
    const float top = start.y + std::floor(std::max(0.0f, (avail.y - block_h) * 0.42f));
    const float left = start.x + std::floor((avail.x - box) * 0.5f);

    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 art_center(std::floor(origin.x + avail.x * 0.5f), origin.y + (top - start.y) + art * 0.5f);
    draw_illustration(ImGui::GetWindowDrawList(), what, art_center, art);

    ImGui::SetCursorPos(ImVec2(left, top + art + 18.0f));
    text_centered_wrapped(f.heading, theme::color::text, title, box);
    ImGui::SetCursorPos(ImVec2(left + std::floor((box - width) * 0.5f), ImGui::GetCursorPosY() + 4.0f));
    text_centered_wrapped(f.small, theme::color::text_muted, hint, width);
}

}  // namespace sb::shell::ui
