// shell/panels/call_panel.cpp: the workspace of a call (a voice contact, or a call without one).
//
// Who is on the line and what the phone is doing, the call timer, the live quality (MOS, RTT,
// jitter, loss), and the controls: Mute, Hold, Keypad (DTMF, with the digits sent), Transfer (a
// queue or a number, blind) and Hang up. A ringing call offers Answer / Decline; a callback
// contact with no call yet offers "Call back". After the call the workspace shows wrap-up.
//
// Sections: pieces · hero · controls · keypad · transfer popup · draw_call_panel
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "call_view.h"
#include "contact_view.h"
#include "memory.h"
#include "workspace.h"

namespace sb::shell::workspace {

namespace {

namespace color = theme::color;
using contact::Contact;
using desk::Call;
using desk::CallPhase;

constexpr float kTileW = 76.0f, kTileH = 64.0f, kTileGap = 10.0f;  // the tests click by this geometry
const ImVec2 kKey(64.0f, 44.0f);
constexpr float kKeyGap = 8.0f;
constexpr const char* kCallTransferPopup = "##call_transfer";

desk::CallRef ref_of(const Call& c) { return desk::CallRef{c.contact, c.id}; }

// ---- pieces ------------------------------------------------------------------------------------
void centred_text(ImFont* font, ImU32 col, const std::string& text, float y, float left, float w) {
    const std::string shown = ui::ellipsize(font, text, w - 16.0f);
    const float tw = ui::text_size(font, shown).x;
    ui::draw_text(ImGui::GetWindowDrawList(), font, ImVec2(left + (w - tw) * 0.5f, y), col, shown);
}

// The red tile that ends the call, in the controls row.
bool hangup_tile(const char* id, ImVec2 size) {
    const auto& f = theme::fonts();
    const bool clicked = ImGui::InvisibleButton(id, size);
    const bool hovered = ImGui::IsItemHovered(), held = ImGui::IsItemActive();
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, held ? color::danger_active : hovered ? color::danger_hover : color::danger, 10.0f);
    const float block = 18.0f + 6.0f + ui::line_height(f.small);
    const float top = a.y + std::round((size.y - block) * 0.5f);
    ui::draw_glyph(dl, ui::Glyph::HangUp, ImVec2((a.x + b.x) * 0.5f, top + 9.0f), 20.0f, color::on_accent);
    const float cw = ui::text_size(f.small, "Hang up").x;
    ui::draw_text(dl, f.small, ImVec2((a.x + b.x - cw) * 0.5f, top + 24.0f), color::on_accent, "Hang up");
    return clicked;
}

// ---- hero: who, what the phone does, for how long, how it sounds -------------------------------
void draw_hero(const desk::DeskState& s, const Contact* k, const Call* call, PanelContext& ctx, float left, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float y = ImGui::GetCursorScreenPos().y + 20.0f;

    std::string who, number;
    if (call) {
        who = view::call_party(s, *call);
        number = view::call_number(s, *call);
    } else if (k) {
        who = k->customer.display_name();
        if (k->call && k->call->number != who) number = k->call->number;
    }
    if (who.empty()) who = "Unknown caller";

    // The avatar: initials when there is a name, a handset for a bare number; a ring while ringing.
    const ImVec2 c(left + w * 0.5f, y + 38.0f);
    const bool ringing = call && (call->phase == CallPhase::Ringing || call->phase == CallPhase::Dialing);
    if (ringing) {
        const bool bright = (ctx.now_ms / 500) % 2 == 0;
        dl->AddCircle(c, bright ? 45.0f : 42.0f, (color::success & 0x00FFFFFF) | (bright ? 0x80000000u : 0x38000000u), 48, 2.5f);
        ctx.redraw_within(500 - ctx.now_ms % 500);
    }
    const bool named = std::any_of(who.begin(), who.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }) &&
                       who.find('@') == std::string::npos;
    dl->AddCircleFilled(c, 38.0f, color::voice_soft, 48);
    if (named) {
        const std::string ini = ui::initials(who);
        const ImVec2 is = ui::text_size(f.title, ini);
        ui::draw_text(dl, f.title, ImVec2(c.x - is.x * 0.5f, c.y - is.y * 0.5f), color::voice, ini);
    } else {
        ui::draw_glyph(dl, ui::Glyph::Handset, c, 30.0f, color::voice);
    }
    y += 76.0f + 14.0f;

