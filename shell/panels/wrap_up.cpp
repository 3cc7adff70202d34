// shell/panels/wrap_up.cpp: after-contact work on the selected contact.
//
// How the contact ended and the time left before it closes itself; the disposition (required,
// from the queue's list), notes, tags typed as words and shown as chips; Submit. Every change is
// saved as a draft, so a reload in the middle of wrap-up loses nothing.
//
// Sections: memory · pieces · draw_wrap_up
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "contact_view.h"
#include "memory.h"
#include "workspace.h"

namespace sb::shell::workspace {

namespace {

namespace color = theme::color;
using contact::Contact;

constexpr int64_t kSubmitWaitMs = 10'000;

// ---- memory ------------------------------------------------------------------------------------
// The form (PanelMemory::wrap_up) starts from the desk's draft the first time it is shown, and
// the countdown bar from the whole ACW period as it was then.
WrapUpMemory& memory_for(const desk::DeskState& s, const Contact& c, int64_t now, PanelContext& ctx) {
    return ctx.memory.wrap_up.at(c.id, [&](WrapUpMemory& m) {
        if (auto d = s.drafts.find(c.id); d != s.drafts.end() && d->second.wrap_up) m.form = *d->second.wrap_up;
        m.acw_total_ms = std::max<int64_t>(1, c.acw_expires_at_ms - (c.ended_at_ms > 0 ? c.ended_at_ms : now));
    });
}

// "billing, Refund ,  vip" -> adds "billing", "refund", "vip" (lower case, no repeats).
void add_tags(std::vector<std::string>& tags, const std::string& typed) {
    size_t start = 0;
    while (start <= typed.size()) {
        size_t comma = typed.find(',', start);
        if (comma == std::string::npos) comma = typed.size();
        std::string t = typed.substr(start, comma - start);
        const auto b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
        t = b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
        for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!t.empty() && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
        start = comma + 1;
    }
}

// A comma ends a tag while typing. The field empties itself from inside the callback, because
// ImGui keeps its own copy of the text while the field is being edited.
struct CommaAddsTag {
    std::vector<std::string>* tags;
    bool comma = false;
};

int comma_adds_tag(ImGuiInputTextCallbackData* data) {
    auto* c = static_cast<CommaAddsTag*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackCharFilter) {
        if (data->EventChar != ',') return 0;
        c->comma = true;
        return 1;
    }
    if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways && c->comma) {
        add_tags(*c->tags, std::string(data->Buf, static_cast<size_t>(data->BufTextLen)));
        data->DeleteChars(0, data->BufTextLen);
        c->comma = false;
    }
    return 0;
}

// ---- pieces ------------------------------------------------------------------------------------
void label(const char* text, const char* hint = nullptr) {
    const auto& f = theme::fonts();
    ui::text(f.strong, color::text, text);
    if (hint) {
        ImGui::SameLine(0.0f, 6.0f);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 1.0f);
        ui::text(f.small, color::text_faint, hint);
    }
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
}

std::string ended_words(const desk::DeskState& s, const Contact& c) {
    using contact::Sender;
    std::string who = !c.ended_by                    ? "The "
                      : *c.ended_by == Sender::Customer ? "The customer ended the "
                      : *c.ended_by == Sender::Agent    ? "You ended the "
                                                        : "Ended the ";
    const char* what = c.channel == contact::Channel::Sms ? "conversation" : c.channel == contact::Channel::Voice ? "call" : "chat";
    std::string out = who + what;
    if (!c.ended_by) out += " ended";
    if (c.ended_at_ms > 0) out += " at " + ui::format_clock(c.ended_at_ms);
    if (c.accepted_at_ms > 0 && c.ended_at_ms > c.accepted_at_ms)
        out += " · handled in " + ui::format_duration(c.ended_at_ms - c.accepted_at_ms);
    (void)s;
    return out + ".";
}

