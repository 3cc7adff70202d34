// shell/panels/composer.cpp: where the agent writes to the customer.
//
// A multi-line field: Enter sends, Shift+Enter starts a new line. Under it: canned responses (a
// searchable list; the chosen one is filled in for this customer), the count of characters (and
// of SMS for an SMS contact), Send. What is typed is saved as a draft on every change, so it
// survives switching contacts and reloading the page; for chat, the customer sees "typing" while
// the agent types and for up to 3 s after.
//
// Sections: memory · typing · canned responses · draw_composer
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "../theme.h"
#include "../widgets.h"
#include "contact/sms.h"
#include "contact_view.h"
#include "memory.h"
#include "workspace.h"

namespace sb::shell::workspace {

namespace {

namespace color = theme::color;
using contact::Contact;

constexpr float kFieldH = 84.0f;
constexpr float kRowH = 34.0f;
constexpr int64_t kTypingIdleMs = 3000;
constexpr const char* kCannedPopup = "##canned";

// ---- memory ------------------------------------------------------------------------------------
// The text being written for each contact (PanelMemory::compose): started from the desk's saved
// draft the first time the contact is shown (also after a reload), then the shell's own until sent.
Compose& compose_for(const desk::DeskState& s, const Contact& c, PanelContext& ctx) {
    return ctx.memory.compose.at(c.id, [&](Compose& m) {
        if (auto d = s.drafts.find(c.id); d != s.drafts.end()) m.text = d->second.text;
    });
}

bool blank(const std::string& t) {
    return std::all_of(t.begin(), t.end(), [](unsigned char ch) { return std::isspace(ch); });
}

int characters(const std::string& t) {
    int n = 0;
    for (unsigned char ch : t) n += (ch & 0xC0) != 0x80;
    return n;
}

// ---- typing ------------------------------------------------------------------------------------
void edited(const Contact& c, Compose& m, IntentSink& sink, PanelContext& ctx) {
    sink.dispatch(desk::SaveDraftIntent{c.id, m.text, std::nullopt});
    if (c.channel != contact::Channel::Chat) return;
    m.last_edit_ms = ctx.now_ms;
    if (!m.typing_sent && !blank(m.text)) {
        sink.dispatch(desk::TypingIntent{c.id, true});
        m.typing_sent = true;
    }
}

void stop_typing(const std::string& id, Compose& m, IntentSink& sink) {
    if (!m.typing_sent) return;
    sink.dispatch(desk::TypingIntent{id, false});
    m.typing_sent = false;
}

void send(const Contact& c, Compose& m, std::string text, IntentSink& sink) {
    sink.dispatch(desk::SendMessageIntent{c.id, std::move(text)});
    m.text.clear();
    sink.dispatch(desk::SaveDraftIntent{c.id, std::string(), std::nullopt});
    stop_typing(c.id, m, sink);
}

// Enter (without Shift) asks to send: the newline is dropped, and the field empties itself from
// inside, because ImGui keeps its own copy of the text while the field is being edited.
struct EnterToSend {
    bool requested = false;
    bool allowed = false;  // the text may be sent (not blank, within the channel's limit)
    std::optional<std::string> sent;
};

int enter_to_send(ImGuiInputTextCallbackData* data) {
    auto* e = static_cast<EnterToSend*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackCharFilter) {
        if (data->EventChar == '\n' && !ImGui::GetIO().KeyShift) {
            e->requested = true;
            return 1;
        }
        return 0;
    }
    if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways && e->requested && e->allowed && !e->sent) {
        e->sent = std::string(data->Buf, static_cast<size_t>(data->BufTextLen));
        data->DeleteChars(0, data->BufTextLen);
    }
    return 0;
}

// ---- canned responses --------------------------------------------------------------------------
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