    centred_text(f.title, color::text, who, y, left, w);
    y += ui::line_height(f.title) + 4.0f;
    if (!number.empty()) {
        centred_text(f.body, color::text_muted, number, y, left, w);
        y += ui::line_height(f.body);
    }
    y += 12.0f;

    // What the phone does, and the timer (ringing time before the answer).
    std::string phase;
    ImU32 fg = color::text_muted, bg = color::surface_active;
    if (call) {
        phase = view::call_phase_label(*call);
        fg = view::call_phase_color(*call);
        bg = call->phase == CallPhase::Held || call->held_by_remote ? color::amber_soft
             : call->phase == CallPhase::Active                     ? color::success_soft
                                                                    : color::surface_active;
    } else if (k && k->call && k->call->callback) {
        phase = "Callback requested";
        fg = color::accent;
        bg = color::accent_soft;
    } else if (k && k->state == contact::ContactState::Offered) {
        phase = "Incoming call";
        fg = color::success_active;
        bg = color::success_soft;
    } else {
        phase = "No call on this desk";
    }
    std::string timer;
    if (call && call->phase != CallPhase::Connecting) {
        const int64_t elapsed = view::call_elapsed_ms(*call, ctx.now_ms);
        timer = ui::format_duration(elapsed);
        ctx.redraw_within(1000 - elapsed % 1000);  // the timer's next tick, only while a call is up
    }
    if (call && call->muted && view::call_is_up(*call)) phase += " · muted";
    const ImVec2 chip = ui::chip_size(phase);
    const float timer_w = timer.empty() ? 0.0f : ui::text_size(f.heading, timer).x + 12.0f;
    const float row_w = chip.x + timer_w;
    float x = left + (w - row_w) * 0.5f;
    const float row_h = std::max(chip.y, ui::line_height(f.heading));
    ui::draw_chip(dl, ImVec2(x, y + std::round((row_h - chip.y) * 0.5f)), phase, bg, fg);
    if (!timer.empty())
        ui::draw_text(dl, f.heading, ImVec2(x + chip.x + 12.0f, y + std::round((row_h - ui::line_height(f.heading)) * 0.5f)),
                      color::text, timer);
    y += row_h + 10.0f;

    // How it sounds: MOS with its colour, then the figures behind it.
    if (call && view::call_is_up(*call)) {
        const view::CallQuality q = view::call_quality(*call);
        if (q.mos > 0.0) {
            char mos[48];
            std::snprintf(mos, sizeof mos, "MOS %.1f %s", q.mos, q.mos_words.c_str());
            const float mw = ui::text_size(f.strong, mos).x;
            const std::string rest = q.line.empty() ? std::string() : "  ·  " + q.line;
            const std::string rest_shown = ui::ellipsize(f.small, rest, std::max(0.0f, w - mw - 40.0f));
            const float total = 14.0f + mw + ui::text_size(f.small, rest_shown).x;
            float qx = left + (w - total) * 0.5f;
            ui::presence_dot(dl, ImVec2(qx + 4.0f, y + ui::line_height(f.strong) * 0.5f + 1.0f), 4.0f, q.mos_color);
            qx += 14.0f;
            qx += ui::draw_text(dl, f.strong, ImVec2(qx, y), q.mos_color, mos);
            ui::draw_text(dl, f.small, ImVec2(qx, y + 2.0f), color::text_muted, rest_shown);
        } else {
            centred_text(f.small, color::text_faint, q.has_figures ? q.line : "Measuring call quality…", y + 2.0f, left, w);
        }
        y += ui::line_height(f.strong) + 4.0f;
    }
    // Whether the call is being recorded (docs/payments.md): always said while a contact's call is up.
    if (k && k->channel == contact::Channel::Voice && call && view::call_is_up(*call)) {
        using contact::RecordingState;
        const bool paused = k->recording == RecordingState::Paused, on = k->recording == RecordingState::On;
        const bool moving = contact::in_flight(k->recording) || k->recording == RecordingState::Unknown;
        const std::string words = on       ? "Recording"
                                  : paused ? "Recording paused"
                                  : moving ? (k->recording == RecordingState::Pausing    ? "Pausing recording…"
                                              : k->recording == RecordingState::Resuming ? "Resuming recording…"
                                                                           : "Recording state unknown: checking…")
                                           : "Not recorded";
        const ImU32 col = on ? color::danger : paused || moving ? color::warning_text : color::text_faint;
        const float tw = ui::text_size(f.small, words).x;
        const float rx = left + (w - tw - 14.0f) * 0.5f;
        const ImVec2 dot(rx + 4.0f, y + 2.0f + ui::line_height(f.small) * 0.5f);
        if (on) dl->AddCircleFilled(dot, 4.0f, color::danger, 16);
        else if (paused || moving) {
            dl->AddRectFilled(ImVec2(dot.x - 4.0f, dot.y - 4.0f), ImVec2(dot.x - 1.5f, dot.y + 4.0f), col);
            dl->AddRectFilled(ImVec2(dot.x + 1.5f, dot.y - 4.0f), ImVec2(dot.x + 4.0f, dot.y + 4.0f), col);
        } else dl->AddCircle(dot, 4.0f, col, 16, 1.4f);
        ui::draw_text(dl, f.small, ImVec2(rx + 14.0f, y + 2.0f), col, words);
        y += ui::line_height(f.small) + 4.0f;
    }
    if (call && call->transfer != desk::CallTransfer::None) {
        const std::string t = call->transfer == desk::CallTransfer::Failed ? "The transfer failed" : call->transfer == desk::CallTransfer::Done ? "Transferred"
                                                                                                            : "Transferring…";
        centred_text(f.small, call->transfer == desk::CallTransfer::Failed ? color::danger : color::accent, t, y + 2.0f, left, w);
        y += ui::line_height(f.small) + 4.0f;
    }
    ImGui::SetCursorScreenPos(ImVec2(left, y + 18.0f));
}