// Tags as chips with a small × each, wrapping onto more lines; returns the tag to remove, if any.
std::string tag_chips(const std::vector<std::string>& tags, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float h = 26.0f, gap = 6.0f;
    float x = o.x, y = o.y;
    std::string removed;
    for (const auto& tag : tags) {
        const float cw = std::round(ui::text_size(f.small, tag).x + 36.0f);
        if (x > o.x && x + cw > o.x + w) x = o.x, y += h + gap;
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        ImGui::PushID(tag.c_str());
        if (ImGui::InvisibleButton("##x", ImVec2(cw, h))) removed = tag;
        const bool hovered = ImGui::IsItemHovered();
        ImGui::PopID();
        dl->AddRectFilled(ImVec2(x, y), ImVec2(x + cw, y + h), hovered ? color::surface_active : color::accent_soft, h * 0.5f);
        ui::draw_text(dl, f.small, ImVec2(x + 11.0f, ui::centred_y(f.small, y, h)), color::accent, tag);
        const ImVec2 c(x + cw - 14.0f, y + h * 0.5f);
        const ImU32 xc = hovered ? color::danger : color::accent;
        dl->AddLine(ImVec2(c.x - 3.5f, c.y - 3.5f), ImVec2(c.x + 3.5f, c.y + 3.5f), xc, 1.5f);
        dl->AddLine(ImVec2(c.x - 3.5f, c.y + 3.5f), ImVec2(c.x + 3.5f, c.y - 3.5f), xc, 1.5f);
        if (hovered) ImGui::SetTooltip("Remove “%s”", tag.c_str());
        x += cw + gap;
    }
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(w, y + h - o.y));
    return removed;
}

}  // namespace

// ---- draw_wrap_up ------------------------------------------------------------------------------