// The popup above the Canned responses button; returns the filled-in text when one is chosen.
std::optional<std::string> canned_popup(const desk::DeskState& s, const Contact& c, std::string& query, ImVec2 anchor,
                                        float width) {
    std::optional<std::string> chosen;
    const auto& f = theme::fonts();
    ImGui::SetNextWindowPos(anchor, ImGuiCond_Always, ImVec2(0.0f, 1.0f));
    ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(10.0f, 10.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    if (ImGui::BeginPopup(kCannedPopup, ImGuiWindowFlags_NoMove)) {
        if (ImGui::IsWindowAppearing()) {
            query.clear();
            ImGui::SetKeyboardFocusHere();
        }
        ImGui::SetNextItemWidth(-FLT_MIN);
        bool enter = false;
        ui::input_text("##canned_search", query, "Search responses", 0, &enter);

        // What matches, measured first so the list is as tall as its content (up to a limit).
        struct Match {
            const contact::CannedResponse* response;
            std::string filled;
            std::vector<std::string> lines;
            float height;
        };
        const std::string q = lower(query);
        const std::string agent_name = s.agent ? s.agent->display_name : std::string();
        const float w = ImGui::GetContentRegionAvail().x;
        std::vector<Match> matches;
        float total = 0.0f;
        for (const auto& r : s.canned_responses) {
            if (!q.empty() && lower(r.title).find(q) == std::string::npos && lower(r.text).find(q) == std::string::npos)
                continue;
            Match m{&r, contact::fill_placeholders(r.text, c.customer, agent_name), {}, 0.0f};
            m.lines = ui::wrap_lines(f.small, m.filled, w - 32.0f, 2);
            m.height = 20.0f + ui::line_height(f.strong) + 2.0f +
                       static_cast<float>(m.lines.size()) * (ui::line_height(f.small) + 1.0f);
            total += m.height + 2.0f;
            matches.push_back(std::move(m));
        }
        const int shown = static_cast<int>(matches.size());
        ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 2.0f));
        ImGui::BeginChild("##canned_list", ImVec2(0.0f, std::clamp(total, 40.0f, 320.0f)), false);
        const float lw = ImGui::GetContentRegionAvail().x;
        for (const auto& m : matches) {
            ImGui::PushID(m.response->id.c_str());
            ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, 6.0f);
            const bool clicked = ImGui::Selectable("##r", false, 0, ImVec2(lw, m.height));
            ImGui::PopStyleVar();
            ImGui::PopID();
            const ImVec2 a = ImGui::GetItemRectMin();
            ImDrawList* dl = ImGui::GetWindowDrawList();
            ui::draw_text(dl, f.strong, ImVec2(a.x + 10.0f, a.y + 10.0f), color::text,
                          ui::ellipsize(f.strong, m.response->title, lw - 20.0f));
            float ly = a.y + 12.0f + ui::line_height(f.strong);
            for (const auto& ln : m.lines) {
                ui::draw_text(dl, f.small, ImVec2(a.x + 10.0f, ly), color::text_muted, ln);
                ly += ui::line_height(f.small) + 1.0f;
            }
            if (clicked || (enter && &m == &matches.front())) chosen = m.filled;
        }
        if (shown == 0) {
            ImGui::Dummy(ImVec2(w, 6.0f));
            ui::text(f.small, color::text_muted, s.canned_responses.empty() ? "No canned responses for this desk."
                                                                            : "No response matches your search.");
        }
        ImGui::EndChild();
        ImGui::PopStyleVar();
        if (chosen) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
    return chosen;
}

}  // namespace

// ---- draw_composer -----------------------------------------------------------------------------

float composer_height() { return kFieldH + 10.0f + kRowH; }

void composer_tick(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    // The text of a contact that left the desk is dropped after this frame (PanelMemory::
    // forget_gone); that of one still on it stays (an offer being accepted).
    for (auto& [id, m] : ctx.memory.compose) {
        const Contact* c = desk::find_contact(s, id);
        if (!c || c->state != contact::ContactState::Active) {
            stop_typing(id, m, sink);
            continue;
        }
        if (m.typing_sent) {
            const int64_t idle = ctx.now_ms - m.last_edit_ms;
            if (idle >= kTypingIdleMs) stop_typing(id, m, sink);
            else ctx.redraw_within(kTypingIdleMs - idle);
        }
    }
}