// ---- controls ----------------------------------------------------------------------------------
void draw_transfer_popup(const desk::DeskState& s, const Call& call, IntentSink& sink, CallMemory& m, ImVec2 anchor);

void draw_live_controls(const desk::DeskState& s, const Contact* k, const Call& call, IntentSink& sink, CallMemory& m,
                        float left, float w) {
    const bool up = view::call_is_up(call);
    const bool active = call.phase == CallPhase::Active;
    const int tiles = up ? 5 : 2;
    const float row_w = static_cast<float>(tiles) * kTileW + static_cast<float>(tiles - 1) * kTileGap;
    const float y = ImGui::GetCursorScreenPos().y;
    float x = left + std::floor((w - row_w) * 0.5f);
    auto next = [&]() {
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        x += kTileW + kTileGap;
    };
    const ImVec2 tile(kTileW, kTileH);

    next();
    ImGui::BeginDisabled(call.phase == CallPhase::Ringing || call.phase == CallPhase::Dialing);
    if (ui::call_control("##mute", call.muted ? ui::Glyph::MicOff : ui::Glyph::Mic, call.muted ? "Unmute" : "Mute",
                         call.muted, tile))
        sink.dispatch(desk::MuteIntent{ref_of(call), !call.muted});
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(call.muted ? "The caller can hear you again" : "The caller stops hearing you");

    if (up) {
        next();
        const bool held = call.phase == CallPhase::Held;
        ImGui::BeginDisabled(call.hold_request != desk::HoldRequest::None);
        if (ui::call_control("##hold", held ? ui::Glyph::Play : ui::Glyph::Pause, held ? "Resume" : "Hold", held, tile))
            sink.dispatch(desk::HoldIntent{ref_of(call), !held});
        ImGui::EndDisabled();

        next();
        if (ui::call_control("##keypad", ui::Glyph::Keypad, "Keypad", m.keypad, tile)) m.keypad = !m.keypad;

        next();
        const ImVec2 transfer_at = ImGui::GetCursorScreenPos();
        ImGui::BeginDisabled(!active);
        if (ui::call_control("##transfer", ui::Glyph::Transfer, "Transfer", ImGui::IsPopupOpen(kCallTransferPopup), tile))
            ImGui::OpenPopup(kCallTransferPopup);
        ImGui::EndDisabled();
        draw_transfer_popup(s, call, sink, m, ImVec2(transfer_at.x + kTileW, transfer_at.y + kTileH + 6.0f));
    }

    next();
    if (hangup_tile("##hangup", tile)) sink.dispatch(desk::HangupIntent{ref_of(call)});
    ImGui::SetCursorScreenPos(ImVec2(left, y + kTileH + 18.0f));
}