void draw_wrap_up(const desk::DeskState& s, const Contact& c, IntentSink& sink, PanelContext& ctx) {
    const auto& f = theme::fonts();
    const int64_t now = view::server_now(s, ctx.now_ms);
    WrapUpMemory& m = memory_for(s, c, now, ctx);
    const desk::WrapUpDraft before = m.form;
    // A submit the backend never answered (or refused) gives the form back after a while.
    if (m.submitted_at_ms >= 0 && ctx.now_ms - m.submitted_at_ms > kSubmitWaitMs) m.submitted_at_ms = -1;
    const bool submitted = m.submitted_at_ms >= 0;
    if (submitted) ctx.redraw_within(kSubmitWaitMs - (ctx.now_ms - m.submitted_at_ms) + 1);
    ImDrawList* dl = ImGui::GetWindowDrawList();

    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(2.0f, 14.0f));
    ImGui::BeginChild("##wrap_up", ImVec2(0.0f, 0.0f), ImGuiChildFlags_AlwaysUseWindowPadding);
    ImGui::PopStyleVar();
    dl = ImGui::GetWindowDrawList();
    const float w = std::min(ImGui::GetContentRegionAvail().x - 8.0f, 620.0f);

    // How it ended, and the time left: the contact closes itself when the bar runs out.
    {
        const ImVec2 o = ImGui::GetCursorScreenPos();
        const int64_t left = std::max<int64_t>(0, c.acw_expires_at_ms - now);
        const bool urgent = left <= 15'000;
        const std::string time = ui::format_duration(left + 999);
        const float tw = ui::text_size(f.title, time).x;
        const float h = 84.0f;
        dl->AddRectFilled(o, ImVec2(o.x + w, o.y + h), urgent ? color::danger_soft : color::amber_soft, 10.0f);
        const float text_w = w - tw - 48.0f;
        ui::draw_text(dl, f.heading, ImVec2(o.x + 16.0f, o.y + 14.0f), color::text, "After-contact work");
        const auto lines = ui::wrap_lines(f.small, ended_words(s, c), text_w, 2);
        float ly = o.y + 18.0f + ui::line_height(f.heading);
        for (const auto& ln : lines) {
            ui::draw_text(dl, f.small, ImVec2(o.x + 16.0f, ly), color::text_muted, ln);
            ly += ui::line_height(f.small) + 1.0f;
        }
        ui::draw_text(dl, f.title, ImVec2(o.x + w - tw - 16.0f, o.y + 12.0f), urgent ? color::danger : color::warning_text, time);
        const std::string caption = "until it closes";
        const float capw = ui::text_size(f.small, caption).x;
        ui::draw_text(dl, f.small, ImVec2(o.x + w - capw - 16.0f, o.y + 14.0f + ui::line_height(f.title)), color::text_muted, caption);
        const float frac = std::clamp(static_cast<float>(left) / static_cast<float>(std::max(m.acw_total_ms, left)), 0.0f, 1.0f);
        dl->AddRectFilled(ImVec2(o.x + 16.0f, o.y + h - 10.0f), ImVec2(o.x + w - 16.0f, o.y + h - 6.0f), theme::rgb(0xFFFFFF, 200), 2.0f);
        dl->AddRectFilled(ImVec2(o.x + 16.0f, o.y + h - 10.0f), ImVec2(o.x + 16.0f + std::max(4.0f, (w - 32.0f) * frac), o.y + h - 6.0f),
                          urgent ? color::danger : color::not_ready, 2.0f);
        ImGui::Dummy(ImVec2(w, h + 8.0f));
        ctx.redraw_within(ui::ms_to_next_second(c.acw_expires_at_ms, now));
    }

    ImGui::BeginDisabled(submitted);

    // Disposition: one of the queue's, required.
    const contact::Queue* q = desk::find_queue(s, c.queue);
    const bool has_dispositions = q && !q->dispositions.empty();
    label("Disposition", has_dispositions ? "required" : nullptr);
    if (!has_dispositions) {
        ui::text(f.small, color::text_muted, "This queue has no dispositions; you can submit without one.");
    } else {
        ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 2.0f));
        for (const auto& d : q->dispositions) {
            ImGui::PushID(d.code.c_str());
            const bool on = m.form.disposition == d.code;
            if (ImGui::InvisibleButton("##d", ImVec2(w, 34.0f))) m.form.disposition = d.code;
            const bool hovered = ImGui::IsItemHovered();
            ImGui::PopID();
            const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            if (on || hovered) dl->AddRectFilled(a, b, on ? color::accent_soft : color::surface_hover, 8.0f);
            ui::radio_dot(dl, ImVec2(a.x + 18.0f, (a.y + b.y) * 0.5f), on);
            ui::draw_text(dl, on ? f.strong : f.body, ImVec2(a.x + 36.0f, ui::centred_y(f.body, a.y, 34.0f)), color::text,
                          ui::ellipsize(f.body, d.label, w - 48.0f));
        }
        ImGui::PopStyleVar();
    }
    ImGui::Dummy(ImVec2(w, 4.0f));

    label("Notes");
    ui::input_text_multiline("##acw_notes", m.form.notes, ImVec2(w, 92.0f));
    ui::field_placeholder(m.form.notes, "What happened, what was agreed, what comes next");

    label("Tags", "Enter or comma adds one");
    ImGui::SetNextItemWidth(w);
    bool enter = false;
    CommaAddsTag comma{&m.form.tags};
    ui::input_text("##acw_tag", m.tag_input, "e.g. refund, vip", ImGuiInputTextFlags_CallbackCharFilter | ImGuiInputTextFlags_CallbackAlways,
                   &enter, comma_adds_tag, &comma);
    if (enter) {
        add_tags(m.form.tags, m.tag_input);
        m.tag_input.clear();
        ImGui::SetKeyboardFocusHere(-1);  // Enter leaves a single-line field; come back to add more
        ctx.redraw_within(0);
    }
    if (!m.form.tags.empty()) {
        const std::string removed = tag_chips(m.form.tags, w);
        if (!removed.empty()) m.form.tags.erase(std::find(m.form.tags.begin(), m.form.tags.end(), removed));
    }
    ImGui::EndDisabled();
    ImGui::Dummy(ImVec2(w, 6.0f));

    // Submit, with what is missing said next to it.
    const bool ready = !has_dispositions || !m.form.disposition.empty();
    ImGui::BeginDisabled(!ready || submitted);
    if (ui::primary_button(submitted ? "Submitting…" : "Submit wrap-up", ImVec2(160.0f, 38.0f))) {
        desk::WrapUpIntent intent{c.id, m.form.disposition, m.form.notes, m.form.tags};
        if (!m.tag_input.empty()) add_tags(intent.tags, m.tag_input);
        sink.dispatch(intent);
        m.submitted_at_ms = ctx.now_ms;
    }
    ImGui::EndDisabled();
    if (!ready) {
        ImGui::SameLine(0.0f, 14.0f);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (38.0f - ui::line_height(f.small)) * 0.5f);
        ui::text(f.small, color::text_muted, "Choose a disposition to finish.");
    }

    ImGui::EndChild();
    ImGui::PopStyleColor();

    if (!(m.form == before)) sink.dispatch(desk::SaveDraftIntent{c.id, std::nullopt, m.form});
}

}  // namespace sb::shell::workspace