void draw_composer(const desk::DeskState& s, const Contact& c, IntentSink& sink, PanelContext& ctx) {
    const auto& f = theme::fonts();
    Compose& m = compose_for(s, c, ctx);
    const bool active = c.state == contact::ContactState::Active;
    const bool connected = s.connection == desk::ConnectionState::Connected;
    const int limit = contact::max_message_characters(c.channel);
    const int count = characters(m.text);
    const bool can_send = active && !blank(m.text) && count <= limit;
    const float w = ImGui::GetContentRegionAvail().x;

    // The field.
    EnterToSend ets;
    ets.allowed = can_send;
    ImGui::BeginDisabled(!active);
    const bool changed = ui::input_text_multiline(
        "##composer", m.text, ImVec2(w, kFieldH),
        ImGuiInputTextFlags_CallbackCharFilter | ImGuiInputTextFlags_CallbackAlways, enter_to_send, &ets);
    ui::field_placeholder(m.text, active ? "Write a reply…" : c.state == contact::ContactState::Offered
                                                               ? "Accept the contact to reply."
                                                               : "This contact is closed.");
    ImGui::EndDisabled();
    if (ets.sent) send(c, m, *ets.sent, sink);
    else if (changed) edited(c, m, sink, ctx);

    // The row under it: canned responses · counts · Send.
    const ImVec2 row(ImGui::GetCursorScreenPos());
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 7.0f));
    const char* canned_label = w >= 460.0f ? "Canned responses" : "Responses";
    const float canned_w = ui::text_size(f.body, canned_label).x + 26.0f;
    ImGui::BeginDisabled(!active);
    if (ui::secondary_button(canned_label, ImVec2(canned_w, kRowH))) ImGui::OpenPopup(kCannedPopup);
    ImGui::EndDisabled();
    if (auto text = canned_popup(s, c, ctx.memory.canned_query, ImVec2(row.x, row.y - kFieldH - 16.0f),
                                 std::min(w, 440.0f))) {
        if (!m.text.empty() && m.text.back() != ' ' && m.text.back() != '\n') m.text += ' ';
        m.text += *text;
        edited(c, m, sink, ctx);
    }

    const float send_w = 84.0f;
    ImGui::SetCursorScreenPos(ImVec2(row.x + w - send_w, row.y));
    ImGui::BeginDisabled(!can_send);
    if (ui::primary_button("Send", ImVec2(send_w, kRowH))) send(c, m, m.text, sink);
    ImGui::EndDisabled();
    ImGui::PopStyleVar();

    // Counts between the buttons; the keyboard hint while there is nothing to count.
    std::string counts;
    ImU32 counts_color = color::text_faint;
    if (count == 0) {
        counts = !active ? "" : w >= 520.0f ? "Enter to send · Shift+Enter for a new line" : "Shift+Enter for a new line";
    } else {
        counts = std::to_string(count) + (count == 1 ? " character" : " characters");
        if (c.channel == contact::Channel::Sms) {
            const contact::SmsSegments seg = contact::sms_segments(m.text);
            counts += " · " + std::to_string(seg.segments) + " SMS";
            if (seg.ucs2) counts += " (Unicode)";
        }
        if (count > limit) {
            counts = std::to_string(count) + " / " + std::to_string(limit) + " characters: too long";
            counts_color = color::danger;
        } else {
            counts_color = color::text_muted;
        }
    }
    if (active && !connected && count > 0) counts += " · sends when reconnected";
    const float room = w - canned_w - send_w - 28.0f;
    const std::string shown = ui::ellipsize(f.small, counts, room);
    const float cw = ui::text_size(f.small, shown).x;
    ui::draw_text(ImGui::GetWindowDrawList(), f.small, ImVec2(row.x + w - send_w - 14.0f - cw, ui::centred_y(f.small, row.y, kRowH)),
                  counts_color, shown);
    ImGui::SetCursorScreenPos(row);
    ImGui::Dummy(ImVec2(w, kRowH));
}

}  // namespace sb::shell::workspace