// Ringing on this desk: Decline and Answer, as in the banner.
void draw_ringing_controls(const Call& call, IntentSink& sink, float left, float w) {
    const float bw = 150.0f, gap = 12.0f;
    const float y = ImGui::GetCursorScreenPos().y;
    const float x = left + std::floor((w - 2.0f * bw - gap) * 0.5f);
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    if (ui::hangup_button("Decline", ImVec2(bw, 44.0f))) sink.dispatch(desk::HangupIntent{ref_of(call)});
    ImGui::SetCursorScreenPos(ImVec2(x + bw + gap, y));
    if (ui::success_button("Answer", ImVec2(bw, 44.0f))) sink.dispatch(desk::AnswerIntent{ref_of(call)});
    ImGui::SetCursorScreenPos(ImVec2(left, y + 44.0f + 18.0f));
}

// A voice contact without a call: call the customer back (a callback, or a call that dropped).
void draw_no_call_controls(const desk::DeskState& s, const Contact& k, IntentSink& sink, float left, float w) {
    const auto& f = theme::fonts();
    const bool registered = s.voice.registration == sip::RegistrationState::registered ||
                            s.voice.registration == sip::RegistrationState::refreshing;
    const std::string number = k.call && !k.call->number.empty() ? k.call->number : k.customer.phone;
    const std::string label = number.empty() ? "Call back" : "Call back " + number;
    const float bw = std::max(200.0f, ui::text_size(f.strong, label).x + 40.0f), gap = 12.0f, ew = 100.0f;
    const float y = ImGui::GetCursorScreenPos().y;
    const float x = left + std::floor((w - bw - gap - ew) * 0.5f);
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    ImGui::BeginDisabled(!registered);
    if (ui::success_button(label.c_str(), ImVec2(bw, 44.0f))) sink.dispatch(desk::DialIntent{"", "", k.id});
    ImGui::EndDisabled();
    ImGui::SetCursorScreenPos(ImVec2(x + bw + gap, y));
    if (ui::secondary_button("End", ImVec2(ew, 44.0f))) sink.dispatch(desk::EndIntent{k.id});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("End this contact and start wrap-up");
    float ny = y + 44.0f + 10.0f;
    if (!registered) {
        centred_text(f.small, color::warning_text, "Your phone is not connected; calls cannot be placed now.", ny, left, w);
        ny += ui::line_height(f.small) + 4.0f;
    }
    ImGui::SetCursorScreenPos(ImVec2(left, ny + 14.0f));
}

// ---- keypad ------------------------------------------------------------------------------------
void draw_keypad(const Call& call, IntentSink& sink, CallMemory& m, float left, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 size = ui::keypad_size(kKey, kKeyGap);
    const float x = left + std::floor((w - size.x) * 0.5f);
    float y = ImGui::GetCursorScreenPos().y;

    // The digits sent so far, in a field-like strip.
    const float strip_h = 36.0f;
    dl->AddRectFilled(ImVec2(x, y), ImVec2(x + size.x, y + strip_h), color::surface_hover, 8.0f);
    const std::string shown = m.sent.empty() ? "Tones you press are sent to the call" : m.sent;
    ImFont* sf = m.sent.empty() ? f.small : f.heading;
    const std::string fit = ui::ellipsize(sf, shown, size.x - 20.0f);
    const float tw = ui::text_size(sf, fit).x;
    ui::draw_text(dl, sf, ImVec2(x + (size.x - tw) * 0.5f, ui::centred_y(sf, y, strip_h)),
                  m.sent.empty() ? color::text_faint : color::text, fit);
    y += strip_h + 10.0f;

    const bool can_send = call.phase == CallPhase::Active;
    std::string digits;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    ImGui::BeginDisabled(!can_send);
    if (char key = ui::keypad("##dtmf", kKey, kKeyGap)) digits += key;
    ImGui::EndDisabled();
    // Typed digits go too, while no text field has the keyboard.
    if (can_send && !ImGui::GetIO().WantTextInput) {
        for (ImWchar ch : ImGui::GetIO().InputQueueCharacters)
            if ((ch >= '0' && ch <= '9') || ch == '*' || ch == '#') digits += static_cast<char>(ch);
    }
    if (!digits.empty()) {
        sink.dispatch(desk::DtmfIntent{ref_of(call), digits});
        m.sent += digits;
        if (m.sent.size() > 40) m.sent.erase(0, m.sent.size() - 40);
    }
    y += size.y;
    if (!can_send) {
        centred_text(f.small, color::text_muted, "Tones can be sent once the call is active.", y + 8.0f, left, w);
        y += ui::line_height(f.small) + 8.0f;
    }
    ImGui::SetCursorScreenPos(ImVec2(left, y + 16.0f));
}

// ---- transfer popup ----------------------------------------------------------------------------
void draw_transfer_popup(const desk::DeskState& s, const Call& call, IntentSink& sink, CallMemory& m, ImVec2 anchor) {
    const auto& f = theme::fonts();
    const float width = 320.0f;
    ImGui::SetNextWindowPos(anchor, ImGuiCond_Always, ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14.0f, 12.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    if (ImGui::BeginPopup(kCallTransferPopup, ImGuiWindowFlags_NoMove)) {
        const float w = width - 28.0f;
        ui::text(f.heading, color::text, "Transfer call");
        ui::text(f.small, color::text_muted, "Blind: the caller goes straight to them.");
        ImGui::Dummy(ImVec2(w, 2.0f));
        ImDrawList* dl = ImGui::GetWindowDrawList();
        int listed = 0;
        for (const auto& q : s.queues) {
            if (q.number.empty()) continue;
            ++listed;
            ImGui::PushID(q.code.c_str());
            const bool on = m.transfer_to == q.code;
            if (ImGui::InvisibleButton("##q", ImVec2(w, 34.0f))) m.transfer_to = q.code, m.transfer_number.clear();
            const bool hovered = ImGui::IsItemHovered();
            ImGui::PopID();
            const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            if (on || hovered) dl->AddRectFilled(a, b, on ? color::accent_soft : color::surface_hover, 8.0f);
            ui::radio_dot(dl, ImVec2(a.x + 16.0f, (a.y + b.y) * 0.5f), on);
            const float nw = ui::text_size(f.small, q.number).x;
            ui::draw_text(dl, on ? f.strong : f.body, ImVec2(a.x + 32.0f, ui::centred_y(f.body, a.y, 34.0f)), color::text,
                          ui::ellipsize(f.body, q.name.empty() ? q.code : q.name, w - 52.0f - nw));
            ui::draw_text(dl, f.small, ImVec2(b.x - nw - 10.0f, ui::centred_y(f.small, a.y, 34.0f)), color::text_faint, q.number);
        }
        if (listed > 0) ImGui::Dummy(ImVec2(w, 2.0f));
        ui::text(f.strong, color::text, listed > 0 ? "Or a number" : "A number");
        ImGui::SetNextItemWidth(w);
        bool enter = false;
        if (ui::input_text("##transfer_number", m.transfer_number, "+15551234567", 0, &enter) && !m.transfer_number.empty())
            m.transfer_to.clear();
        const std::string target = !m.transfer_to.empty() ? m.transfer_to : m.transfer_number;
        ImGui::Dummy(ImVec2(w, 4.0f));
        ImGui::BeginDisabled(target.empty());
        if (ui::primary_button("Transfer", ImVec2(w, 36.0f)) || (enter && !target.empty())) {
            desk::TransferIntent t;
            t.contact = call.contact;
            t.call = call.id;
            t.target = target;
            t.mode = "blind";
            sink.dispatch(t);
            m.transfer_to.clear();
            m.transfer_number.clear();
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndDisabled();
        if (ImGui::IsKeyPressed(ImGuiKey_Escape, false)) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
}

}  // namespace

// ---- draw_call_panel ---------------------------------------------------------------------------

void draw_call_panel(const desk::DeskState& s, const Contact* k, const Call* call, IntentSink& sink, PanelContext& ctx) {
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::BeginChild("##call_panel", ImVec2(0.0f, 0.0f), false);
    const float left = ImGui::GetCursorScreenPos().x;
    const float w = ImGui::GetContentRegionAvail().x;

    draw_hero(s, k, call, ctx, left, w);
    if (call) {
        CallMemory& m = ctx.memory.calls.at(call->id);  // keypad, digits sent, transfer form
        if (call->phase == CallPhase::Ringing && !call->outgoing) {
            draw_ringing_controls(*call, sink, left, w);
        } else {
            draw_live_controls(s, k, *call, sink, m, left, w);
            if (m.keypad && view::call_is_up(*call)) draw_keypad(*call, sink, m, left, w);
        }
    } else if (k && k->state == contact::ContactState::Active) {
        draw_no_call_controls(s, *k, sink, left, w);
    }
    ImGui::Dummy(ImVec2(w, 1.0f));
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace sb::shell::workspace
